"""Lambda concurrency on a 10-execution account: quota mode (default) reserves nothing and caps each
function without a reservation; reserved mode keeps reservations within the budget and states the
account quota AWS requires for them."""

from __future__ import annotations

import pytest

from nexus_contracts.topology import COLLECTOR_SOURCES, DAILY_COLLECTION_CRON
from nexus_infra.concurrency import (
    ApiThrottle,
    ConcurrencyBudgetError,
    allocate,
    main,
    peaks,
    required_quota,
    reserved_peak,
)
from tests.infra.pulumi_harness import Recorder

pytestmark = pytest.mark.xdist_group("infra-default")


def test_default_mode_reserves_nothing(core_default: Recorder) -> None:
    # Given the default core stack (quota mode)
    functions = core_default.of_type("lambda/function:Function")
    # Then no function reserves concurrency, so AWS's 100-unreserved rule cannot refuse the stack
    assert len(functions) == 4
    assert [f.name for f in functions if f.inputs.get("reservedConcurrentExecutions") is not None] == []
    # And the validator is capped by its event-source mapping at 2
    (mapping,) = core_default.of_type("eventSourceMapping:EventSourceMapping")
    assert mapping.inputs["scalingConfig"] == {"maximumConcurrency": 2}


def test_default_mode_throttles_the_api_stage(core_default: Recorder) -> None:
    # Given the HTTP API's stage
    (stage,) = core_default.of_type("apigatewayv2/stage:Stage")
    settings = stage.inputs["defaultRouteSettings"]
    # Then its token bucket lets a dashboard page's 8 parallel requests through, and at the 0.25 s
    # p95 the estimate assumes at most 9 executions overlap
    throttle = ApiThrottle(settings["throttlingBurstLimit"], settings["throttlingRateLimit"], 0.25)
    assert (throttle.burst, throttle.rate_per_s) == (8, 4.0)
    assert throttle.max_concurrency() == 9


def test_default_mode_exports_its_worst_case_peaks(core_default: Recorder) -> None:
    # Then the stack output states the mode and the peak of each window for the four default sources
    assert core_default.outputs["lambda_concurrency"] == {
        "mode": "quota",
        "account_quota": 10,
        "peaks": {"daily 06:00 UTC": 6, "Sunday 02:00 UTC": 1},
        "api_burst_executions": 9,
    }


def test_all_eight_collectors_deploy_without_reservation_on_daily_0600_schedules(
    collectors_all_sources: dict[str, Recorder],
) -> None:
    # Given every source deployed at once (reserved mode could not fit them in 10)
    assert set(collectors_all_sources) == set(COLLECTOR_SOURCES)
    for source, rec in collectors_all_sources.items():
        (function,) = rec.of_type("lambda/function:Function")
        (schedule,) = rec.of_type("scheduler/schedule:Schedule")
        # Then none reserves concurrency, and every schedule is still daily 06:00 UTC, spread over 15 min
        assert function.inputs.get("reservedConcurrentExecutions") is None, source
        assert schedule.inputs["scheduleExpression"] == DAILY_COLLECTION_CRON, source
        assert schedule.inputs["scheduleExpressionTimezone"] == "UTC", source
        assert schedule.inputs["flexibleTimeWindow"]["mode"] == "FLEXIBLE", source
        assert schedule.inputs["flexibleTimeWindow"]["maximumWindowInMinutes"] <= 15, source


def test_worst_case_peaks_per_window() -> None:
    # Given an API throttled to at most 2 overlapping executions
    api = ApiThrottle(2, 1.0, 0.5).max_concurrency()
    # When every schedule fires in the same minute
    daily, weekly = peaks(("entsoe", "openmeteo", "fred", "eia"), api)
    everything, _ = peaks(COLLECTOR_SOURCES, api)
    # Then the scheduled work is four collectors + validator 2; all eight + 2 fill the 10; Sunday is 1
    assert (daily.total, everything.total, weekly.total) == (6, 10, 1)
    # And the API's burst stands beside the scheduled work, not in it
    assert (daily.api, weekly.api) == (2, 2)
    assert dict(weekly.parts)["analyzer (Fargate, no Lambda)"] == 0
    # And a slower API widens its share: a 1 s p95 lets a third request overlap
    assert ApiThrottle(2, 1.0, 1.0).max_concurrency() == 3


def test_concurrency_report_says_when_a_window_passes_the_quota(capsys: pytest.CaptureFixture[str]) -> None:
    # When a user prints the peaks for all eight sources on a 10-execution account
    assert main(["--all-sources", "--quota", "10"]) == 0
    out = capsys.readouterr().out
    # Then the scheduled work fits in both windows, the API's share at 06:00 is what is left (none),
    # and reserved mode's account requirement is shown
    assert "daily 06:00 UTC: scheduled peak 10 concurrent executions, within the quota of 10" in out
    assert "Sunday 02:00 UTC: scheduled peak 1 concurrent executions, within the quota of 10" in out
    assert "0 fit beside it; the rest get 429 and the dashboard retries them" in out
    assert "Mode reserved: 14 reserved, peak 13 (refused in a budget of 10)" in out
    assert "at least 114" in out


def test_reserved_mode_refuses_a_plan_above_the_budget() -> None:
    # Given all eight sources in reserved mode: 14 reserved, 13 at once (plan-week, reporter in turn)
    plan = allocate(COLLECTOR_SOURCES, 13)
    assert (sum(plan.values()), reserved_peak(plan), required_quota(plan)) == (14, 13, 114)
    # Then a budget of 10 is refused, and the message states the account quota reserved mode needs
    with pytest.raises(ConcurrencyBudgetError, match=r"above the budget of 10") as refused:
        allocate(COLLECTOR_SOURCES, 10)
    assert "at least 114" in str(refused.value)
    assert "get-account-settings" in str(refused.value)
    # And the two weekly functions count once: five collectors fit where four did
    assert reserved_peak(allocate(("sim", "entsoe", "openmeteo", "fred", "eia"), 10)) == 10
