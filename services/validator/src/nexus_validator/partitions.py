"""Partition completeness: rows present versus expected in one UTC-day lake file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from nexus_contracts import Observation

DAY = timedelta(days=1)


def completeness(rows: int, series: int, observations: Sequence[Observation]) -> float:
    """Share of expected intervals present; calendar resolutions (P1D, P1M) count as complete.

    An intraday UTC-day file is complete with 24 h of intervals per series, so the day that
    holds only 23 local hours of a delivery day stays below 1 until the next day arrives.
    """
    fixed = [o.resolution.fixed for o in observations if o.resolution.fixed]
    if not fixed or series == 0:
        return 1.0
    expected = series * int(DAY / min(fixed))
    return round(min(1.0, rows / expected), 4)
