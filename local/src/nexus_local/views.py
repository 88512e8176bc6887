"""Read-only views of a runtime's contents for `nexus status` and `nexus demo` (boto3 only)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nexus_contracts.topology import TOPOLOGY, physical_name


@dataclass
class Snapshot:
    """What the emulator holds: partitions per (source, dataset), sources, queue depths."""

    partitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    rows: Counter[tuple[str, str]] = field(default_factory=Counter)
    sources: list[dict[str, Any]] = field(default_factory=list)
    queues: dict[str, int] = field(default_factory=dict)
    quarantine_objects: int = 0
    alerts: Counter[str] = field(default_factory=Counter)

    @property
    def dlq(self) -> int:
        return sum(depth for name, depth in self.queues.items() if TOPOLOGY.queue(name).is_dlq)

    @property
    def quarantined(self) -> int:
        # Each rejected record is both a queue message and an S3 object; the S3 copy outlives a
        # drained queue, the queue copy may precede a slow S3 write: count the larger.
        return max(self.queues.get("quarantine", 0), self.quarantine_objects)


def _plain(attr: dict[str, Any]) -> Any:
    (kind, value), *_ = attr.items()
    return int(value) if kind == "N" and value.lstrip("-").isdigit() else value


def _scan(ddb: Any, table: str, prefix: str) -> list[dict[str, Any]]:
    pages = ddb.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeValues={":p": {"S": prefix}},
    )
    return [{k: _plain(v) for k, v in item.items()} for page in pages for item in page.get("Items", [])]


def snapshot(clients: Any, env: str = "local") -> Snapshot:
    """`clients(service)` returns a boto3 client for the runtime's endpoint."""
    ddb, sqs, s3 = clients("dynamodb"), clients("sqs"), clients("s3")
    table, bucket = physical_name(env, TOPOLOGY.table), physical_name(env, TOPOLOGY.bucket)
    snap = Snapshot()
    for item in _scan(ddb, table, "PARTITION#"):
        key = (str(item.get("source", "")), str(item.get("dataset", "")))
        snap.partitions[key] += 1
        snap.rows[key] += int(item.get("rows", 0) or 0)
    for item in _scan(ddb, table, "ALERT#"):
        snap.alerts[f"{item.get('severity', '?')}/{item.get('kind', '?')}"] += 1
    snap.sources = sorted(_scan(ddb, table, "SOURCE#"), key=lambda s: str(s.get("source")))
    for queue in TOPOLOGY.queues:
        url = sqs.get_queue_url(QueueName=physical_name(env, queue.name))["QueueUrl"]
        attrs = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        snap.queues[queue.name] = sum(int(v) for v in attrs.values())
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="quarantine/")
    snap.quarantine_objects = sum(page.get("KeyCount", 0) for page in pages)
    return snap
