"""Correlation matrices against pandas on real hourly data (EPF DE prices and forecasts, Munich weather)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nexus_analyzer.analysis import analyze, lookback_start
from nexus_analyzer.analytics.correlation import correlation_matrix, pearson_matrix, rolling_correlation
from nexus_analyzer.synthetic import series_table
from nexus_contracts.analysis import week_bounds

HOUR_US = 3_600_000_000
WEEK = "2017-W05"


def _hourly(shared_data: Path) -> pd.DataFrame:
    epf = pd.read_csv(shared_data / "epf" / "DE.csv", index_col=0, parse_dates=True)
    # EPF stamps are local market hours with 24 per day; read as UTC, which only shifts them.
    epf.index = epf.index.tz_localize("UTC")
    wx = pd.read_csv(
        shared_data / "weather-de-meteostat" / "munich_hourly_2016-2021.csv", index_col=0, parse_dates=True
    )
    wx.index = wx.index.tz_localize("UTC")
    df = epf.join(wx[["temp_muc", "wspd_muc"]], how="inner")
    start, end = lookback_start(WEEK, 90), week_bounds(WEEK)[1]
    return df[(df.index >= start) & (df.index < end)]


def _table(df: pd.DataFrame):
    starts = df.index.as_unit("us").asi8
    cols = {"day_ahead_price": "Price", "temperature": "temp_muc", "wind_speed": "wspd_muc"}
    import pyarrow as pa

    return pa.concat_tables(
        series_table(
            "x",
            ds,
            f"x:DE_LU:{ds}",
            "DE_LU",
            None,
            starts,
            HOUR_US,
            "PT60M",
            df[col].to_numpy(dtype=float),
            "EUR/MWh",
            int(starts.max()),
        )
        for ds, col in cols.items()
    )


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_week_and_trailing_matrices_match_pandas(shared_data: Path, method: str) -> None:
    # Given 90 days of real hourly price, temperature and wind
    df = _hourly(shared_data)
    # When the analyzer computes its correlation matrices
    mats = analyze(_table(df), WEEK, 90).sections["correlations"]
    # Then each equals pandas' matrix over the same window
    start, end = week_bounds(WEEK)
    windows = {"week": df[df.index >= start], "trailing_12w": df[df.index >= end - pd.Timedelta(weeks=12)]}
    for window, frame in windows.items():
        got = next(m for m in mats if m["method"] == method and m["window"] == window)
        assert got["series"] == ["DE_LU:price", "DE_LU:temperature", "DE_LU:wind"]
        want = frame[["Price", "temp_muc", "wspd_muc"]].corr(method=method).to_numpy()
        np.testing.assert_allclose(np.array(got["values"], dtype=float), want, rtol=1e-9, atol=1e-12)


def test_pairwise_complete_pearson_with_gaps_matches_pandas(shared_data: Path) -> None:
    # Given real series with holes punched in different places
    df = _hourly(shared_data)[["Price", "Ampirion Load Forecast", "temp_muc"]].copy()
    rng = np.random.default_rng(3)
    for col in df.columns:
        df.loc[df.sample(frac=0.2, random_state=int(rng.integers(1000))).index, col] = np.nan
    # When correlating with pairwise-complete observations
    got = pearson_matrix(df.to_numpy().T)
    # Then it equals pandas' pairwise-complete Pearson
    np.testing.assert_allclose(got, df.corr().to_numpy(), rtol=1e-9)


def test_spearman_handles_ties_like_scipy_average_ranks() -> None:
    # Given data with ties
    x = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    y = np.array([2.0, 1.0, 4.0, 3.0, 5.0, 5.0, 7.0, 6.0, 9.0, 8.0, 8.0])
    # When ranking-then-correlating
    got = correlation_matrix(np.stack([x, y]), "spearman")[0][1]
    # Then the result is pandas' Spearman (average ranks)
    assert got == pytest.approx(pd.Series(x).corr(pd.Series(y), method="spearman"), rel=1e-12)


def test_rolling_correlation_matches_pandas_rolling(shared_data: Path) -> None:
    # Given daily means of real price and temperature
    daily = _hourly(shared_data)[["Price", "temp_muc"]].resample("1D").mean()
    # When the trailing 28-day correlation is computed
    got = rolling_correlation(daily["Price"].to_numpy(), daily["temp_muc"].to_numpy(), 28)
    # Then it equals pandas' rolling correlation
    want = daily["Price"].rolling(28).corr(daily["temp_muc"]).to_numpy()
    np.testing.assert_allclose(got[27:], want[27:], rtol=1e-9)
