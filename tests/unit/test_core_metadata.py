"""MetadataRepository and AlertPublisher against a real moto DynamoDB and SNS."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from nexus_contracts import AlertRaised, Severity, Source
from nexus_contracts.events import AlertKind
from nexus_core.alerts import AlertPublisher
from nexus_core.daily_stats import DayStats
from nexus_core.metadata import ALERT_TTL, MetadataRepository, PartitionRecord, SourceStatus
from tests.unit import test_core_moto
from tests.unit.test_core_moto import MotoEnv

moto_env = test_core_moto.moto_env

NOW = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)


def record(day: date, dataset: str = "temperature", completeness: float = 1.0) -> PartitionRecord:
    return PartitionRecord(
        source="sim",
        dataset=dataset,
        day=day,
        s3_key=f"raw-data/{day}/sim__{dataset}.parquet",
        s3_version_id="v1",
        rows=96,
        series=4,
        sha256="a" * 64,
        completeness=completeness,
        flags=("gap",) if completeness < 1 else (),
        updated_at=NOW,
    )


def test_partitions_round_trip_and_list_by_range(moto_env: MotoEnv) -> None:
    repo = MetadataRepository(moto_env.settings)
    # Given three days of one dataset and one of another
    for d in (1, 2, 3):
        repo.put_partition(record(date(2024, 3, d), completeness=0.75 if d == 2 else 1.0))
    repo.put_partition(record(date(2024, 3, 2), dataset="wind_speed"))
    # Then a get returns the same record (floats and tuples survive DynamoDB)
    assert repo.get_partition("sim", "temperature", date(2024, 3, 2)) == record(
        date(2024, 3, 2), completeness=0.75
    )
    # And lists honour source, dataset and the inclusive day range
    days = [r.day.day for r in repo.list_partitions("sim", "temperature", date(2024, 3, 2), date(2024, 3, 3))]
    assert days == [2, 3]
    by_day = repo.list_partitions(start=date(2024, 3, 2), end=date(2024, 3, 2))
    assert sorted(r.dataset for r in by_day) == ["temperature", "wind_speed"]
    assert repo.get_partition("sim", "temperature", date(2020, 1, 1)) is None


def test_source_status_and_runs(moto_env: MotoEnv) -> None:
    repo = MetadataRepository(moto_env.settings)
    status = SourceStatus(
        source="entsoe", configured=False, last_error="401", last_error_at=NOW, consecutive_failures=2
    )
    repo.put_source_status(status)
    assert repo.get_source_status("entsoe") == status
    assert "entsoe" in [s.source for s in repo.list_source_status()]
    repo.put_run("2024-W09", "weekly-2024-W09", {"status": "SUCCEEDED", "elapsed_s": 12.5})
    (run,) = repo.list_runs("2024-W09")
    assert run["status"] == "SUCCEEDED"
    assert run["elapsed_s"] == 12.5
    assert run["execution"] == "weekly-2024-W09"


def test_alert_is_published_once_per_dedupe_key_per_day(moto_env: MotoEnv) -> None:
    alerts = AlertPublisher(moto_env.settings)
    alert = AlertRaised(
        severity=Severity.WARNING,
        kind=AlertKind.DATA_QUALITY,
        title="bad rows",
        detail="3 rows out of range",
        source=Source.SIM,
        dedupe_key="data_quality:sim:temperature",
    )
    moto_env.drain("alerts")
    # When the same alert is raised twice on one day and again the next day
    assert alerts.raise_alert(alert, now=NOW) is True
    assert alerts.raise_alert(alert, now=NOW + timedelta(hours=3)) is False
    assert alerts.raise_alert(alert, now=NOW + timedelta(days=1)) is True
    # Then two notifications went out, with the filter attributes
    notes = moto_env.drain("alerts")
    assert len(notes) == 2
    attrs = {k: v["Value"] for k, v in notes[0]["MessageAttributes"].items()}
    assert attrs == {
        "event_type": "alert.raised",
        "severity": "warning",
        "kind": "data_quality",
        "source": "sim",
    }
    # And the stored alert expires after its TTL
    (stored,) = MetadataRepository(moto_env.settings).list_alerts(NOW.date())
    assert stored["dedupe_key"] == alert.dedupe_key
    item = moto_env.client("dynamodb").get_item(
        TableName=moto_env.settings.table,
        Key={"pk": {"S": f"ALERT#{NOW.date()}"}, "sk": {"S": alert.dedupe_key}},
    )["Item"]
    assert int(item["expires_at"]["N"]) == int((NOW + ALERT_TTL).timestamp())


def test_daily_stats_are_one_map_attribute_and_absent_on_older_records(moto_env: MotoEnv) -> None:
    repo = MetadataRepository(moto_env.settings)
    stats = {"sim:DE_LU:temperature": DayStats(n=24, sum=101.15000000000002, min=-3.25, max=11.0)}
    # Given one record with the day's statistics and one written without them
    repo.put_partition(record(date(2024, 3, 4)).model_copy(update={"daily_stats": stats}))
    repo.put_partition(record(date(2024, 3, 5)))
    items = {
        i["sk"]["S"]: i
        for i in moto_env.client("dynamodb").scan(TableName=moto_env.settings.table)["Items"]
        if i["pk"]["S"] == "PARTITION#sim#temperature"
    }
    # Then the first item holds them as one map of maps, the second has no such attribute
    stored = items["DAY#2024-03-04"]["daily_stats"]["M"]["sim:DE_LU:temperature"]["M"]
    assert stored == {
        "n": {"N": "24"},
        "sum": {"N": "101.15000000000002"},
        "min": {"N": "-3.25"},
        "max": {"N": "11.0"},
    }
    assert "daily_stats" not in items["DAY#2024-03-05"]
    # And both read back as they were written, floats exact
    assert repo.get_partition("sim", "temperature", date(2024, 3, 4)).daily_stats == stats  # type: ignore[union-attr]
    assert repo.get_partition("sim", "temperature", date(2024, 3, 5)).daily_stats is None  # type: ignore[union-attr]
