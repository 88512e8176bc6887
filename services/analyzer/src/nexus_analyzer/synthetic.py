"""A synthetic market with known generating equations, for benchmarks and analytics tests.

price = 15 + 1.6 * gas + 0.35 * carbon + 1.2 * HDD(15.5 °C) - 1.5 * wind + daily/weekly shape + AR(1) noise
(EUR/MWh; gas in EUR/MWh, carbon in EUR/t, wind in m/s, temperature in °C). Gas and carbon are
daily random walks shared by every area; weather is per area.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa

from nexus_core.lake_schema import OBSERVATION_SCHEMA

HOUR_US = 3_600_000_000
TRUE_COEFFICIENTS = {"gas": 1.6, "carbon": 0.35, "hdd": 1.2, "wind": -1.5}


def series_table(
    source: str,
    dataset: str,
    sid: str,
    area: str | None,
    loc: str | None,
    starts: np.ndarray,
    step_us: int,
    resolution: str,
    values: np.ndarray,
    unit: str,
    publish_us: int,
) -> pa.Table:
    n = len(starts)
    ts = pa.timestamp("us", tz="UTC")
    cols = {
        "source": pa.array([source] * n, pa.string()),
        "dataset": pa.array([dataset] * n, pa.string()),
        "series_id": pa.array([sid] * n, pa.string()),
        "area": pa.array([area] * n, pa.string()),
        "location": pa.array([loc] * n, pa.string()),
        "interval_start_utc": pa.array(starts, pa.int64()).cast(ts),
        "interval_end_utc": pa.array(starts + step_us, pa.int64()).cast(ts),
        "resolution": pa.array([resolution] * n, pa.string()),
        "value": pa.array(values, pa.float64()),
        "unit": pa.array([unit] * n, pa.string()),
        "publish_time_utc": pa.array(np.full(n, publish_us), pa.int64()).cast(ts),
        "quality": pa.array(["measured"] * n, pa.string()),
    }
    return pa.Table.from_pydict(cols, schema=OBSERVATION_SCHEMA)


def _mean_reverting(
    rng: np.random.Generator, n: int, level: float, sd: float, phi: float = 0.97
) -> np.ndarray:
    """A daily AR(1) around `level` (a settlement price that wanders but does not drift away)."""
    out = np.empty(n)
    x = 0.0
    for i, e in enumerate(rng.normal(0.0, sd, n)):
        x = phi * x + e
        out[i] = level + x
    return out


def synthetic_market(areas: list[str], start: datetime, end: datetime, seed: int = 7) -> pa.Table:
    """Hourly prices, temperature and wind per area plus daily gas and carbon over [start, end)."""
    rng = np.random.default_rng(seed)
    s_us, e_us = int(start.timestamp()) * 1_000_000, int(end.timestamp()) * 1_000_000
    hours = np.arange(s_us, e_us, HOUR_US, dtype=np.int64)
    h = (hours // HOUR_US).astype(np.float64)
    days = np.arange(s_us - s_us % (24 * HOUR_US), e_us, 24 * HOUR_US, dtype=np.int64)
    gas_d = _mean_reverting(rng, len(days), level=35.0, sd=1.2)
    carbon_d = _mean_reverting(rng, len(days), level=70.0, sd=1.5)
    day_of_hour = (hours - days[0]) // (24 * HOUR_US)
    gas, carbon = gas_d[day_of_hour], carbon_d[day_of_hour]
    publish = e_us
    parts = [
        series_table(
            "sim",
            "gas_price",
            "sim:TTF:gas_price",
            None,
            "TTF",
            days,
            24 * HOUR_US,
            "P1D",
            gas_d,
            "EUR/MWh",
            publish,
        ),
        series_table(
            "sim",
            "carbon_price",
            "sim:EUA:carbon_price",
            None,
            "EUA",
            days,
            24 * HOUR_US,
            "P1D",
            carbon_d,
            "EUR/t",
            publish,
        ),
    ]
    doy = 2 * np.pi * (h / 24.0) / 365.25
    hod = 2 * np.pi * (h % 24) / 24.0
    dow = ((h // 24 + 3) % 7 >= 5).astype(np.float64)
    for k, area in enumerate(areas):
        temp = 10 - 9 * np.cos(doy) + 4 * np.sin(hod - 2.0) + rng.normal(0, 1.5, len(h)) + k * 0.2
        wind = np.abs(6 + 3 * np.sin(doy * 3 + k) + rng.gamma(2.0, 1.5, len(h)) - 3)
        noise = np.zeros(len(h))
        eps = rng.normal(0, 4.0, len(h))
        for i in range(1, len(h)):
            noise[i] = 0.7 * noise[i - 1] + eps[i]
        price = (
            15
            + 1.6 * gas
            + 0.35 * carbon
            + 1.2 * np.maximum(0, 15.5 - temp)
            - 1.5 * wind
            + 12 * np.sin(hod - 1.5)
            - 8 * dow
            + noise
        )
        parts += [
            series_table(
                "sim",
                "day_ahead_price",
                f"sim:{area}:day_ahead_price",
                area,
                None,
                hours,
                HOUR_US,
                "PT60M",
                price,
                "EUR/MWh",
                publish,
            ),
            series_table(
                "sim",
                "temperature",
                f"sim:{area}:temperature",
                area,
                None,
                hours,
                HOUR_US,
                "PT60M",
                temp,
                "degC",
                publish,
            ),
            series_table(
                "sim",
                "wind_speed",
                f"sim:{area}:wind_speed",
                area,
                None,
                hours,
                HOUR_US,
                "PT60M",
                wind,
                "m/s",
                publish,
            ),
        ]
    return pa.concat_tables(parts)
