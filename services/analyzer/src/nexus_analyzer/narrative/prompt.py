"""The prompt: computed metrics and headlines in, a JSON narrative out."""

from __future__ import annotations

import json
from typing import Any

SYSTEM = (
    "You are an energy-market analyst writing the weekly note for a trading desk. "
    "Use only the metrics given in the user message; quote numbers exactly as given (same decimals) "
    "and never compute, estimate or invent other numbers. Dates: write the ISO week label, not "
    "day numbers. Answer with one JSON object and nothing else, with keys: headline (string, "
    "at most 160 characters), summary (string), drivers (list of strings), risks (list of "
    "strings), outlook (string), caveats (list of strings)."
)


def user_message(facts: dict[str, Any], headlines: list[str]) -> str:
    parts = [
        f"ISO week {facts['week']}. Metrics (EUR/MWh unless stated):",
        json.dumps(facts, indent=1, sort_keys=True),
    ]
    if headlines:
        parts += ["News headlines of the week:", *[f"- {h}" for h in headlines[:30]]]
    if facts.get("simulated_data"):
        parts.append("The data are simulated; say so in the caveats.")
    return "\n".join(parts)


def correction(violations: list[str]) -> str:
    return (
        "Your answer quoted numbers that are not among the metrics: "
        + ", ".join(violations)
        + ". Rewrite the JSON object using only numbers from the metrics, exactly as given."
    )
