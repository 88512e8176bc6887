"""`nexus validate FILE`: the validator's rule set on a payload file, offline.

FILE holds an observations.collected event or a JSON list of observations. Exit codes: 0 all
accepted, 1 something rejected, 2 the file cannot be read or is not JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nexus_contracts.events import ClaimCheck


def _s3_fetch(check: ClaimCheck) -> bytes:
    from botocore.exceptions import ClientError

    from nexus_core import aws

    try:
        data: bytes = aws.client("s3").get_object(Bucket=check.bucket, Key=check.key)["Body"].read()
    except ClientError as exc:
        raise LookupError(str(exc)) from exc
    return data


def _report_lines(report: Any) -> list[str]:
    lines = [f"accepted {len(report.accepted)} rejected {len(report.rejections)}"]
    for r in report.rejections:
        where = "event" if r.index is None else f"record {r.index}"
        lines.append(f"REJECTED {where} [{r.rule}/{r.severity.value}] {r.reason}")
    for a in report.alerts:
        lines.append(f"ALERT {a.severity.value} {a.kind.value} {a.dedupe_key}: {a.detail}")
    return lines


def run(args: argparse.Namespace) -> int:
    from nexus_validator.quality import QualityContext, evaluate, evaluate_body

    try:
        raw = Path(args.file).read_bytes()
        data = json.loads(raw)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    ctx = QualityContext(now=args.now or datetime.now(UTC))
    if isinstance(data, list):
        report = evaluate(data, ctx)
    else:
        _, report = evaluate_body(raw, ctx, _s3_fetch if args.s3 else None)
    print("\n".join(_report_lines(report)))
    return 1 if report.rejections else 0


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("--now needs a UTC offset, e.g. 2024-04-01T00:00:00Z")
    return value.astimezone(UTC)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate", help="run the data-quality rules on an event or observations file"
    )
    parser.add_argument("file", help="observations.collected event JSON, or a JSON list of observations")
    parser.add_argument("--now", type=_instant, help="the clock for horizon checks (default: now, UTC)")
    parser.add_argument(
        "--s3", action="store_true", help="read claim-checked payloads from S3 (AWS_ENDPOINT_URL or AWS)"
    )
    parser.set_defaults(func=run)
