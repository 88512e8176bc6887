"""Rules on one record. Each is a small pure function returning a reason, or None when it passes.

Raw rules run on the decoded JSON before the contract, so a NaN or a naive timestamp is named
precisely instead of as a generic schema error; typed rules run on the parsed Observation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from nexus_contracts.events import Severity
from nexus_contracts.observation import Observation
from nexus_contracts.registries.areas import AREAS
from nexus_contracts.registries.datasets import DATASETS
from nexus_validator.quality.calendar import expected_period, local_day, zone_of

TIME_FIELDS = ("interval_start_utc", "interval_end_utc", "publish_time_utc")
_NON_FINITE_TEXT = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


@dataclass(frozen=True)
class RawRule:
    name: str
    severity: Severity
    check: Callable[[dict[str, Any]], str | None]


@dataclass(frozen=True)
class RecordRule:
    name: str
    severity: Severity
    check: Callable[[Observation, datetime], str | None]


def finite_value(record: dict[str, Any]) -> str | None:
    """`value` must not be NaN or infinite (JSON `NaN`/`Infinity` tokens or their text)."""
    value = record.get("value")
    if isinstance(value, float) and not math.isfinite(value):
        return f"value is {value!r}, not a finite number"
    if isinstance(value, str) and value.strip().lower() in _NON_FINITE_TEXT:
        return f"value is {value!r}, not a finite number"
    return None


def utc_timestamps(record: dict[str, Any]) -> str | None:
    """Interval and publish times must be ISO 8601 instants with an explicit offset."""
    for name in TIME_FIELDS:
        text = record.get(name)
        if not isinstance(text, str):
            continue  # missing or non-text: the contract rule names it
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return f"{name} {text!r} is not an ISO 8601 timestamp"
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return f"{name} {text!r} is naive (no UTC offset)"
    return None


def parse_observation(record: dict[str, Any]) -> Observation | str:
    """The record as an Observation, or a short reason naming the first failing fields."""
    try:
        return Observation.model_validate(record)
    except ValidationError as exc:
        parts = []
        for err in exc.errors()[:3]:
            loc = ".".join(str(p) for p in err["loc"]) or "record"
            parts.append(f"{loc}: {err['msg']}")
        return "; ".join(parts)


def resolution_allowed(obs: Observation, now: datetime) -> str | None:
    """The resolution must be one the dataset declares (e.g. no P1D day-ahead prices)."""
    spec = DATASETS[obs.dataset]
    if obs.resolution.value not in spec.resolutions:
        return f"resolution {obs.resolution.value} not allowed for {obs.dataset.value}"
    return None


def interval_alignment(obs: Observation, now: datetime) -> str | None:
    """The start must sit on a boundary of its resolution (quarter-hour, hour, local midnight, month)."""
    start, _ = expected_period(obs.interval_start_utc, obs.resolution, zone_of(obs))
    if obs.interval_start_utc != start:
        return (
            f"interval_start_utc {obs.interval_start_utc.isoformat()} is not aligned to "
            f"{obs.resolution.value} (expected {start.isoformat()})"
        )
    return None


def interval_length(obs: Observation, now: datetime) -> str | None:
    """End-exclusive end = start + resolution (a local day is 23-25 h, a month 28-31 days)."""
    _, end = expected_period(obs.interval_start_utc, obs.resolution, zone_of(obs))
    if obs.interval_end_utc != end:
        return (
            f"interval_end_utc {obs.interval_end_utc.isoformat()} does not close the "
            f"{obs.resolution.value} period (expected {end.isoformat()})"
        )
    return None


def unit_allowed(obs: Observation, now: datetime) -> str | None:
    """The unit must be one the dataset declares (e.g. EUR/MWh or USD/MWh for prices)."""
    spec = DATASETS[obs.dataset]
    if obs.unit not in spec.units:
        allowed = ", ".join(sorted(u.value for u in spec.units))
        return f"unit {obs.unit.value} not allowed for {obs.dataset.value} (allowed: {allowed})"
    return None


def value_range(obs: Observation, now: datetime) -> str | None:
    """Physical or market limits of the dataset, closed range (SDAC prices -500..4000 EUR/MWh)."""
    spec = DATASETS[obs.dataset]
    if spec.min_value is not None and obs.value < spec.min_value:
        return f"value {obs.value} below {spec.min_value} for {obs.dataset.value}"
    if spec.max_value is not None and obs.value > spec.max_value:
        return f"value {obs.value} above {spec.max_value} for {obs.dataset.value}"
    return None


def future_horizon(obs: Observation, now: datetime) -> str | None:
    """An interval may start at most the dataset's horizon after `now` (D-1 auctions: 2 days)."""
    limit = now + DATASETS[obs.dataset].horizon
    if obs.interval_start_utc > limit:
        return (
            f"interval_start_utc {obs.interval_start_utc.isoformat()} is beyond the "
            f"{obs.dataset.value} horizon ({limit.isoformat()})"
        )
    return None


def area_validity(obs: Observation, now: datetime) -> str | None:
    """The bidding zone must exist on the delivery day (DE_LU only from 2018-10-01)."""
    if obs.area is None:
        return None
    area = AREAS[obs.area]
    day = local_day(obs.interval_start_utc, area.tz)
    if not area.valid_on(day):
        return f"area {obs.area.value} did not exist on {day.isoformat()}"
    return None


RAW_RULES: tuple[RawRule, ...] = (
    RawRule("finite_value", Severity.CRITICAL, finite_value),
    RawRule("utc_timestamps", Severity.CRITICAL, utc_timestamps),
)
CONTRACT_RULE = "contract_schema"
RECORD_RULES: tuple[RecordRule, ...] = (
    RecordRule("resolution_allowed", Severity.CRITICAL, resolution_allowed),
    RecordRule("interval_alignment", Severity.CRITICAL, interval_alignment),
    RecordRule("interval_length", Severity.CRITICAL, interval_length),
    RecordRule("unit_allowed", Severity.CRITICAL, unit_allowed),
    RecordRule("value_range", Severity.WARNING, value_range),
    RecordRule("future_horizon", Severity.WARNING, future_horizon),
    RecordRule("area_validity", Severity.WARNING, area_validity),
)
