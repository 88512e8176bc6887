"""The one collector interface every source implements.

A collector turns a UTC window into source requests (chunked to the source's limits), fetches
each request's raw payload, and parses a raw payload into Observations. Everything else (windows,
retries, rate limits, secrets, archiving the raw payload, publishing) lives in the kit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from nexus_contracts import Dataset, Observation, Source


@dataclass(frozen=True)
class Window:
    """A UTC interval `[start_utc, end_utc)`; both ends timezone-aware."""

    start_utc: datetime
    end_utc: datetime

    def __post_init__(self) -> None:
        for value in (self.start_utc, self.end_utc):
            if value.tzinfo is None:
                raise ValueError("Window bounds must be timezone-aware")
        if self.end_utc <= self.start_utc:
            raise ValueError("Window end must be after its start")

    @classmethod
    def for_local_days(cls, first: date, last: date, tz: str) -> Window:
        """The UTC window covering local delivery days `first..last` (inclusive) in `tz`.

        Built from local midnights through zoneinfo, so a spring-forward day lasts 23 h and a
        fall-back day 25 h (2024-03-31 in Europe/Berlin starts 2024-03-30T23:00Z).
        """
        zone = ZoneInfo(tz)
        start = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
        return cls(start, end)

    def local_days(self, tz: str) -> list[date]:
        """Local delivery days (in `tz`) that start inside the window."""
        zone = ZoneInfo(tz)
        day = self.start_utc.astimezone(zone).date()
        last = (self.end_utc - timedelta(microseconds=1)).astimezone(zone).date()
        days = []
        while day <= last:
            days.append(day)
            day += timedelta(days=1)
        return days


@dataclass(frozen=True)
class FetchRequest:
    """One call to a source: `dataset` it yields, a stable `key` for archiving, free `params`."""

    dataset: Dataset
    key: str
    window: Window
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RawPayload:
    """The bytes a source returned for one request, kept verbatim for re-parsing."""

    request: FetchRequest
    body: bytes
    content_type: str
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    status: int = 200


class Collector(ABC):
    """The collector contract. Subclasses set `source` and implement the four methods."""

    source: ClassVar[Source]
    # The kit's default window (see collector.kit.default_window): the latest delivery day the
    # source has published, in its publication zone, plus `refetch_days` trailing days to pick
    # up revisions. Delivery day `today + publication_lead_days` is out at `publication_time`
    # local (day-ahead auctions: lead 1 at 12:45; measurements of a finished day: lead -1).
    publication_tz: ClassVar[str] = "Europe/Brussels"
    refetch_days: ClassVar[int] = 1
    publication_lead_days: ClassVar[int] = -1
    publication_time: ClassVar[time] = time(0, 0)

    @abstractmethod
    def is_configured(self) -> bool:
        """False when credentials are missing: the kit then skips with a 'not configured' status."""

    @abstractmethod
    def requests(self, window: Window) -> Iterable[FetchRequest]:
        """The requests covering `window`, chunked to the source's limits."""

    @abstractmethod
    def fetch(self, request: FetchRequest) -> RawPayload:
        """Perform one request (through the kit's HTTP client) and return the raw payload."""

    @abstractmethod
    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        """Parse one raw payload into observations: UTC, end-exclusive, sorted, unique."""
