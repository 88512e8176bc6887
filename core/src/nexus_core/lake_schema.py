"""The Parquet schema and key layout of the raw-data lake, shared by writer, reader and analyzer.

Files: `raw-data/year=YYYY/month=MM/day=DD/<source>__<dataset>.parquet`, one per
(source, dataset, UTC day of interval_start_utc); rows sorted by (series_id, interval_start_utc);
columns are exactly the Observation fields, so a file's bytes depend only on its rows.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

UTC_TS = pa.timestamp("us", tz="UTC")

OBSERVATION_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("series_id", pa.string(), nullable=False),
        pa.field("area", pa.string()),
        pa.field("location", pa.string()),
        pa.field("interval_start_utc", UTC_TS, nullable=False),
        pa.field("interval_end_utc", UTC_TS, nullable=False),
        pa.field("resolution", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
        pa.field("unit", pa.string(), nullable=False),
        pa.field("publish_time_utc", UTC_TS, nullable=False),
        pa.field("quality", pa.string(), nullable=False),
    ]
)

RAW_PREFIX = "raw-data"
NEWS_PREFIX = "raw-news"
"""Headlines have their own schema, so they live beside raw-data/, never inside it: every reader
of raw-data/ (Glue table, DuckDB, the analyzer) sees one schema."""


def raw_key(source: str, dataset: str, day: date) -> str:
    """The deterministic S3 key of one lake partition file."""
    return f"{RAW_PREFIX}/year={day:%Y}/month={day:%m}/day={day:%d}/{source}__{dataset}.parquet"


def news_key(source: str, day: date) -> str:
    """The deterministic S3 key of one day's headlines of one source."""
    return f"{NEWS_PREFIX}/year={day:%Y}/month={day:%m}/day={day:%d}/{source}__news.parquet"
