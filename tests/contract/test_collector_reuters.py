"""Reuters news collector: the contract suite plus cursor paging and credential fallback."""

from __future__ import annotations

from datetime import date
from typing import Any

from nexus_collector_lseg.auth import Credentials, clear_cache
from nexus_collector_reuters.collector import PAGE_LIMIT, ReutersCollector, ReutersSettings
from nexus_core.collector.base import Collector
from nexus_core.http import HttpClient
from tests.contract.test_collector_contract import CollectorContract, collect, replay_client
from tests.fixtures.replay.lseg_api import CLIENT_ID, CLIENT_SECRET, LsegApi
from tests.fixtures.replay.server import Handler, ReplayServer

V2 = Credentials(CLIENT_ID, CLIENT_SECRET)


class TestReutersContract(CollectorContract):
    source = "reuters"

    def make_api(self, **options: Any) -> Handler:
        return LsegApi(**options)

    def empty_api(self) -> Handler:
        return LsegApi(until=date(2000, 1, 1))

    def broken_api(self) -> Handler:
        return LsegApi(drop="firstCreated")

    def make_collector(self, base_url: str, http: HttpClient, *, valid_credentials: bool = True) -> Collector:
        credentials = V2 if valid_credentials else Credentials(CLIENT_ID, "wrong-secret")
        settings = ReutersSettings(base_url=base_url, queries="German power;TTF gas")
        return ReutersCollector(settings, http, credentials)


def test_cursor_pages_are_followed_to_the_end() -> None:
    clear_cache()
    with ReplayServer(LsegApi()) as server:
        collector = ReutersCollector(
            ReutersSettings(base_url=server.url, queries="power"), replay_client("reuters"), V2
        )
        # When two months of headlines are collected (more than one page of 100)
        items = collect(collector, date(2024, 3, 1), date(2024, 4, 30))
        pages = [r for r in server.log if r.path.endswith("/headlines")]
    # Then every page after the first sent only the cursor, and no story repeats
    assert len(items) > PAGE_LIMIT
    assert len({p.arg("cursor") for p in pages}) >= -(-len(items) // PAGE_LIMIT)
    assert all(set(p.query) == {"cursor", "limit"} for p in pages[1:])
    assert len({i.story_id for i in items}) == len(items)


def test_a_window_past_the_page_cap_is_cut_with_an_alert(caplog: Any) -> None:
    clear_cache()
    with ReplayServer(LsegApi()) as server:
        settings = ReutersSettings(base_url=server.url, queries="power", max_pages=2)
        collector = ReutersCollector(settings, replay_client("reuters"), V2)
        # When two months of headlines (more than two pages of 100) are collected with a cap of 2
        with caplog.at_level("WARNING"):
            items = collect(collector, date(2024, 3, 1), date(2024, 4, 30))
        pages = [r for r in server.log if r.path.endswith("/headlines")]
    # Then exactly two pages were fetched and kept, and the cut is raised, not passed over
    assert len(pages) == 2
    assert len(items) == 2 * PAGE_LIMIT
    assert [r.getMessage() for r in caplog.records if "cut at" in r.getMessage()] == [
        "reuters: headlines cut at 2 pages"
    ]


def test_lseg_credentials_serve_reuters_when_it_has_none(monkeypatch: Any) -> None:
    monkeypatch.setenv("NEXUS_LSEG_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("NEXUS_LSEG_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.delenv("NEXUS_REUTERS_CLIENT_ID", raising=False)
    assert ReutersCollector(ReutersSettings(), replay_client("reuters")).is_configured()
