"""`nexus sources`: every collector with configured / not configured, last success, last error."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from nexus_contracts.topology import COLLECTOR_SOURCES


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sources", help="collectors: configured, last success, last error")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--state-dir", type=Path, default=Path(".nexus"), help="local runtime state folder")
    parser.set_defaults(func=run)


def _configured(source: str) -> str:
    from nexus_cli.commands.collect import load_collector

    try:
        return "configured" if load_collector(source).is_configured() else "not configured"
    except ImportError:
        return "not installed"


def _statuses(state_dir: Path) -> dict[str, Any]:
    """Source status items from DynamoDB: the configured AWS/endpoint, else the saved local state."""
    from nexus_core.metadata import MetadataRepository

    try:
        if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("NEXUS_OBSERVATIONS_TOPIC_ARN"):
            return {s.source: s for s in MetadataRepository().list_source_status()}
        if not state_dir.is_dir():
            return {}
        from nexus_local.runtime import LocalRuntime

        # read-only: the saved state is restored into a throwaway emulator
        with LocalRuntime(state_dir=state_dir, persist=False) as runtime:
            runtime.store().restore(runtime.resources.bucket, runtime.resources.table)  # type: ignore[union-attr]
            return {s.source: s for s in MetadataRepository().list_source_status()}
    except Exception as exc:  # a missing table reads as "no status yet", not a crash
        print(f"source status unavailable: {type(exc).__name__}: {exc}")
        return {}


def rows(state_dir: Path = Path(".nexus")) -> list[dict[str, str]]:
    statuses = _statuses(state_dir)
    out = []
    for source in COLLECTOR_SOURCES:
        status = statuses.get(source)
        out.append(
            {
                "source": source,
                "configured": _configured(source),
                "last_success": str(getattr(status, "last_success", None) or "-"),
                "last_error": str(getattr(status, "last_error", None) or "-")[:80],
                "consecutive_failures": str(getattr(status, "consecutive_failures", 0)),
            }
        )
    return out


def run(args: argparse.Namespace) -> int:
    table = rows(args.state_dir)
    if args.format == "json":
        print(json.dumps(table, indent=2))
        return 0
    print(f"{'source':<11} {'configured':<15} {'last success':<33} {'failures':>8}  last error")
    for r in table:
        print(
            f"{r['source']:<11} {r['configured']:<15} {r['last_success']:<33} "
            f"{r['consecutive_failures']:>8}  {r['last_error']}"
        )
    return 0
