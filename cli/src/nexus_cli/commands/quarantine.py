"""`nexus quarantine list|show|redrive`: inspect rejected records and send them back after a fix.

Entries are the validator's S3 objects `quarantine/<day>/<id>.json` (rule, reason, original
record); the quarantine queue only notifies. Redrive re-publishes the original records as an
observations.collected event on the observations topic, then deletes the entries (S3 object and
queue message). Targets: a running local runtime (--endpoint), one started on --state, or AWS
(--aws, names from the NEXUS_ environment).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from nexus_contracts.events import CLAIM_CHECK_THRESHOLD_BYTES
from nexus_contracts.topology import physical_name
from nexus_core import aws
from nexus_core.settings import NexusSettings, get_settings

PREFIX = "quarantine/"


@dataclass
class Target:
    """Where the operations run: settings plus the local runtime when this command started one."""

    settings: NexusSettings
    runtime: Any = None

    def client(self, service: str) -> Any:
        return aws.client(service, self.settings)

    def topic_arn(self, logical: str) -> str:
        configured = getattr(self.settings, f"{logical}_topic_arn", "")
        if configured:
            return str(configured)
        account = self.client("sts").get_caller_identity()["Account"]
        name = physical_name(self.settings.env, logical)
        return f"arn:aws:sns:{self.settings.region}:{account}:{name}"

    def queue_url(self, logical: str) -> str:
        name = physical_name(self.settings.env, logical)
        return str(self.client("sqs").get_queue_url(QueueName=name)["QueueUrl"])

    @property
    def is_emulated(self) -> bool:
        return bool(os.environ.get("AWS_ENDPOINT_URL"))


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """--aws, --endpoint, --state: shared by the quarantine and dlq commands."""
    parser.add_argument("--aws", action="store_true", help="use AWS (names from the NEXUS_ environment)")
    parser.add_argument("--endpoint", help="endpoint of a running local runtime")
    parser.add_argument(
        "--state",
        type=Path,
        default=Path(os.environ.get("NEXUS_STATE_DIR", ".nexus")),
        help="state folder of the local runtime started when neither --aws nor --endpoint is given",
    )


@contextmanager
def open_target(args: argparse.Namespace) -> Iterator[Target]:
    """Settings for AWS, for a running local runtime, or for a runtime started on --state."""
    if args.aws or args.endpoint:
        if args.endpoint:
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
            os.environ["AWS_ENDPOINT_URL"] = os.environ["NEXUS_S3_ENDPOINT_URL"] = args.endpoint
        get_settings.cache_clear()
        aws.clear_cache()
        yield Target(get_settings())
        return
    from nexus_local.runtime import LocalRuntime

    with LocalRuntime(state_dir=args.state) as runtime:
        aws.clear_cache()
        yield Target(get_settings(), runtime)
    aws.clear_cache()


def list_entries(target: Target) -> list[dict[str, Any]]:
    """Every quarantine entry, oldest first, with its S3 key."""
    s3 = target.client("s3")
    entries = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target.settings.bucket, Prefix=PREFIX):
        for obj in page.get("Contents", []):
            data = s3.get_object(Bucket=target.settings.bucket, Key=obj["Key"])["Body"].read()
            try:
                entry = json.loads(data)
            except json.JSONDecodeError:
                entry = {
                    "id": Path(obj["Key"]).stem,
                    "rule": "?",
                    "reason": "unreadable entry",
                    "record": None,
                }
            entries.append({**entry, "s3_key": obj["Key"]})
    return sorted(entries, key=lambda e: (str(e.get("quarantined_at", "")), e["s3_key"]))


def _select(entries: list[dict[str, Any]], ids: list[str]) -> list[dict[str, Any]]:
    return [e for e in entries if any(str(e.get("id", "")).startswith(i) for i in ids)]


def _window(records: list[dict[str, Any]]) -> tuple[str, str]:
    starts, ends = [], []
    for r in records:
        try:
            starts.append(datetime.fromisoformat(str(r["interval_start_utc"])))
            ends.append(datetime.fromisoformat(str(r["interval_end_utc"])))
        except (KeyError, ValueError):
            continue
    aware = [t for t in starts + ends if t.tzinfo is not None]
    if not aware:
        now = datetime.now(UTC).isoformat()
        return now, now
    return min(aware).astimezone(UTC).isoformat(), max(aware).astimezone(UTC).isoformat()


def redrive_envelopes(entries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Envelopes re-publishing the entries' records (grouped by source and dataset), and the skipped entries.

    Record entries are regrouped into fresh observations.collected events; an entry holding a
    whole observations.collected envelope is re-sent with a new event id; anything else (a body
    that was not JSON) cannot be re-published and is reported.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    envelopes, skipped = [], []
    for entry in entries:
        record = entry.get("record")
        if isinstance(record, dict) and record.get("event_type") == "observations.collected":
            envelopes.append({**record, "event_id": str(uuid.uuid4())})
        elif isinstance(record, dict) and entry.get("index") is not None:
            source = str(entry.get("source") or record.get("source"))
            dataset = str(entry.get("dataset") or record.get("dataset"))
            groups[(source, dataset)].append(record)
        else:
            skipped.append(entry)
    for (source, dataset), records in sorted(groups.items()):
        for chunk in _chunks(records):
            envelopes.append(_envelope(source, dataset, chunk))
    return envelopes, skipped


def _chunks(records: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    size = 0
    for r in records:
        n = len(json.dumps(r, default=str))
        if chunk and size + n > CLAIM_CHECK_THRESHOLD_BYTES - 4096:
            yield chunk
            chunk, size = [], 0
        chunk.append(r)
        size += n
    if chunk:
        yield chunk


def _envelope(source: str, dataset: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    start, end = _window(records)
    event_id = str(uuid.uuid4())
    return {
        "event_id": event_id,
        "event_type": "observations.collected",
        "schema_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": "nexus-cli-redrive",
        "correlation_id": event_id,
        "payload": {
            "event_type": "observations.collected",
            "source": source,
            "dataset": dataset,
            "window_start_utc": start,
            "window_end_utc": end,
            "run_id": f"redrive-{event_id[:8]}",
            "claim_check": None,
            "observations": records,
        },
    }


def publish(target: Target, envelope: dict[str, Any]) -> None:
    """Publish a raw envelope with the attributes the validation subscription filters on."""
    attrs = {"event_type": {"DataType": "String", "StringValue": str(envelope["event_type"])}}
    for name in ("source", "dataset"):
        value = envelope.get("payload", {}).get(name)
        if isinstance(value, str):
            attrs[name] = {"DataType": "String", "StringValue": value}
    target.client("sns").publish(
        TopicArn=target.topic_arn("observations"),
        Message=json.dumps(envelope, allow_nan=True, default=str),
        MessageAttributes=attrs,
    )


def forget(target: Target, entries: list[dict[str, Any]]) -> None:
    """Delete the entries' S3 objects and their notifications from the quarantine queue."""
    s3 = target.client("s3")
    for entry in entries:
        s3.delete_object(Bucket=target.settings.bucket, Key=entry["s3_key"])
    ids = {str(e.get("id")) for e in entries}
    try:
        url = target.settings.quarantine_queue_url or target.queue_url("quarantine")
    except ClientError:  # no queue (e.g. a bare bucket): the S3 entries were the source of truth
        return
    sqs = target.client("sqs")
    others: list[str] = []  # kept invisible while scanning, released at the end
    while ids:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
            "Messages", []
        )
        if not messages:
            break
        for m in messages:
            try:
                entry_id = str(json.loads(m["Body"]).get("id"))
            except (json.JSONDecodeError, AttributeError):
                entry_id = ""
            if entry_id in ids:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            else:
                others.append(m["ReceiptHandle"])
    for handle in others:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)


def _list(args: argparse.Namespace) -> int:
    with open_target(args) as target:
        entries = list_entries(target)
    if args.rule:
        entries = [e for e in entries if e.get("rule") == args.rule]
    if args.format == "json":
        print(json.dumps(entries, indent=1, default=str))
        return 0
    for e in entries:
        when = str(e.get("quarantined_at", ""))[:19]
        where = f"{e.get('source') or '-'}/{e.get('dataset') or '-'}"
        print(f"{str(e.get('id'))[:12]}  {when}  {where:28}  {e.get('rule')}: {str(e.get('reason'))[:90]}")
    print(f"{len(entries)} quarantined")
    return 0


def _show(args: argparse.Namespace) -> int:
    with open_target(args) as target:
        found = _select(list_entries(target), [args.id])
    if len(found) != 1:
        print(f"{len(found)} entries match {args.id!r}", file=sys.stderr)
        return 1
    print(json.dumps(found[0], indent=2, default=str))
    return 0


def _redrive(args: argparse.Namespace) -> int:
    if not args.all and not args.ids:
        print("give entry ids or --all", file=sys.stderr)
        return 2
    with open_target(args) as target:
        entries = list_entries(target)
        chosen = entries if args.all else _select(entries, args.ids)
        envelopes, skipped = redrive_envelopes(chosen)
        for envelope in envelopes:
            publish(target, envelope)
        done = [e for e in chosen if e not in skipped]
        forget(target, done)
        if target.runtime is not None:
            target.runtime.wait_idle(args.wait)
    for e in skipped:
        print(f"skipped {e.get('id')}: its payload is not an observation or an event ({e.get('rule')})")
    print(f"redriven {len(done)} entries in {len(envelopes)} event(s); {len(skipped)} skipped")
    return 0 if done or not chosen else 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("quarantine", help="list, show and redrive quarantined records")
    sub = parser.add_subparsers(dest="quarantine_command", required=True, metavar="ACTION")
    ls = sub.add_parser("list", help="list quarantine entries")
    ls.add_argument("--rule", help="only entries of this rule")
    ls.add_argument("--format", choices=["table", "json"], default="table")
    ls.set_defaults(func=_list)
    show = sub.add_parser("show", help="print one entry (id or unique id prefix)")
    show.add_argument("id")
    show.set_defaults(func=_show)
    redrive = sub.add_parser("redrive", help="re-publish entries as observations.collected, then delete them")
    redrive.add_argument("ids", nargs="*", help="entry ids (or unique prefixes)")
    redrive.add_argument("--all", action="store_true", help="every entry")
    redrive.add_argument("--wait", type=float, default=60.0, help="seconds to let a started runtime process")
    redrive.set_defaults(func=_redrive)
    for p in (ls, show, redrive):
        add_target_arguments(p)
