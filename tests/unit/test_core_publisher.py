"""EventPublisher over real moto SNS/SQS/S3: attributes, claim checks and their resolution."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from nexus_contracts import (
    AreaCode,
    Dataset,
    Envelope,
    EventType,
    Observation,
    ObservationsCollected,
    Resolution,
    Source,
    Unit,
)
from nexus_contracts.events import parse_event
from nexus_core.errors import ClaimCheckMissing
from nexus_core.publisher import EventPublisher, resolve_claim_check
from tests.unit import test_core_moto
from tests.unit.test_core_moto import MotoEnv

moto_env = test_core_moto.moto_env

T0 = datetime(2024, 2, 1, tzinfo=UTC)


def envelope(hours: int) -> Envelope[ObservationsCollected]:
    obs = tuple(
        Observation(
            source=Source.SIM,
            dataset=Dataset.TEMPERATURE,
            series_id="sim:FR:temperature",
            area=AreaCode.FR,
            interval_start_utc=T0 + timedelta(hours=h),
            interval_end_utc=T0 + timedelta(hours=h + 1),
            resolution=Resolution.PT60M,
            value=3.5,
            unit=Unit.DEG_C,
            publish_time_utc=T0 + timedelta(hours=h + 1),
        )
        for h in range(hours)
    )
    payload = ObservationsCollected(
        source=Source.SIM,
        dataset=Dataset.TEMPERATURE,
        window_start_utc=T0,
        window_end_utc=T0 + timedelta(hours=hours),
        run_id="run-1",
        observations=obs,
    )
    return Envelope[ObservationsCollected](
        event_type=EventType.OBSERVATIONS_COLLECTED, producer="test", payload=payload
    )


def test_small_event_is_inline_with_attributes(moto_env: MotoEnv) -> None:
    # Given a small event
    env = envelope(24)
    # When published
    EventPublisher(moto_env.settings.observations_topic_arn, settings=moto_env.settings).publish(env)
    # Then the SNS notification carries the envelope inline and the routing attributes
    (note,) = moto_env.drain("observations")
    attrs = {k: v["Value"] for k, v in note["MessageAttributes"].items()}
    assert attrs == {"event_type": "observations.collected", "source": "sim", "dataset": "temperature"}
    event = parse_event(note["Message"])
    assert event.event_id == env.event_id
    assert len(event.payload.observations) == 24


def test_big_event_goes_through_a_claim_check(moto_env: MotoEnv) -> None:
    # Given an event far above the SNS threshold (two months of hourly values)
    env = envelope(24 * 62)
    assert len(env.model_dump_json()) > 200 * 1024
    # When published
    EventPublisher(moto_env.settings.observations_topic_arn, settings=moto_env.settings).publish(env)
    # Then the message carries a claim check to landing/<type>/<day>/<event_id>.json
    (note,) = moto_env.drain("observations")
    event = parse_event(note["Message"])
    check = event.payload.claim_check
    assert event.payload.observations is None
    assert check is not None
    assert check.key == f"landing/observations.collected/{env.occurred_at:%Y-%m-%d}/{env.event_id}.json"
    # And resolving it gives back exactly the original payload
    resolved = resolve_claim_check(event, s3=moto_env.client("s3"))
    assert resolved.payload.observations == env.payload.observations


def test_claim_check_tampered_or_missing_is_named(moto_env: MotoEnv) -> None:
    s3 = moto_env.client("s3")
    env = envelope(24 * 62)
    EventPublisher(moto_env.settings.observations_topic_arn, settings=moto_env.settings).publish(env)
    (note,) = moto_env.drain("observations")
    event = parse_event(note["Message"])
    check = event.payload.claim_check
    # When the stored payload changes, the checksum no longer matches
    s3.put_object(Bucket=check.bucket, Key=check.key, Body=json.dumps({"x": 1}).encode())
    with pytest.raises(ClaimCheckMissing, match="sha256"):
        resolve_claim_check(event, s3=s3)
    # And when it is gone, the error says so
    s3.delete_object(Bucket=check.bucket, Key=check.key)
    with pytest.raises(ClaimCheckMissing, match="not found"):
        resolve_claim_check(event, s3=s3)
