"""Weekly statistics on real hourly prices across DST weeks, against an independent pandas computation.

OPSD's GB extract carries UTC stamps and the GB day-ahead price; GB delivery days are Europe/London
days, so 2020-W13 (spring forward, 29 March 2020) has 167 hours and 2019-W43 (fall back,
27 October 2019) has 169.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nexus_analyzer.analysis import analyze, lookback_start
from nexus_analyzer.synthetic import series_table
from nexus_contracts.analysis import parse_week, week_bounds

HOUR_US = 3_600_000_000


def _gb_prices(shared_data: Path) -> pd.DataFrame:
    df = pd.read_csv(
        shared_data / "opsd" / "opsd_time_series_60min_GB_2019-10_2020-09.csv",
        usecols=["utc_timestamp", "GB_GBN_price_day_ahead"],
    )
    df["utc"] = pd.to_datetime(df["utc_timestamp"], utc=True)
    return df.dropna(subset=["GB_GBN_price_day_ahead"]).rename(columns={"GB_GBN_price_day_ahead": "price"})


def _table(df: pd.DataFrame):
    starts = df["utc"].dt.as_unit("us").astype("int64").to_numpy()
    return series_table(
        "entsoe",
        "day_ahead_price",
        "entsoe:GB:day_ahead_price",
        "GB",
        None,
        starts,
        HOUR_US,
        "PT60M",
        df["price"].to_numpy(dtype=float),
        "EUR/MWh",
        int(starts.max()),
    )


def _expected(df: pd.DataFrame, week: str) -> dict[str, float]:
    local = df.assign(local=df["utc"].dt.tz_convert("Europe/London"))
    monday = parse_week(week)
    days = local["local"].dt.date
    wk = local[(days >= monday) & (days < monday + timedelta(days=7))]
    hour, weekday = wk["local"].dt.hour, wk["local"].dt.day_of_week
    peak = (weekday < 5) & (hour >= 8) & (hour < 20)
    return {
        "hours": len(wk),
        "base": wk["price"].mean(),
        "peak": wk.loc[peak, "price"].mean(),
        "offpeak": wk.loc[~peak, "price"].mean(),
        "min": wk["price"].min(),
        "max": wk["price"].max(),
        "std": wk["price"].std(ddof=1),
        "p5": float(np.percentile(wk["price"], 5)),
        "p95": float(np.percentile(wk["price"], 95)),
        "negative_hours": int((wk["price"] < 0).sum()),
        "max_at": wk.loc[wk["price"].idxmax(), "utc"],
    }


@pytest.mark.parametrize(("week", "hours"), [("2020-W13", 167), ("2019-W43", 169), ("2020-W05", 168)])
def test_base_peak_offpeak_on_dst_weeks_match_pandas(shared_data: Path, week: str, hours: int) -> None:
    # Given real GB prices with UTC stamps around a DST change
    df = _gb_prices(shared_data)
    start, end = lookback_start(week, 14), week_bounds(week)[1] + timedelta(days=1)
    df = df[(df["utc"] >= start) & (df["utc"] < end)]
    # When the analyzer computes the week's statistics
    stats = analyze(_table(df), week, 14).sections["stats"][0]
    # Then they equal the independent local-day computation, with the DST week's true hour count
    want = _expected(df, week)
    # (OPSD lacks a few GB hours, so present hours are at most the week's length)
    assert stats["hours"] == want["hours"] <= hours
    assert want["hours"] >= hours - 4
    for key in ("base", "peak", "offpeak", "min", "max", "std", "p5", "p95"):
        assert stats[key] == pytest.approx(want[key], rel=1e-9), key
    assert stats["negative_hours"] == want["negative_hours"]
    assert stats["max_at"] == want["max_at"].to_pydatetime()


def test_week_on_week_change_uses_previous_local_week(shared_data: Path) -> None:
    # Given two consecutive weeks of real prices
    df = _gb_prices(shared_data)
    week = "2020-W10"
    start, end = lookback_start(week, 21), week_bounds(week)[1] + timedelta(days=1)
    df = df[(df["utc"] >= start) & (df["utc"] < end)]
    # When the analyzer computes the week-on-week change of the base price
    stats = analyze(_table(df), week, 21).sections["stats"][0]
    # Then it is the percent change between the two pandas weekly means
    now, before = _expected(df, week)["base"], _expected(df, "2020-W09")["base"]
    assert stats["wow_base_change_pct"] == pytest.approx((now - before) / abs(before) * 100, rel=1e-9)
