"""Server-side resampling of one series to raw, hourly, daily or weekly means.

Buckets are UTC: an hour, a UTC day, or an ISO week starting Monday 00:00 UTC. Each bucket's value
is the arithmetic mean of the intervals that start in it, so hourly prices average to the base
price of the day; `count` says how many intervals contributed (gaps are visible, not filled).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Resolution(StrEnum):
    RAW = "raw"
    HOUR = "PT1H"
    DAY = "P1D"
    WEEK = "P1W"


@dataclass(frozen=True, slots=True)
class Point:
    start: datetime
    value: float
    count: int = 1


def bucket_start(at: datetime, resolution: Resolution) -> datetime:
    """The UTC start of the bucket holding `at`."""
    at = at.astimezone(UTC)
    if resolution is Resolution.HOUR:
        return at.replace(minute=0, second=0, microsecond=0)
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if resolution is Resolution.DAY:
        return day
    if resolution is Resolution.WEEK:
        return day - timedelta(days=day.weekday())
    return at


def resample(points: Iterable[tuple[datetime, float]], resolution: Resolution) -> list[Point]:
    """Mean per bucket, ordered by bucket start; `raw` only sorts and keeps the last duplicate."""
    if resolution is Resolution.RAW:
        latest = {start: value for start, value in points}
        return [Point(start, latest[start]) for start in sorted(latest)]
    sums: dict[datetime, float] = {}
    counts: dict[datetime, int] = {}
    for start, value in points:
        key = bucket_start(start, resolution)
        sums[key] = sums.get(key, 0.0) + value
        counts[key] = counts.get(key, 0) + 1
    return [Point(key, sums[key] / counts[key], counts[key]) for key in sorted(sums)]
