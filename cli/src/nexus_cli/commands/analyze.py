"""`nexus analyze --week 2024-W03 [--wait]`: start the weekly analysis state machine for a week.

Against AWS (NEXUS_STATE_MACHINE_ARN set, no --endpoint) it starts the deployed machine; locally it
uses a running `nexus up` (--endpoint) or starts the runtime on the state folder and waits. The
helpers here are shared by `nexus runs`, `nexus rerun` and `nexus report`.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nexus_contracts.analysis import last_complete_week, parse_week
from nexus_contracts.topology import physical_name

TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass
class WeeklyTarget:
    """Where the weekly workflow lives: clients, the state machine, the bucket."""

    client: Any  # service name -> boto3 client
    machine_arn: str
    bucket: str
    table: str
    local_runtime: bool  # True when this command started the runtime (so it must wait)


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", help="a running `nexus up` (e.g. http://127.0.0.1:4566)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("NEXUS_STATE_DIR", ".nexus")),
        help="state folder of the local runtime started when neither --endpoint nor AWS is configured",
    )


def _machine(sfn: Any, env: str) -> str:
    name = physical_name(env, "weekly-analysis")
    for page in sfn.get_paginator("list_state_machines").paginate():
        for sm in page["stateMachines"]:
            if sm["name"] == name:
                return str(sm["stateMachineArn"])
    raise SystemExit(f"state machine {name} not found")


@contextmanager
def weekly_target(args: argparse.Namespace) -> Iterator[WeeklyTarget]:
    import boto3

    env = os.environ.get("NEXUS_ENV", "local")
    if args.endpoint or os.environ.get("NEXUS_STATE_MACHINE_ARN"):
        session: Any = boto3.Session(region_name=os.environ.get("AWS_DEFAULT_REGION", "eu-west-1"))
        if args.endpoint:
            # the emulator accepts any credentials; these are the working agreement's
            creds: dict[str, Any] = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
            session = boto3.Session(region_name="eu-west-1", **creds)

        def client(service: str) -> Any:
            return session.client(service, endpoint_url=args.endpoint)

        arn = os.environ.get("NEXUS_STATE_MACHINE_ARN") if not args.endpoint else None
        yield WeeklyTarget(
            client=client,
            machine_arn=arn or _machine(client("stepfunctions"), env),
            bucket=os.environ.get("NEXUS_BUCKET", physical_name(env, "data")),
            table=os.environ.get("NEXUS_TABLE", physical_name(env, "metadata")),
            local_runtime=False,
        )
        return
    from nexus_local.runtime import LocalRuntime

    with LocalRuntime(state_dir=args.state_dir) as runtime:
        runtime.wait_ready(300)
        res = runtime.resources
        assert res is not None
        yield WeeklyTarget(runtime.client, res.state_machines["weekly-analysis"], res.bucket, res.table, True)


def resolve_week(week: str | None) -> str:
    if not week or week == "auto":
        return last_complete_week(datetime.now(UTC))
    parse_week(week)
    return week


def wait_for(sfn: Any, arn: str, timeout_s: float = 3600.0) -> dict[str, Any]:
    """Poll until the execution ends; returns status, the state path and error/cause."""
    deadline = time.monotonic() + timeout_s
    desc = sfn.describe_execution(executionArn=arn)
    while desc["status"] not in TERMINAL and time.monotonic() < deadline:
        time.sleep(1.0)
        desc = sfn.describe_execution(executionArn=arn)
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    states = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    return {
        "execution": desc["name"],
        "status": desc["status"],
        "states": states,
        "error": desc.get("error"),
        "cause": (desc.get("cause") or "")[:500] or None,
    }


def start(target: WeeklyTarget, name: str, week: str) -> str:
    sfn = target.client("stepfunctions")
    out = sfn.start_execution(stateMachineArn=target.machine_arn, name=name, input=json.dumps({"week": week}))
    return str(out["executionArn"])


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("analyze", help="start the weekly analysis for an ISO week")
    parser.add_argument("--week", default="auto", help="ISO week YYYY-Www (default: the last complete one)")
    parser.add_argument("--wait", action="store_true", help="wait for the execution and print its path")
    add_target_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    week = resolve_week(args.week)
    with weekly_target(args) as target:
        arn = start(target, f"weekly-{week}", week)
        print(f"started weekly-{week}: {arn}")
        if not (args.wait or target.local_runtime):
            return 0
        result = wait_for(target.client("stepfunctions"), arn)
    print(json.dumps(result, indent=2))
    return 0 if result["status"] == "SUCCEEDED" else 1
