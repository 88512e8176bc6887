"""Anomalous hours: robust z-scores of residuals against the hour-of-week median of trailing weeks."""

from __future__ import annotations

import numpy as np

from nexus_analyzer.analytics.stats import MAD_TO_SIGMA

WEEK = 168


def robust_residual_z(series: np.ndarray, week_start: int, weeks: int) -> np.ndarray:
    """z of each hour of the week at `week_start`: (residual - median) / (1.4826 MAD) of the
    trailing weeks' residuals, where residual = value - median of the same hour in the `weeks`
    preceding weeks."""
    if week_start < (weeks + 1) * WEEK:
        return np.full(WEEK, np.nan)
    stack = np.stack(
        [series[week_start - k * WEEK : week_start - (k - 1) * WEEK] for k in range(1, weeks + 1)]
    )
    expected = np.nanmedian(stack, axis=0)
    history = stack - expected
    med = np.nanmedian(history)
    mad = np.nanmedian(np.abs(history - med)) * MAD_TO_SIGMA
    resid = series[week_start : week_start + WEEK] - expected
    if not np.isfinite(mad) or mad <= 1e-9:
        return np.full(WEEK, np.nan)
    return (resid - med) / mad
