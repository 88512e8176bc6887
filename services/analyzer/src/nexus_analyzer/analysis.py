"""The weekly analysis as one pure function: observations in, analysis fragments and tables out."""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nexus_analyzer.analytics import stats, weekly
from nexus_analyzer.analytics.grid import HOUR_US, build_grid, plain
from nexus_analyzer.analytics.panel import build_panel
from nexus_contracts.analysis import parse_week, week_bounds

_EXPECTED_PER_DAY = {"PT15M": 96, "PT30M": 48, "PT60M": 24, "P1D": 1}


@dataclass(frozen=True)
class WeekAnalysis:
    """Every computed section of the AnalysisDocument except narrative, timestamps and outputs."""

    sections: dict[str, Any]
    stats_table: pa.Table
    correlation_table: pa.Table


def _us(t: datetime) -> int:
    return int(t.timestamp()) * 1_000_000


def lookback_start(week: str, lookback_days: int) -> datetime:
    """First UTC hour read from the lake: the week start minus the lookback and one spare day."""
    return week_bounds(week)[0] - timedelta(days=lookback_days + 1)


def analyze(
    table: pa.Table, week: str, lookback_days: int, params: weekly.Parameters | None = None
) -> WeekAnalysis:
    """All analytics for `week` over `table` (lake rows from lookback_start to the week's end)."""
    params = params or weekly.Parameters()
    start, end = week_bounds(week)
    origin = _us(lookback_start(week, lookback_days))
    hours = (_us(end) - origin) // HOUR_US + 24  # a spare day covers zones west of the week's zone
    in_week = plain(_week_rows(table, start, end))
    grid = build_grid(table, origin, hours)
    del table  # the grid holds what the analytics need; free the rows before the heavy part
    release_freed_memory()
    panel = build_panel(grid)
    monday = parse_week(week)
    ctx = weekly.Context(
        panel=panel,
        first_day=(monday - date(1970, 1, 1)).days,
        week_start_idx=(_us(start) - origin) // HOUR_US,
        week_hours=(_us(end) - _us(start)) // HOUR_US,
        params=params,
    )
    sections: dict[str, Any] = {k: [] for k in ("stats", "regressions", "spreads", "diagnostics", "outlooks")}
    sections.update(anomalies=[], rolling_correlations=[], hourly_profiles={}, daily={})
    for m in panel.markets:
        d = weekly.market_daily(ctx, m)
        sections["stats"].append(weekly.market_stats(ctx, m))
        sections["spreads"].append(weekly.market_spreads(ctx, m))
        sections["diagnostics"].append(weekly.market_diagnostics(ctx, m, d))
        sections["anomalies"].extend(weekly.market_anomalies(ctx, m))
        sections["rolling_correlations"].extend(weekly.rolling_block(ctx, m.area, d))
        if (reg := weekly.market_regression(ctx, m.area, d)) is not None:
            sections["regressions"].append(reg)
        if (out := weekly.market_outlook(ctx, m)) is not None:
            sections["outlooks"].append(out)
        price = panel.values(m.price_id)
        assert price is not None
        sections["hourly_profiles"][m.area] = {
            "this_week": stats.hourly_profile(price, m.calendar, ctx.first_day),
            "previous_week": stats.hourly_profile(price, m.calendar, ctx.first_day - 7),
        }
        trailing = (d["days"] >= ctx.first_day - 77) & (d["days"] < ctx.first_day + 7)
        sections["daily"][m.area] = {
            k: tuple(stats._f(v) for v in d[k][trailing])
            for k in ("base", "temperature", "gas", "carbon", "wind")
        }
    sections["correlations"] = weekly.correlation_block(ctx)
    sections["coverage"] = coverage(in_week, (end - start) / timedelta(hours=1))
    sections["sources"] = sorted(set(in_week.column("source").to_pylist()))
    sections["simulated"] = "sim" in sections["sources"]
    sections["parameters"] = params.as_dict()
    return WeekAnalysis(
        sections, pa.Table.from_pylist(sections["stats"]), correlation_table(sections["correlations"])
    )


def release_freed_memory() -> None:
    """Hand the heap pages freed with the lake rows back to the system (glibc keeps them otherwise),
    so the statistics libraries, loaded afterwards, reuse that room instead of adding to the peak."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None)
    if trim is not None:
        trim(0)


def _week_rows(table: pa.Table, start: datetime, end: datetime) -> pa.Table:
    ts = table.column("interval_start_utc")
    lo, hi = pa.scalar(start, pa.timestamp("us", tz="UTC")), pa.scalar(end, pa.timestamp("us", tz="UTC"))
    return table.filter(pc.and_(pc.greater_equal(ts, lo), pc.less(ts, hi)))


def coverage(rows: pa.Table, week_hours: float) -> list[dict[str, Any]]:
    """Per series: expected vs present intervals in the week, counts by quality flag, latest vintage."""
    out: list[dict[str, Any]] = []
    if rows.num_rows == 0:
        return out
    grouped = rows.group_by(["series_id", "source", "dataset", "resolution", "quality"]).aggregate(
        [("value", "count"), ("publish_time_utc", "max")]
    )
    per: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for r in sorted(grouped.to_pylist(), key=lambda r: (r["series_id"], r["quality"])):
        key = (r["series_id"], r["source"], r["dataset"], r["resolution"])
        e = per.setdefault(key, {"present": 0, "quality": {}, "last": None})
        e["present"] += r["value_count"]
        e["quality"][r["quality"]] = r["value_count"]
        e["last"] = max(filter(None, (e["last"], r["publish_time_utc_max"])))
    for (sid, source, dataset, res), e in sorted(per.items()):
        expected = round(week_hours / 24 * _EXPECTED_PER_DAY.get(res, 1)) if res != "P1M" else 1
        out.append(
            {
                "series_id": sid,
                "source": source,
                "dataset": dataset,
                "expected": expected,
                "present": e["present"],
                "completeness": min(1.0, e["present"] / expected) if expected else 1.0,
                "quality": e["quality"],
                "last_publish_utc": e["last"],
            }
        )
    return out


def correlation_table(mats: list[dict[str, Any]]) -> pa.Table:
    """Long format: method, window, series_a, series_b, value (both triangles, diagonal included)."""
    rows = [
        {
            "method": m["method"],
            "window": m["window"],
            "series_a": a,
            "series_b": b,
            "value": m["values"][i][j],
        }
        for m in mats
        for i, a in enumerate(m["series"])
        for j, b in enumerate(m["series"])
    ]
    schema = pa.schema(
        [
            ("method", pa.string()),
            ("window", pa.string()),
            ("series_a", pa.string()),
            ("series_b", pa.string()),
            ("value", pa.float64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def utc_day_range(week: str, lookback_days: int) -> list[date]:
    """UTC days whose lake partitions the analysis reads (partition pruning)."""
    first = lookback_start(week, lookback_days).date()
    last = week_bounds(week)[1].date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
