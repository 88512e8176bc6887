"""Open-Meteo collector: the contract suite plus endpoint choice and unit checks."""

from __future__ import annotations

import importlib
import os
import socket
from datetime import UTC, date, datetime
from typing import Any

import pytest

from nexus_collector_openmeteo.collector import (
    ARCHIVE_URL,
    FORECAST_URL,
    OpenMeteoCollector,
    OpenMeteoSettings,
)
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


def test_on_by_default_and_off_only_by_its_switch() -> None:
    # Given no settings at all; Then the keyless API is collected; enabled=false wins over a key
    assert OpenMeteoCollector(OpenMeteoSettings(), replay_client("openmeteo"), apikey="").is_configured()
    off = OpenMeteoSettings(enabled=False)
    assert not OpenMeteoCollector(off, replay_client("openmeteo"), apikey="k").is_configured()


def test_a_commercial_key_moves_both_endpoints_to_the_customer_hosts() -> None:
    public, mirror = OpenMeteoSettings(), OpenMeteoSettings(base_url="http://127.0.0.1:9")
    assert (public.forecast_url(), public.archive_url()) == (FORECAST_URL, ARCHIVE_URL)
    assert (public.forecast_url(keyed=True), public.archive_url(keyed=True)) == (
        "https://customer-api.open-meteo.com",
        "https://customer-archive-api.open-meteo.com",
    )
    # An overridden base URL (a mirror, a test server) serves both endpoints, keyed or not
    assert {mirror.forecast_url(True), mirror.archive_url(True)} == {"http://127.0.0.1:9"}


def test_the_key_is_sent_as_apikey() -> None:
    with ReplayServer(OpenMeteoApi()) as server:
        settings = OpenMeteoSettings(base_url=server.url, areas="DE_LU")
        collect(
            OpenMeteoCollector(settings, replay_client("openmeteo"), apikey="k-1", today=TODAY), TODAY, TODAY
        )
    assert [r.arg("apikey") for r in server.log] == ["k-1"]


def _bare_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("NEXUS_OPENMETEO_") or name in ("AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME"):
            monkeypatch.delenv(name)


def test_the_handler_collects_the_default_zones_out_of_the_box(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given nothing configured but where the API is (a deployed function has the public URL)
    _bare_environment(monkeypatch)
    with ReplayServer(OpenMeteoApi()) as server:
        monkeypatch.setenv("NEXUS_OPENMETEO_BASE_URL", server.url)
        handler = importlib.import_module("nexus_collector_openmeteo.handler").handler
        # When the handler runs a day (dry: no AWS)
        summary = handler({"from": "2024-03-06", "to": "2024-03-06", "dry_run": True}, None)
        areas = sorted(r.arg("latitude") or "" for r in server.log)
    # Then the four default zones were collected, 24 hours of each variable
    assert summary["status"] == "ok"
    assert summary["requests"] == len(areas) == 4
    assert summary["datasets"] == {"solar_radiation": 96, "temperature": 96, "wind_speed": 96}


def test_switched_off_it_skips_without_touching_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given NEXUS_OPENMETEO_ENABLED=false and a network that refuses to connect
    _bare_environment(monkeypatch)
    monkeypatch.setenv("NEXUS_OPENMETEO_ENABLED", "false")

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"openmeteo tried to open a connection: {args[:1]}")

    monkeypatch.setattr(socket, "create_connection", no_network)
    handler = importlib.import_module("nexus_collector_openmeteo.handler").handler
    summary = handler({"from": "2024-03-06", "to": "2024-03-06", "dry_run": True}, None)
    # Then it reports "not configured" and made no request
    assert summary["status"] == "not configured"
    assert summary["requests"] == 0
