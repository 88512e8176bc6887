"""The validator's rule entry point: `validate_batch(records) -> Verdict`.

A thin, stable seam over the data-quality rule set in `nexus_validator.quality`: the handler
depends on this signature only, so rules can grow without touching the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nexus_contracts import Observation
from nexus_validator.quality import (
    AlertIntent,
    QualityContext,
    QualityReport,
    Rejection,
    SeriesHistory,
    evaluate,
)

__all__ = ["Rejection", "Verdict", "validate_batch", "verdict_of"]


@dataclass(frozen=True)
class Verdict:
    """Accepted observations, rejected records (rule, severity, reason, record) and alert intents."""

    accepted: tuple[Observation, ...]
    rejections: tuple[Rejection, ...]
    alerts: tuple[AlertIntent, ...] = ()
    report: QualityReport | None = None


def verdict_of(report: QualityReport) -> Verdict:
    """The Verdict of a rule-set report."""
    return Verdict(
        accepted=report.accepted, rejections=report.rejections, alerts=report.alerts, report=report
    )


def validate_batch(
    records: Sequence[Any],
    *,
    now: datetime | None = None,
    source: str | None = None,
    dataset: str | None = None,
    window: tuple[datetime, datetime] | None = None,
    history: Mapping[str, SeriesHistory] | None = None,
) -> Verdict:
    """Judge decoded JSON records; one bad record rejects itself, never its batch-mates."""
    ctx = QualityContext(
        now=now or datetime.now(UTC), history=history or {}, window=window, source=source, dataset=dataset
    )
    return verdict_of(evaluate(records, ctx))
