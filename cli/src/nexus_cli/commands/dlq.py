"""`nexus dlq redrive QUEUE`: move a dead-letter queue's messages back to its source queue.

On AWS this is SQS StartMessageMoveTask; the emulator lacks it, so against an endpoint the
messages are received, re-sent with their attributes, and deleted, until the DLQ is empty.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nexus_cli.commands.quarantine import Target, add_target_arguments, open_target
from nexus_contracts.topology import TOPOLOGY


def queue_pair(name: str) -> tuple[str, str]:
    """(dlq, source) logical names for a queue given by its own or its DLQ's logical name."""
    logical = name.removeprefix("nexus-").split("-", 1)[-1] if name.startswith("nexus-") else name
    for queue in TOPOLOGY.queues:
        if queue.dlq and logical in (queue.name, queue.dlq):
            return queue.dlq, queue.name
    raise KeyError(f"no dead-letter queue is known for {name!r}")


def _arn(target: Target, url: str) -> str:
    attrs = target.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attrs["Attributes"]["QueueArn"])


def move_messages(target: Target, dlq_url: str, source_url: str) -> int:
    """Receive from the DLQ, re-send to the source, delete; returns the number moved."""
    sqs = target.client("sqs")
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=30
        ).get("Messages", [])
        if not messages:
            return moved
        for m in messages:
            extra = {"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {}
            sqs.send_message(QueueUrl=source_url, MessageBody=m["Body"], **extra)
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=m["ReceiptHandle"])
            moved += 1


def _redrive(args: argparse.Namespace) -> int:
    try:
        dlq, source = queue_pair(args.queue)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    with open_target(args) as target:
        dlq_url, source_url = target.queue_url(dlq), target.queue_url(source)
        if target.is_emulated:
            moved = move_messages(target, dlq_url, source_url)
            print(f"moved {moved} message(s) from {dlq} to {source}")
        else:
            task = target.client("sqs").start_message_move_task(
                SourceArn=_arn(target, dlq_url), DestinationArn=_arn(target, source_url)
            )
            print(f"started message move task {task['TaskHandle']} from {dlq} to {source}")
        if target.runtime is not None:
            target.runtime.wait_idle(args.wait)
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("dlq", help="dead-letter queue operations")
    sub = parser.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    redrive = sub.add_parser("redrive", help="move a DLQ's messages back to its source queue")
    redrive.add_argument("queue", help="logical name of the queue or its DLQ, e.g. validation")
    redrive.add_argument("--wait", type=float, default=60.0, help="seconds to let a started runtime process")
    add_target_arguments(redrive)
    redrive.set_defaults(func=_redrive)
