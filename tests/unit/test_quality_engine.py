"""The rule set end to end on one batch: bad records reject themselves, alerts are intents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nexus_contracts.events import AlertKind
from nexus_contracts.observation import Resolution
from nexus_contracts.registries.datasets import Unit
from nexus_validator.quality import QualityContext, SeriesHistory, evaluate, evaluate_body
from tests.fixtures.bad_inputs.builders import NOW, SERIES, body, day_records, envelope, record

SPRING = datetime(2024, 3, 30, 23, tzinfo=UTC)
WINDOW = (SPRING, SPRING + timedelta(hours=23))


def test_one_bad_value_rejects_only_its_record() -> None:
    # Given a full spring-forward day where one hour is NaN
    records = day_records(SPRING, 23)
    records[5] = {**records[5], "value": float("nan")}
    # When the message is evaluated
    _, report = evaluate_body(body(envelope(records, WINDOW)), QualityContext(now=NOW))
    # Then 22 records are accepted, the NaN one is rejected with its rule and original payload
    assert len(report.accepted) == 22
    assert [(r.rule, r.index) for r in report.rejections] == [("finite_value", 5)]
    assert report.rejections[0].record["interval_start_utc"] == records[5]["interval_start_utc"]
    # And the day is flagged incomplete and the rejection raises a data-quality intent
    kinds = sorted(a.kind.value for a in report.alerts)
    assert kinds == [AlertKind.DATA_QUALITY.value, AlertKind.INCOMPLETE_DAY.value]


def test_spring_day_with_an_extra_hour_rejects_the_duplicate() -> None:
    # Given a collector that produced 24 rows for the 23-hour day by repeating 01:00Z
    records = day_records(SPRING, 23)
    records.insert(3, {**records[2]})
    _, report = evaluate_body(body(envelope(records, WINDOW)), QualityContext(now=NOW))
    # Then the copy is rejected as a duplicate and the day is complete
    assert [r.rule for r in report.rejections] == ["duplicate_key"]
    assert [(d.expected, d.present) for d in report.days] == [(23, 23)]


def test_clean_batch_gives_no_rejections_and_no_alerts() -> None:
    # Given a complete day matching its stored history
    history = {
        SERIES: SeriesHistory(
            values=tuple(40.0 + i % 12 for i in range(96)), resolution=Resolution.PT60M, unit=Unit.EUR_MWH
        )
    }
    records = day_records(SPRING, 23, base=40.0, publish_time_utc="2024-03-30T12:00:00+00:00")
    report = evaluate(records, QualityContext(now=NOW, history=history, window=WINDOW))
    # Then everything is accepted silently
    assert (len(report.accepted), report.rejections, report.alerts) == (23, (), ())


def test_rejection_alert_is_one_per_rule_with_a_stable_dedupe_key() -> None:
    # Given three out-of-range prices and one wrong unit in a batch
    records = [record(SPRING + timedelta(hours=h), 9999.0) for h in range(3)]
    records.append(record(SPRING + timedelta(hours=3), unit="MW"))
    report = evaluate(records, QualityContext(now=NOW, source="entsoe", dataset="day_ahead_price"))
    # Then two intents, one per rule, counting the records
    quality = {a.rule: a for a in report.alerts if a.kind is AlertKind.DATA_QUALITY}
    assert set(quality) == {"value_range", "unit_allowed"}
    assert quality["value_range"].context["count"] == "3"
    assert quality["value_range"].dedupe_key == "quarantine:entsoe:day_ahead_price:value_range"


def test_envelope_failure_rejects_the_message_as_one_entry() -> None:
    # Given a truncated body
    batch, report = evaluate_body('{"event_type": "observations.coll', QualityContext(now=NOW))
    # Then no batch, one message-level rejection without an index
    assert batch is None
    assert [(r.rule, r.index) for r in report.rejections] == [("event_json", None)]
