"""Open-Meteo: hourly weather at one point per bidding zone, always requested in UTC.

`timezone=GMT` because the API applies one fixed offset to a whole response (not DST-aware); the
local delivery day is rebuilt from UTC hours. Days older than `archive_lag_days` come from the
ERA5 archive endpoint, newer ones from the forecast endpoint. Radiation is the mean over the
hour *before* its time stamp; temperature and wind are instantaneous at the stamp.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_contracts import AREAS, AreaCode, Dataset, Observation, Quality, Resolution, Source, Unit
from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window
from nexus_core.errors import ContractViolation, SourceSchemaChanged, SourceUnavailable
from nexus_core.http import HttpClient, alert_on_schema_change, client_for
from nexus_core.secrets import get_secret

FORECAST_URL = "https://api.open-meteo.com"
ARCHIVE_URL = "https://archive-api.open-meteo.com"
# A commercial key moves every API to its customer-* host (reserved capacity, commercial licence).
CUSTOMER_FORECAST_URL = "https://customer-api.open-meteo.com"
CUSTOMER_ARCHIVE_URL = "https://customer-archive-api.open-meteo.com"
HOUR = timedelta(hours=1)
# variable -> (dataset, unit the response must declare, our unit, stamp marks the interval end)
VARIABLES: dict[str, tuple[Dataset, str, Unit, bool]] = {
    "temperature_2m": (Dataset.TEMPERATURE, "°C", Unit.DEG_C, False),
    "wind_speed_10m": (Dataset.WIND_SPEED, "m/s", Unit.M_S, False),
    "shortwave_radiation": (Dataset.SOLAR_RADIATION, "W/m²", Unit.W_M2, True),
}


class OpenMeteoSettings(BaseSettings):
    """`NEXUS_OPENMETEO_*`. On by default: the API needs no key, so a deployed collector collects
    its default zones out of the box. `enabled=false` switches it off; an `apikey` secret moves
    it to the commercial customer-* hosts. Offline runs stay offline because nothing runs it
    there: `make demo` fires only the simulated collector."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_OPENMETEO_", extra="ignore", frozen=True)

    enabled: bool = True
    base_url: str = FORECAST_URL
    archive_base_url: str | None = None
    areas: str = "DE_LU,FR,NL,BE"
    archive_lag_days: int = 5
    max_days_per_request: int = 92
    timeout_s: float = 30.0

    def forecast_url(self, keyed: bool = False) -> str:
        base = self.base_url.rstrip("/")
        return CUSTOMER_FORECAST_URL if keyed and base == FORECAST_URL else base

    def archive_url(self, keyed: bool = False) -> str:
        # One overridden base URL (a mirror or a test server) serves both endpoints.
        if self.archive_base_url:
            return self.archive_base_url.rstrip("/")
        if self.base_url.rstrip("/") != FORECAST_URL:
            return self.base_url.rstrip("/")
        return CUSTOMER_ARCHIVE_URL if keyed else ARCHIVE_URL


class OpenMeteoCollector(Collector):
    source = Source.OPENMETEO
    publication_tz = "Europe/Brussels"
    publication_lead_days = 1
    publication_time = time(6, 0)
    refetch_days = 6

    def __init__(
        self,
        settings: OpenMeteoSettings | None = None,
        http: HttpClient | None = None,
        apikey: str | None = None,
        today: date | None = None,
    ) -> None:
        self.settings = settings or OpenMeteoSettings()
        self.apikey = apikey if apikey is not None else get_secret("openmeteo", "apikey")
        self.today = today
        # Free tier: 600 calls/minute per IP.
        self.http = http or client_for(
            "openmeteo", rate_per_s=10, capacity=600, timeout_s=self.settings.timeout_s
        )

    def is_configured(self) -> bool:
        # No credentials to wait for: only the switch (the key is optional, commercial plans).
        return self.settings.enabled

    def requests(self, window: Window) -> Iterator[FetchRequest]:
        today = self.today or datetime.now(UTC).date()
        boundary = datetime.combine(today - timedelta(days=self.settings.archive_lag_days), time(), UTC)
        parts = (
            [Window(window.start_utc, min(window.end_utc, boundary))] if window.start_utc < boundary else []
        )
        if window.end_utc > boundary:
            parts.append(Window(max(window.start_utc, boundary), window.end_utc))
        step = timedelta(days=self.settings.max_days_per_request)
        for part in parts:
            endpoint = "archive" if part.end_utc <= boundary else "forecast"
            start = part.start_utc
            while start < part.end_utc:
                chunk = Window(start, min(start + step, part.end_utc))
                for code in [AreaCode(a.strip()) for a in self.settings.areas.split(",") if a.strip()]:
                    yield self._request(endpoint, code, chunk)
                start = chunk.end_utc

    def _request(self, endpoint: str, code: AreaCode, chunk: Window) -> FetchRequest:
        area = AREAS[code]
        # Radiation stamped at the next hour closes the window's last interval: one extra hour.
        last = chunk.end_utc
        params = {
            "latitude": f"{area.latitude:.4f}",
            "longitude": f"{area.longitude:.4f}",
            "start_date": chunk.start_utc.date().isoformat(),
            "end_date": last.date().isoformat(),
            "hourly": ",".join(VARIABLES),
            "wind_speed_unit": "ms",
            "timezone": "GMT",
        }
        key = f"{endpoint}_{code.value}_{chunk.start_utc:%Y%m%dT%H}_{chunk.end_utc:%Y%m%dT%H}"
        return FetchRequest(
            dataset=Dataset.TEMPERATURE,
            key=key,
            window=chunk,
            params={"endpoint": endpoint, "area": code.value, **params},
        )

    def fetch(self, request: FetchRequest) -> RawPayload:
        params = {k: v for k, v in request.params.items() if k not in {"endpoint", "area"}}
        if self.apikey:
            params["apikey"] = self.apikey
        endpoint = request.params["endpoint"]
        keyed = bool(self.apikey)
        base = (
            self.settings.archive_url(keyed) if endpoint == "archive" else self.settings.forecast_url(keyed)
        )
        response = self.http.get(f"{base}/v1/{endpoint}", params=params)
        if response.status == 400:
            raise ContractViolation(f"Open-Meteo refused the request: {_reason(response.body)}")
        if response.status in (401, 403):
            from nexus_core.errors import AuthFailed

            raise AuthFailed(f"Open-Meteo rejected the API key (HTTP {response.status})")
        if response.status != 200 or "html" in response.content_type:
            raise SourceUnavailable(f"Open-Meteo answered HTTP {response.status} ({response.content_type})")
        return RawPayload(request=request, body=response.body, content_type="application/json")

    @alert_on_schema_change
    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        return parse_hourly(raw, AreaCode(raw.request.params["area"]))


def _reason(body: bytes) -> str:
    try:
        return str(json.loads(body).get("reason", ""))[:300]
    except (ValueError, AttributeError):
        return body[:200].decode(errors="replace")


def _require(data: dict[str, Any], name: str) -> Any:
    if name not in data:
        raise SourceSchemaChanged(f"Open-Meteo response lacks {name!r}")
    return data[name]


def parse_hourly(raw: RawPayload, area: AreaCode) -> list[Observation]:
    """Hourly values inside the request window; nulls (not yet available) are skipped."""
    try:
        data = json.loads(raw.body)
    except ValueError as exc:
        raise SourceSchemaChanged("Open-Meteo response is not JSON") from exc
    hourly, units = _require(data, "hourly"), _require(data, "hourly_units")
    stamps = [datetime.fromisoformat(t).replace(tzinfo=UTC) for t in _require(hourly, "time")]
    quality = Quality.ESTIMATED if raw.request.params["endpoint"] == "archive" else Quality.PROVISIONAL
    window = raw.request.window
    out = []
    for variable, (dataset, declared, unit, stamp_is_end) in VARIABLES.items():
        values = _require(hourly, variable)
        if _require(units, variable) != declared:
            raise SourceSchemaChanged(f"Open-Meteo {variable} in {units[variable]!r}, expected {declared!r}")
        for stamp, value in zip(stamps, values, strict=True):
            start = stamp - HOUR if stamp_is_end else stamp
            if value is None or not window.start_utc <= start < window.end_utc:
                continue
            out.append(
                Observation(
                    source=Source.OPENMETEO,
                    dataset=dataset,
                    series_id=f"openmeteo:{area.value}:{dataset.value}",
                    area=area,
                    interval_start_utc=start,
                    interval_end_utc=start + HOUR,
                    resolution=Resolution.PT60M,
                    value=float(value),
                    unit=unit,
                    publish_time_utc=raw.fetched_at,
                    quality=quality,
                )
            )
    return sorted(out, key=lambda o: (o.series_id, o.interval_start_utc))
