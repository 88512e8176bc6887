"""`nexus status`: sources, partitions per source/dataset and queue depths (DLQs included)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("status", help="sources, partitions and queue depths of the local runtime")
    parser.add_argument("--endpoint", help="a running `nexus up` (e.g. http://127.0.0.1:4566)")
    parser.add_argument("--state-dir", type=Path, default=Path(".nexus"), help="else: start on this folder")
    parser.set_defaults(func=run)


def _clients(endpoint: str) -> Any:
    import boto3

    # the emulator accepts any credentials; these are the working agreement's
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="eu-west-1")  # noqa: S106
    return lambda service: session.client(service, endpoint_url=endpoint)


def render(snap: Any, console: Console) -> None:
    sources = Table(title="Sources")
    for col in ("source", "last success", "last error", "failures"):
        sources.add_column(col)
    for s in snap.sources:
        failures = str(s.get("consecutive_failures", 0))
        sources.add_row(
            str(s.get("source")), str(s.get("last_success") or "-"), str(s.get("last_error") or "-"), failures
        )
    parts = Table(title="Partitions")
    for col in ("source", "dataset", "days", "rows"):
        parts.add_column(col, justify="right" if col in ("days", "rows") else "left")
    for (source, dataset), days in sorted(snap.partitions.items()):
        parts.add_row(source, dataset, str(days), str(snap.rows[(source, dataset)]))
    queues = Table(title="Queues")
    queues.add_column("queue")
    queues.add_column("messages", justify="right")
    for name, depth in snap.queues.items():
        queues.add_row(name, str(depth))
    queues.add_row("quarantine/ objects (S3)", str(snap.quarantine_objects))
    for table in (sources, parts, queues):
        console.print(table)


def run(args: argparse.Namespace) -> int:
    from nexus_local.views import snapshot

    console = Console()
    if args.endpoint:
        render(snapshot(_clients(args.endpoint)), console)
        return 0
    from nexus_local.runtime import LocalRuntime

    # read-only: do not write the state folder back
    with LocalRuntime(state_dir=args.state_dir, persist=False) as runtime:
        runtime.store().restore(runtime.resources.bucket, runtime.resources.table)  # type: ignore[union-attr]
        render(snapshot(runtime.client), console)
    return 0
