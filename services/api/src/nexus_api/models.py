"""Response models of the API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Health(BaseModel):
    model_config = _FROZEN
    status: str
    time: datetime


class SeriesInfo(BaseModel):
    """One series of the lake catalog; intervals are UTC starts."""

    model_config = _FROZEN
    series_id: str
    source: str
    dataset: str
    area: str | None = None
    location: str | None = None
    unit: str
    resolution: str
    first_interval_utc: datetime
    last_interval_utc: datetime
    simulated: bool


class ObservationPoint(BaseModel):
    model_config = _FROZEN
    t: datetime = Field(description="UTC start of the bucket (or interval for raw)")
    v: float = Field(description="mean value over the bucket, in the series unit")
    n: int = Field(description="intervals that contributed")


class ObservationSeries(BaseModel):
    model_config = _FROZEN
    series_id: str
    unit: str
    resolution: str
    start: date
    end: date
    simulated: bool
    points: list[ObservationPoint]


class MarketSummary(BaseModel):
    """The latest (or requested) week's figures of one market, from the weekly analysis."""

    model_config = _FROZEN
    area: str
    week: str
    simulated: bool
    stats: dict[str, Any]
    regression: dict[str, Any] | None = None
    spreads: dict[str, Any] | None = None
    outlook_expected_base: float | None = None
    daily: dict[str, Any] = Field(default_factory=dict)
    headline: str | None = None
    narrative_source: str | None = None


class AnalysisInfo(BaseModel):
    model_config = _FROZEN
    week: str
    generated_at: datetime | None = None
    simulated: bool
    headline: str | None = None
    narrative_source: str | None = None
    areas: list[str]


class CorrelationView(BaseModel):
    model_config = _FROZEN
    week: str
    matrices: list[dict[str, Any]]


class ReportInfo(BaseModel):
    model_config = _FROZEN
    week: str
    size_bytes: int
    last_modified: datetime


class ReportLink(BaseModel):
    model_config = _FROZEN
    week: str
    url: str
    expires_in_s: int


class SourceHealth(BaseModel):
    """Freshness (hours since the last success), 7-day completeness and quarantined payloads."""

    model_config = _FROZEN
    source: str
    configured: bool = True
    last_success: datetime | None = None
    freshness_hours: float | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    completeness_7d: float | None = None
    partitions_7d: int = 0
    quarantined: int = 0


class SourcesStatus(BaseModel):
    model_config = _FROZEN
    generated_at: datetime
    sources: list[SourceHealth]
    quarantine_queue_depth: int | None = None


class Alert(BaseModel):
    """One stored alert (`alert.raised` payload plus the day and time it was raised)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    day: date
    dedupe_key: str
    severity: str
    kind: str
    title: str
    detail: str = ""
    source: str | None = None
    dataset: str | None = None
    raised_at: datetime | None = None


class RerunStarted(BaseModel):
    model_config = _FROZEN
    week: str
    execution: str
    execution_arn: str
