"""The bad-input corpus through the rule set and through `nexus validate`.

Each case of tests/fixtures/bad_inputs/manifest.json states its expected outcome: the message
rejected whole by one event rule, or the good records accepted and each bad record rejected by
its rule, plus the alerts it must raise. Nothing may crash.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nexus_cli.main import main as nexus
from nexus_contracts.events import ClaimCheck
from nexus_contracts.observation import Observation
from nexus_validator.quality import QualityContext, QualityReport, evaluate_body, history_from_rows

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
CASES: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text())
NOW = datetime.now(UTC)


def _fetcher(case: dict[str, Any]) -> Any:
    objects = {key: (CORPUS / path).read_bytes() for key, path in case.get("s3_objects", {}).items()}

    def fetch(check: ClaimCheck) -> bytes:
        return objects[check.key]  # KeyError (a LookupError) when the object is absent

    return fetch


def _history(case: dict[str, Any]) -> dict[str, Any]:
    if "prior" not in case:
        return {}
    _, prior = evaluate_body((CORPUS / case["prior"]).read_bytes(), QualityContext(now=NOW))
    return history_from_rows(o.model_dump() for o in prior.accepted)


def _evaluate(case: dict[str, Any]) -> QualityReport:
    ctx = QualityContext(now=NOW, history=_history(case))
    _, report = evaluate_body((CORPUS / case["file"]).read_bytes(), ctx, _fetcher(case))
    return report


def test_corpus_has_at_least_forty_cases() -> None:
    # Given the manifest / Then it lists 40 or more distinct bad inputs, each with its file
    assert len({c["name"] for c in CASES}) >= 40
    assert all((CORPUS / c["file"]).is_file() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_rule_set_outcome_matches_the_manifest(case: dict[str, Any]) -> None:
    # Given one bad input / When the rule set judges its message body
    report = _evaluate(case)
    # Then a broken message is rejected whole by its event rule
    if "message_rule" in case:
        assert [(r.rule, r.index) for r in report.rejections] == [(case["message_rule"], None)]
        assert report.accepted == ()
        return
    # Or the good records are accepted and each bad record is rejected by its rule, with a reason
    assert len(report.accepted) == case["accepted"]
    assert Counter(r.rule for r in report.rejections) == Counter(case.get("rejected", {}))
    assert all(r.reason and r.index is not None for r in report.rejections)
    kinds = {a.kind.value for a in report.alerts}
    assert set(case.get("alerts", [])) <= kinds
    assert ("data_quality" in kinds) == bool(case.get("rejected"))
    assert report.revisions.stale == case.get("stale", 0)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_nexus_validate_exit_code_and_rules(case: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    # Given one bad input as a file / When `nexus validate` runs on it
    code = nexus(["validate", str(CORPUS / case["file"])])
    out = capsys.readouterr().out
    # Then the exit code is the manifest's and every expected rule is printed
    assert code == case["validate_exit"]
    for rule in [case.get("message_rule"), *case.get("rejected", {})]:
        if rule and code != 2:
            assert f"[{rule}/" in out


def test_a_revised_vintage_replaces_and_a_late_older_one_is_stale() -> None:
    # Given the newer vintage stored first, then the older one arriving late
    case = next(c for c in CASES if c["name"] == "stale_vintage")
    late = _evaluate(case)
    # Then every late record is classified stale (the lake merge keeps the newer values)
    assert late.revisions.stale == len(late.accepted) == 3
    # And the reverse order classifies the newer vintage as a revision
    older = [Observation.model_validate(o.model_dump()) for o in late.accepted]
    history = history_from_rows(o.model_dump() for o in older)
    _, newer = evaluate_body((CORPUS / case["prior"]).read_bytes(), QualityContext(now=NOW, history=history))
    assert newer.revisions.revised == 3
