"""Pure logic of the API: resampling buckets, the sliding-window limiter, rerun names, claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nexus_api.logic.claims import caller_from_claims
from nexus_api.logic.ratelimit import SlidingWindowLimiter
from nexus_api.logic.resample import DailyData, DayTotal, Resolution, bucket_start, resample, resample_days
from nexus_api.logic.weeks import is_week, next_rerun_name


def epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_weekly_buckets_start_on_monday_utc():
    # Given a Sunday late evening and the following Monday / Then they fall in different ISO weeks
    sunday = datetime(2024, 1, 21, 23, 30, tzinfo=UTC)
    assert bucket_start(sunday, Resolution.WEEK) == datetime(2024, 1, 15, tzinfo=UTC)
    assert bucket_start(sunday + timedelta(hours=1), Resolution.WEEK) == datetime(2024, 1, 22, tzinfo=UTC)


def test_daily_mean_and_count_per_utc_day():
    # Given 24 hourly values 0..23 on one day and one value on the next
    points = [(epoch(2024, 3, 31, h), float(h)) for h in range(24)] + [(epoch(2024, 4, 1, 0), 100.0)]
    # When resampled to P1D / Then the day mean is 11.5 over 24 intervals, the next day 100 over 1
    days = resample(points, Resolution.DAY)
    assert [(p.start.day, p.value, p.count) for p in days] == [(31, 11.5, 24), (1, 100.0, 1)]


def test_hourly_mean_of_quarter_hours_and_raw_keeps_last_duplicate():
    quarters = [(epoch(2024, 1, 1, 0, m), v) for m, v in [(0, 1.0), (15, 2.0), (30, 3.0), (45, 6.0)]]
    assert [p.value for p in resample(quarters, Resolution.HOUR)] == [3.0]
    duplicated = [(epoch(2024, 1, 1, 1), 5.0), (epoch(2024, 1, 1, 0), 1.0), (epoch(2024, 1, 1, 1), 7.0)]
    assert [p.value for p in resample(duplicated, Resolution.RAW)] == [1.0, 7.0]


def test_daily_totals_make_the_same_daily_and_weekly_means_as_the_points():
    # Given 9 days of hourly points, Sunday 2024-03-24..Monday 2024-04-01, the middle days as
    # stored daily totals and the first and last days as raw points (older partition records)
    points = [(epoch(2024, 3, 24) + h * 3600, float((h * 7) % 31)) for h in range(9 * 24)]
    stored = [(epoch(2024, 3, 24) + d * 86400, points[d * 24 : d * 24 + 24]) for d in range(1, 8)]
    totals = [DayTotal(int(t), 24, sum(v for _, v in day)) for t, day in stored]
    data = DailyData(totals=totals, points=points[:24] + points[8 * 24 :])
    for resolution in (Resolution.DAY, Resolution.WEEK):
        # When resampled from the totals / Then buckets and counts equal those of the raw points
        got, want = resample_days(data, resolution), resample(points, resolution)
        assert [(p.start, p.count) for p in got] == [(p.start, p.count) for p in want]
        assert [p.value for p in got] == pytest.approx([p.value for p in want], rel=1e-12)
    # And weeks start on Monday UTC: 24 h in the week of 03-18, 168 h in the next, 24 h after
    assert [p.count for p in resample_days(data, Resolution.WEEK)] == [24, 168, 24]
    with pytest.raises(ValueError, match="P1D and P1W"):
        resample_days(data, Resolution.HOUR)


def test_limiter_allows_the_limit_then_says_how_long_to_wait():
    # Given a limit of 3 per 60 s on a controllable clock
    now = [1000.0]
    limiter = SlidingWindowLimiter(3, 60.0, clock=lambda: now[0])
    # When 4 calls arrive at once / Then the 4th waits 60 s; other users are unaffected
    assert [limiter.check("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.check("a") == 60
    assert limiter.check("b") == 0
    # When 45 s pass / Then 15 s remain; after the window the user may call again
    now[0] += 45
    assert limiter.check("a") == 15
    now[0] += 15
    assert limiter.check("a") == 0


def test_rerun_names_count_up_per_week():
    existing = ["weekly-2024-W03", "weekly-2024-W03-r1", "weekly-2024-W03-r2", "weekly-2024-W04-r7"]
    assert next_rerun_name("2024-W03", existing) == "weekly-2024-W03-r3"
    assert next_rerun_name("2024-W05", existing) == "weekly-2024-W05-r1"
    assert is_week("2024-W53")
    assert not is_week("2024-W54")


@pytest.mark.parametrize(
    ("groups", "admin"),
    [
        (["analysts", "admins"], True),
        ("[analysts admins]", True),
        ("admins,analysts", True),
        ("analysts", False),
    ],
)
def test_group_claims_in_every_shape(groups: object, admin: bool):
    caller = caller_from_claims({"sub": "s", "cognito:username": "u", "cognito:groups": groups})
    assert caller is not None
    assert caller.is_admin is admin


def test_claims_without_subject_are_no_caller():
    assert caller_from_claims({}) is None
    assert caller_from_claims({"cognito:groups": ["admins"]}) is None
