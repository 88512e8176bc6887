"""daily_summary and latest_observations run for real in DuckDB over Parquet files in the lake layout.

Files are written with the lake's own serializer (`rows_to_parquet`, `raw_key`) to a local folder
that stands in for the bucket, so these tests need no S3.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow.fs as pafs
import pytest

from nexus_core.lake import rows_to_parquet
from nexus_core.lake_schema import raw_key
from nexus_core.query import DayRange
from nexus_core.query.bounds import with_partition_predicate
from nexus_core.query.local import LocalQueryEngine

PUBLISHED = datetime(2024, 1, 1, tzinfo=UTC)


def _row(series: str, area: str, start: datetime, step: timedelta, value: float, **kw: Any) -> dict[str, Any]:
    return {
        "source": "entsoe",
        "dataset": "day_ahead_price",
        "series_id": series,
        "area": area,
        "location": None,
        "interval_start_utc": start,
        "interval_end_utc": start + step,
        "resolution": {900: "PT15M", 3600: "PT60M"}[int(step.total_seconds())],
        "value": value,
        "unit": "EUR/MWh",
        "publish_time_utc": kw.get("published", PUBLISHED),
        "quality": "measured",
    }


def local_day_rows(area: str, tz: str, day: date, step: timedelta, skip: int = 0) -> list[dict[str, Any]]:
    """Every MTU of one local delivery day (value = local hour), minus the first `skip` MTUs."""
    zone = ZoneInfo(tz)
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    end = (datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)).astimezone(UTC)
    rows, t = [], start
    while t < end:
        rows.append(_row(f"entsoe:{area}:day_ahead_price", area, t, step, float(t.astimezone(zone).hour)))
        t += step
    return rows[skip:]


def write_lake(bucket: Path, rows: list[dict[str, Any]]) -> LocalQueryEngine:
    files: dict[Path, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        key = raw_key(row["source"], row["dataset"], row["interval_start_utc"].date())
        files[bucket / key].append(row)
    for path, file_rows in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rows_to_parquet(file_rows))
    return LocalQueryEngine(str(bucket), pafs.LocalFileSystem())


def summary(engine: LocalQueryEngine, series: str, day: date) -> dict[str, Any]:
    result = engine.execute(
        f"SELECT * FROM daily_summary WHERE series_id = '{series}' AND delivery_day = '{day}'"  # noqa: S608
    )
    assert len(result.rows) == 1
    return result.records()[0]


HOUR, QUARTER = timedelta(hours=1), timedelta(minutes=15)


@pytest.mark.parametrize(
    ("area", "tz", "day", "step", "expected"),
    [
        ("DE_LU", "Europe/Brussels", date(2024, 3, 31), HOUR, 23),
        ("DE_LU", "Europe/Brussels", date(2024, 10, 27), HOUR, 25),
        ("DE_LU", "Europe/Brussels", date(2024, 3, 28), HOUR, 24),
        ("FR", "Europe/Brussels", date(2024, 3, 31), QUARTER, 92),
        ("FR", "Europe/Brussels", date(2024, 10, 27), QUARTER, 100),
        ("FR", "Europe/Brussels", date(2024, 6, 12), QUARTER, 96),
        ("GB", "Europe/London", date(2024, 3, 31), HOUR, 23),
        ("GB", "Europe/London", date(2024, 10, 27), HOUR, 25),
    ],
)
def test_a_full_local_day_is_complete_whatever_its_length(
    tmp_path: Path, area: str, tz: str, day: date, step: timedelta, expected: int
) -> None:
    # Given every MTU of one local delivery day in the area's zone
    engine = write_lake(tmp_path, local_day_rows(area, tz, day, step))
    # When daily_summary is read for that day
    got = summary(engine, f"entsoe:{area}:day_ahead_price", day)
    # Then the day expects its calendar's MTUs (23/24/25 h, 92/96/100 quarter-hours) and is complete
    assert got["time_zone"] == tz
    assert (got["mtu_count"], got["expected_mtus"]) == (expected, expected)
    assert got["completeness"] == 1.0


def test_a_day_with_a_hole_is_incomplete(tmp_path: Path) -> None:
    # Given the 23-hour spring day with its first two hours missing
    day = date(2024, 3, 31)
    engine = write_lake(tmp_path, local_day_rows("DE_LU", "Europe/Brussels", day, HOUR, skip=2))
    # Then completeness is 21/23
    got = summary(engine, "entsoe:DE_LU:day_ahead_price", day)
    assert got["mtu_count"] == 21
    assert got["completeness"] == pytest.approx(21 / 23)


def test_peak_is_0800_to_2000_local_on_working_days(tmp_path: Path) -> None:
    # Given a Monday and a Saturday whose values are the local hour (0..23)
    monday, saturday = date(2024, 4, 8), date(2024, 4, 13)
    rows = local_day_rows("DE_LU", "Europe/Brussels", monday, HOUR)
    rows += local_day_rows("DE_LU", "Europe/Brussels", saturday, HOUR)
    engine = write_lake(tmp_path, rows)
    # When summarised
    mon = summary(engine, "entsoe:DE_LU:day_ahead_price", monday)
    sat = summary(engine, "entsoe:DE_LU:day_ahead_price", saturday)
    # Then Monday's peak averages local hours 8..19, off-peak the other twelve, base all 24
    assert mon["peak"] == pytest.approx(sum(range(8, 20)) / 12)
    assert mon["off_peak"] == pytest.approx((sum(range(24)) - sum(range(8, 20))) / 12)
    assert mon["base"] == pytest.approx(11.5)
    assert (mon["min_value"], mon["max_value"]) == (0.0, 23.0)
    # And a Saturday has no peak: every hour is off-peak
    assert sat["peak"] is None
    assert sat["off_peak"] == pytest.approx(11.5)


def test_latest_observations_keeps_the_newest_vintage(tmp_path: Path) -> None:
    # Given two vintages of one hour in the raw files (and an older late one)
    start = datetime(2024, 5, 2, 10, tzinfo=UTC)
    series = "entsoe:DE_LU:day_ahead_price"
    rows = [
        _row(series, "DE_LU", start, HOUR, 50.0, published=datetime(2024, 5, 1, 12, tzinfo=UTC)),
        _row(series, "DE_LU", start, HOUR, 55.0, published=datetime(2024, 5, 1, 14, tzinfo=UTC)),
        _row(series, "DE_LU", start, HOUR, 40.0, published=datetime(2024, 5, 1, 9, tzinfo=UTC)),
        _row(series, "DE_LU", start + HOUR, HOUR, 60.0),
    ]
    engine = write_lake(tmp_path, rows)
    # When latest_observations is read
    raw = engine.execute("SELECT count(*) FROM raw_observations").rows[0][0]
    latest = engine.execute("SELECT interval_start_utc, value FROM latest_observations ORDER BY 1").rows
    # Then each key appears once with the value of its newest publish time
    assert raw == 4
    assert [v for _, v in latest] == [55.0, 60.0]
    assert latest[0][0] == start


def test_date_bounds_prune_the_files_read_without_changing_the_answer(tmp_path: Path) -> None:
    # Given ten days of hourly data (one file per UTC day)
    rows: list[dict[str, Any]] = []
    for offset in range(10):
        rows += local_day_rows("NL", "Europe/Brussels", date(2024, 2, 1) + timedelta(days=offset), HOUR)
    engine = write_lake(tmp_path, rows)
    bounded = "SELECT count(*), sum(value) FROM raw_observations WHERE interval_start_utc >= '2024-02-04' AND interval_start_utc < '2024-02-06'"
    # When the bounded query runs
    answer = engine.execute(bounded).rows
    scanned = {p.split("raw-data/")[1][:26] for p in engine.last_scanned_files}
    # Then only the two UTC days' files were read
    assert scanned == {"year=2024/month=02/day=04/", "year=2024/month=02/day=05/"}
    assert answer[0][0] == 48
    # And the answer equals the unpruned one (same query, bounds hidden behind an OR)
    unpruned = bounded.replace("WHERE", "WHERE false OR (") + ")"
    assert engine.execute(unpruned).rows == answer
    assert len(engine.last_scanned_files) == 11
    # And the partition predicate added for Athena selects the same rows
    assert engine.execute(with_partition_predicate(bounded)).rows == answer
    assert "year = 2024" in with_partition_predicate(bounded)
    # And explicit day bounds narrow further
    engine.execute("SELECT count(*) FROM raw_observations", days=DayRange(date(2024, 2, 3), date(2024, 2, 3)))
    assert len(engine.last_scanned_files) == 1


def test_an_empty_lake_answers_with_no_rows(tmp_path: Path) -> None:
    engine = LocalQueryEngine(str(tmp_path / "empty"), pafs.LocalFileSystem())
    result = engine.execute("SELECT * FROM daily_summary")
    assert result.rows == []
    assert "completeness" in result.columns
