"""The API over HTTP through the local front: auth cases, data equal to the lake, errors, caching.

A real moto server holds the sample state (written through the lake writer and metadata
repository); tokens come from moto's Cognito, or are signed here with moto's built-in key to
produce expired / wrong-audience / wrong-issuer tokens, and with a fresh key for a forgery.
"""

from __future__ import annotations

import gzip
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from statistics import fmean
from typing import Any

import boto3
import jwt
import moto
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from nexus_api.local_auth import DEMO_PASSWORD
from nexus_api.local_stack import LocalStack, start_stack
from nexus_core.lake import LakeReader

pytestmark = pytest.mark.xdist_group("api-stack")


@cache
def stack() -> LocalStack:
    """One seeded stack per worker process, shared by the API suites."""
    return start_stack(days=15)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def call(path: str, token: str | None = None, method: str = "GET", headers: dict[str, str] | None = None):
    """(status, headers, body bytes) of one request to the local front, redirects not followed."""
    request = urllib.request.Request(stack().server.url + path, method=method, headers=dict(headers or {}))
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@cache
def login(username: str) -> str:
    idp = boto3.client("cognito-idp", region_name="eu-west-1", endpoint_url=stack().endpoint)
    got = idp.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=stack().server.auth.client_id,
        AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
    )
    return str(got["AuthenticationResult"]["IdToken"])


def moto_private_key() -> dict[str, Any]:
    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))


def signed(claims_override: dict[str, Any], key: Any = None) -> str:
    """An ID token like moto's, signed with moto's key (or `key`), with some claims replaced."""
    auth = stack().server.auth
    now = int(time.time())
    claims = {
        "sub": "probe",
        "cognito:username": "probe",
        "cognito:groups": ["analysts"],
        "token_use": "id",
        "aud": auth.client_id,
        "iss": auth.issuer,
        "iat": now,
        "exp": now + 600,
    } | claims_override
    signing_key = key or jwt.PyJWK(moto_private_key()).key
    return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": "dummy"})


def problem(body: bytes) -> dict[str, Any]:
    doc = json.loads(body)
    assert {"title", "status", "detail"} <= set(doc)
    return doc


DATA_PATHS = [
    "/api/series",
    "/api/series/sim:DE_LU:day_ahead_price/observations",
    "/api/markets/DE_LU/summary",
    "/api/analyses",
    "/api/correlations",
    "/api/reports",
    "/api/sources/status",
    "/api/alerts",
]


def test_health_is_public():
    # Given no token / When the health route is called / Then it answers 200
    status, _, body = call("/api/health")
    assert status == 200
    assert json.loads(body)["status"] == "ok"


@pytest.mark.parametrize("path", DATA_PATHS)
def test_data_routes_refuse_requests_without_a_token(path: str):
    # Given no Authorization header / When a data route is called / Then 401 with a problem body
    status, headers, body = call(path)
    assert status == 401
    assert headers["Content-Type"] == "application/problem+json"
    assert problem(body)["status"] == 401


@pytest.mark.parametrize(
    ("case", "override"),
    [
        ("expired", {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}),
        ("wrong audience", {"aud": "someone-else"}),
        ("wrong issuer", {"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other"}),
        ("access token", {"token_use": "access"}),
    ],
)
def test_tokens_signed_by_the_pool_key_but_invalid_are_refused(case: str, override: dict[str, Any]):
    # Given a token with a valid signature but a bad claim / When /series is called / Then 401
    status, _, body = call("/api/series", signed(override))
    assert status == 401, case
    assert problem(body)["title"] == "Unauthorized"


def test_a_forged_signature_is_refused():
    # Given a token with valid claims signed by another key under the pool's key id
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # When it is used / Then 401, while the same claims signed by the pool key pass
    assert call("/api/series", signed({}, key=other))[0] == 401
    assert call("/api/series", signed({}))[0] == 200


def test_a_tampered_payload_is_refused():
    # Given a real token whose payload was edited (groups widened)
    header, payload, signature = login("analyst@nexus.local").split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["cognito:groups"] = ["admins"]
    forged = ".".join([header, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), signature])
    # When the admin route is called / Then 401 (signature), not 202
    assert call("/api/analyses/2024-W03/rerun", forged, method="POST")[0] == 401


def test_an_analyst_cannot_rerun_but_an_admin_starts_numbered_reruns():
    week = stack().state.week
    sfn = boto3.client("stepfunctions", region_name="eu-west-1", endpoint_url=stack().endpoint)
    machine = stack().environ["NEXUS_STATE_MACHINE_ARN"]
    stored = sfn.describe_execution(
        executionArn=f"{machine.replace(':stateMachine:', ':execution:')}:weekly-{week}"
    )["input"]
    # When an analyst calls the admin route / Then 403
    status, _, body = call(f"/api/analyses/{week}/rerun", login("analyst@nexus.local"), method="POST")
    assert status == 403
    assert problem(body)["title"] == "Forbidden"
    # When an admin calls it twice / Then the next two numbered executions, with the stored input
    # (other suites sharing this stack may already have started reruns of the same week)
    listed = sfn.list_executions(stateMachineArn=machine)["executions"]
    done = sum(1 for e in listed if e["name"].startswith(f"weekly-{week}-r"))
    admin = login("admin@nexus.local")
    first = call(f"/api/analyses/{week}/rerun", admin, method="POST")
    second = call(f"/api/analyses/{week}/rerun", admin, method="POST")
    assert (first[0], second[0]) == (202, 202)
    names = (json.loads(first[2])["execution"], json.loads(second[2])["execution"])
    assert names == (f"weekly-{week}-r{done + 1}", f"weekly-{week}-r{done + 2}")
    described = sfn.describe_execution(executionArn=json.loads(second[2])["execution_arn"])
    assert json.loads(described["input"]) == json.loads(stored)


def lake_hourly(series_id: str, start: date, end: date) -> list[tuple[datetime, float]]:
    # Inside the stack's environment: pyarrow takes its credentials from it, and an anonymous
    # read of an object written with credentials is refused by the emulator, as by S3.
    with stack().env():
        table = LakeReader(stack().settings()).read(
            start=start, end=end, source="sim", dataset=series_id.split(":")[2]
        )
    return [(r["interval_start_utc"], r["value"]) for r in table.to_pylist() if r["series_id"] == series_id]


def test_daily_observations_are_the_means_of_the_lake_hours():
    state = stack().state
    start, end = state.start, state.start + timedelta(days=4)
    # Given the lake's hourly rows of one series over five days
    hours = lake_hourly("sim:FR:day_ahead_price", start, end)
    # When the API resamples to P1D
    status, _, body = call(
        f"/api/series/sim:FR:day_ahead_price/observations?from={start}&to={end}&resolution=P1D",
        login("analyst@nexus.local"),
    )
    assert status == 200
    points = json.loads(body)["points"]
    # Then each daily point is the mean of that UTC day's 24 hours
    assert len(points) == 5
    for point in points:
        day = datetime.fromisoformat(point["t"]).date()
        expected = fmean(v for t, v in hours if t.date() == day)
        assert point["v"] == pytest.approx(expected)
        assert point["n"] == 24


def test_observation_errors_are_problem_bodies():
    token = login("analyst@nexus.local")
    base = "/api/series/sim:DE_LU:day_ahead_price/observations"
    state = stack().state
    # Given more raw points than the limit / Then 400 that names the limit
    status, _, body = call(f"{base}?from={state.start}&to={state.end}&resolution=raw&limit=10", token)
    assert status == 400
    assert "limit of 10" in problem(body)["detail"]
    # Given a reversed range, an unknown resolution, an unknown series / Then 400, 400, 404
    assert call(f"{base}?from={state.end}&to={state.start}", token)[0] == 400
    assert call(f"{base}?resolution=PT5M", token)[0] == 400
    assert call("/api/series/sim:XX:nothing/observations", token)[0] == 404
    assert call(f"{base}?from=2000-01-01&to=2002-01-01", token)[0] == 400


def test_market_summary_base_equals_the_mean_of_the_weeks_lake_prices():
    week = stack().state.week
    monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    # Given the lake's hourly DE_LU prices of the analysed ISO week
    hours = lake_hourly("sim:DE_LU:day_ahead_price", monday, monday + timedelta(days=6))
    # When the summary is requested / Then its base is their mean
    status, _, body = call(f"/api/markets/DE_LU/summary?week={week}", login("analyst@nexus.local"))
    assert status == 200
    summary = json.loads(body)
    assert summary["stats"]["base"] == pytest.approx(fmean(v for _, v in hours), abs=0.005)
    assert summary["simulated"] is True
    assert call("/api/markets/NOWHERE/summary", login("analyst@nexus.local"))[0] == 404


def test_pdf_route_redirects_to_a_presigned_url_of_a_real_pdf():
    week = stack().state.week
    # When the report is requested / Then 302 to a presigned URL that serves a PDF
    status, headers, _ = call(f"/api/reports/{week}/pdf", login("analyst@nexus.local"))
    assert status == 302
    assert "Signature=" in headers["Location"] or "X-Amz-Signature=" in headers["Location"]
    with urllib.request.urlopen(headers["Location"], timeout=10) as resp:
        assert resp.read().startswith(b"%PDF")
    assert call("/api/reports/1999-W01/pdf", login("analyst@nexus.local"))[0] == 404


def test_etag_answers_304_when_unchanged():
    token = login("analyst@nexus.local")
    # Given a first response with an ETag / When it is sent back / Then 304 with no body
    status, headers, _ = call("/api/analyses", token)
    assert status == 200
    assert headers["Cache-Control"].startswith("private")
    again = call("/api/analyses", token, headers={"If-None-Match": headers["ETag"]})
    assert again[0] == 304
    assert again[2] == b""


def test_rate_limit_answers_429_with_retry_after():
    # Given one user's token / When 101 requests arrive within a minute
    token = signed({"sub": "rate-probe", "cognito:username": "rate-probe"})
    statuses = [call("/api/alerts?days=1", token)[0] for _ in range(100)]
    status, headers, body = call("/api/alerts?days=1", token)
    # Then the first 100 pass and the 101st is refused with Retry-After
    assert set(statuses) == {200}
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert problem(body)["status"] == 429


def test_sources_status_and_alerts_reflect_the_metadata():
    token = login("analyst@nexus.local")
    # When the health views are requested / Then the seeded source and alert appear
    status = json.loads(call("/api/sources/status", token)[2])
    sim = next(s for s in status["sources"] if s["source"] == "sim")
    assert sim["completeness_7d"] == 1.0
    assert sim["freshness_hours"] < 1
    alerts = json.loads(call("/api/alerts", token)[2])
    assert any(a["kind"] == "price_spike" for a in alerts)
    assert datetime.fromisoformat(status["generated_at"]).tzinfo == UTC
