"""SNS → SQS (topology filter policy) → validator Lambda handler, with boto3 against a real moto server.

Covers a batch with one poison record and one unparseable message, a transient failure that
fails only its own record, and redelivery of every message leaving identical checksums.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from nexus_collector_sim.collector import SimCollector
from nexus_contracts.topology import TOPOLOGY
from nexus_core.collector.base import Window
from nexus_core.collector.kit import KitServices, run_collection
from nexus_core.metadata import MetadataRepository
from nexus_core.settings import get_settings
from nexus_validator import handler as validator
from tests.unit import test_core_moto
from tests.unit.test_core_moto import MotoEnv

moto_env = test_core_moto.moto_env


@dataclass
class Context:
    function_name: str = "nexus-test-validator"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:nexus-test-validator"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


@pytest.fixture(scope="module")
def validation_queue(moto_env: MotoEnv) -> Iterator[str]:
    """The validation queue subscribed to the observations topic with the topology's filter policy."""
    sqs, sns = moto_env.client("sqs"), moto_env.client("sns")
    url = sqs.create_queue(QueueName="nexus-test-validation", Attributes={"VisibilityTimeout": "0"})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = next(s for s in TOPOLOGY.subscriptions if s.queue == "validation")
    sns.subscribe(
        TopicArn=moto_env.settings.observations_topic_arn,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps(sub.filter_policy)},
    )
    env = {
        "NEXUS_BUCKET": moto_env.settings.bucket,
        "NEXUS_TABLE": moto_env.settings.table,
        "NEXUS_OBSERVATIONS_TOPIC_ARN": moto_env.settings.observations_topic_arn,
        "NEXUS_ALERTS_TOPIC_ARN": moto_env.settings.alerts_topic_arn,
        "NEXUS_QUARANTINE_QUEUE_URL": moto_env.settings.quarantine_queue_url,
        "NEXUS_S3_ENDPOINT_URL": moto_env.endpoint,
        "NEXUS_VALIDATOR_IDEMPOTENCY": "true",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        _clear_caches()
        yield url
        _clear_caches()


def _clear_caches() -> None:
    get_settings.cache_clear()
    validator.services.cache_clear()
    validator.process_once.cache_clear()


def receive_all(env: MotoEnv, url: str) -> list[dict[str, Any]]:
    sqs = env.client("sqs")
    out: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
        if not got.get("Messages"):
            return out
        for m in got["Messages"]:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        out.extend(got["Messages"])


def sqs_event(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping would deliver for these messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:nexus-test-validation",
                "awsRegion": "eu-west-1",
            }
            for m in messages
        ]
    }


def collect(env: MotoEnv, url: str, first: date, last: date) -> list[dict[str, Any]]:
    window = Window.for_local_days(first, last, "Europe/Brussels")
    run_collection(SimCollector(7), window, services=KitServices.from_settings(env.settings))
    return receive_all(env, url)


def checksums(env: MotoEnv) -> dict[tuple[str, date], tuple[str, int]]:
    return {
        (r.dataset, r.day): (r.sha256, r.rows)
        for r in MetadataRepository(env.settings).list_partitions(source="sim")
    }


def test_batch_with_poison_record_and_garbage(moto_env: MotoEnv, validation_queue: str) -> None:
    # Given a simulated day in the validation queue (only observations.collected passes the filter)
    messages = collect(moto_env, validation_queue, date(2024, 6, 3), date(2024, 6, 3))
    assert len(messages) == 5
    # And one record of the price batch is poisoned, and a message that is not JSON at all
    price = next(m for m in messages if '"day_ahead_price"' in m["Body"])
    note = json.loads(price["Body"])
    envelope = json.loads(note["Message"])
    envelope["payload"]["observations"][7]["value"] = 99_999.0
    price["Body"] = json.dumps({**note, "Message": json.dumps(envelope)})
    garbage = {**messages[0], "MessageId": "garbage-1", "Body": "\x00 not an event"}
    moto_env.drain("quarantine")
    # When the validator handler gets the batch
    response = validator.handler(sqs_event([*messages, garbage]), Context())
    # Then no record of the batch failed: bad data is quarantined, not retried
    assert response == {"batchItemFailures": []}
    entries = moto_env.drain("quarantine")
    by_rule = {e["rule"]: e for e in entries}
    assert len(entries) == 2
    assert "event_json" in by_rule
    poison = next(e for e in entries if e["rule"] != "event_json")
    assert poison["record"]["value"] == 99_999.0
    assert poison["origin_event_id"] == envelope["event_id"]
    assert poison["reason"]
    # And everything else landed: 4 zones x 24 h of prices minus the poisoned hour
    june = date(2024, 6, 1)
    sums = {k: v for k, v in checksums(moto_env).items() if june <= k[1] <= date(2024, 6, 30)}
    prices = [k for k in sums if k[0] == "day_ahead_price"]
    assert sum(sums[k][1] for k in prices) == 95
    assert sum(sums[k][1] for k in sums if k[0] == "temperature") == 96
    # And delivering the same batch again quarantines nothing new (idempotency records)
    assert validator.handler(sqs_event([*messages, garbage]), Context()) == {"batchItemFailures": []}
    assert moto_env.drain("quarantine") == []


def test_transient_failure_fails_only_its_record(moto_env: MotoEnv, validation_queue: str) -> None:
    # Given a big batch whose claim-checked payload is archived (GLACIER: reads fail until restored)
    messages = collect(moto_env, validation_queue, date(2024, 7, 1), date(2024, 7, 1))
    s3 = moto_env.client("s3")
    victim = next(m for m in messages if '"wind_speed"' in m["Body"])
    note = json.loads(victim["Body"])
    envelope = json.loads(note["Message"])
    payload = json.dumps(envelope["payload"]).encode()
    key = "landing/observations.collected/2024-07-01/archived.json"
    s3.put_object(Bucket=moto_env.settings.bucket, Key=key, Body=payload, StorageClass="GLACIER")
    envelope["payload"]["observations"] = None
    envelope["payload"]["claim_check"] = {
        "bucket": moto_env.settings.bucket,
        "key": key,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "size_bytes": len(payload),
    }
    victim["Body"] = json.dumps({**note, "Message": json.dumps(envelope)})
    # When the batch is handled
    response = validator.handler(sqs_event(messages), Context())
    # Then only that record is reported for retry and its batch-mates landed
    assert response["batchItemFailures"] == [{"itemIdentifier": victim["MessageId"]}]
    sums = checksums(moto_env)
    assert ("temperature", date(2024, 7, 1)) in sums
    assert ("wind_speed", date(2024, 7, 1)) not in sums
    # And once the object is readable again the retry succeeds
    s3.restore_object(Bucket=moto_env.settings.bucket, Key=key, RestoreRequest={"Days": 1})
    assert validator.handler(sqs_event([victim]), Context()) == {"batchItemFailures": []}
    assert ("wind_speed", date(2024, 7, 1)) in checksums(moto_env)


def test_redelivering_every_message_leaves_identical_checksums(
    moto_env: MotoEnv, validation_queue: str
) -> None:
    # Given three simulated days (one crossing a month boundary) validated once
    messages = collect(moto_env, validation_queue, date(2024, 8, 30), date(2024, 9, 1))
    assert validator.handler(sqs_event(messages), Context()) == {"batchItemFailures": []}
    before = checksums(moto_env)
    # When every message is delivered again, in reverse order and in batches of 10
    again = list(reversed(messages))
    for i in range(0, len(again), 10):
        assert validator.handler(sqs_event(again[i : i + 10]), Context()) == {"batchItemFailures": []}
    # Then every partition has the same checksum and row count
    assert checksums(moto_env) == before
    assert len([k for k in before if k[1].month == 8 and k[0] == "day_ahead_price"]) == 3
