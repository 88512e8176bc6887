"""EIA collector: the contract suite plus 5,000-row paging."""

from __future__ import annotations

from datetime import date
from typing import Any

from nexus_collector_eia.collector import EiaCollector, EiaSettings
from nexus_core.collector.base import Collector
from nexus_core.http import HttpClient
from tests.contract.test_collector_contract import CollectorContract, collect, replay_client
from tests.fixtures.replay.eia_api import API_KEY, EiaApi
from tests.fixtures.replay.server import Handler, ReplayServer

PJM = "eia:PJM:electricity_demand"


class TestEiaContract(CollectorContract):
    source = "eia"
    publish_time_is_fetch_time = True
    day_counts = {(date(2024, 3, 10), PJM): 23, (date(2024, 11, 3), PJM): 25}

    def make_api(self, **options: Any) -> Handler:
        return EiaApi(**options)

    def empty_api(self) -> Handler:
        return EiaApi(until=date(2000, 1, 1))

    def broken_api(self) -> Handler:
        return EiaApi(drop="period")

    def make_collector(self, base_url: str, http: HttpClient, *, valid_credentials: bool = True) -> Collector:
        settings = EiaSettings(base_url=f"{base_url}/v2", respondents="PJM", prices="henry_hub")
        return EiaCollector(settings, http, api_key=API_KEY if valid_credentials else "wrong")


def test_pages_are_followed_until_offset_reaches_total() -> None:
    # Given an API that returns 50 rows per page; When 10 days of hourly demand are collected
    with ReplayServer(EiaApi(page_limit=50)) as server:
        settings = EiaSettings(base_url=f"{server.url}/v2", respondents="PJM", prices="")
        records = collect(
            EiaCollector(settings, replay_client("eia"), API_KEY), date(2024, 3, 4), date(2024, 3, 13)
        )
        offsets = [int(r.arg("offset") or 0) for r in server.log]
    # Then every hour arrives once (10 days with one 23-hour day) from offsets 0, 50, 100, ...
    assert len(records) == 239
    assert offsets == list(range(0, 239, 50))


def test_monthly_prices_become_usd_per_mwh_months() -> None:
    with ReplayServer(EiaApi()) as server:
        settings = EiaSettings(base_url=f"{server.url}/v2", respondents="", prices="us_industrial_power")
        records = collect(
            EiaCollector(settings, replay_client("eia"), API_KEY), date(2024, 3, 6), date(2024, 3, 6)
        )
    # Then the trailing months come back, in USD/MWh (cents/kWh x 10)
    assert len(records) == 6
    assert all(200.0 <= r.value <= 1200.0 for r in records)
