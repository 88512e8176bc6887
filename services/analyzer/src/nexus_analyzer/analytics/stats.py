"""Weekly price statistics of one market, on local delivery days.

Peak is 08:00-20:00 local clock time on Monday-Friday (the EEX/EPEX convention, holidays not
excluded); off-peak is every other hour of the week. DST weeks have 167 or 169 hours.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nexus_analyzer.analytics.grid import HOUR_US, LocalCalendar, daily_mean

MAD_TO_SIGMA = 1.4826


def _f(x: float | np.floating) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def nanmean(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)]
    return _f(x.mean()) if x.size else None


def week_mask(cal: LocalCalendar, first_day: int, weeks: int = 1) -> np.ndarray:
    """Grid hours whose local delivery day falls in [first_day, first_day + 7*weeks)."""
    return (cal.day >= first_day) & (cal.day < first_day + 7 * weeks)


def peak_mask(cal: LocalCalendar) -> np.ndarray:
    return (cal.weekday < 5) & (cal.hour >= 8) & (cal.hour < 20)


def pct_change(now: float | None, before: float | None) -> float | None:
    """Percent change; None when either side is missing or the base is within 1 EUR/MWh of zero."""
    if now is None or before is None or abs(before) < 1.0:
        return None
    return (now - before) / abs(before) * 100.0


def robust_threshold(history: np.ndarray, z: float) -> float | None:
    """median + z * 1.4826 * MAD of the finite history values."""
    h = history[~np.isnan(history)]
    if h.size < 24:
        return None
    med = float(np.median(h))
    return med + z * MAD_TO_SIGMA * float(np.median(np.abs(h - med)))


def asinh_volatility(daily_base: np.ndarray) -> float | None:
    """Std of day-on-day changes of asinh(price), annualised with sqrt(365); NaN days are skipped."""
    y = np.arcsinh(daily_base)
    d = np.diff(y)
    d = d[~np.isnan(d)]
    return _f(d.std(ddof=1) * math.sqrt(365.0)) if d.size >= 3 else None


def weekly_stats(
    price: np.ndarray, cal: LocalCalendar, first_day: int, origin_us: int, spike_z: float, vol_days: int
) -> dict[str, Any]:
    """The WeeklyStats fields (without area and series id) for the week starting on local day `first_day`."""
    in_week = week_mask(cal, first_day)
    p = np.where(in_week, price, np.nan)
    have = ~np.isnan(p)
    out: dict[str, Any] = {"hours": int(have.sum())}
    if not have.any():
        return out
    vals = p[have]
    peak = in_week & peak_mask(cal)
    out["base"] = nanmean(p)
    out["peak"] = nanmean(np.where(peak, price, np.nan))
    out["offpeak"] = nanmean(np.where(in_week & ~peak, price, np.nan))
    i_min, i_max = int(np.nanargmin(p)), int(np.nanargmax(p))
    out["min"], out["min_at_us"] = float(p[i_min]), origin_us + i_min * HOUR_US
    out["max"], out["max_at_us"] = float(p[i_max]), origin_us + i_max * HOUR_US
    out["std"] = _f(vals.std(ddof=1)) if vals.size > 1 else None
    out["p5"], out["p95"] = (float(q) for q in np.percentile(vals, [5, 95]))
    out["negative_hours"] = int((vals < 0).sum())
    history = price[week_mask(cal, first_day - 84, weeks=12)]
    threshold = robust_threshold(history, spike_z)
    out["spike_threshold"] = threshold
    out["spike_hours"] = int((vals > threshold).sum()) if threshold is not None else 0
    prev = nanmean(price[week_mask(cal, first_day - 7)])
    last_year = nanmean(price[week_mask(cal, first_day - 364)])
    out["wow_base_change_pct"] = pct_change(out["base"], prev)
    out["yoy_base_change_pct"] = pct_change(out["base"], last_year)
    days, base = daily_mean(price, cal)
    window = (days >= first_day + 7 - vol_days) & (days < first_day + 7)
    out["volatility_asinh"] = asinh_volatility(base[window])
    return out


def hourly_profile(price: np.ndarray, cal: LocalCalendar, first_day: int) -> tuple[float | None, ...]:
    """Mean price by local clock hour 0..23 over the week starting at `first_day`."""
    in_week = week_mask(cal, first_day) & ~np.isnan(price)
    sums = np.bincount(cal.hour[in_week], weights=price[in_week], minlength=24)
    counts = np.bincount(cal.hour[in_week], minlength=24)
    return tuple(float(s / c) if c else None for s, c in zip(sums, counts, strict=True))
