"""Lake merge-writes against a real moto S3: revisions, late older vintages, checksums, reads."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from nexus_contracts import AreaCode, Dataset, Observation, Resolution, Source, Unit
from nexus_core.lake import LakeReader, LakeWriter, merge_rows, observation_row, rows_to_parquet
from nexus_core.lake_schema import OBSERVATION_SCHEMA, raw_key
from tests.unit import test_core_moto
from tests.unit.test_core_moto import MotoEnv

moto_env = test_core_moto.moto_env

T0 = datetime(2024, 1, 15, tzinfo=UTC)


def price(hour: int, value: float, published: datetime, area: AreaCode = AreaCode.DE_LU) -> Observation:
    start = T0 + timedelta(hours=hour)
    return Observation(
        source=Source.SIM,
        dataset=Dataset.DAY_AHEAD_PRICE,
        series_id=f"sim:{area.value}:day_ahead_price",
        area=area,
        interval_start_utc=start,
        interval_end_utc=start + timedelta(hours=1),
        resolution=Resolution.PT60M,
        value=value,
        unit=Unit.EUR_MWH,
        publish_time_utc=published,
    )


def test_merge_keeps_latest_vintage_and_ignores_ties() -> None:
    # Given an existing row published at 12:00
    old = observation_row(price(0, 50.0, T0 - timedelta(hours=12)))
    newer = observation_row(price(0, 55.0, T0 - timedelta(hours=11)))
    older = observation_row(price(0, 40.0, T0 - timedelta(hours=20)))
    same_time = observation_row(price(0, 99.0, T0 - timedelta(hours=12)))
    # When a newer, an older and an equal-time vintage arrive
    rows, accepted, revised, stale = merge_rows([old], [older, same_time, newer])
    # Then only the newer one replaces it and the others count as stale
    assert [r["value"] for r in rows] == [55.0]
    assert (accepted, revised, stale) == (0, 1, 2)


def test_same_rows_in_any_order_give_the_same_bytes() -> None:
    # Given the same rows in two orders
    rows = [observation_row(price(h, float(h), T0)) for h in range(24)]
    # When both are serialised
    a, b = rows_to_parquet(rows), rows_to_parquet(list(reversed(rows)))
    # Then the bytes (and so the checksum) are identical, and nothing time-dependent is in them
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    meta = pq.read_metadata(pa.BufferReader(a))
    assert set((meta.metadata or {}).keys()) <= {b"ARROW:schema"}


def test_merge_write_revision_and_late_older_vintage(moto_env: MotoEnv) -> None:
    writer = LakeWriter(moto_env.settings)
    d1 = T0 - timedelta(hours=11)
    # Given one UTC day of prices for two zones already in the lake
    first = [price(h, 50.0 + h, d1, a) for h in range(24) for a in (AreaCode.DE_LU, AreaCode.FR)]
    (w1,) = writer.merge_write(first)
    assert (w1.rows, w1.series, w1.accepted, w1.revised, w1.stale) == (48, 2, 48, 0, 0)
    # When a later vintage revises hour 3 and an earlier vintage of hour 4 arrives late
    (w2,) = writer.merge_write(
        [price(3, 300.0, d1 + timedelta(hours=1)), price(4, -1.0, d1 - timedelta(hours=2))]
    )
    # Then the revision lands, the late older vintage is ignored, the file is rewritten
    assert (w2.rows, w2.accepted, w2.revised, w2.stale, w2.written) == (48, 0, 1, 1, True)
    assert w2.sha256 != w1.sha256
    assert w2.version_id
    assert w2.version_id != w1.version_id
    table = LakeReader(moto_env.settings).read(start=T0.date(), end=T0.date(), source="sim")
    values = {(r["series_id"], r["interval_start_utc"].hour): r["value"] for r in table.to_pylist()}
    assert values[("sim:DE_LU:day_ahead_price", 3)] == 300.0
    assert values[("sim:DE_LU:day_ahead_price", 4)] == 54.0
    assert table.schema == OBSERVATION_SCHEMA


def test_redelivery_does_not_rewrite(moto_env: MotoEnv) -> None:
    writer = LakeWriter(moto_env.settings)
    day = [price(h, 10.0, T0, AreaCode.NL) for h in range(24)]
    (w1,) = writer.merge_write(day)
    # When exactly the same observations are delivered again
    (w2,) = writer.merge_write(day)
    # Then nothing is rewritten and the checksum equals the stored file's
    assert w2.written is False
    assert w2.stale == 24
    assert w2.sha256 == w1.sha256
    s3 = moto_env.client("s3")
    stored = s3.get_object(Bucket=moto_env.settings.bucket, Key=raw_key("sim", "day_ahead_price", T0.date()))
    assert hashlib.sha256(stored["Body"].read()).hexdigest() == w2.sha256


def test_writes_split_by_utc_day_and_reads_prune(moto_env: MotoEnv) -> None:
    writer = LakeWriter(moto_env.settings)
    # Given 72 hours of prices for BE starting 2024-01-15 published later (a new series)
    obs = [price(h, 1.0, T0 + timedelta(days=4), AreaCode.BE) for h in range(72)]
    # When written
    writes = writer.merge_write(obs)
    # Then one file per UTC day, sorted by (series_id, interval_start_utc) on disk
    assert [w.day for w in writes] == [date(2024, 1, 15), date(2024, 1, 16), date(2024, 1, 17)]
    s3 = moto_env.client("s3")
    body = s3.get_object(Bucket=moto_env.settings.bucket, Key=writes[1].key)["Body"].read()
    on_disk = pq.read_table(pa.BufferReader(body))
    keys = list(zip(on_disk["series_id"].to_pylist(), on_disk["interval_start_utc"].to_pylist(), strict=True))
    assert keys == sorted(keys)
    # And a read of one day returns only that day's BE rows
    reader = LakeReader(moto_env.settings)
    table = reader.read(start=date(2024, 1, 16), end=date(2024, 1, 16), dataset="day_ahead_price")
    be = [r for r in table.to_pylist() if r["area"] == "BE"]
    assert len(be) == 24
    assert {r["interval_start_utc"].date() for r in table.to_pylist()} == {date(2024, 1, 16)}
    narrow = reader.read(
        start=date(2024, 1, 1), end=date(2024, 2, 29), source="sim", columns=["series_id", "value"]
    )
    assert narrow.column_names == ["series_id", "value"]
    assert reader.read(start=date(2023, 1, 1), end=date(2023, 1, 2)).num_rows == 0
    # And named partitions are read without listing, absent days skipped
    named = reader.read_partitions("sim", "day_ahead_price", [date(2024, 1, 17), date(2024, 1, 20)])
    assert {r["interval_start_utc"].date() for r in named.to_pylist()} == {date(2024, 1, 17)}
    assert len([r for r in named.to_pylist() if r["area"] == "BE"]) == 24
    assert reader.read_partitions("sim", "wind_speed", [date(2024, 1, 17)]).num_rows == 0


def test_a_merge_that_lost_a_race_merges_again_instead_of_overwriting(moto_env: MotoEnv) -> None:
    # Given two writers of one UTC day file (adjacent local days share it), and the second one
    # merging its hour between the first one's read and its write
    slow, quick = LakeWriter(moto_env.settings), LakeWriter(moto_env.settings)
    day = T0 + timedelta(days=20)
    published = day - timedelta(hours=12)
    late_hour = price(20 * 24 + 23, 9.0, published, AreaCode.AT)
    read, raced = slow._read, []

    def read_then_other_writer(key: str) -> tuple[bytes | None, str | None]:
        got = read(key)
        if not raced:
            raced.append(quick.merge_write([late_hour]))
        return got

    slow._read = read_then_other_writer  # type: ignore[method-assign]
    # When the first writer stores its 23 other hours
    (write,) = slow.merge_write([price(20 * 24 + h, 1.0, published, AreaCode.AT) for h in range(23)])
    # Then its stale write was refused and merged again: the file holds all 24 hours once
    assert raced
    assert (write.rows, write.accepted, write.written) == (24, 23, True)
    table = LakeReader(moto_env.settings).read(start=day.date(), end=day.date(), source="sim")
    hours = [r["interval_start_utc"].hour for r in table.to_pylist() if r["area"] == "AT"]
    assert sorted(hours) == list(range(24))
