"""Decoding a news.collected message into headlines, judging each NewsItem on its own.

The envelope is checked with the contract with its items set aside, so one bad headline is
quarantined alone; a claim-checked payload is loaded with `resolve_claim_check` (it was
validated whole when it was published, so a failure there refuses the whole message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from nexus_contracts import NewsItem, Severity
from nexus_contracts.events import parse_event
from nexus_core.errors import ClaimCheckMissing
from nexus_core.publisher import resolve_claim_check
from nexus_validator.quality.model import Rejection


@dataclass
class NewsBatch:
    """Valid headlines and rejections of one message; `source` when the envelope was readable."""

    items: list[NewsItem] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    source: str | None = None


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


def _whole(rule: str, reason: str, data: Any) -> NewsBatch:
    return NewsBatch(rejections=[Rejection(rule, Severity.CRITICAL, reason, data)])


def read_news(text: str, s3: Any) -> NewsBatch:
    """Headlines of one news.collected body (inline or claim-checked) and what was refused."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _whole("event_json", f"body is not JSON ({exc})", text)
    payload = data.get("payload") if isinstance(data, dict) else None
    if not isinstance(payload, dict):
        return _whole("event_envelope", "payload is not an object", data)
    inline = payload.get("items")
    if inline is not None and not isinstance(inline, list):
        return _whole("event_envelope", "payload.items is not a list", data)
    shell = {**data, "payload": {**payload, "items": []}} if inline is not None else data
    try:
        envelope = parse_event(shell)
        if inline is None:
            envelope = resolve_claim_check(envelope, s3=s3)
    except ValidationError as exc:
        return _whole("event_envelope", _first_error(exc), data)
    except ClaimCheckMissing as exc:
        return _whole("claim_check", str(exc), data)
    batch = NewsBatch(source=envelope.payload.source.value)
    if inline is None:
        batch.items = list(envelope.payload.items or ())
        return batch
    for index, record in enumerate(inline):
        try:
            batch.items.append(NewsItem.model_validate(record))
        except ValidationError as exc:
            batch.rejections.append(
                Rejection("news_contract", Severity.CRITICAL, _first_error(exc), record, index)
            )
    return batch
