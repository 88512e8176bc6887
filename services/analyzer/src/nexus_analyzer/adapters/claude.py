"""Claude through the anthropic SDK, behind the NarrativeModel protocol."""

from __future__ import annotations

import anthropic
import httpx2

from nexus_analyzer.narrative.service import Completion, ModelUnavailable


class ClaudeModel:
    """One Messages API call per `complete`; SDK retries are bounded by `max_retries`."""

    def __init__(
        self,
        api_key: str,
        model: str,
        max_tokens: int,
        timeout_s: float,
        usd_per_mtok_in: float,
        usd_per_mtok_out: float,
        max_retries: int = 2,
        http_client: httpx2.Client | None = None,
        base_url: str | None = None,
    ) -> None:
        self.model = model
        self._max_tokens = max_tokens
        self._prices = (usd_per_mtok_in, usd_per_mtok_out)
        self._client = anthropic.Anthropic(
            api_key=api_key,
            timeout=timeout_s,
            max_retries=max_retries,
            http_client=http_client,
            base_url=base_url,
        )

    def complete(self, system: str, messages: list[dict[str, str]]) -> Completion:
        try:
            msg = self._client.messages.create(
                model=self.model,
                max_tokens=self._max_tokens,
                system=system,
                messages=messages,  # type: ignore[arg-type]
            )
        except anthropic.APIError as exc:  # status errors, connection errors and timeouts
            raise ModelUnavailable(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
        text = "".join(getattr(block, "text", "") for block in msg.content)
        return Completion(
            text=text, input_tokens=msg.usage.input_tokens, output_tokens=msg.usage.output_tokens
        )

    def cost_usd(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self._prices[0] + output_tokens * self._prices[1]) / 1_000_000
