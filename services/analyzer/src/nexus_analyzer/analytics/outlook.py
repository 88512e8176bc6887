"""Next-week hourly outlook: hour-of-week profile + AutoReg on the deseasonalised residual.

The profile is the mean of each hour of the week over the training weeks (168 values); the
residual follows statsmodels AutoReg with lags 1, 2 and 24 and a constant, whose dynamic prediction
gives the 80 % and 95 % intervals. Fitting is ordinary least squares, a few milliseconds per market.

The backtest refits the same model for each of the trailing weeks and compares its MAE with the
seasonal naive forecast (the same hour one week earlier); rMAE < 1 means the model beats naive.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from nexus_analyzer.analytics.timeseries import interpolate

WEEK = 168
LAGS = [1, 2, 24]
MODEL = "hour-of-week profile + AutoReg(lags 1, 2, 24; constant)"


@dataclass(frozen=True)
class Forecast:
    mean: np.ndarray
    lower_80: np.ndarray
    upper_80: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray


def forecast_week(history: np.ndarray, horizon: int = WEEK) -> Forecast | None:
    """Forecast `horizon` hours after `history` (hourly, NaN gaps interpolated); None if < 3 weeks."""
    x = interpolate(history)
    if len(x) < 3 * WEEK or np.isnan(x).any():
        return None
    x = x[len(x) % WEEK :]  # whole weeks, so position i is hour-of-week i % 168 of the next week too
    profile = x.reshape(-1, WEEK).mean(axis=0)
    resid = x - np.tile(profile, len(x) // WEEK)
    from statsmodels.tsa.ar_model import AutoReg  # heavy: loaded after the lake rows are freed

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = AutoReg(resid, lags=LAGS, trend="c").fit()
        pred = res.get_prediction(start=len(x), end=len(x) + horizon - 1)
    seasonal = np.resize(profile, horizon)
    mean = np.asarray(pred.predicted_mean) + seasonal
    ci80 = np.asarray(pred.conf_int(alpha=0.2)) + seasonal[:, None]
    ci95 = np.asarray(pred.conf_int(alpha=0.05)) + seasonal[:, None]
    return Forecast(mean, ci80[:, 0], ci80[:, 1], ci95[:, 0], ci95[:, 1])


def backtest(series: np.ndarray, end: int, weeks: int, train_weeks: int) -> dict[str, float | None]:
    """MAE of the model and of seasonal naive over the `weeks` weeks ending at index `end`."""
    errs, naive_errs = [], []
    for k in range(weeks, 0, -1):
        stop = end - (k - 1) * WEEK
        start_test = stop - WEEK
        train = series[max(0, start_test - train_weeks * WEEK) : start_test]
        f = forecast_week(train)
        actual, naive = series[start_test:stop], series[start_test - WEEK : stop - WEEK]
        if f is None or len(actual) < WEEK:
            continue
        ok = ~(np.isnan(actual) | np.isnan(naive))
        errs.append(np.abs(f.mean[ok] - actual[ok]))
        naive_errs.append(np.abs(naive[ok] - actual[ok]))
    if not errs:
        return {"backtest_weeks": 0}
    mae, nmae = float(np.concatenate(errs).mean()), float(np.concatenate(naive_errs).mean())
    return {
        "backtest_weeks": len(errs),
        "backtest_mae": mae,
        "backtest_naive_mae": nmae,
        "backtest_rmae": mae / nmae if nmae > 0 else None,
    }
