"""Bloomberg collector: the contract suite plus the submit/poll/download flow and "N.A."."""

from __future__ import annotations

from datetime import date
from typing import Any

from nexus_collector_bloomberg.collector import BloombergCollector, BloombergSettings
from nexus_core.collector.base import Collector
from nexus_core.http import HttpClient
from tests.contract.test_collector_contract import CollectorContract, collect, replay_client
from tests.fixtures.replay.bloomberg_api import CATALOG, CLIENT_ID, CLIENT_SECRET, BloombergApi
from tests.fixtures.replay.server import Handler, ReplayServer

TICKERS = "TTF1 Comdty|gas_price|EUR/MWh,GIY1 Comdty|market_price|EUR/MWh"


def _settings(base_url: str, auth: str = "oauth2", tickers: str = TICKERS) -> BloombergSettings:
    return BloombergSettings(
        base_url=base_url, catalog=CATALOG, tickers=tickers, auth=auth, poll_interval_s=15
    )


class TestBloombergContract(CollectorContract):
    source = "bloomberg"
    publish_time_is_fetch_time = True

    def make_api(self, **options: Any) -> Handler:
        return BloombergApi(**options)

    def empty_api(self) -> Handler:
        return BloombergApi(until=date(2000, 1, 1))

    def broken_api(self) -> Handler:
        return BloombergApi(drop="DATE")

    def make_collector(self, base_url: str, http: HttpClient, *, valid_credentials: bool = True) -> Collector:
        secret = CLIENT_SECRET if valid_credentials else "ff" * 16
        return BloombergCollector(_settings(base_url), http, CLIENT_ID, secret)


def test_submit_then_poll_until_ready_then_download() -> None:
    api = BloombergApi(polls_before_ready=3)
    with ReplayServer(api) as server:
        collector = BloombergCollector(
            _settings(server.url), replay_client("bloomberg"), CLIENT_ID, CLIENT_SECRET
        )
        records = collect(collector, date(2024, 3, 4), date(2024, 3, 8))
    # Then one submission, three "not ready" polls waited out on the clock, then the output
    assert len(api.submitted) == 1
    assert list(api.polls.values()) == [4]
    assert collector.http.clock.slept.count(15) == 3  # type: ignore[attr-defined]
    assert records


def test_na_settle_falls_back_to_last_and_unknown_tickers_are_skipped() -> None:
    with ReplayServer(BloombergApi()) as server:
        tickers = TICKERS + ",NOPE Comdty"
        collector = BloombergCollector(
            _settings(server.url, tickers=tickers), replay_client("bloomberg"), CLIENT_ID, CLIENT_SECRET
        )
        records = collect(collector, date(2024, 3, 4), date(2024, 3, 8))
    # Then two tickers x five trading days; the RC != 0 ticker gives nothing
    assert len(records) == 10
    assert {r.location for r in records} == {"TTF1 Comdty", "GIY1 Comdty"}


def test_per_request_jwt_is_accepted() -> None:
    with ReplayServer(BloombergApi()) as server:
        collector = BloombergCollector(
            _settings(server.url, auth="jwt"), replay_client("bloomberg"), CLIENT_ID, CLIENT_SECRET
        )
        assert len(collect(collector, date(2024, 3, 4), date(2024, 3, 4))) == 2
        assert all("jwt" in r.headers for r in server.log)


def test_not_configured_without_catalog_or_tickers() -> None:
    assert not BloombergCollector(
        BloombergSettings(), replay_client("bloomberg"), CLIENT_ID, CLIENT_SECRET
    ).is_configured()
