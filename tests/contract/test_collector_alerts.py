"""Alerts raised by the collector side, published to a real moto server's alerts topic:
a changed response format (`schema_changed`) and a quota close to exhaustion
(`rate_limit_approaching`, the seed's "API rate limit approaching" warning)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from nexus_collector_fred.collector import FredCollector, FredSettings
from nexus_core.errors import SourceSchemaChanged
from nexus_core.http import HttpClient, alert_quota_hook
from nexus_core.ratelimit import FakeClock, TokenBucket
from nexus_core.settings import get_settings
from tests.contract.test_collector_contract import collect, replay_client
from tests.fixtures.replay.fred_api import API_KEY, FredApi
from tests.fixtures.replay.server import ReplayServer, Reply, json_reply
from tests.unit.test_core_moto import MotoEnv, moto_env  # noqa: F401 - the shared moto fixture

pytestmark = pytest.mark.xdist_group("moto")


@pytest.fixture
def alerts(moto_env: MotoEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoEnv]:  # noqa: F811
    settings = moto_env.settings
    for name, value in {
        "NEXUS_ENV": settings.env,
        "NEXUS_TABLE": settings.table,
        "NEXUS_BUCKET": settings.bucket,
        "NEXUS_ALERTS_TOPIC_ARN": settings.alerts_topic_arn,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    moto_env.drain("alerts")
    yield moto_env
    get_settings.cache_clear()


def _alerts(env: MotoEnv) -> list[dict[str, Any]]:
    return [json.loads(m["Message"])["payload"] for m in env.drain("alerts")]


def test_changed_schema_raises_source_schema_changed_and_one_alert(alerts: MotoEnv) -> None:
    # Given FRED rows without "value"
    with ReplayServer(FredApi(drop="value")) as server:
        collector = FredCollector(
            FredSettings(base_url=f"{server.url}/fred", series="DEXUSEU"), replay_client("fred"), API_KEY
        )
        # When two days are parsed; Then each raises, and one alert (deduplicated per day) goes out
        for day in (date(2024, 3, 6), date(2024, 3, 7)):
            with pytest.raises(SourceSchemaChanged):
                collect(collector, day, day)
    published = _alerts(alerts)
    assert [(a["kind"], a["source"], a["severity"]) for a in published] == [
        ("schema_changed", "fred", "warning")
    ]
    assert "lacks 'value'" in published[0]["detail"]


def test_quota_headers_under_20_percent_raise_rate_limit_approaching(alerts: MotoEnv) -> None:
    left = {"n": 100}

    def limited(request: Any) -> Reply:
        left["n"] -= 45
        return json_reply(
            {"ok": True}, headers={"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": str(left["n"])}
        )

    with ReplayServer(limited) as server:
        client = HttpClient("eia", clock=FakeClock(), quota_hook=alert_quota_hook)
        client.get(server.url)  # 55 % left: quiet
        assert _alerts(alerts) == []
        client.get(server.url)  # 10 % left: warn once
        client.get(server.url)
    published = _alerts(alerts)
    assert [(a["kind"], a["source"]) for a in published] == [("rate_limit_approaching", "eia")]
    assert "10%" in published[0]["detail"]


def test_token_bucket_under_20_percent_raises_the_same_warning(alerts: MotoEnv) -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate_per_s=0.01, capacity=10, clock=clock)
    with ReplayServer(lambda r: json_reply({})) as server:
        client = HttpClient(
            "fred", clock=clock, bucket=bucket, quota_hook=alert_quota_hook, rng=random.Random(1)
        )
        for _ in range(9):  # 10 tokens: the ninth request leaves 10 %
            client.get(server.url)
    published = _alerts(alerts)
    assert [(a["kind"], a["source"]) for a in published] == [("rate_limit_approaching", "fred")]
