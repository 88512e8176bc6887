"""SQS → Lambda event-source poller: plays the ESMs created through the Lambda API.

Batches of up to BatchSize (max 10) Lambda-shaped records; with ReportBatchItemFailures only the
reported records stay on the queue; a FunctionError leaves the whole batch to come back after the
visibility timeout; moto moves a message to the DLQ once its RedrivePolicy count is exceeded.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import boto3
from botocore.config import Config

from nexus_local.lambdas import FunctionNotFoundError, LambdaRegistry

log = logging.getLogger(__name__)
IDLE_SLEEP_S = 0.05
LONG_POLL_S = 1
ESM_REFRESH_S = 1.0


def lambda_message_attributes(attrs: dict[str, Any]) -> dict[str, Any]:
    """SQS API MessageAttributes → the lowercase shape Lambda puts in a record."""
    return {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
        for name, value in attrs.items()
    }


def to_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": lambda_message_attributes(message.get("MessageAttributes", {})),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class SqsPoller:
    """One thread polling every enabled SQS event-source mapping in turn."""

    def __init__(self, endpoint: str, region: str, lambdas: LambdaRegistry) -> None:
        cfg = Config(retries={"total_max_attempts": 1})
        self._lambda: Any = boto3.client("lambda", endpoint_url=endpoint, region_name=region, config=cfg)
        self._sqs: Any = boto3.client("sqs", endpoint_url=endpoint, region_name=region, config=cfg)
        self._region = region
        self._lambdas = lambdas
        self._stop = threading.Event()
        self._busy = threading.Event()
        self._thread: threading.Thread | None = None
        self._esms: list[dict[str, Any]] = []
        self._urls: dict[str, str] = {}
        self._refreshed = 0.0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True, name="sqs-esm-poller")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _mappings(self) -> list[dict[str, Any]]:
        if time.monotonic() - self._refreshed > ESM_REFRESH_S:
            pages = self._lambda.get_paginator("list_event_source_mappings").paginate()
            esms = [m for page in pages for m in page["EventSourceMappings"]]
            self._esms = [m for m in esms if ":sqs:" in m.get("EventSourceArn", "")]
            self._refreshed = time.monotonic()
        return [m for m in self._esms if m.get("State", "Enabled") in ("Enabled", "Creating", "Updating")]

    def _url(self, queue_arn: str) -> str:
        if queue_arn not in self._urls:
            name, account = queue_arn.split(":")[5], queue_arn.split(":")[4]
            resp = self._sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)
            self._urls[queue_arn] = resp["QueueUrl"]
        return self._urls[queue_arn]

    def _loop(self) -> None:
        while not self._stop.is_set():
            worked = False
            try:
                mappings = self._mappings()
                # long-poll only a single queue: serial long polls would delay the others
                wait = LONG_POLL_S if len(mappings) == 1 else 0
                for esm in mappings:
                    worked |= self.poll_once(esm, wait)
            except Exception as exc:  # keep polling: a vanished queue (reset) must not kill the thread
                log.warning("event-source poll failed: %s", exc)
                self._urls.clear()
                self._refreshed = 0.0
            if not worked:
                self._stop.wait(IDLE_SLEEP_S)

    def poll_once(self, esm: dict[str, Any], wait_s: int = 0) -> bool:
        """Receive one batch for `esm` and hand it to the function; True when a batch was found."""
        name = self._lambdas.logical(esm["FunctionArn"])
        if name is None:
            return False
        url = self._url(esm["EventSourceArn"])
        # A short long-poll: moto wakes it on arrival, and an idle runtime stays nearly idle.
        # Received messages count as not visible, so wait_idle sees them before `busy` is set.
        got = self._sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(int(esm.get("BatchSize") or 10), 10),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=wait_s,
        )
        messages = got.get("Messages", [])
        if not messages:
            return False
        self._busy.set()
        try:
            self._deliver(name, esm, url, messages)
        finally:
            self._busy.clear()
        return True

    def _deliver(self, name: str, esm: dict[str, Any], url: str, messages: list[dict[str, Any]]) -> None:
        records = [to_record(m, esm["EventSourceArn"], self._region) for m in messages]
        try:
            payload, failed = self._lambdas.call(name, {"Records": records})
        except FunctionNotFoundError:
            log.warning("no handler for %s; %d messages left on the queue", name, len(records))
            return
        if failed:
            log.warning("%s failed its batch of %d: %s", name, len(records), payload[:300])
            return  # the whole batch comes back after the visibility timeout
        keep: set[str] = set()
        if "ReportBatchItemFailures" in (esm.get("FunctionResponseTypes") or []):
            result = json.loads(payload) if payload else None
            if isinstance(result, dict):
                keep = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
        if keep:
            log.info("%s reported %d of %d records failed", name, len(keep), len(records))
        done = [m for m in messages if m["MessageId"] not in keep]
        if done:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
            self._sqs.delete_message_batch(QueueUrl=url, Entries=entries)

    def queue_depth(self, queue_arn: str) -> int:
        attrs = self._sqs.get_queue_attributes(
            QueueUrl=self._url(queue_arn),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def is_idle(self) -> bool:
        if self._busy.is_set() or self._lambdas.in_flight:
            return False
        self._refreshed = 0.0
        return all(self.queue_depth(esm["EventSourceArn"]) == 0 for esm in self._mappings())

    def wait_idle(self, timeout: float) -> bool:
        """True once every ESM queue is empty and nothing is in flight (twice in a row)."""
        deadline = time.monotonic() + timeout
        calm = 0
        while time.monotonic() < deadline:
            calm = calm + 1 if self.is_idle() else 0
            if calm >= 2:
                return True
            time.sleep(0.1)
        return False
