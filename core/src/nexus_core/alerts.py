"""Raise alerts: one per dedupe key per UTC day, stored in DynamoDB, then published to SNS."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from nexus_contracts import AlertRaised, Envelope, EventType
from nexus_core.observability import logger

# The DynamoDB repository (boto3) and the SNS publisher load with the first AlertPublisher.
if TYPE_CHECKING:
    from nexus_core.metadata import MetadataRepository
    from nexus_core.publisher import EventPublisher
    from nexus_core.settings import NexusSettings


class AlertPublisher:
    """Deduplicates alerts with a conditional put, then publishes them to the alerts topic."""

    def __init__(
        self,
        settings: NexusSettings | None = None,
        *,
        repository: MetadataRepository | None = None,
        publisher: EventPublisher | None = None,
        producer: str = "nexus",
    ) -> None:
        from nexus_core.metadata import MetadataRepository
        from nexus_core.publisher import EventPublisher
        from nexus_core.settings import get_settings

        self.settings = settings or get_settings()
        self.repository = repository or MetadataRepository(self.settings)
        self.publisher = publisher or EventPublisher(self.settings.alerts_topic_arn, settings=self.settings)
        self.producer = producer

    def raise_alert(
        self, alert: AlertRaised, *, now: datetime | None = None, correlation_id: str | None = None
    ) -> bool:
        """Publish `alert` unless its dedupe key was already raised today (UTC); True if published."""
        now = now or datetime.now(UTC)
        if not self.repository.put_alert(alert, now.date(), now=now):
            logger.info(
                "alert deduplicated", extra={"dedupe_key": alert.dedupe_key, "kind": alert.kind.value}
            )
            return False
        extra: dict[str, Any] = {"correlation_id": correlation_id} if correlation_id else {}
        envelope = Envelope[AlertRaised](
            event_type=EventType.ALERT_RAISED, producer=self.producer, payload=alert, **extra
        )
        if self.publisher.topic_arn:
            self.publisher.publish(envelope)
        logger.warning("alert raised", extra={"kind": alert.kind.value, "severity": alert.severity.value})
        return True
