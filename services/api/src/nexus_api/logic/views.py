"""Builds the API's response models from repository data (no HTTP, no boto3)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from nexus_api.adapters.repository import ApiRepository
from nexus_api.errors import BadRequest, NotFound
from nexus_api.logic.resample import Point, Resolution, resample, resample_days
from nexus_api.models import (
    Alert,
    AnalysisInfo,
    CorrelationView,
    MarketSummary,
    ObservationPoint,
    ObservationSeries,
    SeriesInfo,
    SourceHealth,
    SourcesStatus,
)


def find_series(repo: ApiRepository, series_id: str) -> SeriesInfo:
    for info in repo.series_catalog():
        if info.series_id == series_id:
            return info
    raise NotFound(f"series {series_id!r} is not in the catalog")


_MEMO: OrderedDict[tuple[str, str, date, date, Resolution], list[Point]] = OrderedDict()
_MEMO_SIZE = 256


def _resampled(
    repo: ApiRepository, info: SeriesInfo, start: date, end: date, resolution: Resolution
) -> list[Point]:
    """Resampled points, memoised per data version: unchanged lake files are not resampled again.

    Daily and weekly means come from the partitions' daily statistics (no day file is read for
    days that have them); raw and hourly points from the day files.
    """
    key = (repo.data_version(info, start, end), info.series_id, start, end, resolution)
    hit = _MEMO.get(key)
    if hit is None:
        if resolution in (Resolution.DAY, Resolution.WEEK):
            hit = resample_days(repo.daily(info, start, end), resolution)
        else:
            hit = resample(repo.observations(info, start, end), resolution)
        _MEMO[key] = hit
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return hit


def observations(
    repo: ApiRepository,
    series_id: str,
    start: date | None,
    end: date | None,
    resolution: Resolution,
    limit: int,
    max_days: int,
) -> ObservationSeries:
    """Resampled points of one series over UTC days `start..end` (default: its last 30 days)."""
    info = find_series(repo, series_id)
    end = end or info.last_interval_utc.date()
    start = start or end - timedelta(days=29)
    if end < start:
        raise BadRequest(f"'to' ({end}) is before 'from' ({start})")
    days = (end - start).days + 1
    if days > max_days:
        raise BadRequest(f"{days} days requested; at most {max_days} days per request")
    points = _resampled(repo, info, start, end, resolution)
    if len(points) > limit:
        raise BadRequest(
            f"{len(points)} points exceed the limit of {limit}; "
            "narrow the range or choose a coarser resolution"
        )
    return ObservationSeries(
        series_id=info.series_id,
        unit=info.unit,
        resolution=resolution.value,
        start=start,
        end=end,
        simulated=info.simulated,
        points=[ObservationPoint(t=p.start, v=p.value, n=p.count) for p in points],
    )


def analysis_doc(repo: ApiRepository, week: str | None) -> dict[str, Any]:
    """The requested week's analysis, or the latest one when `week` is None."""
    if week is None:
        weeks = repo.analysis_weeks()
        if not weeks:
            raise NotFound("no weekly analysis has been published yet")
        week = weeks[-1]
    doc = repo.analysis(week)
    if doc is None:
        raise NotFound(f"no analysis for week {week}")
    return doc


def _narrative(doc: dict[str, Any]) -> dict[str, Any]:
    narrative = doc.get("narrative")
    return narrative if isinstance(narrative, dict) else {}


def analysis_info(doc: dict[str, Any]) -> AnalysisInfo:
    return AnalysisInfo(
        week=doc["week"],
        generated_at=doc.get("generated_at"),
        simulated=bool(doc.get("simulated", False)),
        headline=_narrative(doc).get("headline"),
        narrative_source=_narrative(doc).get("source"),
        areas=[s["area"] for s in doc.get("stats", [])],
    )


def _for_area(items: list[dict[str, Any]], area: str) -> dict[str, Any] | None:
    return next((i for i in items if i.get("area") == area), None)


def market_summary(doc: dict[str, Any], area: str) -> MarketSummary:
    stats = _for_area(doc.get("stats", []), area)
    if stats is None:
        raise NotFound(f"market {area!r} is not in the analysis of {doc['week']}")
    outlook = _for_area(doc.get("outlooks", []), area) or {}
    return MarketSummary(
        area=area,
        week=doc["week"],
        simulated=bool(doc.get("simulated", False)),
        stats=stats,
        regression=_for_area(doc.get("regressions", []), area),
        spreads=_for_area(doc.get("spreads", []), area),
        outlook_expected_base=outlook.get("expected_base"),
        daily=doc.get("daily", {}).get(area, {}),
        headline=_narrative(doc).get("headline"),
        narrative_source=_narrative(doc).get("source"),
    )


def correlations(doc: dict[str, Any]) -> CorrelationView:
    return CorrelationView(week=doc["week"], matrices=list(doc.get("correlations", [])))


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def sources_status(repo: ApiRepository, now: datetime) -> SourcesStatus:
    """Per source: hours since the last success, mean completeness of the last 7 UTC days."""
    since = now.date() - timedelta(days=6)
    completeness: dict[str, list[float]] = {}
    for part in repo.partitions_since(since):
        completeness.setdefault(part["source"], []).append(float(part.get("completeness", 1.0)))
    statuses = {s["source"]: s for s in repo.source_statuses()}
    quarantined = repo.quarantine_counts()
    out: list[SourceHealth] = []
    for source in sorted(set(statuses) | set(completeness)):
        status = statuses.get(source, {})
        last = _parse_time(status.get("last_success"))
        values = completeness.get(source, [])
        out.append(
            SourceHealth(
                source=source,
                configured=bool(status.get("configured", True)),
                last_success=last,
                freshness_hours=round((now - last).total_seconds() / 3600, 2) if last else None,
                consecutive_failures=int(status.get("consecutive_failures", 0)),
                last_error=status.get("last_error"),
                completeness_7d=round(sum(values) / len(values), 4) if values else None,
                partitions_7d=len(values),
                quarantined=quarantined.get(source, 0),
            )
        )
    return SourcesStatus(generated_at=now, sources=out, quarantine_queue_depth=repo.quarantine_queue_depth())


def recent_alerts(repo: ApiRepository, today: date, days: int) -> list[Alert]:
    wanted = [today - timedelta(days=i) for i in range(days)]
    alerts = [Alert.model_validate(item) for item in repo.alerts(wanted)]
    return sorted(alerts, key=lambda a: a.raised_at or datetime.min.replace(tzinfo=UTC), reverse=True)
