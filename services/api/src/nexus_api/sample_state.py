"""A small, deterministic local state for API tests, the browser suite and the benchmark.

It is written through the real adapters (lake writer, metadata repository, S3), as the pipeline
would, and marked simulated (`source = sim`). The weekly document's figures are computed from the
seeded hourly prices, so what the API and dashboard show can be checked against the lake.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import fmean, pstdev
from typing import Any
from zoneinfo import ZoneInfo

import boto3

from nexus_contracts import AlertRaised
from nexus_contracts.events import AlertKind, Severity
from nexus_contracts.observation import Observation, Quality, Resolution
from nexus_contracts.registries import AREAS, AreaCode, Dataset, Source, Unit
from nexus_core.lake import LakeWriter
from nexus_core.metadata import MetadataRepository, PartitionRecord, SourceStatus, create_table
from nexus_core.settings import NexusSettings

DRIVERS = {Dataset.TEMPERATURE: Unit.DEG_C, Dataset.WIND_SPEED: Unit.M_S}
# A minimal one-page PDF: enough for a download to be a real PDF file.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class SeededState:
    week: str
    areas: tuple[str, ...]
    start: date
    end: date

    def series_id(self, area: str, dataset: str = "day_ahead_price") -> str:
        return f"sim:{area}:{dataset}"


def ensure_storage(settings: NexusSettings) -> None:
    """Bucket (versioned) and metadata table, as the runtime's provisioning creates them."""
    s3: Any = boto3.client("s3", region_name=settings.region, endpoint_url=settings.s3_endpoint_url)
    if settings.bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(
            Bucket=settings.bucket, CreateBucketConfiguration={"LocationConstraint": settings.region}
        )
        s3.put_bucket_versioning(Bucket=settings.bucket, VersioningConfiguration={"Status": "Enabled"})
    ddb = boto3.client("dynamodb", region_name=settings.region)
    if settings.table not in ddb.list_tables()["TableNames"]:
        create_table(ddb, settings.table)


def _value(dataset: Dataset, area_index: int, at: datetime, rng: random.Random) -> float:
    hour = at.hour + at.minute / 60
    day_of_year = at.timetuple().tm_yday
    if dataset is Dataset.TEMPERATURE:
        return round(
            8
            + 8 * math.sin(2 * math.pi * (day_of_year - 110) / 365)
            - 4 * math.cos(2 * math.pi * hour / 24)
            + rng.gauss(0, 1.5),
            2,
        )
    if dataset is Dataset.WIND_SPEED:
        return round(max(0.0, 6 + 3 * math.sin(day_of_year / 3.0) + rng.gauss(0, 1.2)), 2)
    weekend = -15.0 if at.weekday() >= 5 else 0.0
    shape = 20 * math.sin(math.pi * max(0.0, hour - 6) / 14) if 6 <= hour <= 20 else -8.0
    return round(70 + 8 * area_index + shape + weekend + rng.gauss(0, 6), 2)


def observations(areas: tuple[str, ...], start: date, end: date, seed: int) -> list[Observation]:
    """Hourly sim prices, temperature and wind for each area over UTC days start..end."""
    rng = random.Random(seed)
    published = datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=1)
    out: list[Observation] = []
    hours = ((end - start).days + 1) * 24
    first = datetime.combine(start, datetime.min.time(), UTC)
    for index, area in enumerate(areas):
        units = {Dataset.DAY_AHEAD_PRICE: Unit.EUR_MWH, **DRIVERS}
        for dataset, unit in units.items():
            for h in range(hours):
                at = first + timedelta(hours=h)
                out.append(
                    Observation(
                        source=Source.SIM,
                        dataset=dataset,
                        series_id=f"sim:{area}:{dataset.value}",
                        area=AreaCode(area),
                        interval_start_utc=at,
                        interval_end_utc=at + timedelta(hours=1),
                        resolution=Resolution.PT60M,
                        value=_value(dataset, index, at, rng),
                        unit=unit,
                        publish_time_utc=published,
                        quality=Quality.MEASURED,
                    )
                )
    return out


def _pearson(x: list[float], y: list[float]) -> float | None:
    if len(x) < 3 or pstdev(x) == 0 or pstdev(y) == 0:
        return None
    mx, my = fmean(x), fmean(y)
    cov = fmean([(a - mx) * (b - my) for a, b in zip(x, y, strict=True)])
    return round(cov / (pstdev(x) * pstdev(y)), 4)


def _week_stats(area: str, prices: list[tuple[datetime, float]]) -> dict[str, Any]:
    zone = ZoneInfo(AREAS[AreaCode(area)].tz)
    values = [v for _, v in prices]
    peak = [v for t, v in prices if t.astimezone(zone).weekday() < 5 and 8 <= t.astimezone(zone).hour < 20]
    offpeak = [
        v for t, v in prices if not (t.astimezone(zone).weekday() < 5 and 8 <= t.astimezone(zone).hour < 20)
    ]
    low = min(prices, key=lambda p: p[1])
    high = max(prices, key=lambda p: p[1])
    return {
        "area": area,
        "series_id": f"sim:{area}:day_ahead_price",
        "hours": len(values),
        "base": round(fmean(values), 2),
        "peak": round(fmean(peak), 2),
        "offpeak": round(fmean(offpeak), 2),
        "min": low[1],
        "min_at": low[0].isoformat(),
        "max": high[1],
        "max_at": high[0].isoformat(),
        "std": round(pstdev(values), 2),
        "negative_hours": sum(v < 0 for v in values),
        "spike_hours": sum(v > 150 for v in values),
    }


def _daily_means(points: list[tuple[datetime, float]]) -> list[float]:
    days: dict[date, list[float]] = {}
    for t, v in points:
        days.setdefault(t.date(), []).append(v)
    return [round(fmean(days[d]), 2) for d in sorted(days)]


def _slope(x: list[float], y: list[float]) -> float:
    mx, my = fmean(x), fmean(y)
    var = sum((a - mx) ** 2 for a in x)
    return round(sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / var, 3) if var else 0.0


def _coefficient(name: str, x: list[float], y: list[float]) -> dict[str, Any]:
    """Simple-regression slope with its OLS standard error and a normal-approximation p-value."""
    slope = _slope(x, y)
    mx, my = fmean(x), fmean(y)
    sxx = sum((a - mx) ** 2 for a in x) or 1.0
    residuals = [b - (my + slope * (a - mx)) for a, b in zip(x, y, strict=True)]
    se = math.sqrt(sum(r * r for r in residuals) / max(1, len(x) - 2) / sxx)
    p_value = math.erfc(abs(slope / se) / math.sqrt(2)) if se else 0.0
    return {
        "name": name,
        "estimate": slope,
        "std_error": round(se, 4),
        "ci_low": round(slope - 1.96 * se, 4),
        "ci_high": round(slope + 1.96 * se, 4),
        "p_value": round(p_value, 4),
    }


def analysis_document(week: str, obs: list[Observation], areas: tuple[str, ...]) -> dict[str, Any]:
    """An `analysis.completed` document over the seeded week, figures computed from the rows."""
    monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    start = datetime.combine(monday, datetime.min.time(), UTC)
    end = start + timedelta(days=7)
    series: dict[str, list[tuple[datetime, float]]] = {}
    for o in obs:
        if start <= o.interval_start_utc < end:
            series.setdefault(o.series_id, []).append((o.interval_start_utc, o.value))
    stats, regressions, daily, names, columns = [], [], {}, [], []
    for area in areas:
        prices = sorted(series[f"sim:{area}:day_ahead_price"])
        temps = sorted(series[f"sim:{area}:temperature"])
        stats.append(_week_stats(area, prices))
        base, temp = _daily_means(prices), _daily_means(temps)
        wind = _daily_means(sorted(series[f"sim:{area}:wind_speed"]))
        daily[area] = {"base": base, "temperature": temp, "wind": wind}
        regressions.append(
            {
                "area": area,
                "observations": len(base),
                "r_squared": round((_pearson(temp, base) or 0.0) ** 2, 4),
                "hac_lags": 1,
                "coefficients": [_coefficient("wind", wind, base)],
                "temperature_sensitivity_eur_mwh_per_degc": _slope(temp, base),
            }
        )
        for dataset in ("day_ahead_price", "temperature", "wind_speed"):
            names.append(f"sim:{area}:{dataset}")
            columns.append([v for _, v in sorted(series[f"sim:{area}:{dataset}"])])
    matrix = [[_pearson(a, b) for b in columns] for a in columns]
    first = stats[0]
    return {
        "event_type": "analysis.completed",
        "week": week,
        "week_start_utc": start.isoformat(),
        "week_end_utc": end.isoformat(),
        "generated_at": end.isoformat(),
        "lookback_days": 7,
        "sources": ["sim"],
        "simulated": True,
        "parameters": {"spike_threshold_eur_mwh": 150.0},
        "stats": stats,
        "correlations": [
            {"method": "pearson", "window": "week", "series": names, "values": matrix, "observations": 168}
        ],
        "rolling_correlations": [],
        "regressions": regressions,
        "spreads": [],
        "diagnostics": [],
        "outlooks": [],
        "anomalies": [],
        "coverage": [],
        "daily": daily,
        "headlines": [],
        "narrative": {
            "headline": f"{first['area']} base price averaged {first['base']} EUR/MWh in {week}",
            "summary": f"Simulated: {first['area']} base {first['base']}, peak {first['peak']} EUR/MWh.",
            "drivers": ["temperature", "wind"],
            "risks": [],
            "outlook": "No outlook in the sample state.",
            "caveats": ["Simulated data."],
            "source": "template",
        },
        "outputs": {"json": f"reports/json/{week}.json", "pdf": f"reports/pdf/{week}.pdf"},
    }


def seed(
    settings: NexusSettings,
    *,
    end: date,
    days: int = 21,
    areas: tuple[str, ...] = ("DE_LU", "FR"),
    seed: int = 7,
) -> SeededState:
    """Write `days` days of hourly sim data ending on `end`, metadata, an alert and one week's reports."""
    ensure_storage(settings)
    start = end - timedelta(days=days - 1)
    obs = observations(areas, start, end, seed)
    writer = LakeWriter(settings)
    meta = MetadataRepository(
        settings, table=boto3.resource("dynamodb", region_name=settings.region).Table(settings.table)
    )
    now = datetime.now(UTC)
    for written in writer.merge_write(obs):
        meta.put_partition(PartitionRecord.from_write(written, now))  # with the day's statistics
    meta.put_source_status(SourceStatus(source="sim", last_success=now))
    alert = AlertRaised(
        severity=Severity.WARNING,
        kind=AlertKind.PRICE_SPIKE,
        title=f"Price spike in {areas[0]}",
        detail="Sample alert of the local state.",
        source=Source.SIM,
        dataset=Dataset.DAY_AHEAD_PRICE,
        dedupe_key=f"price_spike:{areas[0]}:{now.date()}",
    )
    meta.put_alert(alert, now.date(), now=now)
    iso = (end - timedelta(days=7)).isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    s3 = boto3.client("s3", region_name=settings.region, endpoint_url=settings.s3_endpoint_url)
    doc = analysis_document(week, obs, areas)
    s3.put_object(Bucket=settings.bucket, Key=f"reports/json/{week}.json", Body=json.dumps(doc).encode())
    s3.put_object(
        Bucket=settings.bucket, Key=f"reports/pdf/{week}.pdf", Body=PDF_BYTES, ContentType="application/pdf"
    )
    meta.put_run(week, f"weekly-{week}", {"status": "SUCCEEDED", "narrative_source": "template"})
    return SeededState(week=week, areas=areas, start=start, end=end)
