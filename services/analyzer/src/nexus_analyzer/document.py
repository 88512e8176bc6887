"""Assemble the AnalysisDocument from the computed sections and the narrative."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nexus_contracts.analysis import AnalysisDocument, week_bounds


def build_document(
    week: str,
    lookback_days: int,
    sections: dict[str, Any],
    narrative: dict[str, Any],
    headlines: list[str],
    outputs: dict[str, str],
    generated_at: datetime,
) -> AnalysisDocument:
    start, end = week_bounds(week)
    return AnalysisDocument.model_validate(
        {
            "week": week,
            "week_start_utc": start,
            "week_end_utc": end,
            "generated_at": generated_at,
            "lookback_days": lookback_days,
            "headlines": tuple(headlines),
            "narrative": narrative,
            "outputs": outputs,
            **sections,
        }
    )
