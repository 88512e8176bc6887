"""The collectors' HTTP layer on a real socket: retry policy, Retry-After, token bucket, secrets."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from nexus_core.errors import RateLimited, SourceUnavailable
from nexus_core.http import HttpClient, RetryPolicy, parse_retry_after, quota_from_headers
from nexus_core.ratelimit import FakeClock, TokenBucket
from nexus_core.secrets import base_url, get_secret
from tests.fixtures.replay.server import ReplayServer, Reply, json_reply, server_error
from tests.unit.test_core_moto import MotoEnv, moto_env  # noqa: F401 - the shared moto fixture


def _client(**kw: object) -> HttpClient:
    return HttpClient("fred", timeout_s=0.5, clock=FakeClock(), rng=random.Random(4), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_4xx_are_returned_at_once_never_retried(status: int) -> None:
    with ReplayServer(lambda r: json_reply({"error": "no"}, status)) as server:
        client = _client()
        assert client.get(server.url).status == status
        assert len(server.log) == 1
        assert client.metrics.retries == 0


def test_exhausted_5xx_raise_source_unavailable_after_jittered_exponential_waits() -> None:
    with ReplayServer(lambda r: server_error()) as server:
        client = _client(retry=RetryPolicy(max_attempts=5, base_s=1.0, cap_s=3.0))
        with pytest.raises(SourceUnavailable):
            client.get(server.url)
    # Then 5 tries, 4 waits, each within full jitter [0, min(cap, base * 2**n)]
    assert len(server.log) == 5
    waits = client.clock.slept  # type: ignore[attr-defined]
    assert len(waits) == 4
    for n, wait in enumerate(waits):
        assert 0.0 <= wait <= min(3.0, 2**n)


def test_retry_after_http_date_is_waited_out() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=40), usegmt=True)
    with ReplayServer(lambda r: json_reply({})) as server:
        server.fail_next(Reply(503, b"busy", {"Retry-After": later}))
        client = _client()
        assert client.get(server.url).status == 200
    assert 35.0 <= client.clock.slept[0] <= 40.0  # type: ignore[attr-defined]


def test_retry_after_longer_than_the_budget_stops_with_rate_limited() -> None:
    with ReplayServer(lambda r: json_reply({})) as server:
        server.fail_next(Reply(429, b"slow down", {"Retry-After": "3600"}))
        with pytest.raises(RateLimited) as caught:
            _client().get(server.url)
    assert caught.value.retry_after_s == 3600.0
    assert len(server.log) == 1


def test_header_functions_are_called_for_every_attempt() -> None:
    # Given headers made per attempt (a single-use signature) and a server failing once
    made = iter(range(10))
    with ReplayServer(lambda r: json_reply({})) as server:
        server.fail_next(server_error())
        client = _client()
        assert client.post_json(server.url, {}, lambda: {"X-Signature": f"sig-{next(made)}"}).status == 200
    # Then the retry carried a fresh value, and the defaults of post_json were kept
    assert [r.headers["x-signature"] for r in server.log] == ["sig-0", "sig-1"]
    assert {r.headers["content-type"] for r in server.log} == {"application/json"}


def test_parse_retry_after_and_quota_headers() -> None:
    now = datetime(2024, 3, 6, 12, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 06 Mar 2024 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("soon") is None
    assert quota_from_headers({"x-ratelimit-limit": "400", "x-ratelimit-remaining": "40"}) == 0.1
    assert quota_from_headers({"ratelimit-limit": "100, 100;w=60", "ratelimit-remaining": "50"}) == 0.5
    assert quota_from_headers({}) is None


def test_token_bucket_paces_on_the_injected_clock() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate_per_s=2.0, capacity=2, clock=clock)
    waits = [bucket.acquire() for _ in range(4)]
    # Then the burst of 2 is free, then one token every 0.5 s
    assert waits == [0.0, 0.0, 0.5, 0.5]
    assert clock.now == 1.0


def test_env_override_wins_and_base_url_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXUS_FRED_API_KEY", "from-env")
    monkeypatch.setenv("NEXUS_FRED_BASE_URL", "http://127.0.0.1:9/fred/")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert get_secret("fred", "api_key") == "from-env"
    assert get_secret("fred", "nothing_here") is None  # offline: no SSM call at all
    assert base_url("fred", "https://api.stlouisfed.org/fred") == "http://127.0.0.1:9/fred"


def test_secret_comes_from_ssm_securestring(moto_env: MotoEnv, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # Given a SecureString at /nexus/<env>/<source>/<name> and no environment override
    monkeypatch.setenv("NEXUS_ENV", "ssmtest")
    monkeypatch.delenv("NEXUS_EIA_API_KEY", raising=False)
    moto_env.client("ssm").put_parameter(
        Name="/nexus/ssmtest/eia/api_key", Value="from-ssm", Type="SecureString", Overwrite=True
    )
    # Then the collector's secret lookup finds and decrypts it; an absent one is None
    assert get_secret("eia", "api_key") == "from-ssm"
    assert get_secret("eia", "absent") is None
