"""Open-Meteo collector: the contract suite plus endpoint choice and unit checks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from nexus_collector_openmeteo.collector import OpenMeteoCollector, OpenMeteoSettings
from nexus_contracts import Dataset
from nexus_core.collector.base import Collector
from nexus_core.http import HttpClient
from tests.contract.test_collector_contract import CollectorContract, collect, replay_client
from tests.fixtures.replay.openmeteo_api import OpenMeteoApi
from tests.fixtures.replay.server import Handler, ReplayServer

TODAY = date(2024, 4, 2)


class TestOpenMeteoContract(CollectorContract):
    source = "openmeteo"
    has_credentials = False
    publish_time_is_fetch_time = True
    day_counts = {
        (date(2024, 3, 31), "openmeteo:DE_LU:temperature"): 23,
        (date(2024, 3, 31), "openmeteo:DE_LU:solar_radiation"): 23,
        (date(2024, 10, 27), "openmeteo:DE_LU:wind_speed"): 25,
    }

    def make_api(self, **options: Any) -> Handler:
        return OpenMeteoApi(**options)

    def empty_api(self) -> Handler:
        return OpenMeteoApi(available=False)

    def broken_api(self) -> Handler:
        return OpenMeteoApi(drop="hourly_units")

    def make_collector(self, base_url: str, http: HttpClient, *, valid_credentials: bool = True) -> Collector:
        settings = OpenMeteoSettings(enabled=True, base_url=base_url, areas="DE_LU,FR")
        return OpenMeteoCollector(settings, http, apikey="", today=TODAY)


def _collector(server: ReplayServer, today: date = TODAY) -> OpenMeteoCollector:
    settings = OpenMeteoSettings(enabled=True, base_url=server.url, areas="DE_LU")
    return OpenMeteoCollector(settings, replay_client("openmeteo"), apikey="", today=today)


def test_old_days_use_the_archive_and_recent_days_the_forecast() -> None:
    with ReplayServer(OpenMeteoApi()) as server:
        # Given today is 2024-04-02; When 2024-03-20 and 2024-04-01 are collected
        collect(_collector(server), date(2024, 3, 20), date(2024, 3, 20))
        collect(_collector(server), date(2024, 4, 1), date(2024, 4, 1))
        # Then the first went to the archive endpoint, the second to the forecast endpoint
        assert [r.path for r in server.log] == ["/v1/archive", "/v1/forecast"]
        assert {r.arg("timezone") for r in server.log} == {"GMT"}


def test_radiation_is_the_mean_of_the_hour_before_its_stamp() -> None:
    with ReplayServer(OpenMeteoApi()) as server:
        records = collect(_collector(server), date(2024, 3, 6), date(2024, 3, 6))
    radiation = [r for r in records if r.dataset is Dataset.SOLAR_RADIATION]
    temperature = [r for r in records if r.dataset is Dataset.TEMPERATURE]
    # Then both cover the local day [23:00Z, 23:00Z) with 24 hourly intervals
    assert (
        radiation[0].interval_start_utc
        == temperature[0].interval_start_utc
        == datetime(2024, 3, 5, 23, tzinfo=UTC)
    )
    assert len(radiation) == len(temperature) == 24


def test_not_configured_unless_enabled_or_keyed() -> None:
    assert not OpenMeteoCollector(OpenMeteoSettings(), replay_client("openmeteo"), apikey="").is_configured()
    assert OpenMeteoCollector(OpenMeteoSettings(), replay_client("openmeteo"), apikey="k").is_configured()
