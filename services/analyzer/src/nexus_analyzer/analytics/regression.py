"""OLS of the daily base price on fuel, carbon, weather and weekday, with Newey-West (HAC) errors.

Heating degree-days are max(0, HDD_BASE - T) and cooling degree-days max(0, T - CDD_BASE) on the
daily mean temperature (°C). Weekday effects are dummies against Monday.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

WEEKDAYS = ("tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class RegressionResult:
    names: tuple[str, ...]
    params: np.ndarray
    bse: np.ndarray
    ci: np.ndarray  # (k, 2), 95 %
    pvalues: np.ndarray
    r_squared: float
    nobs: int
    hac_lags: int

    def coef(self, name: str) -> float:
        return float(self.params[self.names.index(name)])


def newey_west_lags(n: int) -> int:
    """The Newey-West (1994) plug-in bandwidth floor(4 * (n/100)^(2/9))."""
    return math.floor(4 * (n / 100.0) ** (2.0 / 9.0))


def design(
    gas: np.ndarray,
    carbon: np.ndarray,
    temperature: np.ndarray,
    wind: np.ndarray,
    weekday: np.ndarray,
    hdd_base: float,
    cdd_base: float,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Columns: const, gas, carbon, hdd, cdd, wind, weekday dummies; constant columns are dropped."""
    cols = {
        "const": np.ones_like(gas),
        "gas": gas,
        "carbon": carbon,
        "hdd": np.maximum(0.0, hdd_base - temperature),
        "cdd": np.maximum(0.0, temperature - cdd_base),
        "wind": wind,
    }
    for k, name in enumerate(WEEKDAYS, start=1):
        cols[name] = (weekday == k).astype(np.float64)
    keep = {n: c for n, c in cols.items() if n == "const" or np.nanstd(c) > 1e-9}
    return np.column_stack(list(keep.values())), tuple(keep)


def fit_hac(
    y: np.ndarray, x: np.ndarray, names: tuple[str, ...], lags: int | None = None
) -> RegressionResult | None:
    """OLS with HAC covariance (Bartlett kernel); rows with any NaN are dropped."""
    ok = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    n, k = int(ok.sum()), x.shape[1]
    if n < k + 5:
        return None
    lags = newey_west_lags(n) if lags is None else lags
    from statsmodels.regression.linear_model import OLS  # heavy: loaded after the lake rows are freed

    res = OLS(y[ok], x[ok]).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    return RegressionResult(
        names=names,
        params=np.asarray(res.params),
        bse=np.asarray(res.bse),
        ci=np.asarray(res.conf_int(0.05)),
        pvalues=np.asarray(res.pvalues),
        r_squared=float(res.rsquared),
        nobs=n,
        hac_lags=lags,
    )


def temperature_sensitivity(
    res: RegressionResult, temperature: float, hdd_base: float, cdd_base: float
) -> float:
    """dPrice/dT in EUR/MWh per °C at `temperature`.

    -beta_hdd below the HDD base, +beta_cdd above the CDD base, 0 in between."""
    if temperature < hdd_base and "hdd" in res.names:
        return -res.coef("hdd")
    if temperature > cdd_base and "cdd" in res.names:
        return res.coef("cdd")
    return 0.0
