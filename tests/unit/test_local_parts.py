"""Pure parts of the local runtime: cron translation, Lambda record shape, state encoding, tasks."""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from croniter import croniter

from nexus_local.poller import to_record
from nexus_local.state import _decode, _encode
from nexus_local.tasks import TaskRunner, family_of


@pytest.mark.parametrize(
    ("aws", "after", "expected"),
    [
        # the weekly analysis: Sundays 02:00 UTC
        ("cron(0 2 ? * SUN *)", datetime(2024, 1, 10, tzinfo=UTC), datetime(2024, 1, 14, 2, tzinfo=UTC)),
        # AWS counts 1 = SUN: `2` is Monday
        ("cron(30 6 ? * 2 *)", datetime(2024, 1, 10, tzinfo=UTC), datetime(2024, 1, 15, 6, 30, tzinfo=UTC)),
        ("cron(0 6 * * ? *)", datetime(2024, 1, 10, 7, tzinfo=UTC), datetime(2024, 1, 11, 6, tzinfo=UTC)),
    ],
)
def test_aws_cron_translates_to_croniter(aws: str, after: datetime, expected: datetime) -> None:
    from nexus_local.scheduler import to_croniter

    expr = to_croniter(aws)
    assert expr is not None
    assert croniter(expr, after).get_next(datetime) == expected


def test_rate_expressions_are_not_cron() -> None:
    from nexus_local.scheduler import to_croniter

    assert to_croniter("rate(1 minute)") is None
    with pytest.raises(ValueError):
        to_croniter("cron(0 2 * *)")


def test_record_has_lambdas_sqs_shape() -> None:
    # Given an SQS API message with a string attribute
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "rh",
        "Body": "{}",
        "MD5OfBody": "x",
        "Attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1"},
        "MessageAttributes": {"event_type": {"StringValue": "observations.collected", "DataType": "String"}},
    }
    # When shaped as a Lambda record
    record = to_record(message, "arn:aws:sqs:eu-west-1:123456789012:q", "eu-west-1")
    # Then the field names are Lambda's (camelCase, lowercase attribute values)
    assert record["messageId"] == "m-1"
    assert record["receiptHandle"] == "rh"
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert record["messageAttributes"]["event_type"]["stringValue"] == "observations.collected"
    assert record["messageAttributes"]["event_type"]["dataType"] == "String"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":q")
    assert record["awsRegion"] == "eu-west-1"


def test_state_encoding_round_trips_binary_values() -> None:
    items = [{"pk": {"S": "a"}, "blob": {"B": b"\x00\xff"}, "set": {"BS": [b"1", b"2"]}, "n": {"N": "3"}}]
    assert _decode(_encode(items)) == items
    assert "__b64__" in str(_encode(items))


def test_family_of_task_definition_forms() -> None:
    assert family_of("analyzer") == "analyzer"
    assert family_of("analyzer:3") == "analyzer"
    assert (
        family_of("arn:aws:ecs:eu-west-1:1:task-definition/nexus-local-analyzer:3") == "nexus-local-analyzer"
    )


def test_argv_runner_gets_command_and_environment() -> None:
    # Given an argv runner (the container entry point) and overrides with command + environment
    script = "import os, sys; sys.exit(int(os.environ['CODE']) + len(sys.argv[1:]))"
    runner = TaskRunner({"analyzer": [sys.executable, "-c", script]}, "nexus-local-", lambda: {"CODE": "1"})

    # When started with two extra arguments and CODE overridden to 2
    overrides = {
        "containerOverrides": [{"command": ["a", "b"], "environment": [{"name": "CODE", "value": "2"}]}]
    }
    runner.start("arn:task/9", "analyzer", overrides)
    deadline = time.monotonic() + 20
    while (
        (run := runner.get("arn:task/9")) is not None
        and run.status == "RUNNING"
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)

    # Then the subprocess saw both (exit = 2 + 2 args)
    assert run is not None
    assert run.status == "STOPPED"
    assert run.exit_code == 4


def test_invocations_of_one_function_never_overlap_but_functions_run_in_parallel() -> None:
    from nexus_local.lambdas import LambdaRegistry

    # Given two functions whose handlers record how many of their own calls are running
    active = {"a": 0, "b": 0}
    most = {"a": 0, "b": 0}
    both = threading.Event()
    guard = threading.Lock()

    def handler_of(name: str) -> Any:
        def handler(event: Any, context: Any) -> str:
            with guard:
                active[name] += 1
                most[name] = max(most[name], active[name])
                if active["a"] and active["b"]:
                    both.set()
            time.sleep(0.05)  # a window in which another call would overlap, if it could
            with guard:
                active[name] -= 1
            return name

        return handler

    registry = LambdaRegistry({"a": handler_of("a"), "b": handler_of("b")}, "nexus-test-", "eu-west-1")
    # When each is invoked asynchronously three times at once
    for _ in range(3):
        registry.call_async("a", {})
        registry.call_async("b", {})
    while registry.in_flight:
        time.sleep(0.01)
    # Then no function ran two events at once, and the two functions did overlap
    assert most == {"a": 1, "b": 1}
    assert both.is_set()
