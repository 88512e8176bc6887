"""Bloomberg Data License REST authentication: OAuth2 client credentials or per-request JWT.

The JWT style signs every request with PyJWT (HS256, key = the hex-decoded client secret of the
credential file) with claims bound to its method, host and path; the token is single use (a fresh
`jti` each time), so a redirect must be signed again for its own path. Every request also carries
`api-version: 2`.
"""

from __future__ import annotations

import binascii
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from nexus_core.errors import AuthFailed, SourceSchemaChanged
from nexus_core.http import HttpClient

API_VERSION = {"api-version": "2"}
CLOCK_SKEW_S = 180
"""iat/nbf are back-dated by this much (Bloomberg's sample) to absorb clock skew."""
LIFETIME_S = 25
"""exp = now + CLOCK_SKEW_S + LIFETIME_S: a token is good for a single request, sent at once."""


def jwt_claims(client_id: str, method: str, url: str, now: float | None = None) -> dict[str, Any]:
    """The claims of one request's token, as in Bloomberg's credential-file samples (seconds)."""
    moment = int(now if now is not None else time.time())
    parts = urlsplit(url)
    return {
        "iss": client_id,
        "iat": moment - CLOCK_SKEW_S,
        "nbf": moment - CLOCK_SKEW_S,
        "exp": moment + CLOCK_SKEW_S + LIFETIME_S,
        "region": "default",
        "path": parts.path,
        "method": method.upper(),
        "host": parts.hostname,
        "jti": str(uuid.uuid4()),
    }


def secret_key(secret_hex: str) -> bytes:
    """The HMAC key: the credential file's `client_secret` is a hex string."""
    try:
        return binascii.unhexlify(secret_hex)
    except (binascii.Error, ValueError) as exc:
        raise AuthFailed("Bloomberg client secret is not a hex string") from exc


def sign_jwt(client_id: str, secret_hex: str, method: str, url: str, now: float | None = None) -> str:
    """A one-request JWT for `method url`, sent in the `JWT` header."""
    # Imported here: with `cryptography` installed PyJWT takes ~0.2 s to import, a cost only the
    # JWT auth style should pay (once per warm container).
    import jwt

    return jwt.encode(jwt_claims(client_id, method, url, now), secret_key(secret_hex), algorithm="HS256")


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

    def invalidate(self) -> None:
        """Forget the OAuth2 token after a 401 (a JWT is signed afresh for every request anyway)."""
        self._token = None

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
