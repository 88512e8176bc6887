"""Delivery-day calendar: zones, aligned boundaries and expected intervals, DST-aware.

A local delivery day lasts 23, 24 or 25 hours (spring-forward, normal, fall-back days); its
intraday intervals are counted from the UTC bounds of local midnight to the next local midnight,
converted with zoneinfo, never with a fixed offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from nexus_contracts.observation import Observation, Resolution
from nexus_contracts.registries.areas import AREAS


def zone_of(obs: Observation) -> str:
    """The IANA zone of the observation's delivery day: its area's, else UTC (locations)."""
    return AREAS[obs.area].tz if obs.area is not None else "UTC"


@lru_cache(maxsize=8192)
def local_day(instant: datetime, tz: str) -> date:
    """The local calendar day that contains a UTC instant."""
    return instant.astimezone(ZoneInfo(tz)).date()


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """UTC [start, end) of a local calendar day (23, 24 or 25 hours long)."""
    zone = ZoneInfo(tz)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """UTC [start, end) of the local calendar month containing `day`."""
    zone = ZoneInfo(tz)
    start = datetime(day.year, day.month, 1, tzinfo=zone)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    end = datetime(year, month, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


@lru_cache(maxsize=8192)  # a batch repeats the same starts for every series
def expected_period(start_utc: datetime, resolution: Resolution, tz: str) -> tuple[datetime, datetime]:
    """The aligned UTC period of `resolution` that contains `start_utc`.

    Intraday periods are aligned on multiples of their length from the epoch, which equals
    local alignment for the whole-hour-offset zones of the area registry.
    """
    fixed = resolution.fixed
    if fixed is not None:
        step = int(fixed.total_seconds())
        epoch = int(start_utc.timestamp())
        aligned = datetime.fromtimestamp(epoch - epoch % step, tz=UTC)
        return aligned, aligned + fixed
    day = local_day(start_utc, tz)
    if resolution is Resolution.P1D:
        return day_bounds(day, tz)
    return month_bounds(day, tz)


def expected_starts(day: date, tz: str, resolution: Resolution) -> list[datetime]:
    """Every interval start an intraday series should have on a local day (92/96/100 for PT15M)."""
    fixed = resolution.fixed
    if fixed is None:
        raise ValueError(f"{resolution} is not an intraday resolution")
    start, end = day_bounds(day, tz)
    count = int((end - start) / fixed)
    return [start + i * fixed for i in range(count)]
