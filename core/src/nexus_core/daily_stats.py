"""Per-series statistics of one lake day file, stored with its partition record.

A lake file holds the rows of one UTC day of `interval_start_utc` (after the merge: one row per
(series_id, interval_start_utc), the latest publish_time_utc), so the statistics of a file are
exactly the statistics of that UTC day, and the record's `DAY#<date>` key is their bucket. Daily and
weekly means combine them exactly: mean = sum / n over any set of whole UTC days (the float sums
may differ from a row-by-row sum in the last digits, about 1e-15 relative).

Values keep the lake's units. The map is bounded (`MAX_STATS_BYTES`) so a partition item stays
well under DynamoDB's 400 KB; above it the record carries no statistics and readers use the file.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # the metadata repository imports DayStats; only the writer needs pyarrow
    import pyarrow as pa

# JSON length over-counts DynamoDB's size of the same map (numbers take about half their digits),
# so this leaves room for the record's other attributes below the 400 KB item limit.
MAX_STATS_BYTES = 300_000


class DayStats(BaseModel):
    """One series over one UTC day: count, sum, minimum and maximum of its interval values."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n: int = Field(ge=1)
    sum: float
    min: float
    max: float


def day_stats(table: pa.Table, day: date) -> dict[str, DayStats]:
    """Statistics per series_id of the rows of one lake file (columns series_id, interval_start_utc, value).

    Raises ValueError when a row starts outside the UTC day `day` (the lake never writes one).
    """
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return {}
    start = datetime.combine(day, datetime.min.time(), UTC)
    bounds = pc.min_max(table["interval_start_utc"]).as_py()
    if bounds["min"] < start or bounds["max"] >= start + timedelta(days=1):
        raise ValueError(f"rows from {bounds['min']} to {bounds['max']} are not all in UTC day {day}")
    grouped = table.group_by("series_id").aggregate(
        [("value", "count"), ("value", "sum"), ("value", "min"), ("value", "max")]
    )
    return {
        row["series_id"]: DayStats(
            n=row["value_count"], sum=row["value_sum"], min=row["value_min"], max=row["value_max"]
        )
        for row in grouped.to_pylist()
    }


def bounded(stats: dict[str, DayStats]) -> dict[str, DayStats] | None:
    """`stats` if they fit the partition item's budget, else None (readers fall back to the file)."""
    size = len(json.dumps({k: v.model_dump() for k, v in stats.items()}))
    return stats if size <= MAX_STATS_BYTES else None
