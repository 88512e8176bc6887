"""Rules against history: resolution/unit drift, robust z-score, and histories built from lake rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nexus_contracts.events import AlertKind
from nexus_contracts.observation import Observation, Resolution
from nexus_contracts.registries.datasets import Unit
from nexus_validator.quality import SeriesHistory, history_from_rows
from nexus_validator.quality.history import drift_alerts, robust_z, unusual_alerts
from tests.fixtures.bad_inputs.builders import SERIES, day_records, record

START = datetime(2025, 10, 1, 10, tzinfo=UTC)
TRAILING = tuple(40.0 + (h % 24) for h in range(24 * 7))  # a week of a daily shape, 40..63


def _obs(**kw: object) -> Observation:
    return Observation.model_validate(record(START, **kw))  # type: ignore[arg-type]


def test_change_of_resolution_raises_schema_changed() -> None:
    # Given a series stored hourly and a batch of quarter-hours (the SDAC go-live)
    history = {SERIES: SeriesHistory(resolution=Resolution.PT60M, unit=Unit.EUR_MWH)}
    batch = [Observation.model_validate(r) for r in day_records(START, 4, minutes=15)]
    alerts = drift_alerts(batch, history)
    # Then one SCHEMA_CHANGED alert names the change
    assert [a.kind for a in alerts] == [AlertKind.SCHEMA_CHANGED]
    assert alerts[0].context == {"field": "resolution", "old": "PT60M", "new": "PT15M"}


def test_change_of_unit_raises_schema_changed_and_same_schema_does_not() -> None:
    # Given a series stored in EUR/MWh
    history = {SERIES: SeriesHistory(resolution=Resolution.PT60M, unit=Unit.EUR_MWH)}
    # When a USD/MWh batch and an EUR/MWh batch arrive
    changed = drift_alerts([_obs(unit="USD/MWh")], history)
    same = drift_alerts([_obs()], history)
    # Then only the first alerts
    assert [a.context["field"] for a in changed] == ["unit"]
    assert same == []


def test_robust_z_needs_enough_varied_history() -> None:
    # Given too short or flat histories / Then no score
    assert robust_z([100.0], TRAILING[:10]) is None
    assert robust_z([100.0], (5.0,) * 100) is None
    # Given a week of history / Then the median scores zero
    scores = robust_z([51.5], TRAILING)
    assert scores is not None
    assert abs(scores[0]) < 0.1


def test_spike_far_outside_history_raises_unusual_pattern() -> None:
    # Given a week of 40..63 EUR/MWh and a batch with one 900 EUR/MWh hour
    history = {SERIES: SeriesHistory(values=TRAILING)}
    batch = [_obs(value=50.0), Observation.model_validate(record(START + timedelta(hours=1), 900.0))]
    alerts = unusual_alerts(batch, history)
    # Then one warning names one unusual value
    assert [a.kind for a in alerts] == [AlertKind.UNUSUAL_PATTERN]
    assert alerts[0].context["count"] == "1"


def test_ordinary_values_raise_nothing() -> None:
    # Given values inside the usual range / Then no alert
    history = {SERIES: SeriesHistory(values=TRAILING)}
    assert unusual_alerts([_obs(value=62.0)], history) == []


def test_history_from_lake_rows_keeps_latest_vintage_and_schema() -> None:
    # Given lake rows with two vintages of one hour
    t = datetime(2024, 1, 1, tzinfo=UTC)
    rows = [
        {**Observation.model_validate(record(t, 10.0)).model_dump(), "publish_time_utc": t},
        {
            **Observation.model_validate(record(t, 12.0)).model_dump(),
            "publish_time_utc": t + timedelta(hours=1),
        },
        {
            **Observation.model_validate(record(t + timedelta(hours=1), 11.0)).model_dump(),
            "publish_time_utc": t,
        },
    ]
    # When a history is built
    hist = history_from_rows(rows)[SERIES]
    # Then values follow time with the newest vintage, and schema and vintages are known
    assert hist.values == (12.0, 11.0)
    assert (hist.resolution, hist.unit) == (Resolution.PT60M, Unit.EUR_MWH)
    assert hist.vintages[t] == t + timedelta(hours=1)
