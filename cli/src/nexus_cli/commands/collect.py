"""`nexus collect`: run one source's collector over local delivery days.

With `--dry-run` the collector fetches and parses and the normalised records are printed (JSON
lines with the contract's field names, or a summary table); nothing is archived or published.
Without it the collection goes through the pipeline: the kit archives raw payloads, publishes to
SNS and records the source status, against the configured AWS (an `NEXUS_OBSERVATIONS_TOPIC_ARN`
in the environment) or else an in-process local runtime, which then validates into the lake.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from nexus_contracts.topology import COLLECTOR_SOURCES


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("collect", help="run one collector over local delivery days")
    parser.add_argument("--source", required=True, choices=COLLECTOR_SOURCES)
    parser.add_argument("--from", dest="first", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, help="YYYY-MM-DD (default: --from)")
    parser.add_argument("--dry-run", action="store_true", help="fetch and parse only; print, publish nothing")
    parser.add_argument("--format", choices=("jsonl", "table"), default="table")
    parser.add_argument("--dataset", help="dry run: print only this dataset (e.g. day_ahead_price)")
    parser.add_argument("--state-dir", type=Path, default=Path(".nexus"), help="local runtime state folder")
    parser.set_defaults(func=run)


def load_collector(source: str) -> Any:
    """The collector of `source`, built from its package's default settings and secrets."""
    from nexus_core.collector.base import Collector

    module = importlib.import_module(f"nexus_collector_{source}.collector")
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if issubclass(cls, Collector) and not inspect.isabstract(cls) and cls.source.value == source:
            factory = getattr(cls, "from_settings", cls)
            return factory()
    raise LookupError(f"no collector class for {source!r} in {module.__name__}")


def dry_run(collector: Any, window: Any, fmt: str, dataset: str | None) -> int:
    """Fetch and parse every request; print the records; exit 1 if any request failed."""
    failed = 0
    counts: Counter[tuple[str, str]] = Counter()
    for request in collector.requests(window):
        try:
            records = collector.parse(collector.fetch(request))
        except Exception as exc:  # report and go on: one failing request must not hide the others
            failed += 1
            print(f"{request.key}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        for record in records:
            name = getattr(record, "dataset", None)
            name = name.value if name is not None else "news"
            if dataset and name != dataset:
                continue
            counts[(getattr(record, "series_id", "news"), name)] += 1
            if fmt == "jsonl":
                print(record.model_dump_json())
    if fmt == "table":
        for (series, name), n in sorted(counts.items()):
            print(f"{series:<48} {name:<20} {n:>7}")
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    from nexus_core.collector.base import Window

    collector = load_collector(args.source)
    last = args.last or args.first
    window = Window.for_local_days(args.first, last, collector.publication_tz)
    if not collector.is_configured():
        print(
            f"{args.source}: not configured (credentials or settings missing); nothing to do", file=sys.stderr
        )
        return 0
    if args.dry_run:
        return dry_run(collector, window, args.format, args.dataset)
    if os.environ.get("NEXUS_OBSERVATIONS_TOPIC_ARN"):
        from nexus_core.collector.kit import run_collection

        summary = run_collection(collector, window).summary()
    else:
        summary = _through_local_runtime(args.source, args.first, last, args.state_dir)
    print(json.dumps(summary, indent=2, default=str))
    return 0 if summary.get("status") in ("ok", "no data", "not configured") else 1


def _through_local_runtime(source: str, first: date, last: date, state_dir: Path) -> dict[str, Any]:
    from nexus_local.runtime import LocalRuntime

    with LocalRuntime(state_dir=state_dir) as runtime:
        summary: dict[str, Any] = runtime.invoke(f"collector-{source}", {"from": str(first), "to": str(last)})
        runtime.wait_idle(timeout=300)
    return summary
