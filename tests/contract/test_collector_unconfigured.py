"""Without credentials every real-source collector skips: "not configured", no network at all.

This keeps `make demo` offline: the handlers run as the local runtime would call them.
"""

from __future__ import annotations

import importlib
import os
import socket
from typing import Any

import pytest

# Open-Meteo needs no credentials and is on by default: its off switch is tested with it.
SOURCES = ("entsoe", "fred", "eia", "lseg", "reuters", "bloomberg")


@pytest.mark.parametrize("source", SOURCES)
def test_handler_without_credentials_skips_without_touching_the_network(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given no NEXUS_<SOURCE>_* variables, no AWS endpoint and a network that refuses to connect
    prefixes = tuple(f"NEXUS_{s.upper()}" for s in SOURCES)
    for name in list(os.environ):
        if name.startswith(prefixes) or name in ("AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME"):
            monkeypatch.delenv(name)

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{source} tried to open a connection: {args[:1]}")

    monkeypatch.setattr(socket, "create_connection", no_network)
    handler = importlib.import_module(f"nexus_collector_{source}.handler").handler
    # When the scheduled handler runs (dry run: no AWS either)
    summary = handler({"from": "2024-03-06", "to": "2024-03-06", "dry_run": True}, None)
    # Then it skipped with the "not configured" status and made no request
    assert summary["status"] == "not configured"
    assert summary["requests"] == 0
