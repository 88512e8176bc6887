"""Reusable annotated types: UTC instants and finite numbers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, ConfigDict


def _to_utc(value: datetime) -> datetime:
    # Offsets other than zero are accepted and normalised; naive values never reach here
    # because AwareDatetime rejects them first.
    if value.utcoffset() != timedelta(0):
        return value.astimezone(UTC)
    return value.replace(tzinfo=UTC)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("value must be a finite number (no NaN or infinity)")
    return value


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware instant, normalised to UTC. Naive datetimes are rejected."""

FiniteFloat = Annotated[float, AfterValidator(_finite)]
"""A float that is neither NaN nor infinite."""

FROZEN = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
"""The configuration every contract model uses."""
