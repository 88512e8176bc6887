"""`nexus report --week W --out FILE`: download a week's PDF report (or its JSON with --json)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nexus_cli.commands.analyze import add_target_arguments, resolve_week, weekly_target


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="download the weekly report of an ISO week")
    parser.add_argument("--week", required=True, help="ISO week YYYY-Www")
    parser.add_argument("--out", type=Path, required=True, help="file to write")
    parser.add_argument("--json", action="store_true", help="the analysis JSON instead of the PDF")
    add_target_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    week = resolve_week(args.week)
    key = f"reports/json/{week}.json" if args.json else f"reports/pdf/{week}.pdf"
    with weekly_target(args) as target:
        s3 = target.client("s3")
        try:
            body = s3.get_object(Bucket=target.bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            print(f"no report for {week} (s3://{target.bucket}/{key}); run `nexus analyze --week {week}`")
            return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(body)
    print(f"wrote {args.out} ({len(body)} bytes) from s3://{target.bucket}/{key}")
    return 0
