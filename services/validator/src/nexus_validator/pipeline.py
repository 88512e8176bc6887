"""One message through the validator: rules → lake → partition records → events, quarantine, alerts.

Permanent problems (unparseable body, contract violations, missing claim check) end in the
quarantine and the message succeeds; transient ones (S3, DynamoDB, SNS failures) raise, so
only that message is retried by the queue (partial batch failure).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from nexus_contracts import (
    AlertRaised,
    ClaimCheck,
    Dataset,
    Envelope,
    EventType,
    Observation,
    PartitionRejected,
    PartitionValidated,
    Source,
)
from nexus_core import aws
from nexus_core.alerts import AlertPublisher
from nexus_core.lake import LakeReader, LakeWriter, PartitionWrite
from nexus_core.metadata import MetadataRepository, PartitionRecord
from nexus_core.news_lake import NewsLake
from nexus_core.observability import MetricUnit, logger, metric
from nexus_core.publisher import EventPublisher
from nexus_core.settings import NexusSettings
from nexus_validator.adapters.history import load_history, utc_days
from nexus_validator.adapters.quarantine import Quarantine, QuarantineEntry
from nexus_validator.news import read_news
from nexus_validator.partitions import completeness
from nexus_validator.quality import AlertIntent, QualityContext, Rejection, evaluate_body
from nexus_validator.rules import verdict_of
from nexus_validator.sns import unwrap

PRODUCER = "validator"


@dataclass
class ValidatorServices:
    """The adapters of the validator, built once per cold start."""

    settings: NexusSettings
    writer: LakeWriter
    reader: LakeReader
    metadata: MetadataRepository
    publisher: EventPublisher
    alerts: AlertPublisher
    quarantine: Quarantine
    s3: Any

    @classmethod
    def from_settings(cls, settings: NexusSettings) -> ValidatorServices:
        s3 = aws.client("s3", settings)
        metadata = MetadataRepository(settings)
        return cls(
            settings=settings,
            writer=LakeWriter(settings, s3=s3),
            reader=LakeReader(settings),
            metadata=metadata,
            publisher=EventPublisher(settings.observations_topic_arn, settings=settings),
            alerts=AlertPublisher(settings, repository=metadata, producer=PRODUCER),
            quarantine=Quarantine(settings, s3, aws.client("sqs", settings)),
            s3=s3,
        )

    def fetch_claim(self, check: ClaimCheck) -> bytes:
        """Read a claim-checked payload; LookupError when it is gone (a permanent problem)."""
        try:
            return bytes(self.s3.get_object(Bucket=check.bucket, Key=check.key)["Body"].read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NoSuchBucket"}:
                raise LookupError(str(exc)) from exc
            raise


@dataclass
class MessageOutcome:
    """What one message produced (for logs, tests and the benchmark)."""

    event_id: str | None = None
    accepted: int = 0
    quarantined: int = 0
    partitions: list[PartitionWrite] = field(default_factory=list)
    skipped: str | None = None


def _peek(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def process_message(body: str, services: ValidatorServices, *, now: datetime | None = None) -> MessageOutcome:
    """Validate one SQS body (an SNS notification or a bare envelope) and persist the results."""
    now = now or datetime.now(UTC)
    text = unwrap(body)
    peek = _peek(text)
    outcome = MessageOutcome(event_id=peek.get("event_id") if isinstance(peek.get("event_id"), str) else None)
    if peek.get("event_type") == EventType.NEWS_COLLECTED.value:
        return _process_news(text, peek, services, outcome, now)  # headlines: text, own dataset
    history = _history_for(peek, services)
    batch, report = evaluate_body(text, QualityContext(now=now, history=history), fetch=services.fetch_claim)
    verdict = verdict_of(report)
    payload: dict[str, Any] = peek["payload"] if isinstance(peek.get("payload"), dict) else {}
    source = batch.source if batch else _str(payload.get("source"))
    dataset = batch.dataset if batch else _str(payload.get("dataset"))
    correlation_id = _str(peek.get("correlation_id"))
    if verdict.accepted:
        outcome.partitions = services.writer.merge_write(verdict.accepted)
        outcome.accepted = len(verdict.accepted)
        _record_partitions(
            services, outcome.partitions, verdict.accepted, report.revisions.stale, now, correlation_id
        )
    if verdict.rejections:
        keys = [_quarantine(services, r, outcome.event_id, source, dataset, now) for r in verdict.rejections]
        outcome.quarantined = len(keys)
        _publish_rejected(
            services, verdict.rejections, keys, outcome.event_id, source, dataset, correlation_id
        )
    for intent in verdict.alerts:
        services.alerts.raise_alert(_alert(intent), now=now, correlation_id=correlation_id)
    _metrics(outcome, source, dataset)
    return outcome


def _process_news(
    text: str, peek: dict[str, Any], services: ValidatorServices, outcome: MessageOutcome, now: datetime
) -> MessageOutcome:
    batch = read_news(text, services.s3)
    correlation_id = _str(peek.get("correlation_id"))
    if batch.items:
        lake = NewsLake(services.settings, fs=services.writer.fs, s3=services.s3, metadata=services.metadata)
        outcome.partitions = lake.merge_write(batch.items, now=now)
        outcome.accepted = len(batch.items)
        for write in outcome.partitions:
            _publish_validated(services, write, 1.0, (), correlation_id)
    if batch.rejections:
        news = Dataset.NEWS.value
        keys = [_quarantine(services, r, outcome.event_id, batch.source, news, now) for r in batch.rejections]
        outcome.quarantined = len(keys)
        _publish_rejected(
            services, tuple(batch.rejections), keys, outcome.event_id, batch.source, news, correlation_id
        )
    _metrics(outcome, batch.source, Dataset.NEWS.value)
    return outcome


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _history_for(peek: dict[str, Any], services: ValidatorServices) -> dict[str, Any]:
    payload = peek.get("payload")
    if not isinstance(payload, dict):
        return {}
    try:
        source, dataset = Source(payload["source"]).value, Dataset(payload["dataset"]).value
        start = datetime.fromisoformat(str(payload["window_start_utc"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(payload["window_end_utc"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return {}  # the rules will reject the envelope itself
    if start.tzinfo is None or end <= start:
        return {}
    return load_history(services.reader, source, dataset, utc_days(start, end))


def _record_partitions(
    services: ValidatorServices,
    writes: list[PartitionWrite],
    accepted: tuple[Observation, ...],
    stale: int,
    now: datetime,
    correlation_id: str | None,
) -> None:
    by_day: dict[tuple[str, str, date], list[Observation]] = defaultdict(list)
    for obs in accepted:
        by_day[(obs.source.value, obs.dataset.value, obs.interval_start_utc.astimezone(UTC).date())].append(
            obs
        )
    for write in writes:
        ratio = completeness(write.rows, write.series, by_day[(write.source, write.dataset, write.day)])
        flags = () if ratio >= 1.0 else ("incomplete",)
        services.metadata.put_partition(PartitionRecord.from_write(write, now, ratio, flags))
        _publish_validated(services, write, ratio, flags, correlation_id)


def _publish_validated(
    services: ValidatorServices,
    write: PartitionWrite,
    ratio: float,
    flags: tuple[str, ...],
    correlation_id: str | None,
) -> None:
    event = PartitionValidated(
        source=Source(write.source),
        dataset=Dataset(write.dataset),
        day=write.day,
        s3_key=write.key,
        s3_version_id=write.version_id,
        rows=write.rows,
        series=write.series,
        sha256=write.sha256,
        accepted=write.accepted,
        revised=write.revised,
        stale_ignored=write.stale,
        completeness=ratio,
        flags=flags,
    )
    extra = {"correlation_id": correlation_id} if correlation_id else {}
    services.publisher.publish(
        Envelope[PartitionValidated](
            event_type=EventType.PARTITION_VALIDATED, producer=PRODUCER, payload=event, **extra
        )
    )


def _quarantine(
    services: ValidatorServices,
    rejection: Rejection,
    event_id: str | None,
    source: str | None,
    dataset: str | None,
    now: datetime,
) -> str:
    entry = QuarantineEntry(
        rule=rejection.rule,
        severity=rejection.severity.value,
        reason=rejection.reason,
        record=rejection.record,
        origin_event_id=event_id,
        source=source,
        dataset=dataset,
        index=rejection.index,
    )
    logger.warning("record quarantined", extra={"rule": entry.rule, "reason": entry.reason[:300]})
    return services.quarantine.put(entry, now=now)


def _publish_rejected(
    services: ValidatorServices,
    rejections: tuple[Rejection, ...],
    keys: list[str],
    event_id: str | None,
    source: str | None,
    dataset: str | None,
    correlation_id: str | None,
) -> None:
    payload = PartitionRejected(
        source=_enum(Source, source),
        dataset=_enum(Dataset, dataset),
        rejected=len(rejections),
        rules=tuple(sorted({r.rule for r in rejections})),
        quarantine_keys=tuple(keys[:100]),
        origin_event_id=event_id[:100] if event_id else None,
    )
    extra = {"correlation_id": correlation_id} if correlation_id else {}
    services.publisher.publish(
        Envelope[PartitionRejected](
            event_type=EventType.PARTITION_REJECTED, producer=PRODUCER, payload=payload, **extra
        )
    )


def _enum(kind: Any, value: str | None) -> Any:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _alert(intent: AlertIntent) -> AlertRaised:
    return AlertRaised(
        severity=intent.severity,
        kind=intent.kind,
        title=intent.title[:200],
        detail=intent.detail[:4000],
        source=_enum(Source, intent.source),
        dataset=_enum(Dataset, intent.dataset),
        dedupe_key=intent.dedupe_key[:300],
        context={str(k): str(v) for k, v in intent.context.items()},
    )


def _metrics(outcome: MessageOutcome, source: str | None, dataset: str | None) -> None:
    dims = {k: v for k, v in (("source", source), ("dataset", dataset)) if v}
    metric("ValidatedRows", outcome.accepted, MetricUnit.Count, **dims)
    if outcome.quarantined:
        metric("QuarantinedRows", outcome.quarantined, MetricUnit.Count, **dims)
