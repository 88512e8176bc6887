"""Per local delivery day: completeness against the calendar, and a value stuck all day.

Only days that the batch's window covers entirely are judged, so a UTC-day window that cuts two
local days does not raise false gaps; intervals already in the lake count as present.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from nexus_contracts.events import AlertKind, Severity
from nexus_contracts.observation import Observation, Resolution
from nexus_contracts.registries.datasets import DATASETS
from nexus_validator.quality.calendar import day_bounds, expected_starts, local_day, zone_of
from nexus_validator.quality.model import AlertIntent, DayCompleteness, SeriesHistory

COMPLETENESS_RULE = "completeness"
STUCK_RULE = "stuck_value"
STUCK_MIN_POINTS = 12
"""A day needs this many equal values before it counts as stuck (half a day of hours)."""

Window = tuple[datetime, datetime]
_DayKey = tuple[str, Resolution, date]


def _intraday_days(observations: Iterable[Observation]) -> dict[_DayKey, list[Observation]]:
    days: dict[_DayKey, list[Observation]] = defaultdict(list)
    for obs in observations:
        if DATASETS[obs.dataset].intraday and obs.resolution.fixed is not None:
            days[(obs.series_id, obs.resolution, local_day(obs.interval_start_utc, zone_of(obs)))].append(obs)
    return days


def _span(observations: Sequence[Observation]) -> Window:
    return min(o.interval_start_utc for o in observations), max(o.interval_end_utc for o in observations)


def _covered(day: date, tz: str, window: Window) -> bool:
    start, end = day_bounds(day, tz)
    return window[0] <= start and end <= window[1]


def day_completeness(
    observations: Sequence[Observation],
    window: Window | None = None,
    history: Mapping[str, SeriesHistory] | None = None,
) -> list[DayCompleteness]:
    """Present versus expected intervals for every fully covered (series, local day)."""
    history = history or {}
    result: list[DayCompleteness] = []
    for (series, resolution, day), members in sorted(_intraday_days(observations).items()):
        tz = zone_of(members[0])
        if not _covered(day, tz, window or _span(members)):
            continue
        expected = expected_starts(day, tz, resolution)
        stored = history.get(series)
        present = {o.interval_start_utc for o in members} | set(stored.vintages if stored else ())
        missing = tuple(s for s in expected if s not in present)
        first = members[0]
        result.append(
            DayCompleteness(
                series_id=series,
                source=first.source.value,
                dataset=first.dataset.value,
                local_day=day,
                tz=tz,
                expected=len(expected),
                present=len(expected) - len(missing),
                missing=missing,
            )
        )
    return result


def completeness_alerts(days: Iterable[DayCompleteness]) -> list[AlertIntent]:
    """One warning per incomplete (series, local day): stored, but flagged."""
    alerts = []
    for d in days:
        if d.present >= d.expected:
            continue
        first_gap = d.missing[0].isoformat() if d.missing else "-"
        alerts.append(
            AlertIntent(
                severity=Severity.WARNING,
                kind=AlertKind.INCOMPLETE_DAY,
                title=f"Incomplete day {d.local_day} for {d.series_id}",
                detail=(
                    f"{d.present} of {d.expected} intervals present for local day {d.local_day} "
                    f"({d.tz}); first missing interval starts {first_gap}"
                ),
                dedupe_key=f"incomplete_day:{d.series_id}:{d.local_day.isoformat()}",
                rule=COMPLETENESS_RULE,
                source=d.source,
                dataset=d.dataset,
                context={"local_day": d.local_day.isoformat(), "missing": str(d.expected - d.present)},
            )
        )
    return alerts


def stuck_value_alerts(
    observations: Sequence[Observation], window: Window | None = None
) -> list[AlertIntent]:
    """A series repeating one value over a whole local day usually means a broken upstream feed."""
    alerts = []
    for (series, _res, day), members in sorted(_intraday_days(observations).items()):
        tz = zone_of(members[0])
        values = {o.value for o in members}
        if (
            len(members) < STUCK_MIN_POINTS
            or len(values) != 1
            or not _covered(day, tz, window or _span(members))
        ):
            continue
        first = members[0]
        if first.value == DATASETS[first.dataset].min_value:
            continue  # a day at the physical floor is plausible (no sun in the polar night)
        alerts.append(
            AlertIntent(
                severity=Severity.WARNING,
                kind=AlertKind.SCHEMA_CHANGED,
                title=f"{series} stuck on one value on {day}",
                detail=f"all {len(members)} values of local day {day} ({tz}) equal {first.value}",
                dedupe_key=f"stuck_value:{series}:{day.isoformat()}",
                rule=STUCK_RULE,
                source=first.source.value,
                dataset=first.dataset.value,
                context={"local_day": day.isoformat(), "value": repr(first.value)},
            )
        )
    return alerts
