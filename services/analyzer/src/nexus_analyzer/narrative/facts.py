"""The computed metrics the narrative may quote, rounded the way the prompt shows them.

Only these numbers (and the calendar numbers of the week) may appear in the narrative; raw series
never reach the prompt.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nexus_contracts.analysis import parse_week


def _r(v: Any, nd: int = 2) -> float | None:
    return None if v is None else round(float(v), nd)


def build_facts(sections: dict[str, Any], week: str) -> dict[str, Any]:
    """A compact, JSON-ready summary: per-market KPIs, drivers, spreads, outlook and data quality."""
    markets: dict[str, dict[str, Any]] = {}
    for s in sections["stats"]:
        markets[s["area"]] = {
            "base_eur_mwh": _r(s.get("base")),
            "peak_eur_mwh": _r(s.get("peak")),
            "offpeak_eur_mwh": _r(s.get("offpeak")),
            "min_eur_mwh": _r(s.get("min")),
            "max_eur_mwh": _r(s.get("max")),
            "negative_price_hours": s.get("negative_hours", 0),
            "spike_hours": s.get("spike_hours", 0),
            "week_on_week_base_change_pct": _r(s.get("wow_base_change_pct"), 1),
            "year_on_year_base_change_pct": _r(s.get("yoy_base_change_pct"), 1),
        }
    for r in sections["regressions"]:
        coefs = {
            c["name"]: _r(c["estimate"]) for c in r["coefficients"] if c["name"] in ("gas", "carbon", "wind")
        }
        markets[r["area"]]["regression"] = {
            "eur_mwh_per_unit": coefs,
            "temperature_sensitivity_eur_mwh_per_degc": _r(r.get("temperature_sensitivity_eur_mwh_per_degc")),
            "r_squared": _r(r["r_squared"]),
        }
    for sp in sections["spreads"]:
        markets[sp["area"]]["clean_spark_base_eur_mwh"] = _r(sp.get("clean_spark_base"))
        markets[sp["area"]]["clean_dark_base_eur_mwh"] = _r(sp.get("clean_dark_base"))
    for o in sections["outlooks"]:
        markets[o["area"]]["next_week_expected_base_eur_mwh"] = _r(o.get("expected_base"))
        markets[o["area"]]["outlook_backtest_rmae"] = _r(o.get("backtest_rmae"))
    low = [c for c in sections["coverage"] if c["completeness"] < 0.95]
    return {
        "week": week,
        "markets": markets,
        "anomalies": len(sections["anomalies"]),
        "incomplete_series": [
            {"series": c["series_id"], "completeness_pct": _r(c["completeness"] * 100, 1)} for c in low
        ],
        "simulated_data": sections["simulated"],
    }


def allowed_numbers(facts: dict[str, Any]) -> list[float]:
    """Every number in the facts, plus the week's calendar numbers and the method's fixed windows."""
    out: list[float] = []

    def walk(v: Any) -> None:
        if isinstance(v, bool):
            return
        if isinstance(v, int | float):
            out.append(float(v))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list | tuple):
            for x in v:
                walk(x)

    walk(facts)
    monday = parse_week(facts["week"])
    iso = monday.isocalendar()
    out += [float(iso.year), float(iso.week), 7.0, 8.0, 20.0, 24.0, 80.0, 95.0, 12.0, 4.0]
    for k in range(7):  # day and month numbers of the week's dates
        day = monday + timedelta(days=k)
        out += [float(day.day), float(day.month)]
    return out
