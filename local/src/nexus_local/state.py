"""Persistence of the emulator's data between runs: S3 objects and DynamoDB items.

Layout of the state folder: `s3/manifest.json` (key, file, content type, metadata) plus one file
per object named by the key's hash, and `dynamodb.json` (the table's items in DynamoDB's typed
JSON, binary values base64). Queues are not kept: messages in flight at stop are lost.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import boto3

MANIFEST = "manifest.json"
ITEMS = "dynamodb.json"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class StateStore:
    """Saves to and restores from `folder` through the emulator's own APIs."""

    def __init__(self, folder: Path, session: boto3.Session, endpoint: str) -> None:
        self.folder = Path(folder)
        self._s3 = session.client("s3", endpoint_url=endpoint)
        self._ddb = session.client("dynamodb", endpoint_url=endpoint)

    def save(self, bucket: str, table: str) -> dict[str, int]:
        """Write a fresh snapshot (replacing the previous one only once complete)."""
        staging = self.folder / ".saving"
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "s3").mkdir(parents=True)
        objects = self._save_objects(bucket, staging / "s3")
        items = self._save_items(table, staging / ITEMS)
        for part in ("s3", ITEMS):
            target = self.folder / part
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            (staging / part).rename(target)
        staging.rmdir()
        return {"objects": objects, "items": items}

    def _save_objects(self, bucket: str, folder: Path) -> int:
        manifest = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", []):
                key = entry["Key"]
                obj = self._s3.get_object(Bucket=bucket, Key=key)
                name = hashlib.sha256(key.encode()).hexdigest()
                (folder / name).write_bytes(obj["Body"].read())
                manifest.append(
                    {
                        "key": key,
                        "file": name,
                        "content_type": obj.get("ContentType", "binary/octet-stream"),
                        "metadata": obj.get("Metadata", {}),
                    }
                )
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))
        return len(manifest)

    def _save_items(self, table: str, path: Path) -> int:
        items = [
            item
            for page in self._ddb.get_paginator("scan").paginate(TableName=table)
            for item in page.get("Items", [])
        ]
        path.write_text(json.dumps(_encode(items)))
        return len(items)

    def restore(self, bucket: str, table: str) -> dict[str, int]:
        """Load the snapshot, if any, into the (freshly provisioned) bucket and table."""
        counts = {"objects": 0, "items": 0}
        manifest_path = self.folder / "s3" / MANIFEST
        if manifest_path.is_file():
            for entry in json.loads(manifest_path.read_text()):
                self._s3.put_object(
                    Bucket=bucket,
                    Key=entry["key"],
                    Body=(self.folder / "s3" / entry["file"]).read_bytes(),
                    ContentType=entry["content_type"],
                    Metadata=entry["metadata"],
                )
                counts["objects"] += 1
        items_path = self.folder / ITEMS
        if items_path.is_file():
            items = _decode(json.loads(items_path.read_text()))
            for start in range(0, len(items), 25):
                self._write_batch(table, items[start : start + 25])
            counts["items"] = len(items)
        return counts

    def _write_batch(self, table: str, items: list[dict[str, Any]]) -> None:
        pending: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in items]}
        while pending:
            pending = self._ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
