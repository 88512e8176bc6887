"""The validator pipeline against a real moto S3/DynamoDB/SNS/SQS, fed by the simulated market."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from nexus_collector_sim.collector import SimCollector
from nexus_core.collector.base import Window
from nexus_core.collector.kit import KitServices, run_collection
from nexus_core.metadata import MetadataRepository
from nexus_validator.adapters.quarantine import QuarantineEntry
from nexus_validator.partitions import completeness
from nexus_validator.pipeline import ValidatorServices, process_message
from nexus_validator.rules import validate_batch
from nexus_validator.sns import unwrap
from tests.unit import test_core_moto
from tests.unit.test_core_moto import MotoEnv

moto_env = test_core_moto.moto_env


def collect(env: MotoEnv, day: date) -> list[dict[str, Any]]:
    """SNS notifications of one simulated delivery day, as the validation queue would get them."""
    env.drain("observations")
    window = Window.for_local_days(day, day, "Europe/Brussels")
    run_collection(SimCollector(7), window, services=KitServices.from_settings(env.settings))
    return env.drain("observations")


def by_dataset(notes: list[dict[str, Any]], dataset: str) -> dict[str, Any]:
    return next(n for n in notes if n["MessageAttributes"]["dataset"]["Value"] == dataset)


def test_unwrap_accepts_sns_notifications_and_bare_bodies() -> None:
    inner = json.dumps({"event_id": "e1"})
    assert unwrap(json.dumps({"Type": "Notification", "Message": inner})) == inner
    assert unwrap(inner) == inner
    assert unwrap("not json") == "not json"


def test_validate_batch_isolates_the_bad_record() -> None:
    # Given three good records and one with a NaN value
    good = {
        "source": "sim",
        "dataset": "temperature",
        "series_id": "sim:FR:temperature",
        "area": "FR",
        "resolution": "PT60M",
        "unit": "degC",
        "publish_time_utc": "2024-01-02T00:10:00+00:00",
        "quality": "measured",
    }
    records = [
        {
            **good,
            "interval_start_utc": f"2024-01-01T0{h}:00:00+00:00",
            "interval_end_utc": f"2024-01-01T0{h + 1}:00:00+00:00",
            "value": v,
        }
        for h, v in enumerate([1.0, "NaN", 2.0, 3.0])
    ]
    # When validated
    verdict = validate_batch(records, source="sim", dataset="temperature")
    # Then only the NaN record is rejected, with its rule and the original record
    assert len(verdict.accepted) == 3
    (rejection,) = verdict.rejections
    assert rejection.record["value"] == "NaN"
    assert rejection.rule
    assert rejection.reason


def test_completeness_counts_utc_day_intervals() -> None:
    assert completeness(23, 1, []) == 1.0
    verdict = validate_batch([], source="sim")
    assert verdict.accepted == ()


def test_quarantine_ids_are_stable() -> None:
    entry = QuarantineEntry(
        "value_range", "critical", "too high", {"value": 1e9}, "evt", "sim", "temperature", 3
    )
    again = QuarantineEntry(
        "value_range", "critical", "too high", {"value": 1e9}, "evt", "sim", "temperature", 3
    )
    other = QuarantineEntry(
        "value_range", "critical", "too high", {"value": 1e9}, "evt", "sim", "temperature", 4
    )
    assert entry.entry_id == again.entry_id != other.entry_id


def test_poison_record_is_quarantined_and_the_rest_lands(moto_env: MotoEnv) -> None:
    services = ValidatorServices.from_settings(moto_env.settings)
    notes = collect(moto_env, date(2024, 2, 6))
    note = by_dataset(notes, "temperature")
    # Given one temperature batch in which one record claims 999 degC
    envelope = json.loads(note["Message"])
    envelope["payload"]["observations"][5]["value"] = 999.0
    note = {**note, "Message": json.dumps(envelope)}
    moto_env.drain("quarantine")
    # When the validator processes it
    outcome = process_message(json.dumps(note), services)
    # Then 95 of 96 records land in the lake and one goes to quarantine with its reason
    assert outcome.accepted == 95
    assert outcome.quarantined == 1
    (entry,) = moto_env.drain("quarantine")
    assert entry["record"]["value"] == 999.0
    assert entry["origin_event_id"] == envelope["event_id"]
    assert (entry["source"], entry["dataset"]) == ("sim", "temperature")
    assert entry["rule"]
    assert "999" in entry["reason"] or "range" in entry["reason"]
    s3 = moto_env.client("s3")
    stored = json.loads(s3.get_object(Bucket=moto_env.settings.bucket, Key=entry["s3_key"])["Body"].read())
    assert stored["id"] == entry["id"]
    # And partition records exist for both UTC days the local day touches
    records = MetadataRepository(moto_env.settings).list_partitions(
        "sim", "temperature", date(2024, 2, 1), date(2024, 2, 7)
    )
    assert [r.day for r in records] == [date(2024, 2, 5), date(2024, 2, 6)]
    assert sum(r.rows for r in records) == 95
    # And a data-quality alert went out
    kinds = [n["MessageAttributes"]["kind"]["Value"] for n in moto_env.drain("alerts")]
    assert "data_quality" in kinds


def test_unparseable_body_is_quarantined_whole(moto_env: MotoEnv) -> None:
    services = ValidatorServices.from_settings(moto_env.settings)
    moto_env.drain("quarantine")
    outcome = process_message("{this is not json", services)
    assert outcome.quarantined == 1
    assert outcome.accepted == 0
    (entry,) = moto_env.drain("quarantine")
    assert entry["record"] == "{this is not json"
    assert entry["rule"] == "event_json"


def test_redelivery_leaves_identical_partitions(moto_env: MotoEnv) -> None:
    services = ValidatorServices.from_settings(moto_env.settings)
    notes = collect(moto_env, date(2024, 2, 15))
    repo = MetadataRepository(moto_env.settings)
    # When every event of a day is processed twice
    for note in notes:
        process_message(json.dumps(note), services)
    first = {
        (r.dataset, r.day): (r.sha256, r.rows, r.s3_version_id) for r in repo.list_partitions(source="sim")
    }
    for note in notes:
        process_message(json.dumps(note), services)
    second = {
        (r.dataset, r.day): (r.sha256, r.rows, r.s3_version_id) for r in repo.list_partitions(source="sim")
    }
    # Then checksums, row counts and even S3 versions are unchanged
    assert first == second
    assert {d for d, _ in first} == {
        "day_ahead_price",
        "temperature",
        "wind_speed",
        "gas_price",
        "carbon_price",
        "macro_index",
    }


def test_missing_claim_check_is_quarantined(moto_env: MotoEnv) -> None:
    services = ValidatorServices.from_settings(moto_env.settings)
    notes = collect(moto_env, date(2024, 2, 9))
    envelope = json.loads(by_dataset(notes, "wind_speed")["Message"])
    envelope["payload"]["observations"] = None
    envelope["payload"]["claim_check"] = {
        "bucket": moto_env.settings.bucket,
        "key": "landing/observations.collected/2024-02-09/gone.json",
        "sha256": "0" * 64,
        "size_bytes": 10,
    }
    moto_env.drain("quarantine")
    outcome = process_message(json.dumps(envelope), services)
    assert outcome.quarantined == 1
    (entry,) = moto_env.drain("quarantine")
    assert entry["rule"] == "claim_check"
