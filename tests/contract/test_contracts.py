"""Contracts: observations, envelopes, registries and the committed JSON Schemas."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from nexus_contracts import (
    AREAS,
    AreaCode,
    Dataset,
    Envelope,
    EventType,
    Observation,
    ObservationsCollected,
    Source,
)
from nexus_contracts.events import parse_event
from nexus_contracts.registries import area_for_eic
from nexus_contracts.schemas import all_schemas, render
from nexus_contracts.topology import TOPOLOGY

from ..conftest import REPO


def _obs(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "source": "sim",
        "dataset": "day_ahead_price",
        "series_id": "sim:DE_LU:day_ahead_price",
        "area": "DE_LU",
        "interval_start_utc": "2024-03-30T23:00:00Z",
        "interval_end_utc": "2024-03-31T00:00:00Z",
        "resolution": "PT60M",
        "value": 61.2,
        "unit": "EUR/MWh",
        "publish_time_utc": "2024-03-29T12:00:00Z",
    }
    return base | kw


def test_observation_normalises_offsets_to_utc() -> None:
    # Given an interval written with a +01:00 offset
    obs = Observation.model_validate(_obs(interval_start_utc="2024-03-31T00:00:00+01:00"))
    # Then it is stored as the same instant in UTC
    assert obs.interval_start_utc == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert obs.interval_start_utc.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("interval_start_utc", "2024-03-30T23:00:00"),  # naive
        ("value", float("nan")),
        ("value", float("inf")),
        ("unit", "EUR/kWh"),
        ("series_id", "no spaces allowed"),
        ("interval_end_utc", "2024-03-30T23:00:00Z"),  # empty interval
    ],
)
def test_observation_rejects_bad_fields(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Observation.model_validate(_obs(**{field: value}))


def test_observation_is_frozen_and_strict() -> None:
    obs = Observation.model_validate(_obs())
    with pytest.raises(ValidationError):
        obs.value = 1.0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Observation.model_validate(_obs(extra_field=1))


def test_envelope_round_trips_through_json() -> None:
    payload = ObservationsCollected(
        source=Source.SIM,
        dataset=Dataset.DAY_AHEAD_PRICE,
        window_start_utc=datetime(2024, 3, 30, 23, tzinfo=UTC),
        window_end_utc=datetime(2024, 3, 31, 22, tzinfo=UTC),
        run_id="r1",
        observations=(Observation.model_validate(_obs()),),
    )
    env = Envelope[ObservationsCollected](
        event_type=EventType.OBSERVATIONS_COLLECTED, producer="test", payload=payload
    )
    parsed = parse_event(env.model_dump_json())
    assert parsed.payload == payload
    assert parsed.event_id == env.event_id


def test_envelope_rejects_mismatched_type_and_missing_payload() -> None:
    payload = ObservationsCollected(
        source=Source.SIM,
        dataset=Dataset.DAY_AHEAD_PRICE,
        window_start_utc=datetime(2024, 1, 1, tzinfo=UTC),
        window_end_utc=datetime(2024, 1, 2, tzinfo=UTC),
        run_id="r1",
        observations=(),
    )
    with pytest.raises(ValidationError):
        Envelope[ObservationsCollected](event_type=EventType.ALERT_RAISED, producer="t", payload=payload)
    with pytest.raises(ValidationError):
        ObservationsCollected.model_validate(payload.model_dump() | {"observations": None})
    with pytest.raises(ValidationError):
        parse_event(json.dumps({"event_type": "nope.happened", "producer": "x", "payload": {}}))


def test_area_registry_covers_sdac_zones_with_validity() -> None:
    required = (
        "DE_LU DE_AT_LU FR BE NL AT CH PL CZ ES PT IT_NORTH DK1 DK2 NO1 NO2 NO3 NO4 NO5 SE1 SE2 SE3 SE4 FI GB"
    )
    assert {a.value for a in AREAS} >= set(required.split())
    de = AREAS[AreaCode.DE_LU]
    assert de.eic == "10Y1001A1001A82H"
    assert not de.valid_on(date(2018, 9, 30))
    assert de.valid_on(date(2018, 10, 1))
    assert area_for_eic("10Y1001A1001A63L").code is AreaCode.DE_AT_LU
    assert AREAS[AreaCode.GB].tz == "Europe/London"


def test_topology_queues_have_dlqs_and_names_resolve() -> None:
    for queue in TOPOLOGY.queues:
        if not queue.is_dlq:
            assert queue.dlq is not None, queue.name
            assert TOPOLOGY.queue(queue.dlq).is_dlq
    for sub in TOPOLOGY.subscriptions:
        assert sub.topic in {t.name for t in TOPOLOGY.topics}
        TOPOLOGY.queue(sub.queue)


def test_committed_schemas_match_models() -> None:
    # A model change without `make schemas` fails here.
    folder = REPO / "contracts" / "schemas"
    expected = all_schemas()
    committed = {p.name for p in folder.glob("*.json")}
    assert committed == set(expected), "run `make schemas`"
    for name, schema in expected.items():
        assert (folder / name).read_text() == render(schema), f"{name} is stale: run `make schemas`"


def test_non_utc_tzinfo_equivalent() -> None:
    obs = Observation.model_validate(
        _obs(publish_time_utc=datetime(2024, 3, 29, 13, tzinfo=timezone(timedelta(hours=1))))
    )
    assert obs.publish_time_utc == datetime(2024, 3, 29, 12, tzinfo=UTC)
