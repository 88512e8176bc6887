"""Pearson and Spearman correlation matrices with pairwise-complete observations, and rolling correlation."""

from __future__ import annotations

import numpy as np

MIN_PAIRS = 10


def _ranks(rows: np.ndarray) -> np.ndarray:
    """Average ranks of each row over its own finite values (NaN stays NaN)."""
    from scipy.stats import rankdata  # heavy: loaded after the lake rows are freed

    out = np.full_like(rows, np.nan)
    for i, x in enumerate(rows):
        ok = ~np.isnan(x)
        out[i, ok] = rankdata(x[ok])
    return out


def pearson_matrix(rows: np.ndarray) -> np.ndarray:
    """Pearson r of every pair of rows over the observations both have (NaN if fewer than MIN_PAIRS)."""
    mask = (~np.isnan(rows)).astype(np.float64)
    x = np.where(mask > 0, rows, 0.0)
    n = mask @ mask.T
    sx = x @ mask.T  # sum of row i over the observations row j also has
    sxx = (x * x) @ mask.T
    sxy = x @ x.T
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n
        r = cov / np.sqrt(var_i * var_i.T)
    r[(n < MIN_PAIRS) | ~np.isfinite(r)] = np.nan
    return np.clip(r, -1.0, 1.0)


def correlation_matrix(rows: np.ndarray, method: str) -> tuple[tuple[float | None, ...], ...]:
    """Matrix over the rows of `rows` (series x observations); NaNs are dropped pairwise.

    Spearman is Pearson of average ranks; each series is ranked over its own observations, which is
    the textbook definition whenever the series share their observation times.
    """
    r = pearson_matrix(_ranks(rows) if method == "spearman" else rows)
    return tuple(tuple(None if np.isnan(v) else float(v) for v in row) for row in r)


def rolling_correlation(x: np.ndarray, y: np.ndarray, window: int) -> np.ndarray:
    """Pearson over each trailing window of `window` points ending at every index (NaN if too few)."""
    out = np.full(len(x), np.nan)
    for end in range(window, len(x) + 1):
        out[end - 1] = pearson_matrix(np.stack([x[end - window : end], y[end - window : end]]))[0, 1]
    return out
