"""Pure parts of the quarantine and DLQ commands: regrouping entries into events, queue pairs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nexus_cli.commands.dlq import queue_pair
from nexus_cli.commands.quarantine import redrive_envelopes
from nexus_contracts.events import CLAIM_CHECK_THRESHOLD_BYTES, parse_event
from tests.fixtures.bad_inputs.builders import day_records, envelope

START = datetime(2024, 5, 1, 8, tzinfo=UTC)


def _entry(record: Any, index: int | None = 0, **kw: Any) -> dict[str, Any]:
    return {"id": f"id-{index}", "rule": "value_range", "reason": "r", "record": record, "index": index, **kw}


def test_record_entries_become_one_valid_event_per_source_and_dataset() -> None:
    # Given quarantined price and temperature records
    prices = day_records(START, 3)
    temps = day_records(
        START,
        2,
        source="openmeteo",
        dataset="temperature",
        series_id="openmeteo:DE_LU:temperature",
        unit="degC",
    )
    entries = [_entry(r, i, source="entsoe", dataset="day_ahead_price") for i, r in enumerate(prices)]
    entries += [_entry(r, i, source="openmeteo", dataset="temperature") for i, r in enumerate(temps)]
    # When they are turned into redrive events
    events, skipped = redrive_envelopes(entries)
    # Then two contract-valid observations.collected events carry the original records
    parsed = [parse_event(e) for e in events]
    assert skipped == []
    assert sorted((p.payload.dataset.value, len(p.payload.observations)) for p in parsed) == [
        ("day_ahead_price", 3),
        ("temperature", 2),
    ]
    assert parsed[0].payload.window_start_utc == START
    assert parsed[0].payload.window_end_utc == START + timedelta(hours=3)


def test_rejected_envelope_is_resent_with_a_new_id_and_text_bodies_are_skipped() -> None:
    # Given a whole rejected envelope and a body that was not JSON
    whole = envelope(day_records(START, 1), (START, START + timedelta(hours=1)), event_id="evt-old")
    events, skipped = redrive_envelopes([_entry(whole, None), _entry("not json", None)])
    # Then the envelope is re-sent under a new id and the text is reported
    assert [e["event_id"] != "evt-old" for e in events] == [True]
    assert events[0]["payload"] == whole["payload"]
    assert [s["record"] for s in skipped] == ["not json"]


def test_large_redrives_are_split_below_the_claim_check_threshold() -> None:
    # Given 3000 quarantined hours
    entries = [
        _entry(r, i, source="entsoe", dataset="day_ahead_price")
        for i, r in enumerate(day_records(START, 3000))
    ]
    # When regrouped
    events, _ = redrive_envelopes(entries)
    # Then several events, each small enough for SNS, together carrying every record
    assert len(events) > 1
    assert all(len(json.dumps(e)) < CLAIM_CHECK_THRESHOLD_BYTES for e in events)
    assert sum(len(e["payload"]["observations"]) for e in events) == 3000


@pytest.mark.parametrize(
    ("name", "pair"),
    [
        ("validation", ("validation-dlq", "validation")),
        ("validation-dlq", ("validation-dlq", "validation")),
        ("nexus-local-quarantine-dlq", ("quarantine-dlq", "quarantine")),
    ],
)
def test_queue_pair_accepts_the_queue_or_its_dlq(name: str, pair: tuple[str, str]) -> None:
    # Given a logical or physical queue name / Then its (dlq, source) pair comes back
    assert queue_pair(name) == pair


def test_queue_without_dlq_is_unknown() -> None:
    # Given a name with no dead-letter queue / Then KeyError
    with pytest.raises(KeyError):
        queue_pair("reports")
