"""Event-level rules: the body must be JSON, small enough, a known event type, with its claim check.

The envelope is checked with the real contract, but with the observations set aside: each
observation is judged on its own by the record rules, so one bad value never sinks its batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from nexus_contracts.events import ClaimCheck, EventType, ObservationsCollected, Severity, parse_event
from nexus_validator.quality.model import Rejection

MAX_INLINE_BYTES = 256 * 1024
"""SNS and SQS refuse bigger messages; anything larger must travel behind a claim check."""

ClaimFetcher = Callable[[ClaimCheck], bytes]
"""Reads a claim-checked object; raises LookupError when it is absent."""


@dataclass(frozen=True)
class ObservationBatch:
    """The decoded envelope of an observations.collected event and its raw records."""

    envelope: dict[str, Any]
    records: list[Any]
    source: str | None = None
    dataset: str | None = None
    window: tuple[datetime, datetime] | None = None


def _reject(rule: str, reason: str, body: Any) -> Rejection:
    return Rejection(rule=rule, severity=Severity.CRITICAL, reason=reason, record=body)


def _text(body: str | bytes) -> str:
    return body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body


def read_event(body: str | bytes, fetch: ClaimFetcher | None = None) -> ObservationBatch | Rejection:
    """Decode one message body into an ObservationBatch, or the Rejection of the whole message."""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > MAX_INLINE_BYTES:
        reason = f"body of {len(raw)} bytes exceeds {MAX_INLINE_BYTES}; large payloads need a claim check"
        return _reject("event_size", reason, _text(body)[:2048])
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _reject("event_json", f"body is not JSON ({exc})", _text(body))
    return read_envelope(data, fetch)


def read_envelope(data: Any, fetch: ClaimFetcher | None = None) -> ObservationBatch | Rejection:
    """Check a decoded envelope and collect its records, inline or from the claim check."""
    if not isinstance(data, dict):
        return _reject("event_envelope", f"envelope is a {type(data).__name__}, not an object", data)
    kind = data.get("event_type")
    known = {e.value for e in EventType}
    if kind not in known:
        return _reject("event_type", f"unknown event type {kind!r}", data)
    if kind != EventType.OBSERVATIONS_COLLECTED.value:
        return _reject("event_type", f"{kind} is not an observations batch", data)
    payload = data.get("payload")
    inline = payload.get("observations") if isinstance(payload, dict) else None
    if inline is not None and not isinstance(inline, list):
        return _reject("event_envelope", "payload.observations is not a list", data)
    shell = data
    if isinstance(payload, dict) and inline is not None:
        shell = {**data, "payload": {**payload, "observations": []}}
    try:
        envelope = parse_event(shell)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        return _reject("event_envelope", f"{loc}: {first['msg']}", data)
    batch: ObservationsCollected = envelope.payload
    records = inline if inline is not None else _claimed(batch.claim_check, fetch)
    if isinstance(records, Rejection):
        return Rejection(records.rule, records.severity, records.reason, data)
    return ObservationBatch(
        envelope=data,
        records=records,
        source=batch.source.value,
        dataset=batch.dataset.value,
        window=(batch.window_start_utc, batch.window_end_utc),
    )


def _claimed(check: ClaimCheck | None, fetch: ClaimFetcher | None) -> list[Any] | Rejection:
    assert check is not None  # the contract guarantees inline xor claim check
    where = f"s3://{check.bucket}/{check.key}"
    if fetch is None:
        return _reject("claim_check", f"claim check {where} cannot be read here", None)
    try:
        data = fetch(check)
    except LookupError as exc:
        return _reject("claim_check", f"claim check {where} is missing ({exc})", None)
    if hashlib.sha256(data).hexdigest() != check.sha256:
        return _reject("claim_check", f"claim check {where} does not match its sha256", None)
    try:
        loaded = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _reject("claim_check", f"claim check {where} is not JSON ({exc})", None)
    records = loaded.get("observations") if isinstance(loaded, dict) else loaded
    if not isinstance(records, list):
        return _reject("claim_check", f"claim check {where} holds no observation list", None)
    return records
