"""Quarantine and DLQ operations against a real moto server: list, show, redrive, dlq redrive.

Entries are produced the way the pipeline produces them: the rule set judges a corpus message
and the validator's quarantine adapter stores each rejection; the CLI then works on them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from nexus_cli.main import main as nexus
from nexus_core import aws
from nexus_core.settings import get_settings
from nexus_validator.adapters.quarantine import Quarantine, QuarantineEntry
from nexus_validator.quality import QualityContext, evaluate_body

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
REGION = "eu-central-1"  # away from the local runtime's region: moto's backends are per process


@pytest.fixture
def moto_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = f"q{uuid.uuid4().hex[:8]}"
    for key, value in {
        "AWS_ENDPOINT_URL": endpoint,
        "NEXUS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "NEXUS_REGION": REGION,
        "NEXUS_ENV": env,
        "NEXUS_BUCKET": f"nexus-{env}-data",
        "NEXUS_QUARANTINE_QUEUE_URL": "",
        "NEXUS_OBSERVATIONS_TOPIC_ARN": "",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    aws.clear_cache()
    session = boto3.session.Session(region_name=REGION)
    s3, sns, sqs = (session.client(s, endpoint_url=endpoint) for s in ("s3", "sns", "sqs"))
    s3.create_bucket(Bucket=f"nexus-{env}-data", CreateBucketConfiguration={"LocationConstraint": REGION})
    topic = sns.create_topic(Name=f"nexus-{env}-observations")["TopicArn"]
    urls = {
        q: sqs.create_queue(QueueName=f"nexus-{env}-{q}")["QueueUrl"]
        for q in ("validation", "validation-dlq", "quarantine")
    }
    arn = sqs.get_queue_attributes(QueueUrl=urls["validation"], AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    yield {"endpoint": endpoint, "s3": s3, "sqs": sqs, "urls": urls, "bucket": f"nexus-{env}-data"}
    server.stop()
    get_settings.cache_clear()
    aws.clear_cache()


def _quarantine_case(env: dict[str, Any], name: str) -> list[str]:
    """Judge one corpus message and store its rejections with the validator's adapter."""
    text = (CORPUS / "cases" / f"{name}.json").read_bytes()
    batch, report = evaluate_body(text, QualityContext(now=datetime.now(UTC)))
    settings = get_settings().model_copy(update={"quarantine_queue_url": env["urls"]["quarantine"]})
    store = Quarantine(settings, env["s3"], env["sqs"])
    return [
        store.put(
            QuarantineEntry(
                rule=r.rule,
                severity=r.severity.value,
                reason=r.reason,
                record=r.record,
                origin_event_id=f"evt-{name}",
                source=batch.source if batch else None,
                dataset=batch.dataset if batch else None,
                index=r.index,
            )
        )
        for r in report.rejections
    ]


def _cli(env: dict[str, Any], capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = nexus([*argv, "--endpoint", env["endpoint"]])
    return code, capsys.readouterr().out


def test_list_and_show_give_rule_reason_and_original_record(
    moto_env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the rejections of a batch with three bad records
    keys = _quarantine_case(moto_env, "many_bad_one_batch")
    assert len(keys) == 3
    # When listing as JSON
    code, out = _cli(moto_env, capsys, "quarantine", "list", "--format", "json")
    entries = json.loads(out)
    # Then all three are listed with rule, reason and the original record
    assert code == 0
    assert sorted(e["rule"] for e in entries) == ["finite_value", "interval_alignment", "unit_allowed"]
    assert all(e["reason"] and isinstance(e["record"], dict) for e in entries)
    # And `show` prints one entry by id prefix
    code, out = _cli(moto_env, capsys, "quarantine", "show", entries[0]["id"][:10])
    assert code == 0
    assert json.loads(out)["s3_key"] == entries[0]["s3_key"]


def test_redrive_one_entry_republishes_its_record_and_deletes_only_it(
    moto_env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two quarantined records
    _quarantine_case(moto_env, "price_above_cap")
    _quarantine_case(moto_env, "wrong_unit_for_dataset")
    _, out = _cli(moto_env, capsys, "quarantine", "list", "--format", "json")
    first, second = json.loads(out)
    # When the first is redriven
    code, out = _cli(moto_env, capsys, "quarantine", "redrive", first["id"])
    # Then an observations.collected event with its original record reaches the validation queue
    assert code == 0
    messages = moto_env["sqs"].receive_message(
        QueueUrl=moto_env["urls"]["validation"], MaxNumberOfMessages=10
    )["Messages"]
    events = [json.loads(m["Body"]) for m in messages]
    assert [e["event_type"] for e in events] == ["observations.collected"]
    assert events[0]["payload"]["observations"] == [first["record"]]
    # And only the first entry is gone from S3 and from the quarantine queue
    _, out = _cli(moto_env, capsys, "quarantine", "list", "--format", "json")
    assert [e["id"] for e in json.loads(out)] == [second["id"]]
    left = moto_env["sqs"].receive_message(QueueUrl=moto_env["urls"]["quarantine"], MaxNumberOfMessages=10)[
        "Messages"
    ]
    assert [json.loads(m["Body"])["id"] for m in left] == [second["id"]]


def test_redrive_all_resends_a_rejected_envelope_and_skips_unreadable_bodies(
    moto_env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a whole-message rejection (claim check missing) and a non-JSON body
    _quarantine_case(moto_env, "claim_check_missing")
    _quarantine_case(moto_env, "not_json")
    # When everything is redriven
    code, out = _cli(moto_env, capsys, "quarantine", "redrive", "--all")
    # Then the envelope is re-sent with a new event id, and the unreadable body stays quarantined
    messages = moto_env["sqs"].receive_message(
        QueueUrl=moto_env["urls"]["validation"], MaxNumberOfMessages=10
    )["Messages"]
    events = [json.loads(m["Body"]) for m in messages]
    assert code == 0
    assert [e["payload"]["claim_check"]["key"] for e in events] == [
        "landing/observations.collected/2024-05-01/gone.json"
    ]
    assert events[0]["event_id"] != "evt-claim_check_missing"
    assert "1 skipped" in out
    _, out = _cli(moto_env, capsys, "quarantine", "list", "--format", "json")
    assert [e["rule"] for e in json.loads(out)] == ["event_json"]


def test_dlq_redrive_moves_every_message_back_with_attributes(
    moto_env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 13 messages in the validation DLQ
    sqs, urls = moto_env["sqs"], moto_env["urls"]
    for i in range(13):
        attrs = {"event_type": {"DataType": "String", "StringValue": "observations.collected"}}
        sqs.send_message(QueueUrl=urls["validation-dlq"], MessageBody=f"body-{i}", MessageAttributes=attrs)
    # When the DLQ is redriven by its source queue's logical name
    code, out = _cli(moto_env, capsys, "dlq", "redrive", "validation")
    # Then all 13 are back in the source queue with their attributes and the DLQ is empty
    assert code == 0
    assert "moved 13" in out
    bodies, attrs_seen = set(), set()
    while batch := sqs.receive_message(
        QueueUrl=urls["validation"], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages"):
        for m in batch:
            bodies.add(m["Body"])
            attrs_seen.add(m["MessageAttributes"]["event_type"]["StringValue"])
            sqs.delete_message(QueueUrl=urls["validation"], ReceiptHandle=m["ReceiptHandle"])
    assert bodies == {f"body-{i}" for i in range(13)}
    assert attrs_seen == {"observations.collected"}
    assert sqs.receive_message(QueueUrl=urls["validation-dlq"]).get("Messages") is None


def test_dlq_redrive_of_an_unknown_queue_is_a_usage_error(
    moto_env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a queue without a DLQ / Then the command refuses with exit 2
    assert _cli(moto_env, capsys, "dlq", "redrive", "reports")[0] == 2
