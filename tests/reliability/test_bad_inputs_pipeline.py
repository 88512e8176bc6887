"""The bad-input corpus through the real validator handler, against a real moto server.

Each corpus message goes through the Lambda handler (Powertools batch processing, rules, lake
merge, quarantine, alerts) as the validation queue would deliver it: every rejected record
reaches quarantine with its rule, reason and original payload, the valid records of the same
batch land in the lake, and nothing crashes or asks for a retry. Redelivery three times in
shuffled order leaves the same lake as delivering once, and vintages resolve by publish time.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from nexus_core.lake import LakeReader
from nexus_core.settings import get_settings
from nexus_validator import handler as validator
from tests.unit import test_core_moto
from tests.unit.test_core_moto import MotoEnv

pytestmark = [pytest.mark.xdist_group("core_moto"), pytest.mark.slow]
moto_env = test_core_moto.moto_env

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
CASES: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text())


@dataclass
class Context:
    function_name: str = "nexus-test-validator"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:nexus-test-validator"
    aws_request_id: str = "req-bad-inputs"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture(scope="module")
def pipeline(moto_env: MotoEnv) -> Iterator[MotoEnv]:
    """The validator's environment on the moto server, plus the bucket the corpus claim checks name."""
    s3 = moto_env.client("s3")
    s3.create_bucket(Bucket="nexus-local-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    for case in CASES:
        for key, path in case.get("s3_objects", {}).items():
            s3.put_object(Bucket="nexus-local-data", Key=key, Body=(CORPUS / path).read_bytes())
    settings = moto_env.settings
    env = {
        "NEXUS_BUCKET": settings.bucket,
        "NEXUS_TABLE": settings.table,
        "NEXUS_OBSERVATIONS_TOPIC_ARN": settings.observations_topic_arn,
        "NEXUS_ALERTS_TOPIC_ARN": settings.alerts_topic_arn,
        "NEXUS_QUARANTINE_QUEUE_URL": settings.quarantine_queue_url,
        "NEXUS_S3_ENDPOINT_URL": moto_env.endpoint,
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        get_settings.cache_clear()
        validator.services.cache_clear()
        yield moto_env
        get_settings.cache_clear()
        validator.services.cache_clear()


def _body(path: str) -> str:
    raw = (CORPUS / path).read_bytes()
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # SQS carries text; binary garbage arrives as some text


def _deliver(bodies: list[str]) -> dict[str, Any]:
    records = [
        {
            "messageId": f"m-{i}",
            "receiptHandle": f"r-{i}",
            "body": body,
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(body.encode()).hexdigest(),  # noqa: S324 - SQS's own checksum
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:nexus-test-validation",
            "awsRegion": "eu-west-1",
        }
        for i, body in enumerate(bodies)
    ]
    response: dict[str, Any] = validator.handler({"Records": records}, Context())
    return response


def _records(case: dict[str, Any]) -> list[Any]:
    envelope = json.loads((CORPUS / case["file"]).read_text())
    return list(envelope["payload"]["observations"])


def _lake(env: MotoEnv, source: str, dataset: str, days: set[date]) -> dict[tuple[str, str], float]:
    rows = LakeReader(env.settings).read_partitions(source, dataset, days).to_pylist()
    return {(r["series_id"], r["interval_start_utc"].isoformat()): r["value"] for r in rows}


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_bad_input_is_quarantined_and_its_good_records_land(
    pipeline: MotoEnv, case: dict[str, Any]
) -> None:
    # Given one corpus message (and the newer vintage it competes with, when it has one)
    pipeline.drain("quarantine")
    pipeline.drain("alerts")
    if "prior" in case:
        assert _deliver([_body(case["prior"])]) == {"batchItemFailures": []}
    # When the validator handler gets it from the queue
    response = _deliver([_body(case["file"])])
    # Then nothing crashed and nothing is retried
    assert response == {"batchItemFailures": []}
    entries = pipeline.drain("quarantine")
    raised = {json.loads(n["Message"])["payload"]["kind"] for n in pipeline.drain("alerts")}
    # And the alerts the case calls for were raised (incomplete day, schema change)
    assert set(case.get("alerts", [])) <= raised
    if "message_rule" in case:
        # And a broken message is quarantined whole, with its rule and reason
        assert [(e["rule"], e["index"]) for e in entries] == [(case["message_rule"], None)]
        assert entries[0]["reason"]
        return
    # And each rejected record is quarantined with its rule, reason and original payload
    records = _records(case)
    assert Counter(e["rule"] for e in entries) == Counter(case.get("rejected", {}))
    for e in entries:
        assert e["reason"]
        assert _same(e["record"], records[e["index"]])
    # And the valid records of the batch are in the lake (the newer vintage wins for stale ones)
    rejected = {e["index"] for e in entries}
    kept = [r for i, r in enumerate(records) if i not in rejected]
    if "prior" in case:
        kept = _records({"file": case["prior"]})
    first = kept[0]
    days = {datetime.fromisoformat(r["interval_start_utc"]).date() for r in kept}
    lake = _lake(pipeline, first["source"], first["dataset"], days)
    for r in kept:
        start = datetime.fromisoformat(r["interval_start_utc"]).isoformat()
        assert lake[(r["series_id"], start)] == r["value"]


# Redelivery is checked on the cases whose keys compete (vintages, duplicates, DST days) plus a
# few whole-message and single-record rejections; every case costs a full lake merge per delivery.
REDELIVERY = (
    "stale_vintage",
    "duplicate_exact",
    "duplicate_conflicting",
    "duplicate_older_vintage",
    "spring_day_extra_hour",
    "autumn_day_with_hole",
    "quarter_hours_assuming_24h",
    "many_bad_one_batch",
    "nan_value",
    "truncated_json",
    "unknown_event_type",
    "claim_check_tampered",
)


def _redelivery_bodies() -> list[str]:
    chosen = [c for c in CASES if c["name"] in REDELIVERY]
    assert len(chosen) == len(REDELIVERY)
    return [_body(c["file"]) for c in chosen] + [_body(c["prior"]) for c in chosen if "prior" in c]


def _wipe_lake(env: MotoEnv) -> None:
    s3 = env.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=env.settings.bucket, Prefix="raw-data/")
    for page in pages:
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=env.settings.bucket, Key=obj["Key"])


def _reset(env: MotoEnv) -> None:
    """An empty lake and metadata table (partition, alert and idempotency records)."""
    _wipe_lake(env)
    table = boto3.resource("dynamodb", endpoint_url=env.endpoint, region_name="eu-west-1").Table(
        env.settings.table
    )
    with table.batch_writer() as batch:
        for page in env.client("dynamodb").get_paginator("scan").paginate(TableName=env.settings.table):
            for item in page["Items"]:
                batch.delete_item(Key={"pk": item["pk"]["S"], "sk": item["sk"]["S"]})


def _lake_checksums(env: MotoEnv) -> dict[str, str]:
    s3 = env.client("s3")
    sums = {}
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=env.settings.bucket, Prefix="raw-data/")
    for page in pages:
        for obj in page.get("Contents", []):
            data = s3.get_object(Bucket=env.settings.bucket, Key=obj["Key"])["Body"].read()
            sums[obj["Key"]] = hashlib.sha256(data).hexdigest()
    return sums


def _deliver_in_batches(bodies: list[str]) -> None:
    for i in range(0, len(bodies), 10):
        assert _deliver(bodies[i : i + 10]) == {"batchItemFailures": []}


def test_three_shuffled_deliveries_give_the_lake_of_one(pipeline: MotoEnv) -> None:
    # Given the lake after delivering every corpus message once
    _reset(pipeline)
    bodies = _redelivery_bodies()
    _deliver_in_batches(bodies)
    once = _lake_checksums(pipeline)
    assert len(once) >= 8
    # When an empty lake gets every message three times, in shuffled order
    _reset(pipeline)
    thrice = bodies * 3
    random.Random(20241125).shuffle(thrice)
    _deliver_in_batches(thrice)
    # Then every file has the same checksum
    assert _lake_checksums(pipeline) == once


def test_revised_vintage_replaces_and_late_older_vintage_changes_nothing(pipeline: MotoEnv) -> None:
    # Given the older vintage in the lake
    case = next(c for c in CASES if c["name"] == "stale_vintage")
    older, newer = _records(case), _records({"file": case["prior"]})
    _reset(pipeline)
    _deliver([_body(case["file"])])
    day = {datetime.fromisoformat(older[0]["interval_start_utc"]).date()}
    assert sorted(_lake(pipeline, "entsoe", "day_ahead_price", day).values()) == [r["value"] for r in older]
    # When the revised vintage arrives
    _deliver([_body(case["prior"])])
    revised = _lake_checksums(pipeline)
    # Then it replaces the older values
    assert sorted(_lake(pipeline, "entsoe", "day_ahead_price", day).values()) == [r["value"] for r in newer]
    # And when the older vintage arrives late (a re-run of the old collection), the lake does not change
    rerun = {**json.loads(_body(case["file"])), "event_id": "evt-stale-rerun"}
    assert _deliver([json.dumps(rerun)]) == {"batchItemFailures": []}
    assert _lake_checksums(pipeline) == revised
