"""Write the narrative: the model under the numbers guard, else the template.

Flow: no client -> template. Otherwise ask; parse and validate the JSON; check the numbers; on a
violation ask once more naming the violations; if that fails too, or on any API error (429, 5xx,
overloaded, timeout) or malformed output, fall back to the template. The result records which one
was used, the model, tokens and cost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from nexus_analyzer.narrative import guard, prompt
from nexus_analyzer.narrative.draft import NarrativeDraft
from nexus_analyzer.narrative.facts import allowed_numbers
from nexus_analyzer.narrative.template import template_narrative


@dataclass(frozen=True)
class Completion:
    text: str
    input_tokens: int
    output_tokens: int


class ModelUnavailable(Exception):
    """The model call failed (network, 429, 5xx, overloaded, timeout)."""


class NarrativeModel(Protocol):
    model: str

    def complete(self, system: str, messages: list[dict[str, str]]) -> Completion: ...

    def cost_usd(self, input_tokens: int, output_tokens: int) -> float: ...


class MalformedAnswer(Exception):
    """The answer is not one JSON object of the NarrativeDraft shape."""


def parse_answer(text: str) -> NarrativeDraft:
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if match is None:
        raise MalformedAnswer("no JSON object in the answer")
    try:
        return NarrativeDraft.model_validate(json.loads(match.group(0)))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise MalformedAnswer(str(exc)[:300]) from exc


def write_narrative(
    facts: dict[str, Any], headlines: list[str], model: NarrativeModel | None
) -> dict[str, Any]:
    """The Narrative contract fields."""
    if model is None:
        return _template(facts, "no API key configured", model=None)
    allowed = allowed_numbers(facts)
    messages = [{"role": "user", "content": prompt.user_message(facts, headlines)}]
    tokens_in = tokens_out = attempts = 0
    reason = ""
    for _ in range(2):
        attempts += 1
        try:
            done = model.complete(prompt.SYSTEM, messages)
        except ModelUnavailable as exc:
            reason = f"model call failed: {exc}"
            break
        tokens_in, tokens_out = tokens_in + done.input_tokens, tokens_out + done.output_tokens
        try:
            draft = parse_answer(done.text)
        except MalformedAnswer as exc:
            reason = f"malformed answer: {exc}"
            break
        bad = guard.violations(draft.texts(), allowed)
        if not bad:
            return {
                **draft.model_dump(),
                "source": "llm",
                "model": model.model,
                "input_tokens": tokens_in,
                "output_tokens": tokens_out,
                "cost_usd": round(model.cost_usd(tokens_in, tokens_out), 6),
                "attempts": attempts,
            }
        reason = f"numbers guard: {', '.join(bad[:10])}"
        messages += [
            {"role": "assistant", "content": done.text},
            {"role": "user", "content": prompt.correction(bad)},
        ]
    out = _template(facts, reason, model=model.model)
    cost = round(model.cost_usd(tokens_in, tokens_out), 6)
    return out | {
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "cost_usd": cost,
        "attempts": attempts,
    }


def _template(facts: dict[str, Any], reason: str, model: str | None) -> dict[str, Any]:
    return {
        **template_narrative(facts).model_dump(),
        "source": "template",
        "model": model,
        "fallback_reason": reason,
    }
