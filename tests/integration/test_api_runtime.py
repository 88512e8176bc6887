"""`nexus up`'s path: the local front served over the local runtime (its moto, its provisioning)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from nexus_api.local_auth import DEMO_PASSWORD
from nexus_api.local_server import LocalServer, serve
from nexus_local.runtime import LocalRuntime


@pytest.fixture(scope="module")
def front(local_runtime: LocalRuntime) -> Iterator[LocalServer]:
    server = serve(local_runtime, 0)
    try:
        yield server
    finally:
        server.shutdown()


def request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def sign_in(front: LocalServer, username: str, password: str) -> tuple[int, Any]:
    body = {
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": front.auth.client_id,
        "AuthParameters": {"USERNAME": username, "PASSWORD": password},
    }
    headers = {
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        "Content-Type": "application/x-amz-json-1.1",
    }
    return request(f"{front.url}/cognito/", data=json.dumps(body).encode(), headers=headers)


def test_sign_in_through_the_front_reaches_the_runtimes_data(front: LocalServer):
    # Given the front over the runtime / When the dashboard's sign-in call is proxied to Cognito
    status, got = sign_in(front, "analyst@nexus.local", DEMO_PASSWORD)
    assert status == 200
    token = got["AuthenticationResult"]["IdToken"]
    # Then the token opens the data routes, which read the runtime's (provisioned) bucket and table
    status, catalog = request(f"{front.url}/api/series", headers={"Authorization": f"Bearer {token}"})
    assert status == 200
    assert isinstance(catalog, list)
    status, health = request(f"{front.url}/api/sources/status", headers={"Authorization": f"Bearer {token}"})
    assert status == 200
    assert "sources" in health


def test_wrong_password_and_missing_token_are_refused(front: LocalServer):
    # Given a wrong password / Then Cognito's refusal comes back through the proxy
    status, got = sign_in(front, "analyst@nexus.local", "not-the-password")
    assert status == 400
    assert "NotAuthorized" in json.dumps(got)
    # And without a token no data route answers
    assert request(f"{front.url}/api/alerts")[0] == 401
    assert request(f"{front.url}/api/health")[0] == 200
