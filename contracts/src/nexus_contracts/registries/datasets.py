"""Sources, units and datasets, with the data-quality limits each dataset declares.

Ranges are physical or market limits (SDAC harmonised price limits are -500..4000 EUR/MWh);
`horizon` is how far past "now" an interval may start and still be legitimate (day-ahead
auctions publish D-1, forecasts up to 16 days ahead, measurements never).
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel

from nexus_contracts.types import FROZEN


class Source(StrEnum):
    SIM = "sim"
    ENTSOE = "entsoe"
    OPENMETEO = "openmeteo"
    FRED = "fred"
    EIA = "eia"
    LSEG = "lseg"
    REUTERS = "reuters"
    BLOOMBERG = "bloomberg"


class Unit(StrEnum):
    EUR_MWH = "EUR/MWh"
    USD_MWH = "USD/MWh"
    EUR_T = "EUR/t"
    USD_BBL = "USD/bbl"
    USD_MMBTU = "USD/MMBtu"
    USD_T = "USD/t"
    USD_PER_EUR = "USD/EUR"
    MW = "MW"
    MWH = "MWh"
    DEG_C = "degC"
    M_S = "m/s"
    W_M2 = "W/m2"
    INDEX = "index"
    PERCENT = "percent"
    COUNT = "count"
    PRICE = "price"


class Dataset(StrEnum):
    DAY_AHEAD_PRICE = "day_ahead_price"
    ACTUAL_LOAD = "actual_load"
    TEMPERATURE = "temperature"
    WIND_SPEED = "wind_speed"
    SOLAR_RADIATION = "solar_radiation"
    GAS_PRICE = "gas_price"
    CARBON_PRICE = "carbon_price"
    OIL_PRICE = "oil_price"
    COAL_PRICE = "coal_price"
    FX_RATE = "fx_rate"
    MACRO_INDEX = "macro_index"
    ELECTRICITY_DEMAND = "electricity_demand"
    MARKET_PRICE = "market_price"
    NEWS = "news"


class DatasetSpec(BaseModel):
    """What a dataset may contain: units, resolutions, a closed value range and a time horizon."""

    model_config = FROZEN

    dataset: Dataset
    units: frozenset[Unit]
    resolutions: frozenset[str]
    min_value: float | None = None
    max_value: float | None = None
    horizon: timedelta = timedelta(hours=1)
    # Intraday series are checked for completeness per local delivery day.
    intraday: bool = False


def _spec(dataset: Dataset, units: set[Unit], resolutions: set[str], **kw: object) -> DatasetSpec:
    return DatasetSpec.model_validate(
        {"dataset": dataset, "units": frozenset(units), "resolutions": frozenset(resolutions), **kw}
    )


_INTRADAY = {"PT15M", "PT30M", "PT60M"}
_PRICES = {Unit.EUR_MWH, Unit.USD_MWH, Unit.EUR_T, Unit.USD_BBL, Unit.USD_MMBTU, Unit.USD_T, Unit.PRICE}

DATASETS: dict[Dataset, DatasetSpec] = {
    s.dataset: s
    for s in (
        _spec(
            Dataset.DAY_AHEAD_PRICE,
            {Unit.EUR_MWH, Unit.USD_MWH},
            _INTRADAY,
            min_value=-500.0,
            max_value=4000.0,
            horizon=timedelta(days=2),
            intraday=True,
        ),
        _spec(Dataset.ACTUAL_LOAD, {Unit.MW}, _INTRADAY, min_value=0.0, max_value=500_000.0, intraday=True),
        _spec(
            Dataset.TEMPERATURE,
            {Unit.DEG_C},
            _INTRADAY,
            min_value=-60.0,
            max_value=60.0,
            horizon=timedelta(days=16),
            intraday=True,
        ),
        _spec(
            Dataset.WIND_SPEED,
            {Unit.M_S},
            _INTRADAY,
            min_value=0.0,
            max_value=75.0,
            horizon=timedelta(days=16),
            intraday=True,
        ),
        _spec(
            Dataset.SOLAR_RADIATION,
            {Unit.W_M2},
            _INTRADAY,
            min_value=0.0,
            max_value=1500.0,
            horizon=timedelta(days=16),
            intraday=True,
        ),
        _spec(
            Dataset.GAS_PRICE,
            {Unit.EUR_MWH, Unit.USD_MMBTU},
            {"P1D", "P1M"},
            min_value=-50.0,
            max_value=1000.0,
        ),
        _spec(Dataset.CARBON_PRICE, {Unit.EUR_T}, {"P1D", "P1M"}, min_value=0.0, max_value=1000.0),
        _spec(Dataset.OIL_PRICE, {Unit.USD_BBL}, {"P1D", "P1M"}, min_value=-100.0, max_value=500.0),
        _spec(Dataset.COAL_PRICE, {Unit.USD_T}, {"P1D", "P1M"}, min_value=0.0, max_value=1000.0),
        _spec(Dataset.FX_RATE, {Unit.USD_PER_EUR}, {"P1D", "P1M"}, min_value=0.0, max_value=10.0),
        _spec(Dataset.MACRO_INDEX, {Unit.INDEX, Unit.PERCENT}, {"P1D", "P1M"}, horizon=timedelta(days=31)),
        _spec(Dataset.ELECTRICITY_DEMAND, {Unit.MWH, Unit.MW}, _INTRADAY, min_value=0.0, intraday=True),
        _spec(Dataset.MARKET_PRICE, _PRICES, {"P1D", *_INTRADAY}),
        _spec(Dataset.NEWS, {Unit.COUNT}, {"PT1M", "P1D"}),
    )
}
