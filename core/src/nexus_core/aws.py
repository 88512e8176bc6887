"""Cached boto3 clients and resources built from settings, with one retry policy.

Endpoints come from the environment (`AWS_ENDPOINT_URL`, which botocore honours), except S3
where `NexusSettings.s3_endpoint_url` wins so boto3 and pyarrow always talk to the same store.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

from nexus_core.settings import NexusSettings, get_settings

# Standard mode retries throttling and 5xx with jittered backoff; 4 attempts bounds a Lambda's
# worst case to a few seconds per call.
BOTO_CONFIG = Config(
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
    return boto3.session.Session().client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint,
        config=BOTO_CONFIG,
    )


@lru_cache(maxsize=16)
def _resource(service: str, region: str, endpoint: str | None) -> Any:
    return boto3.session.Session().resource(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint,
        config=BOTO_CONFIG,
    )


def client(service: str, settings: NexusSettings | None = None) -> Any:
    """A cached low-level client for `service` (one per service, region and endpoint)."""
    settings = settings or get_settings()
    return _client(service, settings.region, _endpoint(service, settings))


def resource(service: str, settings: NexusSettings | None = None) -> Any:
    """A cached resource (DynamoDB tables) for `service`."""
    settings = settings or get_settings()
    return _resource(service, settings.region, _endpoint(service, settings))


def clear_cache() -> None:
    """Forget cached clients (tests that start a new endpoint call this)."""
    _client.cache_clear()
    _resource.cache_clear()
