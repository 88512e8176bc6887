"""The event envelope and the payloads that travel over SNS/SQS.

Event names are `noun.past_verb`. SNS message attributes repeat `event_type`, `source`,
`dataset` and `severity` so subscriptions can filter without reading the body.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, Field, model_validator

from nexus_contracts.analysis import AnalysisDocument, ReportPublished
from nexus_contracts.news import NewsItem
from nexus_contracts.observation import Observation
from nexus_contracts.registries.datasets import Dataset, Source
from nexus_contracts.types import FROZEN, UtcDatetime

SCHEMA_VERSION = 1
CLAIM_CHECK_THRESHOLD_BYTES = 200 * 1024
"""Payloads above about 200 KB go to S3 `landing/`; SNS caps messages at 256 KiB."""


class EventType(StrEnum):
    OBSERVATIONS_COLLECTED = "observations.collected"
    NEWS_COLLECTED = "news.collected"
    PARTITION_VALIDATED = "partition.validated"
    PARTITION_REJECTED = "partition.rejected"
    ALERT_RAISED = "alert.raised"
    ANALYSIS_COMPLETED = "analysis.completed"
    REPORT_PUBLISHED = "report.published"


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


class ClaimCheck(BaseModel):
    """A pointer to a payload kept in S3 because it is too big for SNS."""

    model_config = FROZEN

    bucket: str
    key: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(ge=0)


class _Batch(BaseModel):
    model_config = FROZEN

    source: Source
    dataset: Dataset
    window_start_utc: UtcDatetime
    window_end_utc: UtcDatetime
    run_id: str = Field(min_length=1, max_length=100)
    claim_check: ClaimCheck | None = None


class ObservationsCollected(_Batch):
    """A collector run's observations, inline or behind a claim check (exactly one of them)."""

    event_type: Literal["observations.collected"] = "observations.collected"
    observations: tuple[Observation, ...] | None = None

    @model_validator(mode="after")
    def _inline_xor_claim_check(self) -> Self:
        if (self.observations is None) == (self.claim_check is None):
            raise ValueError("exactly one of observations or claim_check must be set")
        return self


class NewsCollected(_Batch):
    """A news collector run's headlines, inline or behind a claim check."""

    event_type: Literal["news.collected"] = "news.collected"
    items: tuple[NewsItem, ...] | None = None

    @model_validator(mode="after")
    def _inline_xor_claim_check(self) -> Self:
        if (self.items is None) == (self.claim_check is None):
            raise ValueError("exactly one of items or claim_check must be set")
        return self


class PartitionValidated(BaseModel):
    """One lake partition (source, dataset, UTC day) written or merged."""

    model_config = FROZEN

    event_type: Literal["partition.validated"] = "partition.validated"
    source: Source
    dataset: Dataset
    day: date
    s3_key: str
    s3_version_id: str | None = None
    rows: int = Field(ge=0)
    series: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    accepted: int = Field(ge=0)
    revised: int = Field(ge=0, default=0)
    stale_ignored: int = Field(ge=0, default=0)
    completeness: float = Field(ge=0.0, le=1.0, default=1.0)
    flags: tuple[str, ...] = ()


class PartitionRejected(BaseModel):
    """Records of a batch that failed validation and went to quarantine."""

    model_config = FROZEN

    event_type: Literal["partition.rejected"] = "partition.rejected"
    source: Source | None = None
    dataset: Dataset | None = None
    rejected: int = Field(ge=1)
    rules: tuple[str, ...]
    quarantine_keys: tuple[str, ...] = ()
    origin_event_id: str | None = None


class AlertKind(StrEnum):
    COLLECTION_FAILED = "collection_failed"
    SOURCE_UNAVAILABLE = "source_unavailable"
    RATE_LIMIT_APPROACHING = "rate_limit_approaching"
    DATA_QUALITY = "data_quality"
    INCOMPLETE_DAY = "incomplete_day"
    SCHEMA_CHANGED = "schema_changed"
    UNUSUAL_PATTERN = "unusual_pattern"
    PRICE_SPIKE = "price_spike"
    DATA_CORRUPTION = "data_corruption"
    INSUFFICIENT_DATA = "insufficient_data"
    ANALYSIS_FAILED = "analysis_failed"
    COST_OVER_BUDGET = "cost_over_budget"
    QUARANTINE = "quarantine"


class AlertRaised(BaseModel):
    """An alert for people; `dedupe_key` collapses repeats to one per key per day."""

    model_config = FROZEN

    event_type: Literal["alert.raised"] = "alert.raised"
    severity: Severity
    kind: AlertKind
    title: str = Field(max_length=200)
    detail: str = Field(max_length=4000)
    source: Source | None = None
    dataset: Dataset | None = None
    dedupe_key: str = Field(max_length=300)
    context: dict[str, str] = Field(default_factory=dict)


P = TypeVar("P", bound=BaseModel)


def _now() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel, Generic[P]):
    """Every event: ids, type, version, time, producer, correlation and the typed payload."""

    model_config = FROZEN

    event_id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=100)
    event_type: EventType
    schema_version: int = SCHEMA_VERSION
    occurred_at: UtcDatetime = Field(default_factory=_now)
    producer: str = Field(min_length=1, max_length=100)
    correlation_id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=100)
    payload: P

    @model_validator(mode="after")
    def _type_matches_payload(self) -> Self:
        declared = getattr(self.payload, "event_type", None)
        if declared is not None and declared != self.event_type.value:
            raise ValueError(f"event_type {self.event_type} does not match payload type {declared}")
        return self


AnyPayload = Annotated[
    ObservationsCollected
    | NewsCollected
    | PartitionValidated
    | PartitionRejected
    | AlertRaised
    | AnalysisDocument
    | ReportPublished,
    Field(discriminator="event_type"),
]

PAYLOADS: dict[EventType, type[BaseModel]] = {
    EventType.OBSERVATIONS_COLLECTED: ObservationsCollected,
    EventType.NEWS_COLLECTED: NewsCollected,
    EventType.PARTITION_VALIDATED: PartitionValidated,
    EventType.PARTITION_REJECTED: PartitionRejected,
    EventType.ALERT_RAISED: AlertRaised,
    EventType.ANALYSIS_COMPLETED: AnalysisDocument,
    EventType.REPORT_PUBLISHED: ReportPublished,
}


def parse_event(data: dict[str, Any] | str | bytes) -> Envelope[Any]:
    """Parse any known event from a dict or JSON text; raises pydantic.ValidationError."""
    if isinstance(data, str | bytes):
        return Envelope[AnyPayload].model_validate_json(data)  # type: ignore[valid-type]
    return Envelope[AnyPayload].model_validate(data)  # type: ignore[valid-type]
