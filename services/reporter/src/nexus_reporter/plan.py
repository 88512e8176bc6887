"""PlanWeek Lambda: resolve the ISO week (default: the last complete one) and check data coverage.

Coverage is the share of the week's 7 UTC days that have a day-ahead price partition from any
source, read from the partition records in DynamoDB (no lake reads).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from nexus_contracts import Dataset, Source
from nexus_contracts.analysis import last_complete_week, parse_week
from nexus_core.metadata import MetadataRepository

MIN_DAYS_WITH_PRICES = 5


def plan(week: str, execution: str | None, repo: Any, now: datetime) -> dict[str, Any]:
    """The state machine's working input after PlanWeek (week, execution, enough_data, ...)."""
    resolved = last_complete_week(now) if week in ("", "auto") else week
    monday = parse_week(resolved)
    sunday = monday + timedelta(days=6)
    days = set()
    for source in Source:
        for rec in repo.list_partitions(source.value, Dataset.DAY_AHEAD_PRICE.value, monday, sunday):
            if rec.rows > 0:
                days.add(rec.day)
    enough = len(days) >= MIN_DAYS_WITH_PRICES
    reason = (
        f"{len(days)} of 7 days have day-ahead prices"
        if enough
        else f"only {len(days)} of 7 days have day-ahead prices (need {MIN_DAYS_WITH_PRICES})"
    )
    return {
        "week": resolved,
        "execution": execution or f"weekly-{resolved}",
        "enough_data": enough,
        "days_with_prices": len(days),
        "coverage": round(len(days) / 7, 4),
        "reason": reason,
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return plan(
        str(event.get("week") or "auto"), event.get("execution"), MetadataRepository(), datetime.now(UTC)
    )
