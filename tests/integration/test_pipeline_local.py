"""The daily chain through the local runtime: scheduler → collector-sim Lambda → SNS → SQS poller →
validator Lambda → S3 Parquet + DynamoDB, with a poison record and full redelivery.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from nexus_collector_sim.collector import SimCollector
from nexus_contracts import Dataset, Envelope, EventType, ObservationsCollected, Source
from nexus_contracts.topology import physical_name
from nexus_core.collector.base import Window
from nexus_core.metadata import MetadataRepository
from nexus_core.publisher import EventPublisher
from nexus_core.settings import NexusSettings, get_settings
from nexus_local.runtime import LocalRuntime
from nexus_validator import handler as validator

TIMEOUT_S = 240.0


@pytest.fixture
def runtime(fresh_runtime: LocalRuntime) -> Iterator[LocalRuntime]:
    """A freshly provisioned runtime whose in-process handlers read its environment."""
    _clear()
    yield fresh_runtime
    _clear()


def _clear() -> None:
    get_settings.cache_clear()
    validator.services.cache_clear()
    validator.process_once.cache_clear()


def drain(runtime: LocalRuntime, url: str) -> list[dict[str, Any]]:
    sqs = runtime.client("sqs")
    out: list[dict[str, Any]] = []
    while msgs := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for m in msgs:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def checksums(settings: NexusSettings) -> dict[tuple[str, date], tuple[str, int]]:
    records = MetadataRepository(settings).list_partitions(source="sim")
    return {(r.dataset, r.day): (r.sha256, r.rows) for r in records}


def poisoned_prices(day: date) -> Envelope[ObservationsCollected]:
    """One simulated day of prices in which hour 7 of the first zone says 99,999 EUR/MWh."""
    collector = SimCollector(7)
    window = Window.for_local_days(day, day, collector.publication_tz)
    (request,) = [r for r in collector.requests(window) if r.dataset is Dataset.DAY_AHEAD_PRICE]
    observations = list(collector.parse(collector.fetch(request)))
    observations[7] = observations[7].model_copy(update={"value": 99_999.0})
    payload = ObservationsCollected(
        source=Source.SIM,
        dataset=Dataset.DAY_AHEAD_PRICE,
        window_start_utc=window.start_utc,
        window_end_utc=window.end_utc,
        run_id="poison-test",
        observations=tuple(observations),
    )
    return Envelope[ObservationsCollected](
        event_type=EventType.OBSERVATIONS_COLLECTED, producer="collector-sim", payload=payload
    )


def test_poison_record_reaches_quarantine_and_the_rest_lands(runtime: LocalRuntime) -> None:
    settings = get_settings()
    # Given a price batch with one impossible value published to the observations topic
    envelope = poisoned_prices(date(2024, 5, 7))
    EventPublisher(settings.observations_topic_arn, settings=settings).publish(envelope)
    # When the runtime's poller has fed it to the validator
    assert runtime.wait_idle(TIMEOUT_S)
    # Then the poison record is in the quarantine with its reason and origin
    (entry,) = drain(runtime, settings.quarantine_queue_url)
    assert entry["record"]["value"] == 99_999.0
    assert entry["origin_event_id"] == envelope.event_id
    assert entry["reason"]
    # And the 95 other prices landed, nothing is in the validation DLQ
    sums = checksums(settings)
    assert sum(rows for (dataset, _), (_, rows) in sums.items() if dataset == "day_ahead_price") == 95
    dlq = runtime.client("sqs").get_queue_url(QueueName=physical_name(settings.env, "validation-dlq"))[
        "QueueUrl"
    ]
    assert drain(runtime, dlq) == []


def test_collecting_twice_leaves_identical_checksums(runtime: LocalRuntime) -> None:
    settings = get_settings()
    # Given two simulated days collected through the scheduler and validated
    runtime.fire("collect-sim", {"from": "2024-10-26", "to": "2024-10-27"})
    assert runtime.wait_idle(TIMEOUT_S)
    first = checksums(settings)
    datasets = {dataset for dataset, _ in first}
    assert datasets == {"day_ahead_price", "temperature", "wind_speed", "gas_price", "carbon_price"}
    # When the same days are collected again (new events, same data)
    runtime.fire("collect-sim", {"from": "2024-10-26", "to": "2024-10-27"})
    assert runtime.wait_idle(TIMEOUT_S)
    # Then every partition keeps its checksum; the fall-back day has 25 hours per zone
    assert checksums(settings) == first
    assert drain(runtime, settings.quarantine_queue_url) == []
    hours = sum(rows for (dataset, _), (_, rows) in first.items() if dataset == "temperature")
    assert hours == (24 + 25) * 4


def test_scheduled_run_collects_the_default_window_cleanly(runtime: LocalRuntime) -> None:
    settings = get_settings()
    # When the daily rule fires as EventBridge would (a Scheduled Event, no dates)
    (summary,) = runtime.fire("collect-sim")
    assert runtime.wait_idle(TIMEOUT_S)
    # Then the run covered the latest published delivery days and succeeded
    assert summary["status"] == "ok"
    assert summary["events"] >= 3
    status = MetadataRepository(settings).get_source_status("sim")
    assert status is not None
    assert status.consecutive_failures == 0
    # And nothing it published was quarantined
    assert drain(runtime, settings.quarantine_queue_url) == []
    assert {dataset for dataset, _ in checksums(settings)} >= {"day_ahead_price", "temperature", "wind_speed"}
