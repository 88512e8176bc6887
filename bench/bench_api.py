"""API p95 latency for a year of daily points of one series, and time to a rendered Overview.

A moto server holds the sample state plus one year of hourly prices of one extra series
(sim:NL:market_price, its own dataset: 365 lake files and partition records). The API is called
over HTTP
through the local front (token verification included) for resolution=P1D over the whole year:
the first call reads the 365 day files (cold), later calls hit the per-file cache (warm).
The Overview figure is Chromium's Performance API: ms from navigation start to the first frame
with every market's KPIs in the DOM (dashboard/e2e/run.mjs, perf mode).
Targets: API p95 < 50 ms; Overview < 1000 ms (the seed's KPI is 2 s).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import statistics
import subprocess
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3

from nexus_api.local_auth import DEMO_PASSWORD
from nexus_api.local_stack import LocalStack, start_stack
from nexus_core.lake import rows_to_parquet
from nexus_core.lake_schema import raw_key
from nexus_core.metadata import MetadataRepository, PartitionRecord
from nexus_core.settings import NexusSettings

SERIES = "sim:NL:market_price"
DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
CALLS = int(os.environ.get("NEXUS_BENCH_API_CALLS", "100"))


def write_year(settings: NexusSettings, first: date) -> None:
    """365 UTC days of hourly prices as lake files with their partition records."""
    rng = random.Random(11)
    s3 = boto3.client("s3", region_name=settings.region, endpoint_url=settings.s3_endpoint_url)
    meta = MetadataRepository(
        settings, table=boto3.resource("dynamodb", region_name=settings.region).Table(settings.table)
    )
    now = datetime.now(UTC)
    for d in range(365):
        day = first + timedelta(days=d)
        start = datetime.combine(day, datetime.min.time(), UTC)
        rows = [
            {
                "source": "sim",
                "dataset": "market_price",
                "series_id": SERIES,
                "area": "NL",
                "location": None,
                "interval_start_utc": start + timedelta(hours=h),
                "interval_end_utc": start + timedelta(hours=h + 1),
                "resolution": "PT60M",
                "value": round(70 + 20 * rng.random(), 2),
                "unit": "EUR/MWh",
                "publish_time_utc": now,
                "quality": "measured",
            }
            for h in range(24)
        ]
        data = rows_to_parquet(rows)
        key = raw_key("sim", "market_price", day)
        s3.put_object(Bucket=settings.bucket, Key=key, Body=data)
        meta.put_partition(
            PartitionRecord(
                source="sim",
                dataset="market_price",
                day=day,
                s3_key=key,
                rows=len(rows),
                series=1,
                sha256=hashlib.sha256(data).hexdigest(),
                updated_at=now,
            )
        )


def token(stack: LocalStack, username: str) -> str:
    idp = boto3.client("cognito-idp", region_name="eu-west-1", endpoint_url=stack.endpoint)
    got = idp.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=stack.server.auth.client_id,
        AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
    )
    return str(got["AuthenticationResult"]["IdToken"])


def timed_get(url: str, bearer: str) -> tuple[float, int]:
    # The local front's own http://127.0.0.1 URL.
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {bearer}"})  # noqa: S310
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310
        points = len(json.loads(resp.read())["points"])
    return (time.perf_counter() - began) * 1000, points


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def api_latency(stack: LocalStack) -> None:
    first = stack.state.start - timedelta(days=380)
    began = time.perf_counter()
    with stack.env():
        write_year(stack.settings(), first)
    print(f"  wrote 365 day files of {SERIES} in {time.perf_counter() - began:.1f} s", flush=True)
    bearer = token(stack, "analyst@nexus.local")
    last = first + timedelta(days=364)
    url = f"{stack.server.url}/api/series/{SERIES}/observations?from={first}&to={last}&resolution=P1D"
    cold, points = timed_get(url, bearer)
    warm = [timed_get(url, bearer)[0] for _ in range(CALLS)]
    print(
        f"  points per response: {points} (P1D over {first}..{last}, 8760 hourly rows resampled)", flush=True
    )
    print(f"  cold (365 S3 reads): {cold:.1f} ms", flush=True)
    print(
        f"  warm over HTTP, {CALLS} calls: p50 {statistics.median(warm):.1f} ms, "
        f"p95 {pct(warm, 0.95):.1f} ms, max {max(warm):.1f} ms (target p95 < 50 ms)",
        flush=True,
    )


def overview_render(stack: LocalStack) -> None:
    if not (DASHBOARD / "dist" / "index.html").is_file():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=DASHBOARD, check=True)
        subprocess.run(["npm", "run", "build"], cwd=DASHBOARD, check=True)
    with tempfile.TemporaryDirectory() as out:
        env = os.environ | {
            "NEXUS_E2E_URL": stack.server.url,
            "NEXUS_E2E_USER": "analyst@nexus.local",
            "NEXUS_E2E_PASSWORD": DEMO_PASSWORD,
            "NEXUS_E2E_OUT": out,
            "NEXUS_E2E_MODE": "perf",
            "NEXUS_E2E_RUNS": "10",
        }
        done = subprocess.run(
            ["node", "e2e/run.mjs"], cwd=DASHBOARD, env=env, capture_output=True, text=True, timeout=300
        )
    if done.returncode != 0:
        print(f"  overview: browser run failed: {done.stderr[-500:]}", flush=True)
        return
    times = json.loads(done.stdout.strip().splitlines()[-1])["times"]
    print(
        f"  overview rendered (navigation start to KPIs in DOM), {len(times)} reloads: "
        f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms (target < 1000 ms)",
        flush=True,
    )


def main() -> None:
    os.environ["NEXUS_API_RATE_LIMIT_PER_MINUTE"] = "100000"
    stack = start_stack(days=15)
    try:
        api_latency(stack)
        overview_render(stack)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
