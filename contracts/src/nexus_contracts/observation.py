"""The Observation record: one value of one series over one explicit UTC interval."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator

from nexus_contracts.registries.areas import AreaCode
from nexus_contracts.registries.datasets import Dataset, Source, Unit
from nexus_contracts.types import FROZEN, FiniteFloat, UtcDatetime


class Resolution(StrEnum):
    """ISO 8601 durations. P1D and P1M are calendar periods (a local day may last 23-25 h)."""

    PT15M = "PT15M"
    PT30M = "PT30M"
    PT60M = "PT60M"
    P1D = "P1D"
    P1M = "P1M"

    @property
    def fixed(self) -> timedelta | None:
        """The fixed length of intraday resolutions, None for calendar periods."""
        return _FIXED.get(self)


_FIXED = {
    Resolution.PT15M: timedelta(minutes=15),
    Resolution.PT30M: timedelta(minutes=30),
    Resolution.PT60M: timedelta(hours=1),
}


class Quality(StrEnum):
    MEASURED = "measured"
    ESTIMATED = "estimated"
    PROVISIONAL = "provisional"
    INTERPOLATED = "interpolated"


SeriesId = Annotated[str, Field(pattern=r"^[a-z]+:[A-Za-z0-9_.\-=^]+:[a-z0-9_]+$", max_length=200)]
"""`<source>:<area-or-location-or-instrument>:<dataset>`, e.g. `entsoe:DE_LU:day_ahead_price`."""


class Observation(BaseModel):
    """One value over `[interval_start_utc, interval_end_utc)`.

    `publish_time_utc` is when the source published this vintage; a newer vintage of the same
    (series_id, interval_start_utc) replaces an older one.
    """

    model_config = FROZEN

    source: Source
    dataset: Dataset
    series_id: SeriesId
    area: AreaCode | None = None
    location: str | None = Field(default=None, max_length=100)
    interval_start_utc: UtcDatetime
    interval_end_utc: UtcDatetime
    resolution: Resolution
    value: FiniteFloat
    unit: Unit
    publish_time_utc: UtcDatetime
    quality: Quality = Quality.MEASURED

    @model_validator(mode="after")
    def _interval_is_forward(self) -> Self:
        if self.interval_end_utc <= self.interval_start_utc:
            raise ValueError("interval_end_utc must be after interval_start_utc (end-exclusive)")
        if self.area is None and self.location is None:
            raise ValueError("an observation needs an area or a location")
        return self

    @property
    def key(self) -> tuple[str, str]:
        """The business key of the lake: (series_id, interval start as ISO UTC)."""
        return (self.series_id, self.interval_start_utc.isoformat())
