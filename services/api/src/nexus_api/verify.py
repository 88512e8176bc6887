"""Verifies Cognito ID tokens (RS256) against a JWKS URL, expected issuer and audience."""

from __future__ import annotations

from typing import Any

import jwt

from nexus_api.errors import Unauthorized
from nexus_api.settings import AuthSettings


class TokenVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True)

    def claims(self, authorization: str | None) -> dict[str, Any]:
        """The verified claims of a `Bearer <id token>` header; Unauthorized otherwise."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise Unauthorized("missing bearer token")
        token = authorization[7:].strip()
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {type(exc).__name__}") from exc
        if claims.get("token_use") not in (None, "id"):
            raise Unauthorized("an ID token is required")
        return claims
