"""`nexus query` and `nexus lake ls/verify` against a real moto server holding a LakeWriter lake."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from nexus_cli.main import main
from nexus_contracts import AreaCode, Dataset, Observation, Resolution, Source, Unit
from nexus_core.lake import LakeWriter, PartitionWrite
from nexus_core.metadata import MetadataRepository, PartitionRecord
from tests.integration.test_query_support import LakeEnv, lake_env  # noqa: F401

pytestmark = pytest.mark.xdist_group("query_cli")

SERIES = "entsoe:NL:day_ahead_price"
PUBLISHED = datetime(2024, 1, 31, 11, tzinfo=UTC)


def hourly(day_utc: date, hours: int) -> list[Observation]:
    """`hours` hourly NL prices from 00:00 UTC of `day_utc`, value = 10 * UTC hour."""
    start = datetime.combine(day_utc, datetime.min.time(), UTC)
    return [
        Observation(
            source=Source.ENTSOE,
            dataset=Dataset.DAY_AHEAD_PRICE,
            series_id=SERIES,
            area=AreaCode.NL,
            interval_start_utc=start + timedelta(hours=h),
            interval_end_utc=start + timedelta(hours=h + 1),
            resolution=Resolution.PT60M,
            value=10.0 * (h % 24),
            unit=Unit.EUR_MWH,
            publish_time_utc=PUBLISHED,
        )
        for h in range(hours)
    ]


def record(write: PartitionWrite) -> PartitionRecord:
    return PartitionRecord(
        source=write.source,
        dataset=write.dataset,
        day=write.day,
        s3_key=write.key,
        s3_version_id=write.version_id,
        rows=write.rows,
        series=write.series,
        sha256=write.sha256,
        updated_at=datetime.now(UTC),
    )


@pytest.fixture(scope="module")
def lake(lake_env: LakeEnv) -> LakeEnv:  # noqa: F811
    # 2024-02-01 00:00 UTC .. 2024-02-04 00:00 UTC: three UTC-day files
    writes = LakeWriter(lake_env.settings).merge_write(hourly(date(2024, 2, 1), 72))
    repository = MetadataRepository(lake_env.settings)
    for write in writes:
        repository.put_partition(record(write))
    return lake_env


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_query_prints_json_from_the_lake(lake: LakeEnv, capsys: pytest.CaptureFixture[str]) -> None:
    # Given three UTC days of hourly NL prices in the lake
    # When daily_summary is queried as JSON for one full local day (23:00 UTC .. 23:00 UTC in winter)
    sql = f"SELECT delivery_day, base, mtu_count, completeness FROM daily_summary WHERE series_id = '{SERIES}' AND delivery_day = '2024-02-02'"  # noqa: S608
    code, out = run(capsys, "query", sql, "--format", "json", "--endpoint", lake.endpoint)
    # Then the local day's 24 hours are averaged: UTC hours 23, 0..22 -> values 230, 0..220
    assert code == 0
    rows = json.loads(out)
    assert rows == [
        {
            "delivery_day": "2024-02-02",
            "base": pytest.approx((230 + sum(10 * h for h in range(23))) / 24),
            "mtu_count": 24,
            "completeness": 1.0,
        }
    ]


def test_query_prints_csv_and_table(lake: LakeEnv, capsys: pytest.CaptureFixture[str]) -> None:
    # When raw rows are counted per UTC partition day, as CSV and as a table
    sql = "SELECT year, month, day, count(*) AS n FROM raw_observations GROUP BY ALL ORDER BY day"
    code, csv_out = run(capsys, "query", sql, "--format", "csv", "--endpoint", lake.endpoint)
    _, table_out = run(capsys, "query", sql, "--endpoint", lake.endpoint)
    # Then each UTC day file holds 24 rows and the Hive partition columns are integers
    assert code == 0
    assert csv_out.splitlines() == ["year,month,day,n", "2024,2,1,24", "2024,2,2,24", "2024,2,3,24"]
    assert table_out.splitlines()[-1] == "(3 rows)"


def test_query_reads_only_the_days_asked_for(lake: LakeEnv, capsys: pytest.CaptureFixture[str]) -> None:
    # When raw rows are counted with the files limited to one UTC day
    sql = "SELECT count(*) AS n FROM raw_observations"
    code, out = run(
        capsys,
        "query",
        sql,
        "--from",
        "2024-02-02",
        "--to",
        "2024-02-02",
        "--format",
        "csv",
        "--endpoint",
        lake.endpoint,
    )
    # Then only that day's 24 rows are seen
    assert code == 0
    assert out.splitlines() == ["n", "24"]


def test_a_bad_query_exits_1(lake: LakeEnv, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", "SELECT no_such_column FROM raw_observations", "--endpoint", lake.endpoint])
    assert code == 1
    assert "query failed" in capsys.readouterr().err


def test_lake_ls_lists_partition_records_in_range(lake: LakeEnv, capsys: pytest.CaptureFixture[str]) -> None:
    # When partitions of one source are listed for two days
    code, out = run(
        capsys, "lake", "ls", "--source", "entsoe", "--from", "2024-02-02", "--to", "2024-02-03",
        "--format", "json", "--endpoint", lake.endpoint,
    )  # fmt: skip
    # Then exactly those two partition records come back with their counts
    assert code == 0
    listed = json.loads(out)
    assert [(r["day"], r["rows"], r["series"]) for r in listed] == [
        ("2024-02-02", 24, 1),
        ("2024-02-03", 24, 1),
    ]
    assert listed[0]["s3_key"] == "raw-data/year=2024/month=02/day=02/entsoe__day_ahead_price.parquet"


def test_lake_verify_passes_then_flags_a_corrupted_file_once(
    lake: LakeEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an intact lake, verify exits 0
    code, out = run(capsys, "lake", "verify", "--endpoint", lake.endpoint)
    assert code == 0
    assert "3 files checked, 0 mismatched" in out
    # When one file's bytes are replaced behind the metadata's back
    key = "raw-data/year=2024/month=02/day=03/entsoe__day_ahead_price.parquet"
    lake.client("s3").put_object(Bucket=lake.settings.bucket, Key=key, Body=b"not the parquet file")
    code, out = run(capsys, "lake", "verify", "--endpoint", lake.endpoint)
    again, _ = run(capsys, "lake", "verify", "--endpoint", lake.endpoint)
    # Then verify exits 1 naming the file, twice, but the critical alert is raised once
    assert (code, again) == (1, 1)
    assert f"MISMATCH {key}" in out
    alerts = MetadataRepository(lake.settings).list_alerts(datetime.now(UTC).date())
    corruption = [a for a in alerts if a["kind"] == "data_corruption"]
    assert len(corruption) == 1
    assert corruption[0]["severity"] == "critical"
    assert corruption[0]["title"] == "S3 data corruption"
    published = [e for e in lake.alerts() if e["payload"]["kind"] == "data_corruption"]
    assert len(published) == 1
    assert published[0]["payload"]["context"]["s3_key"] == key
