"""Single-record rules: each one passes a good record and names the fault of a bad one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nexus_validator.quality import QualityContext
from nexus_validator.quality.engine import check_record
from nexus_validator.quality.model import Rejection
from tests.fixtures.bad_inputs.builders import NOW, record

START = datetime(2024, 3, 31, 10, tzinfo=UTC)
CTX = QualityContext(now=NOW)


def _rule(data: Any, ctx: QualityContext = CTX) -> str | None:
    outcome = check_record(data, 0, ctx)
    return outcome.rule if isinstance(outcome, Rejection) else None


def test_a_good_record_passes_every_rule() -> None:
    # Given a well-formed hourly DE_LU price / When checked / Then no rule refuses it
    assert _rule(record(START)) is None


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"value": float("nan")}, "finite_value"),
        ({"value": float("inf")}, "finite_value"),
        ({"value": "-Infinity"}, "finite_value"),
        ({"interval_start_utc": "2024-03-31T10:00:00"}, "utc_timestamps"),
        ({"publish_time_utc": "2024-03-30 12:00"}, "utc_timestamps"),
        ({"interval_end_utc": "yesterday"}, "utc_timestamps"),
        ({"value": "fifty"}, "contract_schema"),
        ({"series_id": "no colons"}, "contract_schema"),
        ({"unit": "furlongs"}, "contract_schema"),
        ({"dataset": "temperature"}, "unit_allowed"),
        ({"unit": "MW"}, "unit_allowed"),
        ({"value": 4000.01}, "value_range"),
        ({"value": -500.5}, "value_range"),
        ({"resolution": "P1D"}, "resolution_allowed"),
    ],
)
def test_bad_field_is_named_by_its_rule(overrides: dict[str, Any], rule: str) -> None:
    # Given a record with one bad field / When checked / Then the matching rule refuses it
    assert _rule(record(START, **overrides)) == rule


def test_range_limits_are_inclusive() -> None:
    # Given prices exactly at the SDAC harmonised limits / Then both pass
    assert _rule(record(START, 4000.0)) is None
    assert _rule(record(START, -500.0)) is None


def test_misaligned_start_is_refused() -> None:
    # Given an hourly record starting at 10:30
    bad = record(START + timedelta(minutes=30))
    # Then interval_alignment refuses it
    assert _rule(bad) == "interval_alignment"


def test_wrong_interval_length_is_refused() -> None:
    # Given an hourly record whose end is 45 minutes after its start
    bad = record(START, interval_end_utc=(START + timedelta(minutes=45)).isoformat())
    # Then interval_length refuses it
    assert _rule(bad) == "interval_length"


def test_daily_record_must_cover_the_23_hour_local_day() -> None:
    # Given daily gas prices for DE_LU on the spring-forward day
    day_start = datetime(2024, 3, 30, 23, tzinfo=UTC)
    good = record(
        day_start,
        30.0,
        dataset="gas_price",
        series_id="lseg:DE_LU:gas_price",
        source="lseg",
        resolution="P1D",
        interval_end_utc=(day_start + timedelta(hours=23)).isoformat(),
    )
    naive_24h = {**good, "interval_end_utc": (day_start + timedelta(hours=24)).isoformat()}
    utc_midnight = {
        **good,
        "interval_start_utc": "2024-03-31T00:00:00+00:00",
        "interval_end_utc": "2024-04-01T00:00:00+00:00",
    }
    # Then 23 h passes, 24 h is the wrong length and a UTC-midnight start is misaligned
    assert _rule(good) is None
    assert _rule(naive_24h) == "interval_length"
    assert _rule(utc_midnight) == "interval_alignment"


def test_future_beyond_horizon_is_refused_relative_to_now() -> None:
    # Given day-ahead prices (2-day horizon) judged at NOW
    inside = record(NOW + timedelta(days=1, hours=23))
    beyond = record(NOW + timedelta(days=2, hours=1))
    # Then D+1 passes and D+2 plus an hour is refused
    assert _rule(inside) is None
    assert _rule(beyond) == "future_horizon"


def test_area_that_did_not_exist_yet_is_refused() -> None:
    # Given a DE_LU price before the 2018-10-01 split
    bad = record(datetime(2018, 9, 1, 10, tzinfo=UTC))
    # Then area_validity refuses it
    assert _rule(bad) == "area_validity"


def test_record_of_another_dataset_than_its_batch_is_refused() -> None:
    # Given a batch announced as temperature and a price record inside it
    ctx = QualityContext(now=NOW, source="entsoe", dataset="temperature")
    # Then batch_mismatch refuses the record
    assert _rule(record(START), ctx) == "batch_mismatch"


@pytest.mark.parametrize("data", [None, 42, "text", [1, 2]])
def test_non_object_records_are_refused(data: Any) -> None:
    # Given something that is not a JSON object / Then the contract rule refuses it
    assert _rule(data) == "contract_schema"
