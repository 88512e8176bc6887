"""Entry point of the `nexus` command."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    raise SystemExit("nexus: not built yet")
