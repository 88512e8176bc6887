"""`nexus lake ls` (partition records) and `nexus lake verify` (checksums; exit 1 on mismatch)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from nexus_cli.commands.query import add_target_arguments, local_settings, print_result
from nexus_core import aws
from nexus_core.query.result import FORMATTERS
from nexus_core.settings import NexusSettings


def _ls(args: argparse.Namespace) -> int:
    from nexus_core.metadata import MetadataRepository
    from nexus_core.query.lake_ops import partitions_result

    with local_settings(args) as settings:
        records = MetadataRepository(settings).list_partitions(
            source=args.source, dataset=args.dataset, start=args.date_from, end=args.date_to
        )
    print_result(partitions_result(records), args.format)
    return 0


def _reader(settings: NexusSettings) -> Any:
    s3 = aws.client("s3", settings)

    def read(key: str) -> bytes | None:
        try:
            body: bytes = s3.get_object(Bucket=settings.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return body

    return read


def _verify(args: argparse.Namespace) -> int:
    from nexus_core.alerts import AlertPublisher
    from nexus_core.metadata import MetadataRepository
    from nexus_core.query.lake_ops import corruption_alert, verify_partitions

    with local_settings(args) as settings:
        repository = MetadataRepository(settings)
        checked, mismatches = verify_partitions(repository.list_partitions(), _reader(settings))
        alerts = AlertPublisher(settings, repository=repository, producer="nexus-cli")
        for mismatch in mismatches:
            alerts.raise_alert(corruption_alert(mismatch))
    for mismatch in mismatches:
        found = mismatch.actual or "missing"
        print(f"MISMATCH {mismatch.record.s3_key} expected {mismatch.record.sha256} found {found}")
    print(f"{checked} files checked, {len(mismatches)} mismatched")
    return 1 if mismatches else 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("lake", help="list and verify the lake's partitions")
    sub = parser.add_subparsers(dest="lake_command", required=True, metavar="ACTION")
    ls = sub.add_parser("ls", help="partition records (rows, series, completeness, checksum)")
    ls.add_argument("--source")
    ls.add_argument("--dataset")
    ls.add_argument("--from", dest="date_from", type=date.fromisoformat, help="first UTC day, YYYY-MM-DD")
    ls.add_argument("--to", dest="date_to", type=date.fromisoformat, help="last UTC day, YYYY-MM-DD")
    ls.add_argument("--format", choices=sorted(FORMATTERS), default="table")
    add_target_arguments(ls)
    ls.set_defaults(func=_ls)
    verify = sub.add_parser("verify", help="check every file's sha256 against its record; exit 1 on mismatch")
    add_target_arguments(verify)
    verify.set_defaults(func=_verify)
