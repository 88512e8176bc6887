"""LSEG collector: the contract suite plus OAuth2 v1/v2, token reuse and refresh, status errors."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nexus_collector_lseg.auth import Credentials, clear_cache
from nexus_collector_lseg.collector import LsegCollector, LsegSettings
from nexus_core.collector.base import Collector, RawPayload, Window
from nexus_core.errors import AuthFailed, ContractViolation, SourceSchemaChanged
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


# -- paging: no cursor, `end` moves back to the oldest date of a full page ------------------------


def _paged(api: LsegApi, first: date, last: date, count: int) -> tuple[list[Any], list[Any]]:
    """Collect first..last with pages of `count` rows; returns the records and the data requests."""
    clear_cache()
    with ReplayServer(api) as server:
        settings = LsegSettings(base_url=server.url, rics="TRDEBMc1", count=count)
        records = collect(LsegCollector(settings, replay_client("lseg"), V2), first, last)
    return records, [r for r in server.log if "interday-summaries" in r.path]


def test_a_range_of_three_pages_gives_every_trading_day_once_in_order() -> None:
    # Given 13 trading days (2024-03-04 Mon .. 2024-03-20 Wed) and pages of 5 rows
    records, calls = _paged(LsegApi(), date(2024, 3, 4), date(2024, 3, 20), count=5)
    # Then three requests (5 + 5 + 3 rows), each asking for `count` and an `end` moved back to
    # the oldest date of the previous page (exclusive, so that date is not asked twice)
    assert [r.arg("count") for r in calls] == ["5", "5", "5"]
    assert [r.arg("end", "")[:10] for r in calls] == ["2024-03-21", "2024-03-14", "2024-03-07"]
    assert {r.arg("start") for r in calls} == {"2024-03-04T00:00:00.000000000Z"}
    days = [r.interval_start_utc.astimezone(ZoneInfo("Europe/Berlin")).date() for r in records]
    weekdays = [date(2024, 3, d) for d in range(4, 21) if date(2024, 3, d).weekday() < 5]
    assert days == weekdays


def test_a_full_last_page_reaching_start_needs_no_empty_request() -> None:
    # Given 15 trading days (three full weeks) and pages of 5 rows
    records, calls = _paged(LsegApi(), date(2024, 3, 4), date(2024, 3, 22), count=5)
    # Then the third page reaches the first day: three requests, no fourth (empty) one
    assert len(calls) == 3
    assert len(records) == len({r.interval_start_utc for r in records}) == 15


def test_a_full_page_before_start_asks_once_more_and_an_empty_page_ends() -> None:
    # Given 10 trading days over a window that starts on a Saturday (2024-03-02 .. 2024-03-15)
    records, calls = _paged(LsegApi(), date(2024, 3, 2), date(2024, 3, 15), count=5)
    # Then the second full page ends on Monday 03-04, after the window's start: a third request
    # is needed to learn that nothing is left, and it comes back empty
    assert len(calls) == 3
    assert calls[-1].arg("end", "")[:10] == "2024-03-04"
    assert len(records) == 10


def test_one_page_per_ric_and_window_by_default() -> None:
    # Given the default count (3000) and a month; Then one request per RIC
    clear_cache()
    with ReplayServer(LsegApi()) as server:
        collector = LsegCollector(
            LsegSettings(base_url=server.url, rics="TRDEBMc1,TFMBMc1"), replay_client("lseg"), V2
        )
        records = collect(collector, date(2024, 3, 1), date(2024, 3, 31))
        calls = [r for r in server.log if "interday-summaries" in r.path]
    assert [r.arg("count") for r in calls] == ["3000", "3000"]
    assert len(records) == 2 * 21


def test_a_server_ignoring_end_ends_with_a_clear_error_not_a_loop() -> None:
    # Given a server that answers every page as if `end` were not sent (always the newest rows)
    clear_cache()
    with ReplayServer(LsegApi(ignore_end=True, until=date(2024, 3, 20))) as server:
        settings = LsegSettings(base_url=server.url, rics="TRDEBMc1", count=5)
        collector = LsegCollector(settings, replay_client("lseg"), V2)
        # When a range needing several pages is collected
        with pytest.raises(SourceSchemaChanged, match="no progress"):
            collect(collector, date(2024, 3, 4), date(2024, 3, 20))
        calls = [r for r in server.log if "interday-summaries" in r.path]
    # Then it stopped at the second page, the first one that repeated itself
    assert len(calls) == 2


def test_pages_are_archived_verbatim_and_re_parse_alone() -> None:
    # Given a payload of three pages; When it is parsed again from its archived bytes alone
    clear_cache()
    with ReplayServer(LsegApi()) as server:
        collector = LsegCollector(
            LsegSettings(base_url=server.url, rics="TRDEBMc1", count=5), replay_client("lseg"), V2
        )
        window = Window.for_local_days(date(2024, 3, 4), date(2024, 3, 20), collector.publication_tz)
        (request,) = collector.requests(window)
        raw = collector.fetch(request)
        bodies = [r.path for r in server.log]
    pages = json.loads(raw.body)
    # Then the body is the array of the three page responses, and parsing it gives the 13 days
    assert len(pages) == 3
    assert [len(p[0]["data"]) for p in pages] == [5, 5, 3]
    assert len(bodies) == 4  # one token request, three pages
    assert len(collector.parse(RawPayload(request, raw.body, raw.content_type))) == 13
