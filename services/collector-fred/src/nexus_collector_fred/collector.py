"""FRED: one `series/observations` call per configured series and window.

Values are strings and "." means missing. A FRED date is a calendar period, not an instant: a
daily value covers the local day, a monthly value the local month (America/New_York, where these
series are published). Monthly series are re-fetched over a trailing lookback because a month's
value appears weeks after the month and is revised later. Publish time = `realtime_start`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_contracts import Dataset, Observation, Resolution, Source, Unit
from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window
from nexus_core.errors import AuthFailed, ContractViolation, SourceSchemaChanged, SourceUnavailable
from nexus_core.http import HttpClient, alert_on_schema_change, client_for
from nexus_core.secrets import get_secret

logger = logging.getLogger(__name__)

TZ = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class SeriesSpec:
    dataset: Dataset
    unit: Unit
    resolution: Resolution


CATALOG: dict[str, SeriesSpec] = {
    "DHHNGSP": SeriesSpec(Dataset.GAS_PRICE, Unit.USD_MMBTU, Resolution.P1D),  # Henry Hub spot
    "PNGASEUUSDM": SeriesSpec(Dataset.GAS_PRICE, Unit.USD_MMBTU, Resolution.P1M),  # IMF EU gas
    "DCOILBRENTEU": SeriesSpec(Dataset.OIL_PRICE, Unit.USD_BBL, Resolution.P1D),
    "DCOILWTICO": SeriesSpec(Dataset.OIL_PRICE, Unit.USD_BBL, Resolution.P1D),
    "DEXUSEU": SeriesSpec(Dataset.FX_RATE, Unit.USD_PER_EUR, Resolution.P1D),
    "INDPRO": SeriesSpec(Dataset.MACRO_INDEX, Unit.INDEX, Resolution.P1M),
}


class FredSettings(BaseSettings):
    """`NEXUS_FRED_*`: series ids (from CATALOG), base URL, monthly lookback. Key: a secret."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_FRED_", extra="ignore", frozen=True)

    base_url: str = "https://api.stlouisfed.org/fred"
    series: str = "DHHNGSP,DCOILBRENTEU,DCOILWTICO,DEXUSEU,INDPRO"
    monthly_lookback_months: int = 6
    timeout_s: float = 30.0

    def series_ids(self) -> list[str]:
        ids = [s.strip() for s in self.series.split(",") if s.strip()]
        unknown = [s for s in ids if s not in CATALOG]
        if unknown:
            logger.warning("FRED series without a catalog entry are skipped", extra={"series": unknown})
        return [s for s in ids if s in CATALOG]


def local_period(day: date, resolution: Resolution) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the New York day or month that starts on `day`."""
    if resolution is Resolution.P1M:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    else:
        following = day + timedelta(days=1)
    start = datetime.combine(day, time(), TZ).astimezone(UTC)
    return start, datetime.combine(following, time(), TZ).astimezone(UTC)


class FredCollector(Collector):
    source = Source.FRED
    publication_tz = "America/New_York"
    refetch_days = 7

    def __init__(
        self, settings: FredSettings | None = None, http: HttpClient | None = None, api_key: str | None = None
    ) -> None:
        self.settings = settings or FredSettings()
        self.api_key = api_key if api_key is not None else get_secret("fred", "api_key")
        # 120 requests per minute per key.
        self.http = http or client_for("fred", rate_per_s=2, capacity=120, timeout_s=self.settings.timeout_s)

    def is_configured(self) -> bool:
        return bool(self.api_key)

    def requests(self, window: Window) -> Iterator[FetchRequest]:
        days = window.local_days(self.publication_tz)
        for series_id in self.settings.series_ids():
            spec = CATALOG[series_id]
            first = days[0]
            if spec.resolution is Resolution.P1M:
                months = first.year * 12 + first.month - 1 - self.settings.monthly_lookback_months
                first = date(months // 12, months % 12 + 1, 1)
            params = {
                "series_id": series_id,
                "observation_start": first.isoformat(),
                "observation_end": days[-1].isoformat(),
            }
            key = f"{series_id}_{first:%Y%m%d}_{days[-1]:%Y%m%d}"
            yield FetchRequest(dataset=spec.dataset, key=key, window=window, params=params)

    def fetch(self, request: FetchRequest) -> RawPayload:
        params = {**request.params, "api_key": self.api_key or "", "file_type": "json"}
        response = self.http.get(f"{self.settings.base_url.rstrip('/')}/series/observations", params=params)
        if response.status == 400:
            message = _message(response.body)
            if "api_key" in message:
                raise AuthFailed(f"FRED rejected the API key: {message}")
            raise ContractViolation(f"FRED refused the request: {message}")
        if response.status in (401, 403):
            raise AuthFailed(f"FRED answered HTTP {response.status}")
        if response.status != 200 or "html" in response.content_type:
            raise SourceUnavailable(f"FRED answered HTTP {response.status} ({response.content_type})")
        return RawPayload(request=request, body=response.body, content_type="application/json")

    @alert_on_schema_change
    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        return parse_observations(raw)


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("error_message", ""))
    except (ValueError, AttributeError):
        return body[:200].decode(errors="replace")


def _field(row: dict[str, Any], name: str) -> str:
    if name not in row:
        raise SourceSchemaChanged(f"FRED observation lacks {name!r}")
    return str(row[name])


def parse_observations(raw: RawPayload) -> list[Observation]:
    """Observations of one series; daily ones outside the window's local days are dropped."""
    try:
        data = json.loads(raw.body)
    except ValueError as exc:
        raise SourceSchemaChanged("FRED response is not JSON") from exc
    if not isinstance(data, dict) or "observations" not in data:
        raise SourceSchemaChanged("FRED response lacks 'observations'")
    series_id = raw.request.params["series_id"]
    spec = CATALOG[series_id]
    days = set(raw.request.window.local_days(TZ.key))
    out: dict[datetime, Observation] = {}
    for row in data["observations"]:
        day, value = date.fromisoformat(_field(row, "date")), _field(row, "value")
        vintage = date.fromisoformat(_field(row, "realtime_start"))
        if value == "." or (spec.resolution is Resolution.P1D and day not in days):
            continue
        start, end = local_period(day, spec.resolution)
        out[start] = Observation(
            source=Source.FRED,
            dataset=spec.dataset,
            series_id=f"fred:{series_id}:{spec.dataset.value}",
            location="US",
            interval_start_utc=start,
            interval_end_utc=end,
            resolution=spec.resolution,
            value=float(value),
            unit=spec.unit,
            publish_time_utc=datetime.combine(vintage, time(), TZ),
        )
    return [out[k] for k in sorted(out)]
