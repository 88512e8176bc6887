"""Rules against a series' stored history: schema drift and unusual values.

Drift: a batch whose resolution or unit differs from what the lake holds for the series (a
silent upstream format change, or the SDAC 15-minute go-live) raises a SCHEMA_CHANGED alert.
Unusual values: the robust z-score 0.6745 * (x - median) / MAD against the trailing values;
records are kept, the alert is a warning for a person to look at.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from nexus_contracts.events import AlertKind, Severity
from nexus_contracts.observation import Observation, Resolution
from nexus_contracts.registries.datasets import Unit
from nexus_validator.quality.calendar import local_day, zone_of
from nexus_validator.quality.model import AlertIntent, SeriesHistory

DRIFT_RULE = "schema_drift"
UNUSUAL_RULE = "unusual_value"
Z_THRESHOLD = 6.0
"""|robust z| above this is unusual; 3.5 is the textbook cut, power prices are heavy-tailed."""
MIN_HISTORY = 48
"""Trailing values needed before the z-score means anything (two days of hours)."""
_MAD_SCALE = 0.6745


def _by_series(observations: Iterable[Observation]) -> dict[str, list[Observation]]:
    groups: dict[str, list[Observation]] = defaultdict(list)
    for obs in observations:
        groups[obs.series_id].append(obs)
    return groups


def _drift_alert(first: Observation, what: str, old: str, new: str) -> AlertIntent:
    return AlertIntent(
        severity=Severity.WARNING,
        kind=AlertKind.SCHEMA_CHANGED,
        title=f"{first.series_id} changed {what} from {old} to {new}",
        detail=f"the lake holds {what} {old} for {first.series_id}; this batch delivers {new}",
        dedupe_key=f"schema_drift:{first.series_id}:{what}:{old}->{new}",
        rule=DRIFT_RULE,
        source=first.source.value,
        dataset=first.dataset.value,
        context={"field": what, "old": old, "new": new},
    )


def drift_alerts(
    observations: Sequence[Observation], history: Mapping[str, SeriesHistory]
) -> list[AlertIntent]:
    """A change of resolution or unit against the stored series."""
    alerts = []
    for series, members in sorted(_by_series(observations).items()):
        known = history.get(series)
        if known is None:
            continue
        first = members[0]
        resolutions = sorted({o.resolution.value for o in members})
        units = sorted({o.unit.value for o in members})
        if known.resolution is not None and resolutions != [known.resolution.value]:
            alerts.append(_drift_alert(first, "resolution", known.resolution.value, ",".join(resolutions)))
        if known.unit is not None and units != [known.unit.value]:
            alerts.append(_drift_alert(first, "unit", known.unit.value, ",".join(units)))
    return alerts


def robust_z(values: Sequence[float], history: Sequence[float]) -> list[float] | None:
    """Robust z-scores of `values` against `history`; None when the history cannot judge."""
    if len(history) < MIN_HISTORY:
        return None
    median = statistics.median(history)
    mad = statistics.median(abs(h - median) for h in history)
    if mad == 0.0:
        return None  # a flat history is the stuck-value rule's business
    return [_MAD_SCALE * (v - median) / mad for v in values]


def unusual_alerts(
    observations: Sequence[Observation],
    history: Mapping[str, SeriesHistory],
    threshold: float = Z_THRESHOLD,
) -> list[AlertIntent]:
    """One warning per series whose batch holds values far outside its trailing history."""
    alerts = []
    for series, members in sorted(_by_series(observations).items()):
        known = history.get(series)
        scores = robust_z([o.value for o in members], known.values) if known else None
        if not scores:
            continue
        flagged = [(abs(z), o) for z, o in zip(scores, members, strict=True) if abs(z) > threshold]
        if not flagged:
            continue
        worst_z, worst = max(flagged, key=lambda pair: pair[0])
        day = local_day(worst.interval_start_utc, zone_of(worst))
        alerts.append(
            AlertIntent(
                severity=Severity.WARNING,
                kind=AlertKind.UNUSUAL_PATTERN,
                title=f"Unusual values for {series}",
                detail=(
                    f"{len(flagged)} value(s) beyond robust |z| {threshold}; worst {worst.value} "
                    f"{worst.unit.value} at {worst.interval_start_utc.isoformat()} (|z| {worst_z:.1f})"
                ),
                dedupe_key=f"unusual_value:{series}:{day.isoformat()}",
                rule=UNUSUAL_RULE,
                source=worst.source.value,
                dataset=worst.dataset.value,
                context={"count": str(len(flagged)), "max_abs_z": f"{worst_z:.2f}"},
            )
        )
    return alerts


def history_from_rows(
    rows: Iterable[Mapping[str, Any]], max_values: int = 24 * 28
) -> dict[str, SeriesHistory]:
    """Build histories from lake rows (OBSERVATION_SCHEMA columns, e.g. `Table.to_pylist()`).

    Keeps the latest vintage per key, the trailing `max_values` values in time order, and the
    resolution and unit of the latest interval.
    """
    latest: dict[str, dict[datetime, Mapping[str, Any]]] = defaultdict(dict)
    for row in rows:
        per_key = latest[row["series_id"]]
        start = row["interval_start_utc"]
        if start not in per_key or row["publish_time_utc"] > per_key[start]["publish_time_utc"]:
            per_key[start] = row
    result = {}
    for series, per_key in latest.items():
        ordered = [per_key[s] for s in sorted(per_key)]
        last = ordered[-1]
        result[series] = SeriesHistory(
            values=tuple(float(r["value"]) for r in ordered[-max_values:]),
            resolution=Resolution(last["resolution"]),
            unit=Unit(last["unit"]),
            vintages={s: r["publish_time_utc"] for s, r in per_key.items()},
        )
    return result
