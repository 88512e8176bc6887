"""Pick, per market, the series each analysis needs, keyed by Dataset and area (never literal ids)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nexus_analyzer.analytics.grid import Grid, LocalCalendar, SeriesInfo, local_calendar
from nexus_contracts import AREAS, AreaCode, Dataset, Unit

REFERENCE_TZ = "Europe/Brussels"
"""The zone of the ISO week's boundaries and of commodity settlement days."""


@dataclass(frozen=True)
class Market:
    area: str
    tz: str
    price_id: str
    temperature_id: str | None
    wind_id: str | None
    calendar: LocalCalendar


@dataclass(frozen=True)
class Panel:
    grid: Grid
    markets: tuple[Market, ...]
    gas_id: str | None
    carbon_id: str | None
    coal_id: str | None
    fx_id: str | None

    def values(self, series_id: str | None) -> np.ndarray | None:
        return self.grid.row(series_id)


def _best(series: list[SeriesInfo], prefer_unit: str | None = None) -> str | None:
    """The series with the preferred unit, then the most rows, then the smallest id (stable)."""
    if not series:
        return None
    ranked = sorted(
        series, key=lambda s: (prefer_unit is not None and s.unit != prefer_unit, -s.rows, s.series_id)
    )
    return ranked[0].series_id


def _of(grid: Grid, dataset: Dataset, area: str | None = None) -> list[SeriesInfo]:
    return [s for s in grid.series if s.dataset == dataset.value and (area is None or s.area == area)]


def build_panel(grid: Grid) -> Panel:
    """Markets are the areas with a day-ahead price series, sorted by area code."""
    areas = sorted({s.area for s in _of(grid, Dataset.DAY_AHEAD_PRICE) if s.area})
    calendars: dict[str, LocalCalendar] = {}
    markets = []
    for area in areas:
        tz = AREAS[AreaCode(area)].tz if area in AreaCode.__members__ else REFERENCE_TZ
        if tz not in calendars:
            calendars[tz] = local_calendar(grid.origin_us, grid.hours, tz)
        price = _best(_of(grid, Dataset.DAY_AHEAD_PRICE, area), Unit.EUR_MWH.value)
        assert price is not None
        markets.append(
            Market(
                area=area,
                tz=tz,
                price_id=price,
                temperature_id=_best(_of(grid, Dataset.TEMPERATURE, area)),
                wind_id=_best(_of(grid, Dataset.WIND_SPEED, area)),
                calendar=calendars[tz],
            )
        )
    return Panel(
        grid=grid,
        markets=tuple(markets),
        gas_id=_best(_of(grid, Dataset.GAS_PRICE), Unit.EUR_MWH.value),
        carbon_id=_best(_of(grid, Dataset.CARBON_PRICE), Unit.EUR_T.value),
        coal_id=_best(_of(grid, Dataset.COAL_PRICE), Unit.USD_T.value),
        fx_id=_best(_of(grid, Dataset.FX_RATE)),
    )


def forward_fill(values: np.ndarray, limit: int) -> np.ndarray:
    """Carry the last value forward over at most `limit` missing steps (weekend gaps in settlements)."""
    out = values.copy()
    idx = np.where(~np.isnan(values), np.arange(len(values)), -1)
    last = np.maximum.accumulate(idx)
    fill = (last >= 0) & np.isnan(values) & (np.arange(len(values)) - last <= limit)
    out[fill] = values[last[fill]]
    return out
