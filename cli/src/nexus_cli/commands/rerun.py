"""`nexus rerun --week W`: start the week again as a console rerun would (same input, suffixed name)."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from nexus_cli.commands.analyze import add_target_arguments, resolve_week, wait_for, weekly_target


def next_rerun_name(week: str, existing: list[str]) -> str:
    """`weekly-<week>-r<N>` with N one above the highest rerun of the week so far."""
    pattern = re.compile(rf"^weekly-{re.escape(week)}-r(\d+)$")
    numbers = [int(m.group(1)) for name in existing if (m := pattern.match(name))]
    return f"weekly-{week}-r{max(numbers, default=0) + 1}"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rerun", help="rerun the weekly analysis of a week (same input, new name)")
    parser.add_argument("--week", required=True, help="ISO week YYYY-Www")
    parser.add_argument("--wait", action="store_true", help="wait for the execution and print its path")
    add_target_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    week = resolve_week(args.week)
    with weekly_target(args) as target:
        sfn = target.client("stepfunctions")
        names: list[str] = []
        original_input = json.dumps({"week": week})
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=target.machine_arn):
            for ex in page["executions"]:
                names.append(ex["name"])
                if ex["name"] == f"weekly-{week}":
                    original_input = sfn.describe_execution(executionArn=ex["executionArn"])["input"]
        name = next_rerun_name(week, names)
        arn = sfn.start_execution(stateMachineArn=target.machine_arn, name=name, input=original_input)[
            "executionArn"
        ]
        print(f"started {name}: {arn}")
        if not (args.wait or target.local_runtime):
            return 0
        result = wait_for(sfn, arn)
    print(json.dumps(result, indent=2))
    return 0 if result["status"] == "SUCCEEDED" else 1
