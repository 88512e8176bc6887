"""Server-side resampling of one series to raw, hourly, daily or weekly means.

Buckets are UTC: an hour, a UTC day, or an ISO week starting Monday 00:00 UTC. Each bucket's value
is the arithmetic mean of the intervals that start in it, so hourly prices average to the base
price of the day; `count` says how many intervals contributed (gaps are visible, not filled).

Daily and weekly means are built from per-UTC-day (n, sum) totals (`resample_days`): the lake's
precomputed partition statistics, or totals of raw points for days without them. A weekly mean is
the sum of its days' sums over the sum of their counts, the same mean as over the raw points.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
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


_SECONDS = {Resolution.HOUR: 3600, Resolution.DAY: 86400}
# 1970-01-01 was a Thursday: shifting by 3 days puts Monday at the start of each 7-day block.
_WEEK_SHIFT = 3 * 86400


def bucket_epoch(epoch: float, resolution: Resolution) -> int:
    """The UTC start (epoch seconds) of the bucket holding `epoch` (integer arithmetic, no tz)."""
    seconds = int(epoch)
    if resolution is Resolution.WEEK:
        return seconds - (seconds + _WEEK_SHIFT) % (7 * 86400)
    return seconds - seconds % _SECONDS.get(resolution, 1)


def bucket_start(at: datetime, resolution: Resolution) -> datetime:
    """The UTC start of the bucket holding `at`."""
    if resolution is Resolution.RAW:
        return at.astimezone(UTC)
    return datetime.fromtimestamp(bucket_epoch(at.timestamp(), resolution), UTC)


def resample(points: Iterable[tuple[float, float]], resolution: Resolution) -> list[Point]:
    """Mean per bucket of (UTC epoch seconds, value) points, ordered by bucket start.

    `raw` only sorts and keeps the last value of a duplicated start.
    """
    if resolution is Resolution.RAW:
        latest = {start: value for start, value in points}
        return [Point(datetime.fromtimestamp(t, UTC), latest[t]) for t in sorted(latest)]
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    for start, value in points:
        key = bucket_epoch(start, resolution)
        sums[key] = sums.get(key, 0.0) + value
        counts[key] = counts.get(key, 0) + 1
    return [Point(datetime.fromtimestamp(k, UTC), sums[k] / counts[k], counts[k]) for k in sorted(sums)]


@dataclass(frozen=True, slots=True)
class DayTotal:
    """One series over one UTC day: `n` intervals summing to `total` (in the series' unit)."""

    day_start: int  # UTC epoch seconds of the day's 00:00
    n: int
    total: float


@dataclass(frozen=True)
class DailyData:
    """Per-day totals where the lake has them, raw (epoch, value) points of the other days."""

    totals: list[DayTotal]
    points: list[tuple[float, float]]


def day_totals(points: Iterable[tuple[float, float]]) -> list[DayTotal]:
    """(n, sum) per UTC day of (UTC epoch seconds, value) points, summed in the order given."""
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    for start, value in points:
        key = bucket_epoch(start, Resolution.DAY)
        sums[key] = sums.get(key, 0.0) + value
        counts[key] = counts.get(key, 0) + 1
    return [DayTotal(k, counts[k], sums[k]) for k in sorted(sums)]


def resample_days(data: DailyData, resolution: Resolution) -> list[Point]:
    """P1D or P1W means of daily totals: sum of sums over sum of counts per bucket."""
    if resolution not in (Resolution.DAY, Resolution.WEEK):
        raise ValueError(f"daily totals make only P1D and P1W, not {resolution}")
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    for day in [*data.totals, *day_totals(data.points)]:
        key = bucket_epoch(day.day_start, resolution)
        sums[key] = sums.get(key, 0.0) + day.total
        counts[key] = counts.get(key, 0) + day.n
    return [Point(datetime.fromtimestamp(k, UTC), sums[k] / counts[k], counts[k]) for k in sorted(sums)]
