"""The collector kit: runs any Collector over a window and wires it to the platform.

`run_collection` does, per request: fetch → archive the raw bytes to
`landing/raw/<source>/<yyyy-mm-dd>/<key>-<sha8>` (before parsing, so a parser bug never loses
data) → parse; then publishes one `observations.collected` (or `news.collected`) event per
dataset, updates the source status and raises a critical alert after 3 consecutive failures.
`make_collector_handler` turns a collector factory into a Lambda handler.
"""

from __future__ import annotations

import hashlib
import re
import time as clock
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from nexus_contracts import Dataset, NewsItem, Observation
from nexus_core.collector.base import Collector, RawPayload, Window
from nexus_core.errors import AuthFailed, NoDataYet

# What only a run needs (boto3 through the adapters, the event and alert models, Powertools) is
# imported by the run itself, not by a handler's cold import (KitServices.from_settings, _logger,
# _publish): a scheduled invocation pays for it once, a warm one finds it loaded.
if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

    from nexus_core.alerts import AlertPublisher
    from nexus_core.metadata import MetadataRepository
    from nexus_core.publisher import EventPublisher
    from nexus_core.settings import NexusSettings

FAILURES_BEFORE_ALERT = 3
RAW_PREFIX = "landing/raw"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.=\-]+")


def _logger() -> Logger:
    """The Powertools logger of nexus_core.observability, imported by the first run."""
    from nexus_core.observability import logger

    return logger


@dataclass
class KitServices:
    """The adapters a collector run uses; built from settings unless a test passes its own."""

    settings: NexusSettings
    s3: Any
    publisher: EventPublisher
    metadata: MetadataRepository
    alerts: AlertPublisher

    @classmethod
    def from_settings(cls, settings: NexusSettings | None = None) -> KitServices:
        from nexus_core import aws
        from nexus_core.alerts import AlertPublisher
        from nexus_core.metadata import MetadataRepository
        from nexus_core.publisher import EventPublisher
        from nexus_core.settings import get_settings

        settings = settings or get_settings()
        metadata = MetadataRepository(settings)
        return cls(
            settings=settings,
            s3=aws.client("s3", settings),
            publisher=EventPublisher(settings.observations_topic_arn, settings=settings),
            metadata=metadata,
            alerts=AlertPublisher(settings, repository=metadata, producer="collector-kit"),
        )


@dataclass
class RunResult:
    """What one collection run did. `status`: ok, partial, failed, no data, not configured."""

    source: str
    window: Window
    status: str = "ok"
    requests: int = 0
    observations: int = 0
    events: int = 0
    dry_run: bool = False
    errors: list[str] = field(default_factory=list)
    raw_keys: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    per_dataset: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The JSON-able summary a collector handler returns."""
        return {
            "source": self.source,
            "status": self.status,
            "observations": self.observations,
            "events": self.events,
            "requests": self.requests,
            "datasets": dict(sorted(self.per_dataset.items())),
            "errors": self.errors,
            "dry_run": self.dry_run,
            "window": {
                "start_utc": self.window.start_utc.isoformat(),
                "end_utc": self.window.end_utc.isoformat(),
            },
        }


def raw_archive_key(raw: RawPayload, source: str) -> str:
    """`landing/raw/<source>/<fetch day UTC>/<request key>-<first 8 hex of sha256>`."""
    sha8 = hashlib.sha256(raw.body).hexdigest()[:8]
    safe = _UNSAFE.sub("_", raw.request.key).strip("_") or "payload"
    return f"{RAW_PREFIX}/{source}/{raw.fetched_at.astimezone(UTC):%Y-%m-%d}/{safe}-{sha8}"


def latest_published_day(collector: Collector, now: datetime) -> date:
    """The latest delivery day `collector` has published at `now`, in its publication zone."""
    local = now.astimezone(ZoneInfo(collector.publication_tz))
    day = local.date() + timedelta(days=collector.publication_lead_days)
    if local.time() < collector.publication_time:
        day -= timedelta(days=1)
    return day


def default_window(collector: Collector, now: datetime | None = None) -> Window:
    """The latest published delivery day plus `refetch_days` trailing days (local days, DST-safe)."""
    last = latest_published_day(collector, now or datetime.now(UTC))
    first = last - timedelta(days=max(collector.refetch_days, 0))
    return Window.for_local_days(first, last, collector.publication_tz)


def run_collection(
    collector: Collector,
    window: Window,
    *,
    dry_run: bool = False,
    services: KitServices | None = None,
    now: datetime | None = None,
) -> RunResult:
    """Fetch, archive, parse and publish `window` for `collector`; never raises for source errors."""
    started = clock.perf_counter()
    source = collector.source.value
    result = RunResult(source=source, window=window, dry_run=dry_run)
    if not collector.is_configured():
        _logger().info("collector not configured, skipped", extra={"source": source})
        result.status = "not configured"
        if not dry_run:
            _record_not_configured(services or KitServices.from_settings(), source)
        return result
    services = None if dry_run else (services or KitServices.from_settings())
    by_dataset = _collect(collector, window, result, services)
    correlation_id = str(uuid.uuid4())
    for dataset, records in sorted(by_dataset.items()):
        result.per_dataset[dataset.value] = len(records)
        result.observations += len(records)
        if services is not None:
            event_id = _publish(services, collector, window, dataset, records, correlation_id)
            result.event_ids.append(event_id)
            result.events += 1
    result.status = _status(result)
    result.duration_s = clock.perf_counter() - started
    if services is not None:
        _record_status(services, source, result, now or datetime.now(UTC))
    _emit_metrics(result)
    _logger().info("collection finished", extra=result.summary())
    return result


def _collect(
    collector: Collector, window: Window, result: RunResult, services: KitServices | None
) -> dict[Dataset, list[Observation | NewsItem]]:
    by_dataset: dict[Dataset, list[Observation | NewsItem]] = defaultdict(list)
    for request in collector.requests(window):
        result.requests += 1
        try:
            raw = collector.fetch(request)
            if services is not None:
                key = raw_archive_key(raw, result.source)
                services.s3.put_object(
                    Bucket=services.settings.bucket, Key=key, Body=raw.body, ContentType=raw.content_type
                )
                result.raw_keys.append(key)
            parsed: Sequence[Observation | NewsItem] = collector.parse(raw)
        except NoDataYet as exc:
            _logger().info(
                "no data yet", extra={"source": result.source, "request": request.key, "reason": str(exc)}
            )
            continue
        except Exception as exc:  # one failing request must not lose the others
            _logger().exception("request failed", extra={"source": result.source, "request": request.key})
            result.errors.append(f"{request.key}: {type(exc).__name__}: {exc}"[:500])
            if isinstance(exc, AuthFailed):
                break
            continue
        for record in parsed:
            by_dataset[Dataset.NEWS if isinstance(record, NewsItem) else record.dataset].append(record)
    return by_dataset


def _publish(
    services: KitServices,
    collector: Collector,
    window: Window,
    dataset: Dataset,
    records: Sequence[Observation | NewsItem],
    correlation_id: str,
) -> str:
    from nexus_contracts.events import Envelope, EventType, NewsCollected, ObservationsCollected

    common: dict[str, Any] = {
        "source": collector.source,
        "dataset": dataset,
        "window_start_utc": window.start_utc,
        "window_end_utc": window.end_utc,
        "run_id": f"{collector.source.value}-{window.start_utc:%Y%m%dT%H%MZ}-{correlation_id[:8]}",
    }
    envelope: Envelope[Any]
    producer = f"collector-{collector.source.value}"
    if dataset is Dataset.NEWS:
        news = NewsCollected(items=tuple(r for r in records if isinstance(r, NewsItem)), **common)
        envelope = Envelope[NewsCollected](
            event_type=EventType.NEWS_COLLECTED,
            producer=producer,
            correlation_id=correlation_id,
            payload=news,
        )
    else:
        obs = ObservationsCollected(
            observations=tuple(r for r in records if isinstance(r, Observation)), **common
        )
        envelope = Envelope[ObservationsCollected](
            event_type=EventType.OBSERVATIONS_COLLECTED,
            producer=producer,
            correlation_id=correlation_id,
            payload=obs,
        )
    services.publisher.publish(envelope)
    return envelope.event_id


def _status(result: RunResult) -> str:
    if not result.errors:
        return "ok" if result.observations else "no data"
    return "partial" if result.observations else "failed"


def _record_not_configured(services: KitServices, source: str) -> None:
    from nexus_core.metadata import SourceStatus

    previous = services.metadata.get_source_status(source) or SourceStatus(source=source)
    services.metadata.put_source_status(previous.model_copy(update={"configured": False}))


def _record_status(services: KitServices, source: str, result: RunResult, now: datetime) -> None:
    from nexus_contracts.events import AlertKind, AlertRaised, Severity
    from nexus_core.metadata import SourceStatus

    previous = services.metadata.get_source_status(source) or SourceStatus(source=source)
    if result.status == "failed":
        status = previous.model_copy(
            update={
                "configured": True,
                "last_error": result.errors[0] if result.errors else "failed",
                "last_error_at": now,
                "consecutive_failures": previous.consecutive_failures + 1,
            }
        )
    else:
        status = previous.model_copy(
            update={"configured": True, "last_success": now, "consecutive_failures": 0}
        )
    services.metadata.put_source_status(status)
    if status.consecutive_failures >= FAILURES_BEFORE_ALERT:
        services.alerts.raise_alert(
            AlertRaised(
                severity=Severity.CRITICAL,
                kind=AlertKind.COLLECTION_FAILED,
                title=f"{source}: {status.consecutive_failures} consecutive collection failures",
                detail=(status.last_error or "")[:4000],
                source=collector_source(source),
                dedupe_key=f"collection_failed:{source}",
            ),
            now=now,
        )


def collector_source(source: str) -> Any:
    from nexus_contracts import Source

    return Source(source)


def _emit_metrics(result: RunResult) -> None:
    from nexus_core.observability import MetricUnit, metric

    metric("CollectorRequests", result.requests, source=result.source)
    metric("CollectorDuration", result.duration_s, MetricUnit.Seconds, source=result.source)
    if result.errors:
        metric("CollectorErrors", len(result.errors), source=result.source)
    for dataset, rows in result.per_dataset.items():
        metric("CollectedRows", rows, source=result.source, dataset=dataset)


# -- Lambda handler --------------------------------------------------------------------------


def window_from_event(collector: Collector, event: dict[str, Any] | None) -> tuple[Window, bool]:
    """The window of a handler event: an EventBridge scheduled event → default window;
    `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "dry_run": bool}` → those local delivery days
    (inclusive) in the collector's publication zone.
    """
    event = event or {}
    dry_run = bool(event.get("dry_run", False))
    if "from" in event:
        first = date.fromisoformat(str(event["from"]))
        last = date.fromisoformat(str(event.get("to") or event["from"]))
        return Window.for_local_days(first, last, collector.publication_tz), dry_run
    now = None
    if isinstance(event.get("time"), str):
        try:
            now = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
        except ValueError:
            now = None
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return default_window(collector, now), dry_run


def make_collector_handler(
    factory: Callable[[], Collector],
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler that builds a collector with `factory` and runs it over the event's window."""

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        collector = factory()
        window, dry_run = window_from_event(collector, event)
        return run_collection(collector, window, dry_run=dry_run).summary()

    return handler
