"""The threaded local front answers concurrent requests each with its own route and its own caller.

Powertools keeps the request being resolved on the resolver class (`BaseRouter.current_event`),
so requests resolved at once, even by separate resolver instances, once answered a dashboard card
with another market's figures and an analyst's rerun with the admin's groups. The interpreter's
thread switch interval is lowered for the test so interleavings are frequent.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from nexus_api.local_auth import DEMO_PASSWORD, _ensure_user
from tests.integration.test_api_http import stack

pytestmark = pytest.mark.xdist_group("api-stack")
ROUNDS = 15


@pytest.fixture
def frequent_switches() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def token(username: str, groups: tuple[str, ...]) -> str:
    """A user of its own, so this suite does not spend the demo users' rate limit."""
    auth = stack().server.auth
    idp = boto3.client("cognito-idp", region_name=auth.region, endpoint_url=stack().endpoint)
    _ensure_user(idp, auth.pool_id, username, groups)
    got = idp.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=auth.client_id,
        AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
    )
    return str(got["AuthenticationResult"]["IdToken"])


def request(path: str, bearer: str, method: str = "GET") -> tuple[int, Any]:
    req = urllib.request.Request(
        stack().server.url + path, method=method, headers={"Authorization": f"Bearer {bearer}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_concurrent_requests_get_their_own_market_and_their_own_caller(frequent_switches: None):
    week = stack().state.week
    areas = list(stack().state.areas)
    analyst = token("concurrency-analyst@nexus.local", ("analysts",))
    admin = token("concurrency-admin@nexus.local", ("analysts", "admins"))
    wrong: list[str] = []

    def read(area: str, bearer: str) -> None:
        for _ in range(ROUNDS):
            status, body = request(f"/api/markets/{area}/summary?week={week}", bearer)
            if status != 200 or body.get("area") != area:
                wrong.append(f"{area}: {status} {str(body)[:120]}")

    def rerun_as_analyst() -> None:
        for _ in range(ROUNDS):
            status, _ = request(f"/api/analyses/{week}/rerun", analyst, method="POST")
            if status != 403:
                wrong.append(f"analyst rerun answered {status}")

    # Given two callers reading different markets while an analyst keeps calling the admin route
    threads = [threading.Thread(target=read, args=(area, who)) for area in areas for who in (analyst, admin)]
    threads.append(threading.Thread(target=rerun_as_analyst))
    # When they all run at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every answer is for the market asked, and the analyst never borrows the admin's groups
    assert wrong == []
