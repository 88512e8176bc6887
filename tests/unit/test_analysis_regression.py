"""OLS coefficients and Newey-West errors against an independent numpy implementation, on real daily data;
and the signs the simulated market's equations put in."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from nexus_analyzer.analysis import analyze, lookback_start
from nexus_analyzer.analytics.regression import design, fit_hac, newey_west_lags
from nexus_analyzer.synthetic import series_table
from nexus_contracts.analysis import week_bounds


def _daily(shared_data: Path) -> pd.DataFrame:
    epf = pd.read_csv(shared_data / "epf" / "DE.csv", index_col=0, parse_dates=True)
    base = epf["Price"].resample("1D").mean()
    wx = pd.read_csv(
        shared_data / "weather-de-meteostat" / "munich_hourly_2016-2021.csv", index_col=0, parse_dates=True
    )
    temp, wind = wx["temp_muc"].resample("1D").mean(), wx["wspd_muc"].resample("1D").mean()
    eua = pd.read_csv(shared_data / "fuel-carbon-prices" / "eu_ets_eua_auction_prices_instrat.csv")
    eua["date"] = pd.to_datetime(eua["date"], format="%d.%m.%Y")
    carbon = eua.groupby("date")["price"].mean().resample("1D").mean().ffill()
    gas = pd.read_csv(
        shared_data / "fuel-carbon-prices" / "henry-hub-daily.csv", index_col=0, parse_dates=True
    )["Price"]
    gas = gas.resample("1D").mean().ffill()
    df = pd.DataFrame({"base": base, "temp": temp, "wind": wind, "carbon": carbon, "gas": gas}).dropna()
    return df.loc["2016-01-01":"2017-12-31"]


def _newey_west(y: np.ndarray, x: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """Textbook OLS + Bartlett-kernel HAC covariance with the n/(n-k) small-sample factor."""
    n, k = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    u = x * (y - x @ beta)[:, None]
    s = u.T @ u
    for lag in range(1, lags + 1):
        g = u[lag:].T @ u[:-lag]
        s += (1 - lag / (lags + 1)) * (g + g.T)
    cov = xtx_inv @ s @ xtx_inv * n / (n - k)
    return beta, np.sqrt(np.diag(cov))


def test_ols_coefficients_and_hac_errors_match_independent_formula(shared_data: Path) -> None:
    # Given two years of real daily German prices, Munich weather, EUA and gas prices
    df = _daily(shared_data)
    weekday = df.index.dayofweek.to_numpy()
    x, names = design(
        df["gas"].to_numpy(),
        df["carbon"].to_numpy(),
        df["temp"].to_numpy(),
        df["wind"].to_numpy(),
        weekday,
        15.5,
        22.0,
    )
    # When fitted with HAC errors
    res = fit_hac(df["base"].to_numpy(), x, names)
    assert res is not None
    # Then coefficients and standard errors equal the textbook Newey-West computation
    beta, se = _newey_west(df["base"].to_numpy(), x, newey_west_lags(len(df)))
    assert res.hac_lags == newey_west_lags(len(df)) == int(4 * (len(df) / 100) ** (2 / 9))
    np.testing.assert_allclose(res.params, beta, rtol=1e-8)
    np.testing.assert_allclose(res.bse, se, rtol=1e-8)
    assert names[:6] == ("const", "gas", "carbon", "hdd", "cdd", "wind")
    # and the real market shows the expected heating and wind effects
    assert res.coef("hdd") > 0
    assert res.coef("wind") < 0


def test_simulated_market_regression_recovers_the_generating_signs() -> None:
    # Given the built-in simulated market (services/collector-sim) over about 20 weeks
    from nexus_collector_sim.model import simulate_day

    week = "2024-W20"
    first = lookback_start(week, 140).date()
    last = week_bounds(week)[1].date()
    rows = []
    for k in range((last - first).days + 1):
        sim = simulate_day(7, first + timedelta(days=k))
        starts = np.array([int(t.timestamp()) * 1_000_000 for t in sim.starts_utc])
        day_start = starts[0]
        for area in ("DE_LU", "FR"):
            for ds, vals, unit in (
                ("day_ahead_price", sim.price[area], "EUR/MWh"),
                ("temperature", sim.temperature[area], "degC"),
                ("wind_speed", sim.wind[area], "m/s"),
            ):
                rows.append(
                    series_table(
                        "sim",
                        ds,
                        f"sim:{area}:{ds}",
                        area,
                        None,
                        starts,
                        3_600_000_000,
                        "PT60M",
                        np.asarray(vals, dtype=float),
                        unit,
                        int(starts[-1]),
                    )
                )
        span = 24 * 3_600_000_000
        for ds, v, loc, unit in (
            ("gas_price", sim.gas, "TTF", "EUR/MWh"),
            ("carbon_price", sim.carbon, "EUA", "EUR/t"),
        ):
            rows.append(
                series_table(
                    "sim",
                    ds,
                    f"sim:{loc}:{ds}",
                    None,
                    loc,
                    np.array([day_start]),
                    span,
                    "P1D",
                    np.array([v]),
                    unit,
                    int(day_start),
                )
            )
    # When the weekly analysis runs its regression
    regs = analyze(pa.concat_tables(rows), week, 140).sections["regressions"]
    # Then gas and carbon raise the price and wind lowers it, in every market
    assert {r["area"] for r in regs} == {"DE_LU", "FR"}
    for r in regs:
        coef = {c["name"]: c["estimate"] for c in r["coefficients"]}
        assert coef["gas"] > 0, r["area"]
        assert coef["carbon"] > 0, r["area"]
        assert coef["wind"] < 0, r["area"]
    assert date.fromisoformat("2024-05-13") == week_bounds(week)[0].date() + timedelta(days=1)


def test_temperature_sensitivity_is_minus_hdd_coefficient_in_a_cold_week() -> None:
    # Given the synthetic market (known HDD coefficient 1.2) in a winter week
    from nexus_analyzer.synthetic import TRUE_COEFFICIENTS, synthetic_market

    week = "2024-W04"
    table = synthetic_market(["DE_LU"], lookback_start(week, 300), week_bounds(week)[1])
    # When the regression runs
    reg = analyze(table, week, 300).sections["regressions"][0]
    # Then the sensitivity is the negative HDD coefficient, close to the true one
    hdd = next(c for c in reg["coefficients"] if c["name"] == "hdd")
    assert reg["temperature_sensitivity_eur_mwh_per_degc"] == pytest.approx(-hdd["estimate"])
    assert hdd["ci_low"] < TRUE_COEFFICIENTS["hdd"] < hdd["ci_high"]
