"""What the lake already holds for the series of a batch (revisions, completeness, z-scores)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from nexus_core.lake import LakeReader
from nexus_validator.quality import SeriesHistory, history_from_rows

# Two days give the rule set's z-score its 48 hourly points without reading a week per message.
LOOKBACK_DAYS = 2


def utc_days(start: datetime, end: datetime, lookback_days: int = LOOKBACK_DAYS) -> list[date]:
    """UTC days from `lookback_days` before `start` through the day holding `end` (exclusive)."""
    first = start.astimezone(UTC).date() - timedelta(days=lookback_days)
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def load_history(
    reader: LakeReader, source: str, dataset: str, days: Iterable[date]
) -> dict[str, SeriesHistory]:
    """Histories of every series stored in those (source, dataset) partitions."""
    table = reader.read_partitions(source, dataset, days)
    return history_from_rows(table.to_pylist()) if table.num_rows else {}
