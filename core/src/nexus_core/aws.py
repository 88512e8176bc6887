"""Cached boto3 clients and resources built from settings, with one retry policy.

Endpoints come from the environment (`AWS_ENDPOINT_URL`, which botocore honours), except S3
where `NexusSettings.s3_endpoint_url` wins so boto3 and pyarrow always talk to the same store.
boto3 is imported by the first client or resource asked for, not by importing this module: it is
a third of a collector's cold import, and the clients are cached for warm invocations anyway.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config

    from nexus_core.settings import NexusSettings


@lru_cache(maxsize=1)
def boto_config() -> Config:
    """The one botocore config: standard-mode retries (throttling and 5xx, jittered backoff).

    4 attempts bound a Lambda's worst case to a few seconds per call.
    """
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": 4},
        connect_timeout=5,
        read_timeout=30,
        max_pool_connections=20,
    )


def _endpoint(service: str, settings: NexusSettings) -> str | None:
    if service == "s3" and settings.s3_endpoint_url:
        return settings.s3_endpoint_url
    return os.environ.get("AWS_ENDPOINT_URL") or None


@lru_cache(maxsize=64)
def _client(service: str, region: str, endpoint: str | None) -> Any:
    import boto3

    return boto3.session.Session().client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint,
        config=boto_config(),
    )


@lru_cache(maxsize=16)
def _resource(service: str, region: str, endpoint: str | None) -> Any:
    import boto3

    return boto3.session.Session().resource(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint,
        config=boto_config(),
    )


def _settings(settings: NexusSettings | None) -> NexusSettings:
    if settings is not None:
        return settings
    from nexus_core.settings import get_settings

    return get_settings()


def client(service: str, settings: NexusSettings | None = None) -> Any:
    """A cached low-level client for `service` (one per service, region and endpoint)."""
    settings = _settings(settings)
    return _client(service, settings.region, _endpoint(service, settings))


def resource(service: str, settings: NexusSettings | None = None) -> Any:
    """A cached resource (DynamoDB tables) for `service`."""
    settings = _settings(settings)
    return _resource(service, settings.region, _endpoint(service, settings))


def clear_cache() -> None:
    """Forget cached clients (tests that start a new endpoint call this)."""
    _client.cache_clear()
    _resource.cache_clear()
