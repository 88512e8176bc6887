"""news.collected → SNS → SQS (topology filter) → validator handler → news lake, on a real moto server.

One bad headline is quarantined alone, a claim-checked batch lands the same way, and redelivery
of every message leaves identical checksums.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from nexus_contracts import Dataset, Envelope, EventType, NewsCollected, NewsItem, Source
from nexus_core.metadata import MetadataRepository
from nexus_core.news_lake import NewsLake
from nexus_core.publisher import EventPublisher
from nexus_validator import handler as validator
from nexus_validator.pipeline import process_message
from tests.integration import test_pipeline_validator as pv
from tests.unit.test_core_moto import MotoEnv

moto_env = pv.moto_env
validation_queue = pv.validation_queue

T0 = datetime(2024, 5, 6, 7, 0, tzinfo=UTC)


def headlines(n: int, day_offset: int = 0) -> list[NewsItem]:
    return [
        NewsItem(
            source=Source.REUTERS,
            story_id=f"urn:story:{day_offset}:{i}",
            headline=f"European power headline {i}",
            published_utc=T0 + timedelta(days=day_offset, minutes=37 * i),
            query="European power",
            topics=("ENER",),
        )
        for i in range(n)
    ]


def publish(env: MotoEnv, items: list[NewsItem], *, threshold: int = 200_000) -> None:
    payload = NewsCollected(
        source=Source.REUTERS,
        dataset=Dataset.NEWS,
        window_start_utc=T0 - timedelta(days=1),
        window_end_utc=T0 + timedelta(days=2),
        run_id="news-run-1",
        items=tuple(items),
    )
    publisher = EventPublisher(
        env.settings.observations_topic_arn, settings=env.settings, threshold_bytes=threshold
    )
    publisher.publish(
        Envelope[NewsCollected](
            event_type=EventType.NEWS_COLLECTED, producer="collector-reuters", payload=payload
        )
    )


def news_sums(env: MotoEnv) -> dict[date, tuple[str, int]]:
    records = MetadataRepository(env.settings).list_partitions(source="reuters", dataset="news")
    return {r.day: (r.sha256, r.rows) for r in records}


def validated(env: MotoEnv) -> list[dict[str, Any]]:
    notes = env.drain("observations")
    return [e for e in (json.loads(n["Message"]) for n in notes) if e["event_type"] == "partition.validated"]


def test_bad_headline_quarantined_alone_and_redelivery_changes_nothing(
    moto_env: MotoEnv, validation_queue: str
) -> None:
    # Given a news batch delivered through the topic's filter policy, one headline made empty
    publish(moto_env, headlines(30))
    messages = pv.receive_all(moto_env, validation_queue)
    assert len(messages) == 1
    note = json.loads(messages[0]["Body"])
    envelope = json.loads(note["Message"])
    envelope["payload"]["items"][4]["headline"] = ""
    messages[0]["Body"] = json.dumps({**note, "Message": json.dumps(envelope)})
    moto_env.drain("quarantine")
    moto_env.drain("observations")
    # When the validator handles it
    assert validator.handler(pv.sqs_event(messages), pv.Context()) == {"batchItemFailures": []}
    # Then the bad headline alone is quarantined, with its rule and reason
    entries = moto_env.drain("quarantine")
    assert [(e["rule"], e["index"], e["dataset"]) for e in entries] == [("news_contract", 4, "news")]
    assert "headline" in entries[0]["reason"]
    # And the 29 others landed in their day files, with partition.validated events
    sums = news_sums(moto_env)
    assert sum(rows for _, rows in sums.values()) == 29
    events = validated(moto_env)
    assert sorted(e["payload"]["day"] for e in events) == sorted(d.isoformat() for d in sums)
    assert {e["payload"]["dataset"] for e in events} == {"news"}
    # And the lake reads them back
    lake = NewsLake(moto_env.settings)
    got = lake.read_headlines(T0, T0 + timedelta(days=2), limit=100)
    assert len(got) == 29
    assert "urn:story:0:4" not in {h.story_id for h in got}
    # When the same message is delivered again, past the idempotency records
    before = news_sums(moto_env)
    outcome = process_message(messages[0]["Body"], validator.services())
    # Then every checksum is unchanged and nothing was rewritten
    assert [w.written for w in outcome.partitions] == [False] * len(before)
    assert news_sums(moto_env) == before


def test_claim_checked_news_batch_lands(moto_env: MotoEnv, validation_queue: str) -> None:
    # Given a news batch too big for the message, published behind a claim check
    items = headlines(12, day_offset=20)
    publish(moto_env, items, threshold=1_000)
    messages = pv.receive_all(moto_env, validation_queue)
    assert '"claim_check":{' in messages[0]["Body"].replace(" ", "").replace("\\", "")
    # When the validator handles it
    assert validator.handler(pv.sqs_event(messages), pv.Context()) == {"batchItemFailures": []}
    # Then every headline is in the lake
    lake = NewsLake(moto_env.settings)
    start = T0 + timedelta(days=20)
    got = lake.read_headlines(start, start + timedelta(days=1), limit=100)
    assert sorted(h.story_id for h in got) == sorted(i.story_id for i in items)
