"""Delivery-day calendar: DST day lengths, expected intervals and aligned periods."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nexus_contracts.observation import Resolution
from nexus_validator.quality.calendar import day_bounds, expected_period, expected_starts, month_bounds

CET = "Europe/Brussels"


@pytest.mark.parametrize(
    ("day", "hours", "quarters"),
    [(date(2024, 3, 31), 23, 92), (date(2024, 3, 30), 24, 96), (date(2024, 10, 27), 25, 100)],
)
def test_expected_intervals_follow_the_local_day_length(day: date, hours: int, quarters: int) -> None:
    # Given a CET delivery day (spring-forward, normal or fall-back)
    # When the expected hourly and quarter-hourly starts are listed
    hourly = expected_starts(day, CET, Resolution.PT60M)
    quarterly = expected_starts(day, CET, Resolution.PT15M)
    # Then there are 23/24/25 hours and 92/96/100 quarter-hours
    assert (len(hourly), len(quarterly)) == (hours, quarters)


def test_spring_forward_day_bounds_match_the_published_utc_window() -> None:
    # Given DE-LU's 2024-03-31 (sources note: 2024-03-30T23:00Z to 2024-03-31T22:00Z)
    start, end = day_bounds(date(2024, 3, 31), CET)
    # Then the UTC bounds are exactly those
    assert start == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert end == datetime(2024, 3, 31, 22, tzinfo=UTC)


def test_daily_period_of_a_london_day_starts_at_local_midnight() -> None:
    # Given an instant during a British summer day
    start, end = expected_period(datetime(2024, 7, 1, 12, tzinfo=UTC), Resolution.P1D, "Europe/London")
    # Then the P1D period is BST midnight to midnight
    assert (start, end) == (datetime(2024, 6, 30, 23, tzinfo=UTC), datetime(2024, 7, 1, 23, tzinfo=UTC))


def test_month_spanning_the_autumn_change_is_one_hour_longer() -> None:
    # Given October 2024 in CET (clocks go back on the 27th)
    start, end = month_bounds(date(2024, 10, 15), CET)
    # Then the month lasts 31 days and one hour
    assert (end - start).total_seconds() == 31 * 86400 + 3600


def test_quarter_hour_period_is_aligned_on_the_quarter() -> None:
    # Given an instant at 10:20 UTC
    start, end = expected_period(datetime(2024, 1, 1, 10, 20, tzinfo=UTC), Resolution.PT15M, CET)
    # Then its quarter-hour is 10:15-10:30
    assert (start.minute, end.minute) == (15, 30)
