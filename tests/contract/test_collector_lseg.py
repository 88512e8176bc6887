"""LSEG collector: the contract suite plus OAuth2 v1/v2, token reuse and refresh, status errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from nexus_collector_lseg.auth import Credentials, clear_cache
from nexus_collector_lseg.collector import LsegCollector, LsegSettings
from nexus_core.collector.base import Collector
from nexus_core.errors import AuthFailed, ContractViolation
from nexus_core.http import HttpClient
from tests.contract.test_collector_contract import CollectorContract, collect, replay_client
from tests.fixtures.replay.lseg_api import APP_KEY, CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME, LsegApi
from tests.fixtures.replay.server import Handler, ReplayServer

V2 = Credentials(CLIENT_ID, CLIENT_SECRET)
V1 = Credentials(APP_KEY, username=USERNAME, password=PASSWORD)


class TestLsegContract(CollectorContract):
    source = "lseg"
    publish_time_is_fetch_time = True

    def make_api(self, **options: Any) -> Handler:
        return LsegApi(**options)

    def empty_api(self) -> Handler:
        return LsegApi(until=date(2000, 1, 1))

    def broken_api(self) -> Handler:
        return LsegApi(drop="headers")

    def make_collector(self, base_url: str, http: HttpClient, *, valid_credentials: bool = True) -> Collector:
        credentials = V2 if valid_credentials else Credentials(CLIENT_ID, "wrong-secret")
        return LsegCollector(LsegSettings(base_url=base_url, rics="TRDEBMc1,TFMBMc1"), http, credentials)


def _run(api: LsegApi, credentials: Credentials, rics: str = "TRDEBMc1", days: int = 1) -> list[Any]:
    clear_cache()
    with ReplayServer(api) as server:
        collector = LsegCollector(
            LsegSettings(base_url=server.url, rics=rics), replay_client("lseg"), credentials
        )
        first = date(2024, 3, 4)
        return [
            r
            for n in range(days)
            for r in collect(
                collector, date.fromordinal(first.toordinal() + n), date.fromordinal(first.toordinal() + n)
            )
        ]


def test_token_is_reused_across_requests_and_invocations() -> None:
    # Given v2 credentials; When five days are collected one request at a time
    api = LsegApi()
    records = _run(api, V2, days=5)
    # Then one token served them all (the module-level cache survives between collectors)
    assert len(records) == 5
    assert api.grants == ["client_credentials"]


def test_v1_password_grant_then_refresh_after_expiry() -> None:
    # Given v1 credentials and access tokens that expire between requests
    api = LsegApi()
    clear_cache()
    with ReplayServer(api) as server:
        collector = LsegCollector(
            LsegSettings(base_url=server.url, rics="TRDEBMc1"), replay_client("lseg"), V1
        )
        first = collect(collector, date(2024, 3, 4), date(2024, 3, 4))
        api.expire_access_tokens()
        # When the next request meets "401 token expired"
        second = collect(collector, date(2024, 3, 5), date(2024, 3, 5))
    # Then the collector refreshed with the refresh token (no new password sign-on) and went on
    assert len(first) == len(second) == 1
    assert api.grants == ["password", "refresh_token"]


def test_refused_refresh_falls_back_to_a_password_grant() -> None:
    api = LsegApi()
    clear_cache()
    with ReplayServer(api) as server:
        collector = LsegCollector(
            LsegSettings(base_url=server.url, rics="TRDEBMc1"), replay_client("lseg"), V1
        )
        collect(collector, date(2024, 3, 4), date(2024, 3, 4))
        api.expire_access_tokens()
        api.refresh.clear()
        assert collect(collector, date(2024, 3, 5), date(2024, 3, 5))
    assert api.grants == ["password", "refresh_token", "password"]


def test_http_200_status_object_is_a_permanent_error() -> None:
    with pytest.raises(ContractViolation, match="70005"):
        _run(LsegApi(), V2, rics="UNKNOWN")


def test_wrong_v1_password_raises_auth_failed() -> None:
    with pytest.raises(AuthFailed):
        _run(LsegApi(), Credentials(APP_KEY, username=USERNAME, password="nope"))


def test_rows_arrive_newest_first_and_leave_sorted_with_settle_preferred() -> None:
    records = _run(LsegApi(), V2, days=1)
    clear_cache()
    with ReplayServer(LsegApi()) as server:
        collector = LsegCollector(
            LsegSettings(base_url=server.url, rics="TRDEBMc1"), replay_client("lseg"), V2
        )
        week = collect(collector, date(2024, 3, 4), date(2024, 3, 10))
    # Then five trading days, ascending, no weekend rows forward-filled
    assert [r.interval_start_utc for r in week] == sorted(r.interval_start_utc for r in week)
    assert len(week) == 5
    assert week[0].value == records[0].value
