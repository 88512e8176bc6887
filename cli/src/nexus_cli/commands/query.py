"""`nexus query "SQL"`: one SQL surface (DuckDB dialect) run locally or on Athena.

Locally the query reads the lake of the local runtime: the one at `--endpoint` if it is running,
otherwise a runtime started here on the state folder (and stopped after the query). `--from/--to`
limit the UTC day files read, on top of the bounds found in the query itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from nexus_core import aws
from nexus_core.errors import NexusError
from nexus_core.query.bounds import DayRange
from nexus_core.query.result import FORMATTERS, QueryResult
from nexus_core.settings import NexusSettings, get_settings


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """--endpoint / --state-dir: which local lake a command reads (shared with `nexus lake`)."""
    parser.add_argument("--endpoint", help="a running `nexus up` (http://127.0.0.1:4566), else start one")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("NEXUS_STATE_DIR", ".nexus")),
        help="state folder of the local runtime started when no --endpoint is given (default .nexus)",
    )


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set variables for the duration of a command, then restore them (clients are re-made)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    get_settings.cache_clear()
    aws.clear_cache()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        aws.clear_cache()


@contextmanager
def local_settings(args: argparse.Namespace) -> Iterator[NexusSettings]:
    """Settings pointing at the local runtime: the given endpoint, or one started on --state-dir."""
    if args.endpoint:
        with _environment(
            AWS_ENDPOINT_URL=args.endpoint,
            NEXUS_S3_ENDPOINT_URL=args.endpoint,
            AWS_ACCESS_KEY_ID=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
            AWS_SECRET_ACCESS_KEY=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        ):
            yield get_settings()
        return
    from nexus_local.runtime import LocalRuntime

    with LocalRuntime(state_dir=args.state_dir):
        aws.clear_cache()
        yield get_settings()
    aws.clear_cache()


def print_result(result: QueryResult, fmt: str) -> None:
    sys.stdout.write(FORMATTERS[fmt](result))


def _run_local(args: argparse.Namespace) -> QueryResult:
    from nexus_core.query.local import LocalQueryEngine

    days = DayRange(args.date_from, args.date_to) if args.date_from or args.date_to else None
    with local_settings(args) as settings:
        return LocalQueryEngine.from_settings(settings).execute(args.sql, days=days)


def _run_athena(args: argparse.Namespace) -> QueryResult:
    from nexus_core.query.athena import AthenaQueryEngine
    from nexus_core.query.settings import QuerySettings

    client: Any = aws.client("athena", get_settings())
    return AthenaQueryEngine(client, QuerySettings()).execute(args.sql)


def run(args: argparse.Namespace) -> int:
    import duckdb

    try:
        result = _run_local(args) if args.engine == "local" else _run_athena(args)
    except (duckdb.Error, NexusError) as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    print_result(result, args.format)
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("query", help="run SQL over the lake (raw_observations and its views)")
    parser.add_argument("sql", help="one statement in DuckDB's dialect (transpiled for Athena)")
    parser.add_argument("--format", choices=sorted(FORMATTERS), default="table")
    parser.add_argument("--engine", choices=["local", "athena"], default="local")
    parser.add_argument(
        "--from", dest="date_from", type=date.fromisoformat, help="local engine: read UTC days from this one"
    )
    parser.add_argument(
        "--to", dest="date_to", type=date.fromisoformat, help="local engine: read UTC days up to this one"
    )
    add_target_arguments(parser)
    parser.set_defaults(func=run)
