"""FRED collector: the contract suite plus missing values and calendar periods."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from nexus_collector_fred.collector import TZ, FredCollector, FredSettings
from nexus_contracts import Resolution
from nexus_core.collector.base import Collector
from nexus_core.http import HttpClient
from tests.contract.test_collector_contract import CollectorContract, collect, replay_client
from tests.fixtures.replay.fred_api import API_KEY, FredApi
from tests.fixtures.replay.server import Handler, ReplayServer


class TestFredContract(CollectorContract):
    source = "fred"

    def make_api(self, **options: Any) -> Handler:
        return FredApi(**options)

    def empty_api(self) -> Handler:
        return FredApi(until=date(2000, 1, 1))

    def broken_api(self) -> Handler:
        return FredApi(drop="value")

    def make_collector(self, base_url: str, http: HttpClient, *, valid_credentials: bool = True) -> Collector:
        settings = FredSettings(base_url=f"{base_url}/fred", series="DCOILBRENTEU,DEXUSEU")
        return FredCollector(settings, http, api_key=API_KEY if valid_credentials else "x" * 32)


def _collector(server: ReplayServer, series: str) -> FredCollector:
    return FredCollector(
        FredSettings(base_url=f"{server.url}/fred", series=series), replay_client("fred"), API_KEY
    )


def test_dot_values_are_missing_not_zero() -> None:
    # Given a quarter of WTI in which the fake writes "." on some business days
    rows = _rows(FredApi(), "DCOILWTICO")
    present = {r["date"] for r in rows if r["value"] != "."}
    assert len(present) < len(rows)
    # When it is collected
    with ReplayServer(FredApi()) as server:
        records = collect(_collector(server, "DCOILWTICO"), date(2024, 1, 1), date(2024, 3, 31))
    # Then exactly the days with a number are present (no zeros for ".")
    assert {r.interval_start_utc.astimezone(TZ).date().isoformat() for r in records} == present


def _request(series: str, first: str, last: str) -> Any:
    from tests.fixtures.replay.server import Request

    query = {
        "series_id": [series],
        "observation_start": [first],
        "observation_end": [last],
        "api_key": [API_KEY],
        "file_type": ["json"],
    }
    return Request("GET", "/fred/series/observations", query, {}, b"")


def _rows(api: FredApi, series: str) -> list[dict[str, str]]:
    import json

    return list(json.loads(api(_request(series, "2024-01-01", "2024-03-31")).body)["observations"])


def test_daily_value_covers_the_new_york_day_and_monthly_the_month() -> None:
    with ReplayServer(FredApi()) as server:
        daily = collect(_collector(server, "DEXUSEU"), date(2024, 3, 6), date(2024, 3, 6))
        monthly = collect(_collector(server, "INDPRO"), date(2024, 3, 6), date(2024, 3, 6))
    # Then the daily value spans 2024-03-06 05:00Z..2024-03-07 05:00Z (EST)
    assert [(r.interval_start_utc, r.interval_end_utc) for r in daily] == [
        (datetime(2024, 3, 6, 5, tzinfo=UTC), datetime(2024, 3, 7, 5, tzinfo=UTC))
    ]
    # And the monthly lookback brings whole months; March 2024 ends after the DST switch (EDT)
    march = next(r for r in monthly if r.interval_start_utc == datetime(2024, 3, 1, 5, tzinfo=UTC))
    assert march.interval_end_utc == datetime(2024, 4, 1, 4, tzinfo=UTC)
    assert {r.resolution for r in monthly} == {Resolution.P1M}
    assert len(monthly) == 7
