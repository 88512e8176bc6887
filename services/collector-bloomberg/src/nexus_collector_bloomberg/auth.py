"""Bloomberg Data License REST authentication: OAuth2 client credentials or per-request JWT.

The JWT style signs every request (HS256 with the hex-decoded client secret) with claims bound to
its method, host and path; the token is single use. Every request also carries `api-version: 2`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlsplit

from nexus_core.errors import AuthFailed, SourceSchemaChanged
from nexus_core.http import HttpClient

API_VERSION = {"api-version": "2"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(client_id: str, secret_hex: str, method: str, url: str, now: float | None = None) -> str:
    """A one-request JWT for `method url` (claims as in Bloomberg's credential-file samples)."""
    try:
        key = binascii.unhexlify(secret_hex)
    except (binascii.Error, ValueError) as exc:
        raise AuthFailed("Bloomberg client secret is not a hex string") from exc
    moment = int(now if now is not None else time.time())
    parts = urlsplit(url)
    claims = {
        "iss": client_id,
        "iat": moment - 180,
        "nbf": moment - 180,
        "exp": moment + 205,
        "region": "default",
        "path": parts.path,
        "method": method.upper(),
        "host": parts.hostname,
        "jti": str(uuid.uuid4()),
    }
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


class BloombergAuth:
    """Headers for one request, in the configured style (`oauth2` or `jwt`)."""

    def __init__(self, style: str, client_id: str, client_secret: str, token_url: str, http: HttpClient):
        self.style, self.client_id, self.client_secret = style, client_id, client_secret
        self.token_url, self.http = token_url, http
        self._token: tuple[str, float] | None = None

    def headers(self, method: str, url: str) -> dict[str, str]:
        if self.style == "jwt":
            return {**API_VERSION, "JWT": sign_jwt(self.client_id, self.client_secret, method, url)}
        return {**API_VERSION, "Authorization": f"Bearer {self._bearer()}"}

    def _bearer(self) -> str:
        if self._token is None or time.time() >= self._token[1] - 60:
            form = {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            }
            response = self.http.post_form(self.token_url, form)
            if response.status != 200:
                raise AuthFailed(f"Bloomberg token request refused (HTTP {response.status})")
            try:
                data = response.json()
                self._token = (str(data["access_token"]), time.time() + int(data.get("expires_in", 3600)))
            except (ValueError, KeyError, TypeError) as exc:
                raise SourceSchemaChanged("Bloomberg token response lacks access_token") from exc
        return self._token[0]
