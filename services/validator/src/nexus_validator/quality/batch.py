"""Rules across the records of one batch: duplicate keys and revisions against stored vintages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from nexus_contracts.observation import Observation
from nexus_validator.quality.model import Revisions, SeriesHistory

DUPLICATE_RULE = "duplicate_key"
STALE_RULE = "stale_vintage"


@dataclass(frozen=True)
class Duplicate:
    """Position of a record refused because another record of the batch holds its key."""

    index: int
    reason: str


def duplicate_keys(observations: Sequence[Observation]) -> list[Duplicate]:
    """Records sharing (series_id, interval_start_utc) inside one batch.

    The newest publish time wins and older copies are refused; exact copies keep the first;
    two different values with the same publish time are ambiguous, so all of them are refused.
    """
    groups: dict[tuple[str, datetime], list[int]] = defaultdict(list)
    for i, obs in enumerate(observations):
        groups[(obs.series_id, obs.interval_start_utc)].append(i)
    found: list[Duplicate] = []
    for (series, start), members in groups.items():
        if len(members) > 1:
            found.extend(_resolve(observations, members, f"{series} @ {start.isoformat()}"))
    return sorted(found, key=lambda d: d.index)


def _resolve(observations: Sequence[Observation], members: list[int], key: str) -> list[Duplicate]:
    newest = max(observations[i].publish_time_utc for i in members)
    latest = [i for i in members if observations[i].publish_time_utc == newest]
    if len({observations[i].value for i in latest}) > 1:
        return [Duplicate(i, f"conflicting values for {key} with the same publish time") for i in members]
    keep = latest[0]
    return [
        Duplicate(i, f"duplicate of record {keep} for {key} (newest vintage kept)")
        for i in members
        if i != keep
    ]


class Vintage(StrEnum):
    NEW = "new"
    REVISED = "revised"
    UNCHANGED = "unchanged"
    STALE = "stale"


def classify_vintage(obs: Observation, stored: datetime | None) -> Vintage:
    """A newer publish time replaces the stored value, an equal one is a redelivery, an older one is stale."""
    if stored is None:
        return Vintage.NEW
    if obs.publish_time_utc > stored:
        return Vintage.REVISED
    if obs.publish_time_utc == stored:
        return Vintage.UNCHANGED
    return Vintage.STALE


def classify_revisions(
    observations: Sequence[Observation], history: Mapping[str, SeriesHistory]
) -> tuple[Revisions, list[Observation]]:
    """Counts per class and the stale records (ignored by the lake merge, counted here)."""
    counts = dict.fromkeys(Vintage, 0)
    stale: list[Observation] = []
    for obs in observations:
        known = history.get(obs.series_id)
        stored = known.vintages.get(obs.interval_start_utc) if known else None
        kind = classify_vintage(obs, stored)
        counts[kind] += 1
        if kind is Vintage.STALE:
            stale.append(obs)
    revisions = Revisions(
        new=counts[Vintage.NEW],
        revised=counts[Vintage.REVISED],
        unchanged=counts[Vintage.UNCHANGED],
        stale=counts[Vintage.STALE],
    )
    return revisions, stale
