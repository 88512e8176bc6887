"""LSEG Data Platform OAuth2: v2 client credentials, or v1 password grant with refresh.

The token is cached at module level, so warm Lambda invocations reuse it until shortly before it
expires. v1: a refresh grant first, a fresh password grant if the refresh is refused (as LSEG's
own samples do). `expires_in` arrives as a string in v1 answers: always coerce to int.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from nexus_core.errors import AuthFailed, SourceSchemaChanged
from nexus_core.http import HttpClient
from nexus_core.secrets import get_secret

EARLY_S = 60.0
"""Renew this many seconds before the token expires."""


@dataclass(frozen=True)
class Credentials:
    """v2 when `client_secret` is set; v1 (machine id + password + app key) otherwise."""

    client_id: str
    client_secret: str = ""
    username: str = ""
    password: str = ""

    @property
    def v2(self) -> bool:
        return bool(self.client_secret)

    @classmethod
    def load(cls, *sources: str) -> Credentials | None:
        """The first source (e.g. reuters, then lseg) holding a usable set of credentials."""
        for source in sources:
            client_id = get_secret(source, "client_id") or get_secret(source, "app_key")
            secret = get_secret(source, "client_secret") or ""
            username, password = get_secret(source, "username") or "", get_secret(source, "password") or ""
            if client_id and (secret or (username and password)):
                return cls(client_id, secret, username, password)
        return None


@dataclass
class Token:
    access: str
    refresh: str | None
    expires_at: float


_TOKENS: dict[tuple[str, str], Token] = {}


def clear_cache() -> None:
    _TOKENS.clear()


class TokenProvider:
    """Bearer tokens for one base URL and identity, shared across warm invocations."""

    def __init__(self, base_url: str, credentials: Credentials, http: HttpClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.http = http
        self._key = (self.base_url, credentials.client_id + credentials.username)

    def bearer(self) -> str:
        token = _TOKENS.get(self._key)
        if token is None or time.time() >= token.expires_at - EARLY_S:
            token = self._renew(token)
            _TOKENS[self._key] = token
        return token.access

    def invalidate(self) -> None:
        """Forget the cached access token (after a 401); a v1 refresh token is still tried."""
        token = _TOKENS.get(self._key)
        if token is not None:
            _TOKENS[self._key] = Token(token.access, token.refresh, expires_at=0.0)

    def _renew(self, previous: Token | None) -> Token:
        c = self.credentials
        if c.v2:
            form = {
                "grant_type": "client_credentials",
                "client_id": c.client_id,
                "client_secret": c.client_secret,
            }
            return self._grant("v2", {**form, "scope": "trapi"})
        if previous is not None and previous.refresh:
            form = {"grant_type": "refresh_token", "username": c.username, "refresh_token": previous.refresh}
            try:
                return self._grant("v1", {**form, "client_id": c.client_id})
            except AuthFailed:
                pass  # refresh token expired or revoked: sign on again
        form = {"grant_type": "password", "username": c.username, "password": c.password}
        # takeExclusiveSignOnControl: a stale session of the same machine id must not block us.
        form |= {"client_id": c.client_id, "scope": "trapi", "takeExclusiveSignOnControl": "true"}
        return self._grant("v1", form)

    def _grant(self, version: str, form: dict[str, str]) -> Token:
        response = self.http.post_form(f"{self.base_url}/auth/oauth2/{version}/token", form)
        if response.status in (400, 401, 403):
            raise AuthFailed(f"LSEG token request refused (HTTP {response.status}): {response.text[:200]}")
        if response.status != 200:
            raise AuthFailed(f"LSEG token service answered HTTP {response.status}")
        try:
            data = response.json()
            return Token(
                access=str(data["access_token"]),
                refresh=data.get("refresh_token"),
                expires_at=time.time() + int(data["expires_in"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceSchemaChanged("LSEG token response lacks access_token/expires_in") from exc
