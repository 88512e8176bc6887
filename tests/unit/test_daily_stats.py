"""Per-series daily statistics of lake files: computed by the writer, stored by the validator.

Against a real moto S3/DynamoDB/SNS/SQS: the statistics in a partition record are those of the
rows of its UTC day file after every merge (several local delivery days, revisions), and the
largest map the writer keeps still fits a DynamoDB item.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest

from nexus_collector_sim.collector import SimCollector
from nexus_core.collector.base import Window
from nexus_core.collector.kit import KitServices, run_collection
from nexus_core.daily_stats import MAX_STATS_BYTES, DayStats, bounded, day_stats
from nexus_core.lake import LakeReader
from nexus_core.lake_schema import OBSERVATION_SCHEMA
from nexus_core.metadata import MetadataRepository, PartitionRecord
from nexus_validator.pipeline import ValidatorServices, process_message
from tests.unit import test_core_moto
from tests.unit.test_core_moto import MotoEnv

moto_env = test_core_moto.moto_env

NOW = datetime(2024, 4, 2, 6, 0, tzinfo=UTC)


def table(rows: list[tuple[str, datetime, float]]) -> pa.Table:
    return pa.table(
        {
            "series_id": [r[0] for r in rows],
            "interval_start_utc": pa.array(
                [r[1] for r in rows], OBSERVATION_SCHEMA.field("interval_start_utc").type
            ),
            "value": [r[2] for r in rows],
        }
    )


def test_stats_per_series_of_one_utc_day() -> None:
    # Given two series on 2024-03-31 UTC
    t0 = datetime(2024, 3, 31, tzinfo=UTC)
    rows = [("a:X:p", t0 + timedelta(hours=h), float(h)) for h in range(24)] + [("b:Y:p", t0, -2.5)]
    # When their statistics are computed
    stats = day_stats(table(rows), date(2024, 3, 31))
    # Then each series has its count, sum, minimum and maximum
    assert stats == {
        "a:X:p": DayStats(n=24, sum=276.0, min=0.0, max=23.0),
        "b:Y:p": DayStats(n=1, sum=-2.5, min=-2.5, max=-2.5),
    }
    # And a row of the next UTC day is refused rather than counted in the wrong day
    with pytest.raises(ValueError, match="UTC day"):
        day_stats(table([*rows, ("a:X:p", t0 + timedelta(days=1), 1.0)]), date(2024, 3, 31))
    assert day_stats(table([]), date(2024, 3, 31)) == {}


def stats_of(count: int, id_length: int = 200) -> dict[str, DayStats]:
    """`count` series with ids of `id_length` characters and 17-digit statistics (the worst case)."""
    value = -1234.5678901234567
    return {
        f"{i:06d}".ljust(id_length, "x"): DayStats(n=96, sum=value * 96, min=value, max=-value)
        for i in range(count)
    }


def test_the_largest_kept_map_fits_a_dynamodb_item(moto_env: MotoEnv) -> None:
    # Given the most 200-character series a partition's statistics may hold, and one series more
    entry = len(json.dumps({k: v.model_dump() for k, v in stats_of(1).items()}))  # one more adds ", "
    most = MAX_STATS_BYTES // entry
    assert bounded(stats_of(most)) is not None
    assert bounded(stats_of(most + 50)) is None
    # When a record carries the largest kept map / Then DynamoDB (moto checks the 400 KB limit) stores it
    record = PartitionRecord(
        source="sim",
        dataset="temperature",
        day=date(2024, 3, 31),
        s3_key="raw-data/year=2024/month=03/day=31/sim__temperature.parquet",
        rows=96 * most,
        series=most,
        sha256="b" * 64,
        updated_at=NOW,
        daily_stats=stats_of(most),
    )
    repo = MetadataRepository(moto_env.settings)
    repo.put_partition(record)
    # And it reads back equal, floats exact
    assert repo.get_partition("sim", "temperature", date(2024, 3, 31)) == record


def collect(env: MotoEnv, day: date) -> list[dict[str, Any]]:
    """SNS notifications of one simulated Europe/Berlin delivery day."""
    env.drain("observations")
    window = Window.for_local_days(day, day, "Europe/Berlin")
    run_collection(SimCollector(7), window, services=KitServices.from_settings(env.settings))
    return env.drain("observations")


def temperature(notes: list[dict[str, Any]]) -> dict[str, Any]:
    return next(n for n in notes if n["MessageAttributes"]["dataset"]["Value"] == "temperature")


def file_stats(env: MotoEnv, day: date) -> dict[str, tuple[int, float, float, float]]:
    """(n, sum, min, max) per series of the rows now in the UTC day file, computed here in Python."""
    rows = LakeReader(env.settings).read_partitions("sim", "temperature", [day]).to_pylist()
    values: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        assert row["interval_start_utc"].date() == day
        values[row["series_id"]].append(row["value"])
    return {s: (len(v), math.fsum(v), min(v), max(v)) for s, v in values.items()}


def stored(env: MotoEnv, day: date) -> dict[str, tuple[int, float, float, float]]:
    record = MetadataRepository(env.settings).get_partition("sim", "temperature", day)
    assert record is not None
    assert record.daily_stats is not None
    return {s: (v.n, v.sum, v.min, v.max) for s, v in record.daily_stats.items()}


def assert_same(actual: dict[str, tuple[int, float, float, float]], expected: dict[str, Any]) -> None:
    assert actual.keys() == expected.keys()
    for series, (n, total, low, high) in expected.items():
        assert actual[series] == (n, pytest.approx(total, rel=1e-12), low, high), series


def test_validator_stores_the_stats_of_each_utc_day_file_after_every_merge(moto_env: MotoEnv) -> None:
    services = ValidatorServices.from_settings(moto_env.settings)
    # Given the spring-forward delivery day 2024-03-31 (23 h, from 2024-03-30T23:00Z)
    process_message(json.dumps(temperature(collect(moto_env, date(2024, 3, 31)))), services)
    # Then its two UTC day files each carry the statistics of their own rows
    assert_same(stored(moto_env, date(2024, 3, 30)), file_stats(moto_env, date(2024, 3, 30)))
    assert_same(stored(moto_env, date(2024, 3, 31)), file_stats(moto_env, date(2024, 3, 31)))
    assert {n for n, *_ in stored(moto_env, date(2024, 3, 30)).values()} == {1}  # 23:00Z only
    # When the next delivery day adds 2024-03-31T22:00Z..23:00Z to the same UTC day file
    process_message(json.dumps(temperature(collect(moto_env, date(2024, 4, 1)))), services)
    # Then the record's statistics cover both deliveries' rows (all 24 UTC hours)
    after = stored(moto_env, date(2024, 3, 31))
    assert_same(after, file_stats(moto_env, date(2024, 3, 31)))
    assert {n for n, *_ in after.values()} == {24}


def test_a_revision_replaces_the_value_in_the_stats(moto_env: MotoEnv) -> None:
    services = ValidatorServices.from_settings(moto_env.settings)
    note = temperature(collect(moto_env, date(2024, 2, 6)))
    process_message(json.dumps(note), services)
    day = date(2024, 2, 6)
    before = stored(moto_env, day)
    # Given a later vintage of one 2024-02-06 UTC interval, 5 degC warmer
    envelope = json.loads(note["Message"])
    obs = next(
        o for o in envelope["payload"]["observations"] if o["interval_start_utc"].startswith("2024-02-06T10")
    )
    published = datetime.fromisoformat(obs["publish_time_utc"]) + timedelta(hours=6)
    revised = obs | {"value": obs["value"] + 5.0, "publish_time_utc": published.isoformat()}
    envelope["event_id"] = "revision-1"
    envelope["payload"]["observations"] = [revised]
    # When the validator processes it
    process_message(json.dumps({**note, "Message": json.dumps(envelope)}), services)
    # Then the day's statistics follow the revision: same count, sum 5 higher, equal to the file's
    after = stored(moto_env, day)
    assert_same(after, file_stats(moto_env, day))
    series = obs["series_id"]
    assert after[series][0] == before[series][0]
    assert after[series][1] == pytest.approx(before[series][1] + 5.0)
    assert {s: v for s, v in after.items() if s != series} == {s: v for s, v in before.items() if s != series}
