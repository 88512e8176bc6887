"""Validator throughput: rule set + Parquet merge-write on one year of hourly data for 20 series.

The queue is excluded: records go straight to `validate_batch` and `LakeWriter.merge_write`, one
daily batch (20 series x 24 h) at a time, as the collectors publish them. The lake is a local
pyarrow filesystem in a temporary folder, so the figure is our CPU cost, not the emulator's.
Prints observations per second and the peak resident memory of the process.
"""

from __future__ import annotations

import math
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.fs as pafs

from nexus_core.lake import LakeWriter
from nexus_core.lake_schema import raw_key
from nexus_core.settings import NexusSettings
from nexus_validator.rules import validate_batch

SERIES = 20
DAYS = 365
START = datetime(2023, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


class _NoVersions:
    """Stands in for S3 head_object on a local filesystem (no versioning there)."""

    def head_object(self, **_: Any) -> dict[str, Any]:
        return {}


def day_batch(day: int) -> list[dict[str, Any]]:
    """One day of hourly temperatures for SERIES locations, as decoded JSON records."""
    first = START + timedelta(days=day)
    published = (first + timedelta(days=1, minutes=10)).isoformat()
    records = []
    for s in range(SERIES):
        for h in range(24):
            start = first + h * HOUR
            value = (
                10 + 8 * math.sin(2 * math.pi * (day / 365 + s / SERIES)) + 3 * math.sin(2 * math.pi * h / 24)
            )
            records.append(
                {
                    "source": "sim",
                    "dataset": "temperature",
                    "series_id": f"sim:LOC{s:02d}:temperature",
                    "location": f"LOC{s:02d}",
                    "interval_start_utc": start.isoformat(),
                    "interval_end_utc": (start + HOUR).isoformat(),
                    "resolution": "PT60M",
                    "value": round(value, 2),
                    "unit": "degC",
                    "publish_time_utc": published,
                    "quality": "measured",
                }
            )
    return records


def main() -> None:
    batches = [day_batch(d) for d in range(DAYS)]
    total = sum(len(b) for b in batches)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as root:
        settings = NexusSettings(bucket="lake")
        fs = pafs.SubTreeFileSystem(root, pafs.LocalFileSystem())
        for day in range(DAYS):
            # S3 has no directories; a local filesystem needs them before a write.
            fs.create_dir(
                f"lake/{raw_key('sim', 'temperature', (START + timedelta(days=day)).date())}".rsplit("/", 1)[
                    0
                ]
            )
        writer = LakeWriter(settings, fs=fs, s3=_NoVersions())
        now = START + timedelta(days=DAYS + 1)
        t_rules = t_write = 0.0
        accepted = 0
        for day, batch in enumerate(batches):
            window = (START + timedelta(days=day), START + timedelta(days=day + 1))
            t0 = time.perf_counter()
            verdict = validate_batch(batch, now=now, source="sim", dataset="temperature", window=window)
            t1 = time.perf_counter()
            writer.merge_write(verdict.accepted)
            t2 = time.perf_counter()
            t_rules += t1 - t0
            t_write += t2 - t1
            accepted += len(verdict.accepted)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    elapsed = t_rules + t_write
    print(f"observations: {total} ({SERIES} series x {DAYS} days hourly), accepted {accepted}")
    print(f"validator throughput: {total / elapsed:,.0f} obs/s (total {elapsed:.2f} s)")
    print(f"  rules only:         {total / t_rules:,.0f} obs/s ({t_rules:.2f} s)")
    print(f"  parquet merge-write: {total / t_write:,.0f} obs/s ({t_write:.2f} s)")
    print(f"peak RSS: {peak_mb:.0f} MB (before the run {rss_before / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
