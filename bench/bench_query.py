"""daily_summary over one year of hourly data for 20 series: seconds and rows.

The lake is written once with the lake's own serializer (one file per UTC day, 20 series each),
to a local folder and to a moto S3 server, then the local engine (DuckDB over a pyarrow dataset)
answers the full-year summary, a one-month summary (pruned to the month's files) and a
latest_observations count.
"""

from __future__ import annotations

import logging
import os
import random
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pyarrow.fs as pafs
from moto.server import ThreadedMotoServer

from nexus_contracts.registries import AREAS
from nexus_core.lake import rows_to_parquet, s3_filesystem
from nexus_core.lake_schema import raw_key
from nexus_core.query.local import LocalQueryEngine
from nexus_core.settings import NexusSettings

YEAR = 2024
SERIES = 20
BUCKET = "nexus-bench-data"

QUERIES = {
    "daily_summary, full year": "SELECT * FROM daily_summary",
    "daily_summary, one month (pruned)": (
        "SELECT * FROM daily_summary WHERE delivery_day >= '2024-06-01' AND delivery_day <= '2024-06-30'"
    ),
    "latest_observations count": "SELECT count(*) FROM latest_observations",
}


def lake_files() -> dict[str, bytes]:
    """One Parquet file per UTC day of YEAR, each holding 24 hourly rows of 20 area series."""
    rng = random.Random(7)
    areas = sorted(AREAS)[:SERIES]
    published = datetime(YEAR - 1, 12, 31, tzinfo=UTC)
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    for hour in range(366 * 24):
        t = start + timedelta(hours=hour)
        for area in areas:
            by_day[t.date()].append(
                {
                    "source": "entsoe",
                    "dataset": "day_ahead_price",
                    "series_id": f"entsoe:{area.value}:day_ahead_price",
                    "area": area.value,
                    "location": None,
                    "interval_start_utc": t,
                    "interval_end_utc": t + timedelta(hours=1),
                    "resolution": "PT60M",
                    "value": rng.gauss(80.0, 25.0),
                    "unit": "EUR/MWh",
                    "publish_time_utc": published,
                    "quality": "measured",
                }
            )
    return {raw_key("entsoe", "day_ahead_price", day): rows_to_parquet(rows) for day, rows in by_day.items()}


def _time_queries(label: str, engine: LocalQueryEngine) -> None:
    for name, sql in QUERIES.items():
        t0 = time.perf_counter()
        result = engine.execute(sql)
        seconds = time.perf_counter() - t0
        rows = result.rows[0][0] if name.endswith("count") else len(result.rows)
        files = len(engine.last_scanned_files)
        print(f"{label:6} {name:36} {seconds:7.2f} s  {rows:>7} rows  {files:>4} files", flush=True)


def main() -> None:
    t0 = time.perf_counter()
    files = lake_files()
    size = sum(len(b) for b in files.values())
    built = time.perf_counter() - t0
    print(f"lake: {len(files)} files, {size / 1e6:.1f} MB, {SERIES} hourly series, built in {built:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        for key, data in files.items():
            path = os.path.join(folder, key)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
        _time_queries("disk", LocalQueryEngine(folder, pafs.LocalFileSystem()))
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        settings = NexusSettings.model_validate({"bucket": BUCKET, "NEXUS_S3_ENDPOINT_URL": endpoint})
        s3 = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.region)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": settings.region})
        for key, data in files.items():
            s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        _time_queries("moto", LocalQueryEngine(BUCKET, s3_filesystem(settings)))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
