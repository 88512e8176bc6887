"""The workflow's static parts: the ASL definition, PlanWeek's coverage rule, rerun names, the PDF."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from nexus_cli.commands.rerun import next_rerun_name
from nexus_contracts.asl import ASL_PATH, PLACEHOLDERS, render_asl
from nexus_reporter.plan import plan
from tests.conftest import REPO

ASL = json.loads((REPO / ASL_PATH).read_text())


def test_asl_uses_exactly_the_shared_placeholders_and_renders() -> None:
    # Given the one definition file
    text = (REPO / ASL_PATH).read_text()
    # When its placeholders are substituted
    used = set(re.findall(r"\$\{([A-Za-z]+)\}", text))
    rendered = json.loads(render_asl(text, {p: f"arn:test:{p}" for p in PLACEHOLDERS}))
    # Then it uses every shared placeholder and nothing else, and stays valid JSON
    assert used == set(PLACEHOLDERS)
    assert rendered["StartAt"] == "PlanWeek"


def test_every_task_is_caught_and_ends_in_notify_failure_then_fail() -> None:
    # Given the states of the definition
    states = ASL["States"]
    tasks = {
        n: s
        for n, s in states.items()
        if s["Type"] == "Task" and n not in ("NotifyFailure", "NotifyInsufficientData")
    }
    # Then every working task catches States.ALL into the failure alert, which ends in a Fail state
    assert set(tasks) == {"PlanWeek", "RunAnalysis", "RunAnalysisOnDemand", "GenerateReport", "PublishReport"}
    for name, state in tasks.items():
        assert state["Catch"][-1] == {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.error",
            "Next": "BuildFailureAlert",
        }, name
        assert len(state["Catch"]) == (2 if name == "RunAnalysis" else 1), name
    # And a failed analysis task goes through the Spot check first, which defaults to the alert
    assert states["RunAnalysis"]["Catch"][0] == {
        "ErrorEquals": ["States.TaskFailed"],
        "ResultPath": "$.error",
        "Next": "SpotInterrupted",
    }
    assert states["SpotInterrupted"]["Default"] == "BuildFailureAlert"
    assert states["BuildFailureAlert"]["Next"] == "NotifyFailure"
    assert states["NotifyFailure"]["Next"] == "Failed"
    assert states["Failed"]["Type"] == "Fail"
    attrs = states["NotifyFailure"]["Parameters"]["MessageAttributes"]
    assert attrs["severity"]["StringValue"] == "critical"
    assert attrs["kind"]["StringValue"] == "analysis_failed"


def test_transient_errors_are_retried_with_backoff_on_lambda_and_ecs() -> None:
    # Given the retry policies
    states = ASL["States"]
    for name, expected in (
        ("GenerateReport", {"Lambda.ServiceException", "Lambda.TooManyRequestsException", "TransientError"}),
        ("PlanWeek", {"Lambda.ServiceException", "Lambda.TooManyRequestsException", "TransientError"}),
        ("RunAnalysis", {"ECS.AmazonECSException", "TransientError"}),
        ("RunAnalysisOnDemand", {"ECS.AmazonECSException", "TransientError"}),
    ):
        retry = states[name]["Retry"][0]
        # Then they cover the transient errors and back off
        assert expected <= set(retry["ErrorEquals"]), name
        assert retry["BackoffRate"] > 1
        assert retry["MaxAttempts"] >= 2
    run = states["RunAnalysis"]["Parameters"]
    assert states["RunAnalysis"]["Resource"] == "arn:aws:states:::ecs:runTask.sync"
    assert run["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"
    assert run["Overrides"]["ContainerOverrides"][0]["Name"] == "analyzer"


def test_analysis_runs_on_the_configured_capacity_provider_and_reruns_on_demand_after_spot() -> None:
    # Given the two RunTask states
    states = ASL["States"]
    run, on_demand = states["RunAnalysis"], states["RunAnalysisOnDemand"]
    # Then the first uses a capacity provider strategy (no LaunchType, which would override it)
    assert "LaunchType" not in run["Parameters"]
    assert run["Parameters"]["CapacityProviderStrategy"] == [
        {"CapacityProvider": "${AnalysisCapacityProvider}", "Weight": 1}
    ]
    # And the rerun after a Spot interruption is the same task on on-demand Fargate
    assert on_demand["Parameters"]["CapacityProviderStrategy"] == [
        {"CapacityProvider": "FARGATE", "Weight": 1}
    ]
    same = {k: v for k, v in on_demand["Parameters"].items() if k != "CapacityProviderStrategy"}
    assert same == {k: v for k, v in run["Parameters"].items() if k != "CapacityProviderStrategy"}
    assert on_demand["Next"] == run["Next"] == "GenerateReport"
    # And only a Spot interruption (the stop code in the task description) takes that path
    (choice,) = states["SpotInterrupted"]["Choices"]
    assert choice == {
        "Variable": "$.error.Cause",
        "StringMatches": "*SpotInterruption*",
        "Next": "RunAnalysisOnDemand",
    }


@pytest.mark.parametrize(("spot", "provider"), [(True, "FARGATE_SPOT"), (False, "FARGATE")])
def test_capacity_provider_placeholder_follows_the_spot_option(spot: bool, provider: str) -> None:
    from nexus_contracts.asl import analysis_capacity_provider

    # When the definition is rendered with the option's provider
    values = {p: f"arn:test:{p}" for p in PLACEHOLDERS}
    values["AnalysisCapacityProvider"] = analysis_capacity_provider(spot)
    rendered = json.loads(render_asl((REPO / ASL_PATH).read_text(), values))
    # Then the first RunTask names it
    strategy = rendered["States"]["RunAnalysis"]["Parameters"]["CapacityProviderStrategy"]
    assert strategy == [{"CapacityProvider": provider, "Weight": 1}]


class FakePartitions:
    """Partition records by (source, dataset) -> days; the repository's list_partitions signature."""

    def __init__(self, days: dict[tuple[str, str], list[date]]) -> None:
        self.days = days

    def list_partitions(self, source: str, dataset: str, start: date, end: date) -> list[Any]:
        return [
            SimpleNamespace(day=d, rows=24) for d in self.days.get((source, dataset), []) if start <= d <= end
        ]


@pytest.mark.parametrize(("n_days", "enough"), [(7, True), (5, True), (4, False), (0, False)])
def test_plan_week_needs_five_days_of_prices(n_days: int, enough: bool) -> None:
    # Given price partitions for n days of 2024-W03 (from two sources, overlapping)
    monday = date(2024, 1, 15)
    days = [monday + timedelta(days=k) for k in range(n_days)]
    repo = FakePartitions({("sim", "day_ahead_price"): days, ("entsoe", "day_ahead_price"): days[:2]})
    # When the week is planned
    out = plan("2024-W03", "weekly-2024-W03", repo, datetime(2024, 2, 1, tzinfo=UTC))
    # Then the Choice input says whether there is enough data
    assert out["enough_data"] is enough
    assert out["days_with_prices"] == n_days
    assert out["week"] == "2024-W03"
    assert out["execution"] == "weekly-2024-W03"


def test_plan_week_auto_is_the_last_complete_week_in_brussels() -> None:
    # Given Sunday 2024-03-31 23:30 UTC, already Monday 01:30 in Brussels
    now = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)
    # When planning "auto"
    out = plan("auto", None, FakePartitions({}), now)
    # Then the week that just ended is chosen, and the execution name follows it
    assert out["week"] == "2024-W13"
    assert out["execution"] == "weekly-2024-W13"


def test_rerun_names_count_up_per_week() -> None:
    existing = ["weekly-2024-W03", "weekly-2024-W03-r1", "weekly-2024-W03-r2", "weekly-2024-W04-r7"]
    assert next_rerun_name("2024-W03", existing) == "weekly-2024-W03-r3"
    assert next_rerun_name("2024-W05", existing) == "weekly-2024-W05-r1"


def test_pdf_has_its_sections_is_deterministic_and_marks_simulated_data(tmp_path: Path) -> None:
    # Given an analysis document of the synthetic (source sim) market
    from nexus_analyzer.adapters.store import output_keys
    from nexus_analyzer.analysis import analyze, lookback_start
    from nexus_analyzer.document import build_document
    from nexus_analyzer.narrative.facts import build_facts
    from nexus_analyzer.narrative.service import write_narrative
    from nexus_analyzer.synthetic import synthetic_market
    from nexus_contracts.analysis import week_bounds
    from nexus_reporter.pdf import render_pdf

    week = "2024-W10"
    res = analyze(synthetic_market(["DE_LU"], lookback_start(week, 35), week_bounds(week)[1]), week, 35)
    narrative = write_narrative(build_facts(res.sections, week), [], None)
    doc = build_document(
        week, 35, res.sections, narrative, [], output_keys(week), datetime(2024, 3, 11, tzinfo=UTC)
    )
    # When it is rendered twice
    first, pages = render_pdf(doc)
    second, _ = render_pdf(doc)
    # Then the bytes are identical, there are at least 4 pages with images, and the mark is visible
    assert first == second
    assert pages >= 4
    assert first.count(b"/Subtype /Image") >= 4
    plain, _ = render_pdf(doc, compress=False)
    assert plain.count(b"(SIMULATED DATA)") == pages
