"""Event rules: JSON, size, type, envelope and claim checks, before any record is judged."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from nexus_contracts.events import ClaimCheck
from nexus_validator.quality import MAX_INLINE_BYTES, ObservationBatch, Rejection, read_event
from tests.fixtures.bad_inputs.builders import body, day_records, envelope

START = datetime(2024, 5, 1, 22, tzinfo=UTC)
WINDOW = (START, START + timedelta(days=1))
RECORDS = day_records(START, 24)


def _rule(outcome: ObservationBatch | Rejection) -> str | None:
    return outcome.rule if isinstance(outcome, Rejection) else None


def test_inline_batch_is_read_with_its_window_and_records() -> None:
    # Given a valid observations.collected body
    batch = read_event(body(envelope(RECORDS, WINDOW)))
    # Then the records, source and window come back
    assert isinstance(batch, ObservationBatch)
    assert (len(batch.records), batch.source, batch.window) == (24, "entsoe", WINDOW)


def test_bad_records_do_not_fail_the_envelope() -> None:
    # Given a batch whose records include NaN and a naive time
    records = [
        *RECORDS[:2],
        {**RECORDS[2], "value": float("nan")},
        {"interval_start_utc": "2024-01-01T00:00"},
    ]
    batch = read_event(body(envelope(records, WINDOW)))
    # Then the envelope is accepted and all four records are handed on
    assert isinstance(batch, ObservationBatch)
    assert len(batch.records) == 4


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("not json at all", "event_json"),
        (body(envelope(RECORDS, WINDOW))[:500], "event_json"),
        (b"\xff\xfe\x00garbage", "event_json"),
        ("[1, 2, 3]", "event_envelope"),
        (json.dumps({"event_type": "prices.teleported", "payload": {}}), "event_type"),
        (json.dumps({"payload": {}}), "event_type"),
        (json.dumps({**envelope(RECORDS, WINDOW), "event_type": "news.collected"}), "event_type"),
        (json.dumps({**envelope(RECORDS, WINDOW), "producer": ""}), "event_envelope"),
        (json.dumps(envelope(None, WINDOW)), "event_envelope"),
        (json.dumps(envelope(RECORDS, WINDOW, source="nowhere")), "event_envelope"),
    ],
)
def test_broken_messages_are_rejected_whole(text: str | bytes, rule: str) -> None:
    # Given a body that is not a readable observations batch / Then the message is rejected by `rule`
    assert _rule(read_event(text)) == rule


def test_oversized_inline_body_is_rejected() -> None:
    # Given a body above the SNS/SQS limit
    many = day_records(START, 2000)
    text = body(envelope(many, (START, START + timedelta(hours=2000))))
    assert len(text) > MAX_INLINE_BYTES
    # Then event_size rejects it without decoding
    assert _rule(read_event(text)) == "event_size"


def _claimed(data: bytes, sha: str | None = None) -> str:
    check = {
        "bucket": "b",
        "key": "landing/x.json",
        "sha256": sha or hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
    }
    return body(envelope(None, WINDOW, claim_check=check))


def test_claim_checked_records_are_fetched_and_verified() -> None:
    # Given a payload kept in a store and an event pointing at it
    data = json.dumps({"observations": RECORDS}).encode()
    store = {"landing/x.json": data}

    def fetch(check: ClaimCheck) -> bytes:
        return store[check.key]

    # When the event is read
    batch = read_event(_claimed(data), fetch)
    # Then the records come from the store
    assert isinstance(batch, ObservationBatch)
    assert len(batch.records) == 24


def test_missing_or_tampered_claim_check_is_rejected() -> None:
    # Given an empty store, and a store whose object differs from the checksum
    data = json.dumps(RECORDS).encode()

    def empty(check: ClaimCheck) -> bytes:
        raise KeyError(check.key)

    # Then both are claim_check rejections, and so is reading offline without a store
    assert _rule(read_event(_claimed(data), empty)) == "claim_check"
    assert _rule(read_event(_claimed(data, "0" * 64), lambda c: data)) == "claim_check"
    assert _rule(read_event(_claimed(data))) == "claim_check"
