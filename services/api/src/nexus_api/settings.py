"""API settings (`NEXUS_API_` and `NEXUS_AUTH_` prefixes), read once at cold start."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """Limits of the API. The rate limit is the seed's 100 requests per user per minute."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_API_", extra="ignore", frozen=True)

    rate_limit_per_minute: int = 100
    # Resampled points per response; above it the caller gets a 400 asking for a coarser view.
    max_points: int = 10_000
    # Days of lake partitions one observations request may touch (bounded reads).
    max_days: int = 400
    presign_seconds: int = 300
    cache_seconds: int = 60


class AuthSettings(BaseSettings):
    """Token verification of the local HTTP front (in AWS, API Gateway's JWT authorizer does it).

    The JWKS URL is separate from the issuer because the local emulator issues tokens with the
    AWS issuer but serves its keys locally.
    """

    model_config = SettingsConfigDict(env_prefix="NEXUS_AUTH_", extra="ignore", frozen=True)

    jwks_url: str = ""
    issuer: str = ""
    audience: str = ""
    leeway_seconds: int = 0


@lru_cache(maxsize=1)
def get_api_settings() -> ApiSettings:
    return ApiSettings()
