"""API p95 latency for a year of daily points of one series, and time to a rendered Overview.

A moto server holds the sample state plus hourly prices of two extra series, each its own dataset:
sim:NL:market_price (365 lake files whose partition records predate daily statistics, so daily
points need the day files) and sim:NL:spot_price (the same kind of rows over 365 + 2 x COLD days,
records with daily statistics, as the validator writes them). The API is called over HTTP through
the local front (token verification included) for a year at resolution P1D and P1W.
Older records: the first call reads the 365 day files (cold), later calls hit the per-file cache
(warm). Records with statistics: every cold call asks for a year not asked before (shifted by a
day), so the partition query and the resampling are not cached; warm calls repeat one year.
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
from boto3.dynamodb.conditions import Key

from nexus_api.local_auth import DEMO_PASSWORD
from nexus_api.local_stack import LocalStack, start_stack
from nexus_core.daily_stats import day_stats
from nexus_core.lake import observation_table, table_to_parquet
from nexus_core.lake_schema import raw_key
from nexus_core.metadata import MetadataRepository, PartitionRecord
from nexus_core.settings import NexusSettings

SERIES = "sim:NL:market_price"
SUMMARISED = "sim:NL:spot_price"
DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
CALLS = int(os.environ.get("NEXUS_BENCH_API_CALLS", "100"))
COLD = int(os.environ.get("NEXUS_BENCH_API_COLD_CALLS", "20"))


def write_days(settings: NexusSettings, first: date, days: int, series: str, *, stats: bool) -> None:
    """`days` UTC days of hourly prices of `series` (its own dataset) as lake files and records.

    With `stats` the records carry the day's statistics as the validator stores them; without,
    they look like records written before statistics existed.
    """
    dataset = series.split(":")[2]
    rng = random.Random(11)
    s3 = boto3.client("s3", region_name=settings.region, endpoint_url=settings.s3_endpoint_url)
    meta = MetadataRepository(
        settings, table=boto3.resource("dynamodb", region_name=settings.region).Table(settings.table)
    )
    now = datetime.now(UTC)
    for d in range(days):
        day = first + timedelta(days=d)
        start = datetime.combine(day, datetime.min.time(), UTC)
        rows = [
            {
                "source": "sim",
                "dataset": dataset,
                "series_id": series,
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
        table = observation_table(rows)
        data = table_to_parquet(table)
        key = raw_key("sim", dataset, day)
        s3.put_object(Bucket=settings.bucket, Key=key, Body=data)
        meta.put_partition(
            PartitionRecord(
                source="sim",
                dataset=dataset,
                day=day,
                s3_key=key,
                rows=len(rows),
                series=1,
                sha256=hashlib.sha256(data).hexdigest(),
                updated_at=now,
                daily_stats=day_stats(table, day) if stats else None,
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


def observations_url(stack: LocalStack, series: str, first: date, resolution: str) -> str:
    last = first + timedelta(days=364)
    return (
        f"{stack.server.url}/api/series/{series}/observations?from={first}&to={last}&resolution={resolution}"
    )


def summary(label: str, times: list[float]) -> str:
    return (
        f"  {label}, {len(times)} calls: p50 {statistics.median(times):.1f} ms, "
        f"p95 {pct(times, 0.95):.1f} ms, max {max(times):.1f} ms"
    )


def api_latency(stack: LocalStack) -> None:
    first = stack.state.start - timedelta(days=380)
    began = time.perf_counter()
    with stack.env():
        write_days(stack.settings(), first, 365, SERIES, stats=False)
    print(f"  wrote 365 day files of {SERIES} in {time.perf_counter() - began:.1f} s", flush=True)
    began = time.perf_counter()
    with stack.env():  # before the first call: the API's catalog is then cached for a minute
        write_days(stack.settings(), first, 365 + 2 * COLD, SUMMARISED, stats=True)
    print(
        f"  wrote {365 + 2 * COLD} day files and records with statistics of {SUMMARISED} "
        f"in {time.perf_counter() - began:.1f} s",
        flush=True,
    )
    bearer = token(stack, "analyst@nexus.local")
    url = observations_url(stack, SERIES, first, "P1D")
    cold, points = timed_get(url, bearer)
    warm = [timed_get(url, bearer)[0] for _ in range(CALLS)]
    print(f"  records without daily statistics ({SERIES}):", flush=True)
    print(
        f"  points per response: {points} (P1D over {first}..{first + timedelta(days=364)}, "
        "8760 hourly rows resampled)",
        flush=True,
    )
    print(f"  cold (365 S3 reads): {cold:.1f} ms", flush=True)
    print(summary("warm over HTTP", warm) + " (target p95 < 50 ms)", flush=True)
    summarised_latency(stack, bearer, first)


def summarised_latency(stack: LocalStack, bearer: str, first: date) -> None:
    """P1D and P1W of a year from records with daily statistics: cold (new ranges) and warm."""
    print(f"  records with daily statistics ({SUMMARISED}), a year per call:", flush=True)
    catalog, _ = timed_get(observations_url(stack, SUMMARISED, first, "P1D"), bearer)
    print(f"  first call of this series: {catalog:.1f} ms", flush=True)
    for offset, resolution in ((1, "P1D"), (1 + COLD, "P1W")):
        shifted = [first + timedelta(days=offset + k) for k in range(COLD)]
        cold = [
            timed_get(observations_url(stack, SUMMARISED, start, resolution), bearer) for start in shifted
        ]
        url = observations_url(stack, SUMMARISED, first, resolution)
        warm = [timed_get(url, bearer) for _ in range(CALLS)]
        print(f"  {resolution}: {cold[0][1]} points per response", flush=True)
        print(
            summary(f"{resolution} cold (a year not asked before, no S3 read)", [t for t, _ in cold]),
            flush=True,
        )
        print(summary(f"{resolution} warm", [t for t, _ in warm]) + " (target p95 < 50 ms)", flush=True)
    print(
        summary("of which the emulator's DynamoDB query of a year's records", query_times(stack, first)),
        flush=True,
    )


def query_times(stack: LocalStack, first: date) -> list[float]:
    """ms of the partition query a cold call makes (a year of SUMMARISED records), alone."""
    names = {"#d": "day", "#k": "s3_key", "#h": "sha256", "#s": "daily_stats"}
    with stack.env():
        settings = stack.settings()
        table = boto3.resource("dynamodb", region_name=settings.region).Table(settings.table)
        times = []
        for k in range(COLD):
            start = first + timedelta(days=k)
            cond = Key("pk").eq("PARTITION#sim#spot_price") & Key("sk").between(
                f"DAY#{start}", f"DAY#{start + timedelta(days=364)}"
            )
            began = time.perf_counter()
            got = table.query(
                KeyConditionExpression=cond,
                ProjectionExpression=", ".join(names),
                ExpressionAttributeNames=names,
            )
            times.append((time.perf_counter() - began) * 1000)
            if got["Count"] != 365 or "LastEvaluatedKey" in got:
                raise RuntimeError(f"expected one page of 365 records, got {got['Count']}")
    return times


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
