"""The simulated market's equations (pure numpy, no I/O); docs/adr/0002-simulated-market.md explains them.

Everything for a local delivery day D (Europe/Brussels) comes from
`numpy.random.default_rng(SeedSequence([seed, D.toordinal()]))` plus slow "regime" curves that are
fixed functions of time drawn from the seed alone, so a day's values never depend on which
other days were generated, yet weather and fuels persist over days as real ones do.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from nexus_collector_sim.zones import TZ, ZONES

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
Array = NDArray[np.float64]

# Coefficients of the price equation (ADR 0002 §Price). Units: EUR/MWh per unit of the driver.
HEAT_RATE = 2.0  # MWh of gas burnt per MWh of power from the marginal gas plant
CARBON_INTENSITY = 0.37  # t CO2 per MWh of power from that plant
HDD_COEF = 2.5  # per heating degree below 15 degC
CDD_COEF = 4.0  # per cooling degree above 22 degC
WIND_COEF = -3.0  # per m/s of wind in the zone
COUPLING = 0.4  # share of the neighbours' mean price in a zone's price
ZONE_PREMIUM = {"DE_LU": 0.0, "FR": 4.0, "NL": 3.0, "BE": 5.0}
NEIGHBOURS = {
    "DE_LU": ("FR", "NL", "BE"),
    "FR": ("DE_LU", "BE"),
    "NL": ("DE_LU", "BE"),
    "BE": ("FR", "NL", "DE_LU"),
}
TEMP_OFFSET = {"DE_LU": -1.0, "FR": 1.5, "NL": -0.5, "BE": 0.0}
WIND_SCALE = {"DE_LU": 1.0, "FR": 0.85, "NL": 1.2, "BE": 1.05}
WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 1.0, 1.0, 0.85, 0.75)  # Monday .. Sunday
SPIKE_PROB = 0.006  # per hour, market-wide
PRICE_FLOOR, PRICE_CAP = -500.0, 4000.0


@dataclass(frozen=True)
class SimDay:
    """One local delivery day of the simulated market."""

    day: date
    starts_utc: tuple[datetime, ...]  # hourly interval starts (23, 24 or 25 of them)
    local_hours: tuple[int, ...]
    price: dict[str, Array]  # EUR/MWh per zone
    temperature: dict[str, Array]  # degC per zone
    wind: dict[str, Array]  # m/s per zone
    gas: float  # EUR/MWh, daily
    carbon: float  # EUR/t, daily
    macro: float | None  # index of the previous month, published on the 15th only


class Regime:
    """A slow, seed-fixed curve of unit variance: a sum of sinusoids with random periods."""

    def __init__(self, seed: int, name: str, min_days: float, max_days: float, k: int = 4) -> None:
        rng = np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode())]))
        self.periods = rng.uniform(min_days, max_days, k)
        self.phases = rng.uniform(0.0, 2 * np.pi, k)
        self.amp = np.sqrt(2.0 / k)

    def __call__(self, days: Array) -> Array:
        x = np.asarray(days, dtype=np.float64)[..., None]
        return np.asarray(self.amp * np.sin(2 * np.pi * x / self.periods + self.phases).sum(axis=-1))


@lru_cache(maxsize=8)
def regimes(seed: int) -> dict[str, Regime]:
    """The seed's regime curves (cheap; cached per process)."""
    return {
        "gas": Regime(seed, "gas", 10, 90),
        "carbon": Regime(seed, "carbon", 15, 120),
        "temperature": Regime(seed, "temperature", 3, 20),
        "wind": Regime(seed, "wind", 1.5, 8),
        "macro": Regime(seed, "macro", 60, 400),
    }


def hours_of(day: date) -> tuple[tuple[datetime, ...], tuple[int, ...]]:
    """UTC starts and local hours of a Brussels delivery day (23/24/25 on DST change days)."""
    start = datetime.combine(day, datetime.min.time(), TZ).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), TZ).astimezone(UTC)
    n = int((end - start) / timedelta(hours=1))
    starts = tuple(start + timedelta(hours=i) for i in range(n))
    return starts, tuple(s.astimezone(TZ).hour for s in starts)


def seasonal(day: date, peak_doy: float) -> float:
    """cos over the year, 1 on `peak_doy`."""
    return float(np.cos(2 * np.pi * (day.timetuple().tm_yday - peak_doy) / 365.25))


def load_shape(local_hours: Array) -> Array:
    """Relative demand by local hour: morning and evening peaks, night and solar-noon dips."""
    h = local_hours
    return np.asarray(
        0.15 * np.exp(-(((h - 8.5) / 2.0) ** 2))
        + 0.25 * np.exp(-(((h - 19.0) / 2.5) ** 2))
        - 0.12 * np.exp(-(((h - 3.5) / 2.5) ** 2))
        - 0.10 * np.exp(-(((h - 13.0) / 2.0) ** 2))
    )


def macro_value(seed: int, month: date, rng: np.random.Generator) -> float:
    """Monthly macro index: 0.2 %/month trend from 100 in 2015-01 plus a slow cycle and noise."""
    months = (month.year - 2015) * 12 + month.month - 1
    cycle = float(regimes(seed)["macro"](np.array([months * 30.44]))[0])
    return round(100.0 * 1.002**months + 2.0 * cycle + rng.normal(0.0, 0.3), 3)


def simulate_day(seed: int, day: date) -> SimDay:
    """Every simulated value of local delivery day `day`; a pure function of (seed, day)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, day.toordinal()]))
    reg = regimes(seed)
    starts, local_hours = hours_of(day)
    n = len(starts)
    x = np.array([(s - EPOCH) / timedelta(days=1) for s in starts])
    lh = np.array(local_hours, dtype=np.float64)
    day_x = np.array([(starts[0] - EPOCH) / timedelta(days=1)])

    gas = max(5.0, 35.0 + 8.0 * seasonal(day, 15) + 6.0 * float(reg["gas"](day_x)[0]) + rng.normal(0, 0.8))
    carbon = max(5.0, 70.0 + 8.0 * float(reg["carbon"](day_x)[0]) + rng.normal(0, 1.5))
    gas, carbon = round(gas, 3), round(carbon, 2)

    temperature: dict[str, Array] = {}
    wind: dict[str, Array] = {}
    base_t = (
        10.0
        - 9.0 * seasonal(day, 20)
        + 4.0 * reg["temperature"](x)
        - 4.0 * np.cos(2 * np.pi * (lh - 15) / 24)
    )
    base_w = 6.0 + 1.5 * seasonal(day, 15) + 3.0 * reg["wind"](x)
    for zone in ZONES:
        temperature[zone] = np.round(base_t + TEMP_OFFSET[zone] + rng.normal(0, 1.2, n), 2)
        gusty = WIND_SCALE[zone] * (base_w + rng.normal(0, 1.0, n))
        wind[zone] = np.asarray(np.round(np.clip(gusty, 0.0, 40.0), 2), dtype=np.float64)

    fuel = HEAT_RATE * gas + CARBON_INTENSITY * carbon
    shape = (0.6 + load_shape(lh)) * WEEKDAY_FACTOR[day.weekday()]
    own: dict[str, Array] = {}
    for zone in ZONES:
        t, w = temperature[zone], wind[zone]
        weather = HDD_COEF * np.maximum(0.0, 15.0 - t) + CDD_COEF * np.maximum(0.0, t - 22.0) + WIND_COEF * w
        own[zone] = fuel * shape + weather + ZONE_PREMIUM[zone] + rng.normal(0, 4.0, n)

    spikes = np.where(rng.random(n) < SPIKE_PROB, rng.uniform(150.0, 400.0, n), 0.0)
    low_demand = (day.weekday() >= 5) | ((lh >= 11) & (lh <= 15)) | (lh <= 5)
    price: dict[str, Array] = {}
    for zone in ZONES:
        coupled = (1 - COUPLING) * own[zone] + COUPLING * np.mean(
            [own[nb] for nb in NEIGHBOURS[zone]], axis=0
        )
        coupled = coupled + spikes * rng.uniform(0.5, 1.0, n)
        negative = (wind[zone] > 10.0) & low_demand & (rng.random(n) < 0.5)
        coupled = np.where(negative, -rng.uniform(0.5, 50.0, n), coupled)
        price[zone] = np.round(np.clip(coupled, PRICE_FLOOR, PRICE_CAP), 2)

    macro = (
        macro_value(seed, (day.replace(day=1) - timedelta(days=1)).replace(day=1), rng)
        if day.day == 15
        else None
    )
    return SimDay(day, starts, local_hours, price, temperature, wind, gas, carbon, macro)
