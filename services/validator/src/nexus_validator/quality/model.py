"""The vocabulary of the data-quality rules: rejections, alert intents, history and the report.

Plain frozen dataclasses, no I/O: the validator's handler turns rejections into quarantine
entries and alert intents into `alert.raised` events; `nexus validate` prints them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from nexus_contracts.events import AlertKind, Severity
from nexus_contracts.observation import Observation, Resolution
from nexus_contracts.registries.datasets import Unit


@dataclass(frozen=True)
class Rejection:
    """One record (or a whole event, `index` None) refused by `rule`, with the original payload."""

    rule: str
    severity: Severity
    reason: str
    record: Any
    index: int | None = None


@dataclass(frozen=True)
class AlertIntent:
    """An alert the validator should raise; `dedupe_key` collapses repeats to one per day."""

    severity: Severity
    kind: AlertKind
    title: str
    detail: str
    dedupe_key: str
    rule: str
    source: str | None = None
    dataset: str | None = None
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SeriesHistory:
    """What the lake already knows about one series.

    `values` are trailing values (oldest first) for the robust z-score; `resolution` and `unit`
    are the latest stored ones (drift); `vintages` maps interval_start_utc to the stored
    publish_time_utc (revisions and completeness).
    """

    values: tuple[float, ...] = ()
    resolution: Resolution | None = None
    unit: Unit | None = None
    vintages: Mapping[datetime, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class DayCompleteness:
    """Intervals present versus expected for one series and one local delivery day."""

    series_id: str
    source: str
    dataset: str
    local_day: date
    tz: str
    expected: int
    present: int
    missing: tuple[datetime, ...] = ()

    @property
    def ratio(self) -> float:
        return min(1.0, self.present / self.expected) if self.expected else 1.0


@dataclass(frozen=True)
class Revisions:
    """How accepted records compare with the stored vintages of the same key."""

    new: int = 0
    revised: int = 0
    unchanged: int = 0
    stale: int = 0


@dataclass(frozen=True)
class QualityReport:
    """The outcome of the rule set on one batch: a bad record rejects itself, not the batch."""

    accepted: tuple[Observation, ...]
    rejections: tuple[Rejection, ...]
    alerts: tuple[AlertIntent, ...] = ()
    revisions: Revisions = Revisions()
    stale: tuple[Observation, ...] = ()
    days: tuple[DayCompleteness, ...] = ()

    @property
    def incomplete_days(self) -> tuple[DayCompleteness, ...]:
        return tuple(d for d in self.days if d.present < d.expected)
