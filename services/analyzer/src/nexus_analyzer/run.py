"""One analysis run: read the lake, analyse, write the narrative, store the outputs."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from nexus_analyzer.adapters import lake, store
from nexus_analyzer.analysis import analyze, utc_day_range
from nexus_analyzer.document import build_document
from nexus_analyzer.narrative.facts import build_facts
from nexus_analyzer.narrative.service import NarrativeModel, write_narrative
from nexus_contracts.analysis import AnalysisDocument

log = logging.getLogger("nexus_analyzer")


class NoPriceData(Exception):
    """The lake holds no day-ahead prices for the week: nothing to analyse."""


def run_week(
    s3: Any,
    bucket: str,
    week: str,
    lookback_days: int,
    model: NarrativeModel | None,
    threads: int = 16,
    now: datetime | None = None,
    headlines: list[str] | None = None,
) -> AnalysisDocument:
    """Analyse `week` (+ lookback days) from the lake; `headlines` are the week's news, if any."""
    keys = lake.partition_keys(s3, bucket, utc_day_range(week, lookback_days))
    log.info("reading %d partitions for %s", len(keys), week)
    # No local name for the rows: analyze() drops them once they are on the grid (memory).
    result = analyze(lake.read_partitions(s3, bucket, keys, threads), week, lookback_days)
    if not any(s.get("hours") for s in result.sections["stats"]):
        raise NoPriceData(f"no day-ahead prices in the lake for {week}")
    facts = build_facts(result.sections, week)
    headlines = list(headlines or [])
    narrative = write_narrative(facts, headlines, model)
    keys_out = store.output_keys(week)
    doc = build_document(
        week, lookback_days, result.sections, narrative, headlines, keys_out, now or datetime.now(UTC)
    )
    store.put(
        s3,
        bucket,
        keys_out["weekly_aggregates"],
        store.parquet_bytes(result.stats_table),
        "application/vnd.apache.parquet",
    )
    store.put(
        s3,
        bucket,
        keys_out["correlation_matrices"],
        store.parquet_bytes(result.correlation_table),
        "application/vnd.apache.parquet",
    )
    body = json.dumps(doc.model_dump(mode="json"), indent=1, sort_keys=True).encode()
    store.put(s3, bucket, keys_out["analysis_json"], body, "application/json")
    return doc
