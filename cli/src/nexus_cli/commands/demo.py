"""`nexus demo`: start the local runtime, backfill N days of the simulated market, summarise.

Each day goes through the real chain: scheduler → collector-sim Lambda → SNS → SQS → validator
→ S3 Parquet + DynamoDB. Exit code 0 only when nothing was quarantined and the DLQs are empty.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

IDLE_TIMEOUT_S = 600.0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("demo", help="backfill simulated days through the local runtime")
    parser.add_argument("--days", type=int, default=56, help="complete UTC days to backfill (default 56)")
    parser.add_argument("--seed", type=int, default=None, help="simulated market seed (NEXUS_SIM_SEED)")
    parser.add_argument(
        "--out", type=Path, default=Path("nexus-out"), help="output folder (default nexus-out)"
    )
    parser.add_argument(
        "--state-dir", type=Path, default=Path(".nexus"), help="state folder (default .nexus)"
    )
    parser.set_defaults(func=run)


def backfill_days(days: int, today: date | None = None) -> list[date]:
    """The last `days` complete UTC days, oldest first."""
    last = (today or datetime.now(UTC).date()) - timedelta(days=1)
    return [last - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def backfill(runtime: Any, days: list[date], console: Console) -> dict[str, int]:
    """Fire the simulated collector once per delivery day; returns, per dataset, the number of
    days on which the collector published it (monthly series publish on their release day only)."""
    collected: dict[str, int] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("collect-sim", total=len(days))
        for day in days:
            progress.update(task, description=f"collect-sim {day.isoformat()}")
            results = runtime.fire("collect-sim", {"from": day.isoformat(), "to": day.isoformat()})
            for result in results if isinstance(results, list) else [results]:
                for dataset, count in (result or {}).get("datasets", {}).items():
                    if count:
                        collected[dataset] = collected.get(dataset, 0) + 1
            progress.advance(task)
        progress.update(task, description="validating")
        if not runtime.wait_idle(IDLE_TIMEOUT_S):
            console.print("[yellow]queues not drained before the timeout[/]")
    return collected


def summarise(runtime: Any, days: list[date], collected: dict[str, int], elapsed_s: float) -> dict[str, Any]:
    from nexus_local.views import snapshot

    snap = snapshot(runtime.client, runtime.env)
    return {
        "days": len(days),
        "from": days[0].isoformat() if days else None,
        "to": days[-1].isoformat() if days else None,
        "partitions": sum(snap.partitions.values()),
        "observations": sum(snap.rows.values()),
        "datasets": {
            f"{source}/{dataset}": {
                "days_collected": collected.get(dataset, 0),
                "partitions": n,
                "rows": snap.rows[(source, dataset)],
            }
            for (source, dataset), n in sorted(snap.partitions.items())
        },
        "quarantined": snap.quarantined,
        "alerts": dict(sorted(snap.alerts.items())),
        "dlq": snap.dlq,
        "queues": snap.queues,
        "elapsed_s": round(elapsed_s, 2),
    }


def print_summary(summary: dict[str, Any], console: Console) -> None:
    table = Table(title=f"NEXUS_ENA demo: {summary['days']} days ({summary['from']} … {summary['to']})")
    columns = ("source/dataset", "days collected", "UTC partitions", "rows")
    for col in columns:
        table.add_column(col, justify="left" if col == "source/dataset" else "right")
    for name, stats in summary["datasets"].items():
        table.add_row(name, str(stats["days_collected"]), str(stats["partitions"]), str(stats["rows"]))
    table.add_section()
    table.add_row("total", "", str(summary["partitions"]), str(summary["observations"]))
    console.print(table)
    console.print(
        f"quarantined {summary['quarantined']}  ·  in DLQs {summary['dlq']}  ·  {summary['elapsed_s']} s"
    )
    if summary["alerts"]:
        raised = ", ".join(f"{kind} x{n}" for kind, n in summary["alerts"].items())
        console.print(f"alerts raised (see `nexus status`): {raised}")
    if weekly := summary.get("weekly"):
        console.print(f"weekly {weekly['week']}: {weekly['execution']} {weekly['status']}")


def run_weekly(runtime: Any, out_dir: Path, summary: dict[str, Any]) -> None:
    """Run the weekly workflow for the last complete week through Step Functions; write its
    report-<week>.pdf and analysis-<week>.json next to summary.json."""
    from nexus_cli.commands.analyze import WeeklyTarget, resolve_week, start, wait_for

    runtime.wait_ready(300)
    res = runtime.resources
    target = WeeklyTarget(runtime.client, res.state_machines["weekly-analysis"], res.bucket, res.table, True)
    week = resolve_week("auto")
    result = wait_for(runtime.client("stepfunctions"), start(target, f"weekly-{week}", week))
    summary["weekly"] = {k: result[k] for k in ("execution", "status", "states")} | {"week": week}
    if result["status"] != "SUCCEEDED":
        summary["weekly"] |= {"error": result["error"], "cause": result["cause"]}
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    s3 = runtime.client("s3")
    for key, name in (
        (f"reports/pdf/{week}.pdf", f"report-{week}.pdf"),
        (f"reports/json/{week}.json", f"analysis-{week}.json"),
    ):
        (out_dir / name).write_bytes(s3.get_object(Bucket=res.bucket, Key=key)["Body"].read())


def run(args: argparse.Namespace) -> int:
    from nexus_local.runtime import LocalRuntime

    console = Console()
    # The handlers log JSON per invocation; the demo shows a progress bar and a summary instead.
    os.environ.setdefault("NEXUS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    if args.seed is not None:
        os.environ["NEXUS_SIM_SEED"] = str(args.seed)
    t0 = time.perf_counter()
    days = backfill_days(args.days)
    with LocalRuntime(state_dir=args.state_dir) as runtime:
        console.print(f"local AWS at {runtime.endpoint} (started in {runtime.start_seconds:.2f} s)")
        collected = backfill(runtime, days, console)
        summary = summarise(runtime, days, collected, time.perf_counter() - t0)
        run_weekly(runtime, args.out, summary)
        summary["elapsed_s"] = round(time.perf_counter() - t0, 2)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print_summary(summary, console)
    ok = summary["quarantined"] == 0 and summary["dlq"] == 0
    return 0 if ok else 1
