"""`python -m nexus_analyzer [--week YYYY-Www]`: the Fargate task's entry point.

Exit codes: 0 done, 2 bad arguments, 3 no price data for the week, 1 any other failure.
"""

from __future__ import annotations

import argparse
import logging
import sys

import boto3
import pyarrow as pa
from botocore.config import Config

from nexus_analyzer.adapters.secrets import anthropic_key
from nexus_analyzer.narrative.service import NarrativeModel
from nexus_analyzer.run import NoPriceData, run_week
from nexus_analyzer.settings import AnalyzerSettings
from nexus_contracts.analysis import parse_week
from nexus_core.settings import NexusSettings


def _model(cfg: AnalyzerSettings, region: str) -> NarrativeModel | None:
    ssm = boto3.client("ssm", region_name=region) if cfg.anthropic_api_key_parameter else None
    key = anthropic_key(cfg.anthropic_api_key, cfg.anthropic_api_key_parameter, ssm)
    if key is None:
        return None
    from nexus_analyzer.adapters.claude import ClaudeModel  # the SDK is heavy: import only when used

    return ClaudeModel(
        api_key=key,
        model=cfg.anthropic_model,
        max_tokens=cfg.anthropic_max_tokens,
        timeout_s=cfg.anthropic_timeout_s,
        usd_per_mtok_in=cfg.anthropic_usd_per_mtok_in,
        usd_per_mtok_out=cfg.anthropic_usd_per_mtok_out,
        max_retries=cfg.anthropic_max_retries,
        base_url=cfg.anthropic_base_url,
    )


def week_headlines(week: str, settings: NexusSettings, limit: int = 30) -> list[str]:
    """The week's stored news headlines for the narrative; none when there are none or on error.

    News only colours the narrative, so a news-lake failure must never fail the analysis.
    """
    from nexus_contracts.analysis import week_bounds
    from nexus_core.news_lake import read_headlines

    try:
        items = read_headlines(*week_bounds(week), limit=limit, settings=settings)
    except Exception:
        logging.getLogger("nexus_analyzer").warning("news headlines unavailable for %s", week, exc_info=True)
        return []
    return [item.headline for item in items]


def main(argv: list[str] | None = None) -> int:
    # The system allocator hands Arrow's freed read buffers to numpy (about 50 MB less at peak).
    pa.set_memory_pool(pa.system_memory_pool())
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("nexus_analyzer").setLevel(logging.INFO)
    parser = argparse.ArgumentParser(prog="nexus_analyzer")
    parser.add_argument("--week", help="ISO week YYYY-Www (default: NEXUS_ANALYSIS_WEEK)")
    args = parser.parse_args(argv)
    cfg, nexus = AnalyzerSettings(), NexusSettings()
    week = args.week or cfg.analysis_week
    try:
        parse_week(week)
    except ValueError as exc:
        print(f"analyzer: {exc}", file=sys.stderr)
        return 2
    pool = Config(max_pool_connections=max(10, cfg.analysis_read_threads))
    s3 = boto3.client("s3", region_name=nexus.region, config=pool)
    try:
        doc = run_week(
            s3,
            nexus.bucket,
            week,
            cfg.analysis_lookback_days,
            _model(cfg, nexus.region),
            cfg.analysis_read_threads,
            headlines=week_headlines(week, nexus),
        )
    except NoPriceData as exc:
        print(f"analyzer: {exc}", file=sys.stderr)
        return 3
    except Exception:
        logging.getLogger("nexus_analyzer").exception("analysis of %s failed", week)
        return 1
    print(f"analyzer: {week} done, {len(doc.stats)} markets, narrative {doc.narrative.source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
