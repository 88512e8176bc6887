"""The contract every collector passes, against its replayed API on a real loopback socket.

A source's test module subclasses `CollectorContract`, says how to build its fake API and its
collector, and names its days; every check below then runs for that source.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, ClassVar

import pytest

from nexus_contracts import DATASETS, NewsItem, Observation
from nexus_core.collector.base import Collector, Window
from nexus_core.errors import AuthFailed, SourceSchemaChanged, SourceUnavailable
from nexus_core.http import HttpClient, RetryPolicy
from nexus_core.ratelimit import FakeClock
from tests.fixtures.replay.server import (
    Handler,
    ReplayServer,
    html_page,
    rate_limited,
    server_error,
    timeout,
)

Record = Observation | NewsItem


def replay_client(source: str) -> HttpClient:
    """A client with a fake clock (no real backoff waits) and a read timeout below the fault delay."""
    return HttpClient(source, timeout_s=0.5, clock=FakeClock(), rng=random.Random(0), retry=RetryPolicy())


def collect(collector: Collector, first: date, last: date) -> list[Record]:
    """Everything the collector yields for local days first..last (inclusive)."""
    window = Window.for_local_days(first, last, collector.publication_tz)
    records: list[Record] = []
    for request in collector.requests(window):
        records.extend(collector.parse(collector.fetch(request)))
    return records


def record_key(record: Record) -> tuple[str, str]:
    if isinstance(record, NewsItem):
        return (record.published_utc.isoformat(), record.story_id)
    return record.key


class CollectorContract:
    """Base class: subclasses set the attributes and implement `make_api` / `make_collector`."""

    source: ClassVar[str]
    day: ClassVar[date] = date(2024, 3, 6)
    # {(day, series_id): expected count} for DST and 15-minute days; empty for daily sources.
    day_counts: ClassVar[dict[tuple[date, str], int]] = {}
    has_credentials: ClassVar[bool] = True
    # Sources without a vintage stamp use the fetch time as publish time: compared without it.
    publish_time_is_fetch_time: ClassVar[bool] = False
    retries_429: ClassVar[bool] = True

    def make_api(self, **options: Any) -> Handler:
        raise NotImplementedError

    def make_collector(self, base_url: str, http: HttpClient, *, valid_credentials: bool = True) -> Collector:
        raise NotImplementedError

    def empty_api(self) -> Handler:
        """An API that has published nothing for the test days."""
        raise NotImplementedError

    def broken_api(self) -> Handler:
        """An API whose responses lack a field the parser requires."""
        raise NotImplementedError

    @pytest.fixture
    def server(self) -> Iterator[ReplayServer]:
        with ReplayServer(self.make_api()) as server:
            yield server

    @pytest.fixture
    def collector(self, server: ReplayServer) -> Collector:
        return self.make_collector(server.url, replay_client(self.source))

    # -- success -------------------------------------------------------------------------------

    def test_success_gives_utc_end_exclusive_sorted_unique_intervals(self, collector: Collector) -> None:
        # Given a healthy API; When one day is collected request by request
        window = Window.for_local_days(self.day, self.day, collector.publication_tz)
        batches = [collector.parse(collector.fetch(r)) for r in collector.requests(window)]
        records = [r for batch in batches for r in batch]
        # Then there are records, each batch is sorted, and no business key repeats
        assert records
        keys = [record_key(r) for r in records]
        assert len(keys) == len(set(keys))
        for batch in batches:
            assert [record_key(r) for r in batch] == sorted(record_key(r) for r in batch)
        for record in records:
            if isinstance(record, Observation):
                assert record.interval_start_utc.utcoffset() == timedelta(0)
                assert record.interval_end_utc > record.interval_start_utc
                fixed = record.resolution.fixed
                if fixed is not None:
                    assert record.interval_end_utc - record.interval_start_utc == fixed
            else:
                assert record.published_utc.utcoffset() == timedelta(0)

    def test_units_and_resolutions_are_the_dataset_s(self, collector: Collector) -> None:
        # Given a healthy API; When a day is collected
        records = collect(collector, self.day, self.day)
        # Then every observation's unit and resolution is one its dataset declares
        for record in records:
            if isinstance(record, Observation):
                spec = DATASETS[record.dataset]
                assert record.unit in spec.units, record
                assert record.resolution.value in spec.resolutions, record

    def test_multi_day_range_equals_days_fetched_one_by_one(self, collector: Collector) -> None:
        # Given three consecutive days
        days = [self.day + timedelta(days=n) for n in range(3)]
        # When they are collected as one range and one by one
        together = collect(collector, days[0], days[-1])
        one_by_one = [r for d in days for r in collect(collector, d, d)]
        # Then both give the same records (re-fetched revisable rows may repeat one by one)
        assert together
        assert self.comparable(together) == self.comparable(one_by_one)

    def comparable(self, records: list[Record]) -> set[str]:
        drop = {"publish_time_utc"} if self.publish_time_is_fetch_time else set()
        return {r.model_dump_json(exclude=drop) for r in records}

    def test_dst_and_quarter_hour_days_have_the_expected_counts(self, collector: Collector) -> None:
        if not self.day_counts:
            # A source declaring no intraday series must really deliver none
            records = collect(collector, self.day, self.day)
            assert records
            intraday = [
                r
                for r in records
                if isinstance(r, Observation)
                and r.resolution.fixed is not None
                and r.resolution.fixed < timedelta(days=1)
            ]
            assert intraday == []
            return
        for (day, series_id), expected in self.day_counts.items():
            # Given a DST or 15-minute day; When it is collected
            records = [r for r in collect(collector, day, day) if record_key(r)[0] == series_id]
            # Then the series has exactly the expected number of intervals
            assert len(records) == expected, (day, series_id)

    # -- empty, credentials, schema --------------------------------------------------------------

    def test_empty_answer_gives_no_records_and_no_error(self) -> None:
        with ReplayServer(self.empty_api()) as server:
            collector = self.make_collector(server.url, replay_client(self.source))
            # When a day without data is collected; Then nothing comes back and nothing raises
            assert collect(collector, self.day, self.day) == []

    def test_wrong_credentials_raise_auth_failed(self, server: ReplayServer) -> None:
        collector = self.make_collector(server.url, replay_client(self.source), valid_credentials=False)
        if not self.has_credentials:
            # A keyless source has no wrong credentials: it collects as without any
            assert collect(collector, self.day, self.day)
            return
        with pytest.raises(AuthFailed):
            collect(collector, self.day, self.day)

    def test_changed_schema_raises_source_schema_changed(self) -> None:
        with ReplayServer(self.broken_api()) as server:
            collector = self.make_collector(server.url, replay_client(self.source))
            with pytest.raises(SourceSchemaChanged):
                collect(collector, self.day, self.day)

    # -- transient faults ------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "fault", [server_error, timeout, lambda: html_page(503)], ids=["5xx", "timeout", "html"]
    )
    def test_transient_fault_then_success_gives_the_same_records(
        self, server: ReplayServer, collector: Collector, fault: Any
    ) -> None:
        clean = collect(collector, self.day, self.day)
        # Given the next answer fails transiently
        server.fail_next(fault())
        retries_before = collector.http.metrics.retries  # type: ignore[attr-defined]
        # When the day is collected again; Then the retry yields the same records
        assert self.comparable(collect(collector, self.day, self.day)) == self.comparable(clean)
        assert collector.http.metrics.retries == retries_before + 1  # type: ignore[attr-defined]

    def test_429_then_success(self, server: ReplayServer, collector: Collector) -> None:
        clean = collect(collector, self.day, self.day)
        server.fail_next(rate_limited("2"))
        if not self.retries_429:
            # ENTSO-E bans the token after a 429: the run stops instead of hammering
            with pytest.raises(SourceUnavailable):
                collect(collector, self.day, self.day)
            return
        assert self.comparable(collect(collector, self.day, self.day)) == self.comparable(clean)
        # Then the client waited at least the Retry-After seconds on its (fake) clock
        assert max(collector.http.clock.slept) >= 2.0  # type: ignore[attr-defined]

    def test_persistent_html_error_page_raises_source_unavailable(
        self, server: ReplayServer, collector: Collector
    ) -> None:
        server.fail_next(*[html_page(503) for _ in range(10)])
        with pytest.raises(SourceUnavailable):
            collect(collector, self.day, self.day)
