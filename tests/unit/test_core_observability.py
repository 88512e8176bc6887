"""The metric helper: low-cardinality dimensions only, EMF where CloudWatch reads it."""

from __future__ import annotations

import json

import pytest

from nexus_core.observability import metric, metrics_enabled


def test_ids_are_refused_as_dimensions() -> None:
    with pytest.raises(ValueError, match="dimensions limited"):
        metric("Rows", 1, source="sim", event_id="abc")


def test_metrics_follow_lambda_and_the_switch(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given no switch and no Lambda: nothing is emitted
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert metrics_enabled() is False
    metric("Rows", 3, source="sim")
    assert capsys.readouterr().out == ""
    # When running inside Lambda, one EMF record with the NEXUS namespace and the dimension
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "nexus-test-validator")
    metric("Rows", 3, source="sim", dataset="temperature")
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    directive = record["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "NEXUS"
    assert directive["Dimensions"] == [["source", "dataset"]]
    assert record["Rows"] == [3.0]
    # And the explicit switch wins over both
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    assert metrics_enabled() is False
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    assert metrics_enabled() is True
