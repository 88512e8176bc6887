"""Quarantine: each rejected record goes to the quarantine queue and to S3 `quarantine/`.

The S3 key is deterministic (origin event, record index, rule), so a redelivered message
overwrites its own entries instead of adding new ones.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nexus_core.settings import NexusSettings

QUARANTINE_PREFIX = "quarantine"


@dataclass(frozen=True)
class QuarantineEntry:
    """What an operator needs to judge and redrive one rejected record."""

    rule: str
    severity: str
    reason: str
    record: Any
    origin_event_id: str | None
    source: str | None
    dataset: str | None
    index: int | None

    @property
    def entry_id(self) -> str:
        basis = json.dumps(
            [self.origin_event_id, self.index, self.rule, self.record], sort_keys=True, default=str
        )
        return hashlib.sha256(basis.encode()).hexdigest()[:32]

    def body(self, at: datetime) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "rule": self.rule,
            "severity": self.severity,
            "reason": self.reason,
            "record": self.record,
            "origin_event_id": self.origin_event_id,
            "source": self.source,
            "dataset": self.dataset,
            "index": self.index,
            "quarantined_at": at.isoformat(),
        }


class Quarantine:
    """Writes entries to S3 (by day) and to the quarantine SQS queue."""

    def __init__(self, settings: NexusSettings, s3: Any, sqs: Any) -> None:
        self.settings = settings
        self._s3 = s3
        self._sqs = sqs

    def put(self, entry: QuarantineEntry, *, now: datetime | None = None) -> str:
        """Store one entry; returns its S3 key."""
        now = now or datetime.now(UTC)
        body = entry.body(now)
        key = f"{QUARANTINE_PREFIX}/{now:%Y-%m-%d}/{entry.entry_id}.json"
        text = json.dumps(body, sort_keys=True, default=str)
        self._s3.put_object(
            Bucket=self.settings.bucket, Key=key, Body=text.encode(), ContentType="application/json"
        )
        if self.settings.quarantine_queue_url:
            attrs = {
                name: {"DataType": "String", "StringValue": str(value)}
                for name, value in (
                    ("rule", entry.rule),
                    ("source", entry.source),
                    ("dataset", entry.dataset),
                )
                if value
            }
            self._sqs.send_message(
                QueueUrl=self.settings.quarantine_queue_url,
                MessageBody=json.dumps({**body, "s3_key": key}, default=str)[:250_000],
                MessageAttributes=attrs,
            )
        return key
