"""MSTL decomposition (24 h and 168 h), ADF and KPSS stationarity tests, Granger causality gas -> power."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np


def _f(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def interpolate(x: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaN gaps (edges take the nearest value)."""
    ok = ~np.isnan(x)
    if ok.all() or not ok.any():
        return x
    idx = np.arange(len(x))
    return np.interp(idx, idx[ok], x[ok])


def mstl_summary(hourly: np.ndarray, week_hours: int) -> dict[str, float | None]:
    """Amplitudes (max - min) of the daily and weekly seasonal components over the last week, and the
    change of the trend across it. Needs at least two weeks of hourly data."""
    x = interpolate(hourly)
    if len(x) < 2 * 168 or np.isnan(x).any():
        return {}
    # statsmodels (with pandas and scipy.stats, ~150 MB) loads only once the lake rows are freed
    from statsmodels.tsa.seasonal import MSTL

    res = MSTL(x, periods=(24, 168), stl_kwargs={"robust": False}).fit()
    seasonal = np.asarray(res.seasonal)
    daily, weekly = seasonal[-week_hours:, 0], seasonal[-week_hours:, 1]
    trend = np.asarray(res.trend)[-week_hours:]
    return {
        "daily_seasonal_amplitude": _f(daily.max() - daily.min()),
        "weekly_seasonal_amplitude": _f(weekly.max() - weekly.min()),
        "trend_change_week": _f(trend[-1] - trend[0]),
    }


def stationarity(daily: np.ndarray) -> dict[str, float | None]:
    """ADF (constant, AIC lag choice) and KPSS (level, automatic lags) on the daily base series."""
    y = daily[~np.isnan(daily)]
    if y.size < 20:
        return {}
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import adfuller, kpss

    adf = adfuller(y, autolag="AIC")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InterpolationWarning)  # p-value outside the table: bounded
        k = kpss(y, regression="c", nlags="auto")
    return {
        "adf_stat": _f(adf[0]),
        "adf_p_value": _f(adf[1]),
        "kpss_stat": _f(k[0]),
        "kpss_p_value": _f(k[1]),
    }


def granger_gas_to_power(power: np.ndarray, gas: np.ndarray, lags: int) -> float | None:
    """p-value of the SSR F test that lagged daily gas changes help predict daily power changes."""
    ok = ~(np.isnan(power) | np.isnan(gas))
    dp, dg = np.diff(power[ok]), np.diff(gas[ok])
    if dp.size < 10 * lags or np.std(dg) < 1e-9:
        return None
    from statsmodels.tsa.stattools import grangercausalitytests

    res = grangercausalitytests(np.column_stack([dp, dg]), maxlag=[lags])
    return _f(res[lags][0]["ssr_ftest"][1])
