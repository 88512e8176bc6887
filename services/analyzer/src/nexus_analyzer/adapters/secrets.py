"""The Anthropic API key: from the environment, else from an SSM SecureString."""

from __future__ import annotations

from typing import Any


def anthropic_key(env_key: str | None, parameter: str | None, ssm: Any | None) -> str | None:
    if env_key:
        return env_key
    if not parameter or ssm is None:
        return None
    try:
        return str(ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"])
    except Exception:
        return None
