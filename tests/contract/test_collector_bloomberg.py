"""Bloomberg collector: the contract suite (OAuth2 and per-request JWT) plus the submit/poll/download
flow, "N.A.", and JWTs the replayed service verifies with PyJWT on every request."""

from __future__ import annotations

import binascii
from datetime import date
from typing import Any

import jwt
import pytest

from nexus_collector_bloomberg.auth import sign_jwt
from nexus_collector_bloomberg.collector import BloombergCollector, BloombergSettings
from nexus_core.collector.base import Collector
from nexus_core.errors import AuthFailed
from nexus_core.http import HttpClient
from tests.contract.test_collector_contract import CollectorContract, collect, replay_client
from tests.fixtures.replay.bloomberg_api import CATALOG, CLIENT_ID, CLIENT_SECRET, BloombergApi
from tests.fixtures.replay.server import Handler, ReplayServer

TICKERS = "TTF1 Comdty|gas_price|EUR/MWh,GIY1 Comdty|market_price|EUR/MWh"
WRONG_SECRET = "ff" * 32


def _settings(base_url: str, auth: str = "oauth2", tickers: str = TICKERS) -> BloombergSettings:
    return BloombergSettings(
        base_url=base_url, catalog=CATALOG, tickers=tickers, auth=auth, poll_interval_s=15
    )


class TestBloombergContract(CollectorContract):
    source = "bloomberg"
    auth = "oauth2"
    publish_time_is_fetch_time = True

    def make_api(self, **options: Any) -> Handler:
        return BloombergApi(**options)

    def empty_api(self) -> Handler:
        return BloombergApi(until=date(2000, 1, 1))

    def broken_api(self) -> Handler:
        return BloombergApi(drop="DATE")

    def make_collector(self, base_url: str, http: HttpClient, *, valid_credentials: bool = True) -> Collector:
        secret = CLIENT_SECRET if valid_credentials else WRONG_SECRET
        return BloombergCollector(_settings(base_url, auth=self.auth), http, CLIENT_ID, secret)


class TestBloombergJwtContract(TestBloombergContract):
    """The whole contract again with a JWT per request, each verified by the replayed service."""

    auth = "jwt"


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


def _jwt_collector(server: ReplayServer, secret: str = CLIENT_SECRET) -> BloombergCollector:
    return BloombergCollector(
        _settings(server.url, auth="jwt"), replay_client("bloomberg"), CLIENT_ID, secret
    )


def test_jwt_claims_are_those_of_the_credential_file_samples() -> None:
    # Given a fixed instant; When a request is signed
    token = sign_jwt(CLIENT_ID, CLIENT_SECRET, "get", "https://api.bloomberg.com/eap/catalogs/1/x?a=b", 1e9)
    claims = jwt.decode(
        token, binascii.unhexlify(CLIENT_SECRET), algorithms=["HS256"], options={"verify_exp": False}
    )
    # Then it carries exactly the documented claims, bound to method, host and path (no query)
    jti = claims.pop("jti")
    assert claims == {
        "iss": CLIENT_ID,
        "iat": 10**9 - 180,
        "nbf": 10**9 - 180,
        "exp": 10**9 + 205,
        "region": "default",
        "path": "/eap/catalogs/1/x",
        "method": "GET",
        "host": "api.bloomberg.com",
    }
    assert (
        jti
        != jwt.decode(
            sign_jwt(CLIENT_ID, CLIENT_SECRET, "GET", "https://api.bloomberg.com/", 1e9),
            options={"verify_signature": False},
        )["jti"]
    )


def test_every_request_carries_its_own_verified_jwt() -> None:
    api = BloombergApi(polls_before_ready=2)
    with ReplayServer(api) as server:
        records = collect(_jwt_collector(server), date(2024, 3, 4), date(2024, 3, 5))
    # Then submit, three polls and the download each passed the service's PyJWT check
    assert len(records) == 4
    assert api.refusals == []
    assert [(c["method"], c["path"]) for c in api.claims] == [(r.method, r.path) for r in server.log]
    assert len(server.log) == 5
    assert len({c["jti"] for c in api.claims}) == len(api.claims)
    assert all("authorization" not in r.headers for r in server.log)


def test_redirected_download_is_signed_again_for_its_own_path() -> None:
    api = BloombergApi(redirect_downloads=True)
    with ReplayServer(api) as server:
        records = collect(_jwt_collector(server), date(2024, 3, 4), date(2024, 3, 4))
    # Then the 302 was followed with a fresh token naming the new path
    assert len(records) == 2
    paths = [r.path for r in server.log]
    assert paths[-1].startswith("/eap/downloads/")
    assert "/content/responses/" in paths[-2]
    assert [c["path"] for c in api.claims[-2:]] == paths[-2:]
    assert api.claims[-1]["jti"] != api.claims[-2]["jti"]
    assert api.refusals == []


def test_wrong_secret_is_refused_with_401_and_raises_auth_failed() -> None:
    api = BloombergApi()
    with ReplayServer(api) as server, pytest.raises(AuthFailed):
        collect(_jwt_collector(server, WRONG_SECRET), date(2024, 3, 4), date(2024, 3, 4))
    # Then the service saw a bad signature (twice: one fresh signature is tried) and nothing passed
    assert api.refusals
    assert all("Signature verification failed" in r for r in api.refusals)
    assert len(api.refusals) == 2
    assert api.submitted == {}


def test_a_retried_request_is_signed_again_not_replayed() -> None:
    # Given the service spends the submission's jti, then fails behind its auth layer (502)
    api = BloombergApi(fail_after_auth=1)
    with ReplayServer(api) as server:
        records = collect(_jwt_collector(server), date(2024, 3, 4), date(2024, 3, 4))
    # Then the HTTP client's retry carries a fresh signature: nothing is refused, the run goes on
    assert len(records) == 2
    assert api.refusals == []
    assert len(api.submitted) == 1
    # And the submission was signed twice (the failed attempt and its retry), each jti once
    posts = [c for c in api.claims if c["method"] == "POST"]
    assert len(posts) == 2
    assert len({c["jti"] for c in api.claims}) == len(api.claims)


def test_the_replayed_service_refuses_a_replayed_or_misdirected_token() -> None:
    # Given one valid token for a GET of the poll path
    api = BloombergApi()
    with ReplayServer(api) as server:
        http = replay_client("bloomberg")
        url = f"{server.url}/eap/catalogs/{CATALOG}/content/responses/"
        token = sign_jwt(CLIENT_ID, CLIENT_SECRET, "GET", url)
        headers = {"api-version": "2", "JWT": token}
        first = http.get(url, {"requestIdentifier": "x"}, headers)
        # When it is sent again, or a fresh one is used for another path
        again = http.get(url, {"requestIdentifier": "x"}, headers)
        other = sign_jwt(CLIENT_ID, CLIENT_SECRET, "GET", url)
        elsewhere = http.get(
            f"{server.url}/eap/catalogs/{CATALOG}/requests/", headers={**headers, "JWT": other}
        )
    # Then only the first passes authentication (404: not submitted), the others are 401
    assert (first.status, again.status, elsewhere.status) == (404, 401, 401)
    assert "reused" in api.refusals[0]
    assert "signed for" in api.refusals[1]


def test_not_configured_without_catalog_or_tickers() -> None:
    assert not BloombergCollector(
        BloombergSettings(), replay_client("bloomberg"), CLIENT_ID, CLIENT_SECRET
    ).is_configured()
