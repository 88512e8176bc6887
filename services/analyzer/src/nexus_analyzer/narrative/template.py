"""The deterministic narrative, written from the facts alone (no key, or the model failed)."""

from __future__ import annotations

from typing import Any

from nexus_analyzer.narrative.draft import NarrativeDraft


def _fmt(v: float | None, unit: str = " EUR/MWh") -> str:
    return "n/a" if v is None else f"{v:.2f}{unit}"


def template_narrative(facts: dict[str, Any]) -> NarrativeDraft:
    markets = facts["markets"]
    if not markets:
        return NarrativeDraft(
            headline=f"No market data for {facts['week']}",
            summary="The lake held no day-ahead prices for this week.",
            drivers=(),
            risks=(),
            outlook="No outlook without prices.",
            caveats=("No market data.",),
        )
    ranked = sorted(markets.items(), key=lambda kv: -(kv[1]["base_eur_mwh"] or float("-inf")))
    top, top_m = ranked[0]
    lines = [f"{a} base {_fmt(m['base_eur_mwh'])}, peak {_fmt(m['peak_eur_mwh'])}" for a, m in ranked]
    drivers = []
    for area, m in ranked:
        reg = m.get("regression")
        if reg:
            c = reg["eur_mwh_per_unit"]
            parts = [f"{k} {v:+.2f}" for k, v in c.items() if v is not None]
            drivers.append(f"{area}: daily base moves {', '.join(parts)} EUR/MWh per unit (OLS, HAC errors).")
    risks = [
        f"{a}: {m['spike_hours']} spike hours, {m['negative_price_hours']} negative-price hours."
        for a, m in ranked
    ]
    outlook = "; ".join(
        f"{a} expected base {_fmt(m.get('next_week_expected_base_eur_mwh'))}"
        for a, m in ranked
        if "next_week_expected_base_eur_mwh" in m
    )
    caveats = ["Written from a template: the model narrative was not used."]
    if facts["simulated_data"]:
        caveats.append("Simulated data: figures come from the built-in market simulator.")
    if facts["incomplete_series"]:
        caveats.append(f"{len(facts['incomplete_series'])} series were incomplete this week.")
    wow = top_m.get("week_on_week_base_change_pct")
    change = "" if wow is None else f", {wow:+.1f} % week on week"
    return NarrativeDraft(
        headline=f"{top} leads at {_fmt(top_m['base_eur_mwh'])} base{change}",
        summary=". ".join(lines) + ".",
        drivers=tuple(drivers[:8]),  # the eight highest-priced markets; the tables list all
        risks=tuple(risks[:8]),
        outlook=(outlook + ".") if outlook else "No outlook: too little history.",
        caveats=tuple(caveats),
    )
