"""Completeness of local delivery days and the stuck-value drift rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nexus_contracts.events import AlertKind
from nexus_contracts.observation import Observation
from nexus_validator.quality import SeriesHistory
from nexus_validator.quality.daily import completeness_alerts, day_completeness, stuck_value_alerts
from tests.fixtures.bad_inputs.builders import SERIES, day_records, record

SPRING = datetime(2024, 3, 30, 23, tzinfo=UTC)  # 2024-03-31 CET starts here, lasts 23 h
AUTUMN = datetime(2024, 10, 26, 22, tzinfo=UTC)  # 2024-10-27 CET starts here, lasts 25 h


def _parse(records: list[dict[str, object]]) -> list[Observation]:
    return [Observation.model_validate(r) for r in records]


def test_full_spring_forward_day_is_complete() -> None:
    # Given the 23 hours of 2024-03-31
    days = day_completeness(_parse(day_records(SPRING, 23)))
    # Then one day, 23 of 23 present, and no alert
    assert [(d.expected, d.present) for d in days] == [(23, 23)]
    assert completeness_alerts(days) == []


def test_autumn_day_with_a_hole_raises_incomplete_day() -> None:
    # Given the 25-hour day with its second 02:00 hour missing
    records = day_records(AUTUMN, 25)
    del records[3]
    window = (AUTUMN, AUTUMN + timedelta(hours=25))
    # When completeness is judged over the batch window
    days = day_completeness(_parse(records), window)
    alerts = completeness_alerts(days)
    # Then 24 of 25 are present, the gap is named, and one warning is raised
    assert [(d.expected, d.present) for d in days] == [(25, 24)]
    assert days[0].missing == (AUTUMN + timedelta(hours=3),)
    assert [a.kind for a in alerts] == [AlertKind.INCOMPLETE_DAY]
    assert alerts[0].dedupe_key == f"incomplete_day:{SERIES}:2024-10-27"


def test_quarter_hour_fall_back_day_expects_100_intervals() -> None:
    # Given 96 quarter-hours delivered for the 25-hour day (a collector assuming 24 h)
    days = day_completeness(
        _parse(day_records(AUTUMN, 96, minutes=15)), (AUTUMN, AUTUMN + timedelta(hours=25))
    )
    # Then the day is 96 of 100
    assert [(d.expected, d.present) for d in days] == [(100, 96)]


def test_days_cut_by_the_window_are_not_judged() -> None:
    # Given one UTC day of hours, which cuts two CET days
    start = datetime(2024, 5, 1, tzinfo=UTC)
    days = day_completeness(_parse(day_records(start, 24)), (start, start + timedelta(days=1)))
    # Then neither local day is judged
    assert days == []


def test_intervals_already_in_the_lake_count_as_present() -> None:
    # Given a re-delivery of 20 hours of a day whose other 4 hours are stored
    start = datetime(2024, 5, 1, 22, tzinfo=UTC)
    stored = {start + timedelta(hours=h): datetime(2024, 5, 1, tzinfo=UTC) for h in range(20, 24)}
    days = day_completeness(
        _parse(day_records(start, 20)),
        (start, start + timedelta(days=1)),
        {SERIES: SeriesHistory(vintages=stored)},
    )
    # Then the day is complete
    assert [(d.expected, d.present) for d in days] == [(24, 24)]


def test_series_stuck_on_one_value_all_day_raises_schema_changed() -> None:
    # Given a full day of identical prices, and a normal day
    start = datetime(2024, 5, 1, 22, tzinfo=UTC)
    flat = [record(start + timedelta(hours=h), 42.0) for h in range(24)]
    alerts = stuck_value_alerts(_parse(flat))
    normal = stuck_value_alerts(_parse(day_records(start, 24)))
    # Then only the flat day alerts
    assert [a.kind for a in alerts] == [AlertKind.SCHEMA_CHANGED]
    assert normal == []


def test_a_day_at_the_physical_floor_is_not_stuck() -> None:
    # Given a polar-night day of zero solar radiation
    start = datetime(2024, 12, 20, 23, tzinfo=UTC)
    dark = [
        record(
            start + timedelta(hours=h),
            0.0,
            source="openmeteo",
            dataset="solar_radiation",
            series_id="openmeteo:NO4:solar_radiation",
            area="NO4",
            unit="W/m2",
        )
        for h in range(24)
    ]
    # Then no stuck-value alert is raised
    assert stuck_value_alerts(_parse(dark)) == []
