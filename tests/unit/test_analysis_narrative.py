"""The narrative: recorded Messages API response shapes through an HTTP mock transport, never the network."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx2
import pytest

from nexus_analyzer.adapters.claude import ClaudeModel
from nexus_analyzer.analysis import analyze, lookback_start
from nexus_analyzer.narrative import guard
from nexus_analyzer.narrative.draft import NarrativeDraft
from nexus_analyzer.narrative.facts import allowed_numbers, build_facts
from nexus_analyzer.narrative.service import write_narrative
from nexus_analyzer.synthetic import synthetic_market
from nexus_contracts.analysis import Narrative, week_bounds

WEEK = "2024-W10"


@pytest.fixture(scope="module")
def facts() -> dict[str, Any]:
    table = synthetic_market(
        ["DE_LU", "FR"], lookback_start(WEEK, 60), week_bounds(WEEK)[1] + timedelta(days=1)
    )
    return build_facts(analyze(table, WEEK, 60).sections, WEEK)


def _message(answer: dict[str, Any] | str, tokens: tuple[int, int] = (1200, 300)) -> dict[str, Any]:
    """The shape of a recorded POST /v1/messages 200 response."""
    text = answer if isinstance(answer, str) else json.dumps(answer)
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": tokens[0], "output_tokens": tokens[1]},
    }


def _answer(facts: dict[str, Any], fabricated: str | None = None) -> dict[str, Any]:
    de = facts["markets"]["DE_LU"]
    summary = (
        f"DE_LU averaged {de['base_eur_mwh']:.2f} EUR/MWh base and {de['peak_eur_mwh']:.2f} peak in {WEEK}."
    )
    if fabricated:
        summary += f" Prices were {fabricated} EUR/MWh above the five-year norm."
    return {
        "headline": f"DE_LU base at {de['base_eur_mwh']:.2f} EUR/MWh",
        "summary": summary,
        "drivers": [
            f"Gas moved the daily base by {de['regression']['eur_mwh_per_unit']['gas']:.2f} per EUR/MWh."
        ],
        "risks": ["Wind lulls."],
        "outlook": f"Next week around {de['next_week_expected_base_eur_mwh']:.2f} EUR/MWh.",
        "caveats": ["Simulated data."],
    }


class Recorder:
    """Serves recorded responses in order and keeps the requests it saw."""

    def __init__(self, *responses: httpx2.Response) -> None:
        self.responses = list(responses)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(json.loads(request.content))
        return self.responses.pop(0)


def _model(recorder: Recorder) -> ClaudeModel:
    client = httpx2.Client(transport=httpx2.MockTransport(recorder))
    return ClaudeModel(
        "sk-test", "claude-sonnet-4-5", 1500, 5.0, 3.0, 15.0, max_retries=0, http_client=client
    )


def test_valid_answer_is_used_with_tokens_and_cost(facts: dict[str, Any]) -> None:
    # Given a recorded answer that quotes only computed numbers
    rec = Recorder(httpx2.Response(200, json=_message(_answer(facts))))
    # When the narrative is written
    out = write_narrative(facts, ["Cold snap grips Germany"], _model(rec))
    # Then the model's text is used and its usage and cost recorded
    assert out["source"] == "llm"
    assert out["attempts"] == 1
    assert (out["input_tokens"], out["output_tokens"]) == (1200, 300)
    assert out["cost_usd"] == pytest.approx((1200 * 3.0 + 300 * 15.0) / 1e6)
    Narrative.model_validate(out)
    # and the prompt carried metrics and headlines, never raw series
    prompt = rec.requests[0]["messages"][0]["content"]
    assert "Cold snap grips Germany" in prompt
    assert "base_eur_mwh" in prompt
    assert "interval_start_utc" not in prompt


def test_guard_catches_fabricated_number_and_retry_names_it(facts: dict[str, Any]) -> None:
    # Given a first answer with a fabricated number, then a clean one
    rec = Recorder(
        httpx2.Response(200, json=_message(_answer(facts, fabricated="17.37"))),
        httpx2.Response(200, json=_message(_answer(facts))),
    )
    # When the narrative is written
    out = write_narrative(facts, [], _model(rec))
    # Then the retry named the violation and the clean answer was used
    assert "17.37" in rec.requests[1]["messages"][-1]["content"]
    assert out["source"] == "llm"
    assert out["attempts"] == 2
    assert out["input_tokens"] == 2400


def test_repeated_fabrication_falls_back_to_template(facts: dict[str, Any]) -> None:
    # Given two answers that both invent a number
    bad = _message(_answer(facts, fabricated="17.37"))
    rec = Recorder(httpx2.Response(200, json=bad), httpx2.Response(200, json=bad))
    # When the narrative is written
    out = write_narrative(facts, [], _model(rec))
    # Then the template is used and the reason recorded
    assert out["source"] == "template"
    assert "17.37" in out["fallback_reason"]
    assert out["attempts"] == 2
    assert out["model"] == "claude-sonnet-4-5"


@pytest.mark.parametrize(
    "response",
    [
        httpx2.Response(
            529, json={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        ),
        httpx2.Response(
            429, json={"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
        ),
        httpx2.Response(500, json={"type": "error", "error": {"type": "api_error", "message": "Internal"}}),
        httpx2.Response(200, json=_message("I cannot answer in JSON today.")),
        httpx2.Response(200, json=_message('{"headline": "x"}')),
    ],
    ids=["overloaded", "rate-limited", "server-error", "no-json", "wrong-shape"],
)
def test_model_failure_uses_template(facts: dict[str, Any], response: httpx2.Response) -> None:
    # Given a model call that fails or answers malformed output
    rec = Recorder(response)
    # When the narrative is written
    out = write_narrative(facts, [], _model(rec))
    # Then the deterministic template is used, once
    assert out["source"] == "template"
    assert out["fallback_reason"]
    assert len(rec.requests) == 1


def test_timeout_uses_template(facts: dict[str, Any]) -> None:
    # Given a transport that times out
    def boom(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    model = ClaudeModel(
        "k",
        "m",
        100,
        0.5,
        3.0,
        15.0,
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(boom)),
    )
    # When the narrative is written
    out = write_narrative(facts, [], model)
    # Then it falls back
    assert out["source"] == "template"
    assert "model call failed" in out["fallback_reason"]


def test_template_without_key_passes_its_own_guard_and_is_deterministic(facts: dict[str, Any]) -> None:
    # Given no model configured
    # When the narrative is written twice
    a, b = write_narrative(facts, [], None), write_narrative(facts, [], None)
    # Then it is the template, identical both times, and quotes only computed numbers
    assert a == b
    assert a["source"] == "template"
    assert a["fallback_reason"] == "no API key configured"
    draft = NarrativeDraft.model_validate(
        {k: a[k] for k in ("headline", "summary", "drivers", "risks", "outlook", "caveats")}
    )
    assert guard.violations(draft.texts(), allowed_numbers(facts)) == []


def test_guard_reads_numbers_as_written() -> None:
    # Given text with signs, thousands separators, percents and codes containing digits
    text = "NO2 and DE_LU in 2024-W10: base 1,234.5 EUR/MWh, -3.2 % and +17 h."
    # When numbers are extracted
    got = [(w, v, d) for w, v, d in guard.numbers_in(text)]
    # Then codes are ignored and values carry their decimals
    assert [v for _, v, _ in got] == [2024, 1234.5, 3.2, 17]
    assert guard.violations([text], [2024, 1234.46, -3.24, 17]) == []
    assert guard.violations([text], [2024, 1234.46, -3.26, 17]) == ["-3.2"]
