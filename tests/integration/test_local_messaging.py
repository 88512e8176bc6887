"""boto3 against the local runtime: SNS filter policies, SQS → handler batches, retries and DLQs."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

from nexus_local.runtime import LocalRuntime
from tests.integration.conftest import make_function


def _depth(runtime: LocalRuntime, url: str) -> int:
    attrs = runtime.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return sum(int(v) for v in attrs.values())


def test_subscription_filter_drops_non_matching_event_types(fresh_runtime: LocalRuntime) -> None:
    # Given the provisioned observations topic → validation queue → validator, with a recording validator
    seen: list[dict[str, Any]] = []
    fresh_runtime.lambdas.register("validator", lambda event, ctx: seen.extend(event["Records"]) or {})
    sns = fresh_runtime.client("sns")
    topic = fresh_runtime.environment()["NEXUS_OBSERVATIONS_TOPIC_ARN"]

    # When one matching and one non-matching event type are published
    for event_type in ("observations.collected", "report.published"):
        sns.publish(
            TopicArn=topic,
            Message=json.dumps({"event_type": event_type}),
            MessageAttributes={"event_type": {"DataType": "String", "StringValue": event_type}},
        )
    assert fresh_runtime.wait_idle(60)

    # Then only the matching one reached the validator, as an SNS envelope in a Lambda SQS record
    assert len(seen) == 1
    envelope = json.loads(seen[0]["body"])
    assert json.loads(envelope["Message"]) == {"event_type": "observations.collected"}
    assert envelope["MessageAttributes"]["event_type"]["Value"] == "observations.collected"
    assert seen[0]["eventSourceARN"].endswith(":nexus-local-validation")


def _queue_with_dlq(runtime: LocalRuntime, name: str, max_receive: int) -> tuple[str, str, str]:
    sqs = runtime.client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive})
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "1", "RedrivePolicy": redrive})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq_url


def test_poison_record_alone_is_retried_then_dead_lettered(fresh_runtime: LocalRuntime) -> None:
    # Given a queue (visibility 1 s, maxReceiveCount 2) mapped to a handler reporting item failures
    calls: Counter[str] = Counter()
    batch_sizes: list[int] = []
    lock = threading.Lock()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        with lock:
            batch_sizes.append(len(event["Records"]))
            for record in event["Records"]:
                calls[record["body"]] += 1
                if record["body"] == "poison":
                    failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    url, arn, dlq_url = _queue_with_dlq(fresh_runtime, "nexus-local-test-partial", max_receive=2)
    make_function(fresh_runtime, "test-partial", handler)
    fresh_runtime.client("lambda").create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="nexus-local-test-partial",
        BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )

    # When four good records and one poison record arrive in one batch
    bodies = ["a", "b", "poison", "c", "d"]
    entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies)]
    fresh_runtime.client("sqs").send_message_batch(QueueUrl=url, Entries=entries)
    assert fresh_runtime.wait_idle(60)

    # Then the good records were handled once and deleted; only the poison one came back, twice
    assert calls == Counter({"a": 1, "b": 1, "c": 1, "d": 1, "poison": 2})
    assert max(batch_sizes) <= 10
    assert _depth(fresh_runtime, url) == 0
    dead = fresh_runtime.client("sqs").receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in dead] == ["poison"]


def test_function_error_returns_the_whole_batch_until_the_dlq(fresh_runtime: LocalRuntime) -> None:
    # Given a handler that fails every time, on a queue with maxReceiveCount 3
    attempts: Counter[str] = Counter()

    def handler(event: dict[str, Any], context: Any) -> None:
        for record in event["Records"]:
            attempts[record["body"]] += 1
            assert int(record["attributes"]["ApproximateReceiveCount"]) == attempts[record["body"]]
        raise RuntimeError("downstream unavailable")

    url, arn, dlq_url = _queue_with_dlq(fresh_runtime, "nexus-local-test-failing", max_receive=3)
    make_function(fresh_runtime, "test-failing", handler)
    fresh_runtime.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName="nexus-local-test-failing"
    )

    # When two records arrive
    sqs = fresh_runtime.client("sqs")
    for body in ("x", "y"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    assert fresh_runtime.wait_idle(60)

    # Then each was delivered maxReceiveCount times, then moved to the DLQ
    assert attempts == Counter({"x": 3, "y": 3})
    assert _depth(fresh_runtime, url) == 0
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in dead) == ["x", "y"]
