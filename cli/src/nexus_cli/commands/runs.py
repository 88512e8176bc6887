"""`nexus runs`: weekly executions (name, status, times) joined with their DynamoDB run records."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from nexus_cli.commands.analyze import add_target_arguments, weekly_target


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("runs", help="list weekly analysis executions and their reports")
    add_target_arguments(parser)
    parser.set_defaults(func=run)


def _records(dynamo: Any, table: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    kwargs: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "begins_with(pk, :p)",
        "ExpressionAttributeValues": {":p": {"S": "RUN#"}},
    }
    while True:
        page = dynamo.scan(**kwargs)
        for item in page.get("Items", []):
            flat = {k: next(iter(v.values())) for k, v in item.items()}
            out[str(flat.get("execution"))] = flat
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def run(args: argparse.Namespace) -> int:
    with weekly_target(args) as target:
        sfn = target.client("stepfunctions")
        executions = [
            ex
            for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=target.machine_arn)
            for ex in page["executions"]
        ]
        records = _records(target.client("dynamodb"), target.table)
    table = Table(title="Weekly analysis runs")
    for col in ("execution", "status", "started (UTC)", "stopped (UTC)", "report", "narrative", "pages"):
        table.add_column(col)
    seen = set()
    for ex in sorted(executions, key=lambda e: e["startDate"], reverse=True):
        rec = records.get(ex["name"], {})
        seen.add(ex["name"])
        stop = ex.get("stopDate")
        table.add_row(
            ex["name"],
            ex["status"],
            f"{ex['startDate']:%Y-%m-%d %H:%M:%S}",
            f"{stop:%Y-%m-%d %H:%M:%S}" if stop else "-",
            str(rec.get("pdf_key", "-")),
            str(rec.get("narrative_source", "-")),
            str(rec.get("pages", "-")),
        )
    for name, rec in sorted(records.items()):  # runs recorded before this emulator started
        if name not in seen:
            table.add_row(
                name,
                str(rec.get("status")),
                str(rec.get("reported_at", "-"))[:19],
                "-",
                str(rec.get("pdf_key")),
                str(rec.get("narrative_source")),
                str(rec.get("pages")),
            )
    Console().print(table)
    return 0
