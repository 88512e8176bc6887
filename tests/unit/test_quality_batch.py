"""Batch rules: duplicate keys inside a batch, and revisions against stored vintages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nexus_contracts.observation import Observation
from nexus_validator.quality import QualityContext, SeriesHistory, evaluate
from nexus_validator.quality.batch import Vintage, classify_vintage, duplicate_keys
from tests.fixtures.bad_inputs.builders import NOW, SERIES, record

START = datetime(2024, 3, 31, 10, tzinfo=UTC)
T0 = datetime(2024, 3, 30, 12, tzinfo=UTC)


def _obs(value: float, published: datetime, start: datetime = START) -> Observation:
    return Observation.model_validate(record(start, value, publish_time_utc=published.isoformat()))


def test_exact_copies_keep_the_first() -> None:
    # Given the same record twice
    dups = duplicate_keys([_obs(50, T0), _obs(50, T0)])
    # Then only the second is refused
    assert [d.index for d in dups] == [1]


def test_newest_vintage_in_a_batch_wins() -> None:
    # Given an older and a newer vintage of one key, newest first
    dups = duplicate_keys([_obs(51, T0 + timedelta(hours=1)), _obs(50, T0)])
    # Then the older one (index 1) is refused
    assert [d.index for d in dups] == [1]


def test_conflicting_values_with_one_publish_time_are_all_refused() -> None:
    # Given two values for one key with the same publish time
    dups = duplicate_keys([_obs(50, T0), _obs(60, T0), _obs(70, T0, START + timedelta(hours=1))])
    # Then both conflicting records are refused and the unrelated one is kept
    assert [d.index for d in dups] == [0, 1]
    assert "conflicting" in dups[0].reason


def test_vintage_classes() -> None:
    # Given a stored publish time T0 / Then newer is revised, equal unchanged, older stale
    assert classify_vintage(_obs(1, T0), None) is Vintage.NEW
    assert classify_vintage(_obs(1, T0 + timedelta(minutes=1)), T0) is Vintage.REVISED
    assert classify_vintage(_obs(1, T0), T0) is Vintage.UNCHANGED
    assert classify_vintage(_obs(1, T0 - timedelta(minutes=1)), T0) is Vintage.STALE


def test_batch_revisions_are_counted_and_stale_records_listed() -> None:
    # Given a lake holding vintage T0 for two hours
    history = {SERIES: SeriesHistory(vintages={START: T0, START + timedelta(hours=1): T0})}
    records = [
        record(START, 60.0, publish_time_utc=(T0 + timedelta(hours=2)).isoformat()),
        record(START + timedelta(hours=1), 40.0, publish_time_utc=(T0 - timedelta(hours=2)).isoformat()),
        record(START + timedelta(hours=2), 45.0),
    ]
    # When the batch is evaluated
    report = evaluate(records, QualityContext(now=NOW, history=history))
    # Then one revision, one stale and one new record are counted, none rejected
    assert (report.revisions.new, report.revisions.revised, report.revisions.stale) == (1, 1, 1)
    assert [o.value for o in report.stale] == [40.0]
    assert report.rejections == ()
