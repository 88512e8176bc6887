"""Vendor credentials and base URLs.

Credentials come from SSM Parameter Store SecureStrings `/nexus/<env>/<source>/<name>` through
Powertools parameters (decrypted, cached for `max_age` seconds across warm invocations), with an
environment override `NEXUS_<SOURCE>_<NAME>` for local use. SSM is asked only where it can exist
(in Lambda, or with an AWS endpoint configured), so an offline run never waits on the network.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

CACHE_SECONDS = 300


def env_name(source: str, name: str) -> str:
    """`NEXUS_<SOURCE>_<NAME>` (upper case, dashes to underscores)."""
    return f"NEXUS_{source}_{name}".upper().replace("-", "_")


def parameter_name(env: str, source: str, name: str) -> str:
    """The SSM parameter path of one credential."""
    return f"/nexus/{env}/{source}/{name}"


def _ssm_reachable() -> bool:
    if os.environ.get("NEXUS_SECRETS_SSM", "").lower() in {"0", "false", "no"}:
        return False
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or os.environ.get("AWS_ENDPOINT_URL"))


def get_secret(source: str, name: str) -> str | None:
    """The credential `name` of `source`, or None when it is configured nowhere."""
    override = os.environ.get(env_name(source, name))
    if override:
        return override
    if not _ssm_reachable():
        return None
    # Imported here: Powertools parameters pulls boto3, which a cold start pays only if needed.
    from aws_lambda_powertools.utilities import parameters

    path = parameter_name(os.environ.get("NEXUS_ENV", "local"), source, name)
    try:
        value = parameters.get_parameter(path, decrypt=True, max_age=CACHE_SECONDS)
    except parameters.exceptions.GetParameterError:
        return None
    except Exception as exc:  # an unreachable SSM must read as "not configured", not crash
        log.warning("secret lookup failed", extra={"parameter": path, "error": type(exc).__name__})
        return None
    return str(value) if value else None


def base_url(source: str, default: str) -> str:
    """`NEXUS_<SOURCE>_BASE_URL` if set, else the vendor's public URL; never a trailing slash."""
    return os.environ.get(env_name(source, "base_url"), default).rstrip("/")
