"""Run every analytic for one ISO week over the aligned panel; returns plain model fragments."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from nexus_analyzer.analytics import anomalies, correlation, outlook, regression, spreads, stats, timeseries
from nexus_analyzer.analytics.grid import HOUR_US, daily_mean
from nexus_analyzer.analytics.panel import Market, Panel, forward_fill


@dataclass(frozen=True)
class Parameters:
    """Every window and threshold of the analysis; printed in the report's methodology page."""

    spike_robust_z: float = 3.0
    volatility_days: int = 30
    hdd_base_c: float = 15.5
    cdd_base_c: float = 22.0
    correlation_trailing_weeks: int = 12
    rolling_correlation_days: int = 28
    mstl_weeks: int = 4
    outlook_train_weeks: int = 8
    backtest_weeks: int = 4
    anomaly_weeks: int = 4
    anomaly_z: float = 4.0
    granger_lags: int = 2
    settlement_fill_hours: int = 96
    spread: spreads.SpreadParameters = field(default_factory=spreads.SpreadParameters)

    def as_dict(self) -> dict[str, float | str]:
        out: dict[str, float | str] = {k: v for k, v in asdict(self).items() if k != "spread"}
        out.update({f"spread_{k}": v for k, v in self.spread.as_dict().items()})
        out["outlook_model"] = outlook.MODEL
        out["regression"] = "OLS, HAC (Bartlett, Newey-West plug-in lags), 95 % intervals"
        return out


def _ts(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, tz=UTC)


@dataclass
class Context:
    panel: Panel
    first_day: int  # local day number of the week's Monday
    week_start_idx: int  # grid hour of the week's start (UTC)
    week_hours: int
    params: Parameters

    def commodity(self, series_id: str | None) -> np.ndarray | None:
        v = self.panel.values(series_id)
        return None if v is None else forward_fill(v, self.params.settlement_fill_hours)


def market_stats(ctx: Context, m: Market) -> dict[str, Any]:
    price = ctx.panel.values(m.price_id)
    assert price is not None
    s = stats.weekly_stats(
        price,
        m.calendar,
        ctx.first_day,
        ctx.panel.grid.origin_us,
        ctx.params.spike_robust_z,
        ctx.params.volatility_days,
    )
    for key in ("min_at", "max_at"):
        if f"{key}_us" in s:
            s[key] = _ts(s.pop(f"{key}_us"))
    s.pop("spike_threshold", None)
    return {"area": m.area, "series_id": m.price_id, **s}


def market_daily(ctx: Context, m: Market) -> dict[str, np.ndarray]:
    """Daily (local-day) arrays over the whole lookback: days, base, gas, carbon, temperature, wind."""
    price = ctx.panel.values(m.price_id)
    assert price is not None
    days, base = daily_mean(price, m.calendar)
    out = {"days": days, "base": base}
    for name, sid in (("temperature", m.temperature_id), ("wind", m.wind_id)):
        v = ctx.panel.values(sid)
        out[name] = daily_mean(v, m.calendar)[1] if v is not None else np.full(len(days), np.nan)
    for name, sid in (("gas", ctx.panel.gas_id), ("carbon", ctx.panel.carbon_id)):
        v = ctx.commodity(sid)
        out[name] = daily_mean(v, m.calendar)[1] if v is not None else np.full(len(days), np.nan)
    out["weekday"] = (days + 3) % 7
    out["until_week_end"] = days < ctx.first_day + 7
    return out


def market_regression(ctx: Context, area: str, d: dict[str, np.ndarray]) -> dict[str, Any] | None:
    p = ctx.params
    x, names = regression.design(
        d["gas"], d["carbon"], d["temperature"], d["wind"], d["weekday"], p.hdd_base_c, p.cdd_base_c
    )
    sel = d["until_week_end"]
    res = regression.fit_hac(d["base"][sel], x[sel], names)
    if res is None:
        return None
    week_t = stats.nanmean(d["temperature"][(d["days"] >= ctx.first_day) & sel])
    coefs = [
        {
            "name": n,
            "estimate": float(res.params[i]),
            "std_error": float(res.bse[i]),
            "ci_low": float(res.ci[i, 0]),
            "ci_high": float(res.ci[i, 1]),
            "p_value": float(res.pvalues[i]),
        }
        for i, n in enumerate(res.names)
    ]
    sens = (
        None
        if week_t is None
        else regression.temperature_sensitivity(res, week_t, p.hdd_base_c, p.cdd_base_c)
    )
    return {
        "area": area,
        "observations": res.nobs,
        "r_squared": res.r_squared,
        "hac_lags": res.hac_lags,
        "coefficients": coefs,
        "temperature_sensitivity_eur_mwh_per_degc": sens,
    }


def market_spreads(ctx: Context, m: Market) -> dict[str, Any]:
    price = ctx.panel.values(m.price_id)
    gas, carbon = ctx.commodity(ctx.panel.gas_id), ctx.commodity(ctx.panel.carbon_id)
    coal, fx = ctx.commodity(ctx.panel.coal_id), ctx.commodity(ctx.panel.fx_id)
    assert price is not None
    out: dict[str, Any] = {"area": m.area}
    if carbon is None:
        return out
    sp = ctx.params.spread
    in_week = stats.week_mask(m.calendar, ctx.first_day)
    peak = in_week & stats.peak_mask(m.calendar)
    series: dict[str, np.ndarray] = {}
    if gas is not None:
        series["spark"] = spreads.clean_spark(price, gas, carbon, sp)
    if coal is not None:
        rate = fx if fx is not None else np.full_like(coal, sp.usd_per_eur_default)
        series["dark"] = spreads.clean_dark(price, spreads.coal_eur_per_mwh_th(coal, rate, sp), carbon, sp)
    for name, v in series.items():
        out[f"clean_{name}_base"] = stats.nanmean(np.where(in_week, v, np.nan))
        out[f"clean_{name}_peak"] = stats.nanmean(np.where(peak, v, np.nan))
        days, daily = daily_mean(v, m.calendar)
        week_days = daily[(days >= ctx.first_day) & (days < ctx.first_day + 7)]
        out[f"daily_clean_{name}"] = [stats._f(x) for x in week_days]
    return out


def market_diagnostics(ctx: Context, m: Market, d: dict[str, np.ndarray]) -> dict[str, Any]:
    price = ctx.panel.values(m.price_id)
    assert price is not None
    end = ctx.week_start_idx + ctx.week_hours
    recent = price[max(0, end - ctx.params.mstl_weeks * 168) : end]
    sel = d["until_week_end"]
    out: dict[str, Any] = {"area": m.area, "granger_lags": ctx.params.granger_lags}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out.update(timeseries.mstl_summary(recent, ctx.week_hours))
        out.update(timeseries.stationarity(d["base"][sel]))
        out["granger_gas_p_value"] = timeseries.granger_gas_to_power(
            d["base"][sel], d["gas"][sel], ctx.params.granger_lags
        )
    return out


def market_outlook(ctx: Context, m: Market) -> dict[str, Any] | None:
    price = ctx.panel.values(m.price_id)
    assert price is not None
    p = ctx.params
    end = ctx.week_start_idx + ctx.week_hours
    f = outlook.forecast_week(price[max(0, end - p.outlook_train_weeks * 168) : end])
    if f is None:
        return None
    bt = outlook.backtest(price, end, p.backtest_weeks, p.outlook_train_weeks)
    return {
        "area": m.area,
        "model": outlook.MODEL,
        "start_utc": _ts(ctx.panel.grid.origin_us + end * HOUR_US),
        "mean": [round(float(v), 4) for v in f.mean],
        "lower_80": [round(float(v), 4) for v in f.lower_80],
        "upper_80": [round(float(v), 4) for v in f.upper_80],
        "lower_95": [round(float(v), 4) for v in f.lower_95],
        "upper_95": [round(float(v), 4) for v in f.upper_95],
        "expected_base": float(np.mean(f.mean)),
        **bt,
    }


def market_anomalies(ctx: Context, m: Market) -> list[dict[str, Any]]:
    price = ctx.panel.values(m.price_id)
    assert price is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        z = anomalies.robust_residual_z(price, ctx.week_start_idx, ctx.params.anomaly_weeks)
    hits = np.where(np.abs(np.nan_to_num(z)) >= ctx.params.anomaly_z)[0]
    ranked = sorted(hits, key=lambda i: -abs(z[i]))[:10]
    return [
        {
            "area": m.area,
            "at": _ts(ctx.panel.grid.origin_us + (ctx.week_start_idx + int(i)) * HOUR_US),
            "value": float(price[ctx.week_start_idx + int(i)]),
            "robust_z": float(z[i]),
        }
        for i in sorted(ranked)
    ]


def correlation_block(ctx: Context) -> list[dict[str, Any]]:
    """Matrices over the hourly grid (week and trailing weeks, Pearson and Spearman)."""
    labels, rows = [], []
    for m in ctx.panel.markets:
        for name, sid in (("price", m.price_id), ("temperature", m.temperature_id), ("wind", m.wind_id)):
            v = ctx.panel.values(sid)
            if v is not None:
                labels.append(f"{m.area}:{name}")
                rows.append(v)
    for name, sid in (("gas", ctx.panel.gas_id), ("carbon", ctx.panel.carbon_id)):
        v = ctx.commodity(sid)
        if v is not None:
            labels.append(name)
            rows.append(v)
    mats = []
    if rows:
        data = np.stack(rows)
        end = ctx.week_start_idx + ctx.week_hours
        trailing = ctx.params.correlation_trailing_weeks * 168
        for window, lo in (("week", ctx.week_start_idx), ("trailing_12w", max(0, end - trailing))):
            block = data[:, lo:end]
            for method in ("pearson", "spearman"):
                mats.append(
                    {
                        "method": method,
                        "window": window,
                        "series": labels,
                        "values": correlation.correlation_matrix(block, method),
                        "observations": int((~np.isnan(block).any(axis=0)).sum()),
                    }
                )
    return mats


def rolling_block(ctx: Context, area: str, d: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    w = ctx.params.rolling_correlation_days
    sel = d["until_week_end"]
    out = []
    for driver in ("gas", "temperature"):
        r = correlation.rolling_correlation(d["base"][sel], d[driver][sel], w)
        tail = r[-84:]
        out.append(
            {
                "area": area,
                "driver": driver,
                "window_days": w,
                "last": stats._f(r[-1]) if r.size else None,
                "mean_12w": stats.nanmean(tail) if tail.size else None,
            }
        )
    return out
