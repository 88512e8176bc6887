"""EIA Open Data v2: hourly demand per balancing authority and daily/monthly price series.

JSON responses hold at most 5,000 rows: a request is paged with `offset`/`length` until `offset`
reaches `response.total` (a string or a number). Hourly periods are hour-beginning UTC
(`2024-01-01T00`); daily and monthly periods are calendar periods in America/New_York.
"""

from __future__ import annotations

import json
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

PAGE = 5000
TZ = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Route:
    """One EIA data route with its facets: what it yields and in which unit."""

    path: str
    frequency: str
    facets: tuple[tuple[str, str], ...]
    dataset: Dataset
    unit: Unit
    column: str = "value"
    scale: float = 1.0


PRICES: dict[str, Route] = {
    "henry_hub": Route(
        "natural-gas/pri/fut", "daily", (("series", "RNGC1"),), Dataset.GAS_PRICE, Unit.USD_MMBTU
    ),
    "brent": Route("petroleum/pri/spt", "daily", (("series", "RBRTE"),), Dataset.OIL_PRICE, Unit.USD_BBL),
    "wti": Route("petroleum/pri/spt", "daily", (("series", "RWTC"),), Dataset.OIL_PRICE, Unit.USD_BBL),
    # Retail price in cents/kWh; x10 gives USD/MWh.
    "us_industrial_power": Route(
        "electricity/retail-sales",
        "monthly",
        (("stateid", "US"), ("sectorid", "IND")),
        Dataset.MARKET_PRICE,
        Unit.USD_MWH,
        column="price",
        scale=10.0,
    ),
}


class EiaSettings(BaseSettings):
    """`NEXUS_EIA_*`: balancing authorities for demand, price routes (keys of PRICES). Key: a secret."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_EIA_", extra="ignore", frozen=True)

    base_url: str = "https://api.eia.gov/v2"
    respondents: str = "PJM,MISO,ERCO"
    prices: str = "henry_hub,brent,us_industrial_power"
    timeout_s: float = 60.0


def demand_route(respondent: str) -> Route:
    facets = (("respondent", respondent), ("type", "D"))
    return Route("electricity/rto/region-data", "hourly", facets, Dataset.ELECTRICITY_DEMAND, Unit.MWH)


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


class EiaCollector(Collector):
    source = Source.EIA
    publication_tz = "America/New_York"
    refetch_days = 7

    def __init__(
        self, settings: EiaSettings | None = None, http: HttpClient | None = None, api_key: str | None = None
    ) -> None:
        self.settings = settings or EiaSettings()
        self.api_key = api_key if api_key is not None else get_secret("eia", "api_key")
        # The limit is not published; stay modest.
        self.http = http or client_for("eia", rate_per_s=1, capacity=60, timeout_s=self.settings.timeout_s)

    def is_configured(self) -> bool:
        return bool(self.api_key)

    def requests(self, window: Window) -> Iterator[FetchRequest]:
        days = window.local_days(self.publication_tz)
        for respondent in _names(self.settings.respondents):
            span = (f"{window.start_utc:%Y-%m-%dT%H}", f"{window.end_utc - HOUR:%Y-%m-%dT%H}")
            yield self._request(f"demand_{respondent}", demand_route(respondent), window, span, respondent)
        for name in _names(self.settings.prices):
            route = PRICES[name]
            first = days[0] if route.frequency == "daily" else days[0].replace(day=1) - timedelta(days=150)
            fmt = "%Y-%m-%d" if route.frequency == "daily" else "%Y-%m"
            yield self._request(name, route, window, (first.strftime(fmt), days[-1].strftime(fmt)), "US")

    def _request(
        self, name: str, route: Route, window: Window, span: tuple[str, str], where: str
    ) -> FetchRequest:
        params: list[tuple[str, str]] = [("frequency", route.frequency), ("data[0]", route.column)]
        params += [(f"facets[{k}][]", v) for k, v in route.facets]
        params += [
            ("start", span[0]),
            ("end", span[1]),
            ("sort[0][column]", "period"),
            ("sort[0][direction]", "asc"),
        ]
        return FetchRequest(
            dataset=route.dataset,
            key=f"{name}_{span[0]}_{span[1]}",
            window=window,
            params={"name": name, "route": route, "query": params, "where": where},
        )

    def fetch(self, request: FetchRequest) -> RawPayload:
        route: Route = request.params["route"]
        url = f"{self.settings.base_url.rstrip('/')}/{route.path}/data/"
        pages: list[bytes] = []
        offset, total = 0, None
        while total is None or offset < total:
            query = [
                ("api_key", self.api_key or ""),
                *request.params["query"],
                ("offset", str(offset)),
                ("length", str(PAGE)),
            ]
            response = self.http.get(url, params=query)
            if response.status in (401, 403):
                raise AuthFailed(f"EIA rejected the API key (HTTP {response.status})")
            if response.status == 400:
                raise ContractViolation(f"EIA refused the request: {response.text[:300]}")
            if response.status != 200 or "html" in response.content_type:
                raise SourceUnavailable(f"EIA answered HTTP {response.status} ({response.content_type})")
            pages.append(response.body)
            body = _json(response.body)
            total = int(_need(_need(body, "response"), "total"))
            rows = len(_need(body["response"], "data"))
            if rows == 0:
                break
            offset += rows
        # Pages are kept verbatim, side by side, so the archive holds exactly what EIA sent.
        return RawPayload(
            request=request, body=b"[" + b",".join(pages) + b"]", content_type="application/json"
        )

    @alert_on_schema_change
    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        return parse_pages(raw)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise SourceSchemaChanged("EIA response is not JSON") from exc


def _need(data: Any, name: str) -> Any:
    if not isinstance(data, dict) or name not in data:
        raise SourceSchemaChanged(f"EIA response lacks {name!r}")
    return data[name]


def _interval(period: str, frequency: str) -> tuple[datetime, datetime, Resolution]:
    if frequency == "hourly":
        start = datetime.strptime(period, "%Y-%m-%dT%H").replace(tzinfo=UTC)
        return start, start + HOUR, Resolution.PT60M
    if frequency == "daily":
        day = date.fromisoformat(period)
        start = datetime.combine(day, time(), TZ)
        return start, datetime.combine(day + timedelta(days=1), time(), TZ), Resolution.P1D
    first = date.fromisoformat(f"{period}-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return datetime.combine(first, time(), TZ), datetime.combine(following, time(), TZ), Resolution.P1M


def parse_pages(raw: RawPayload) -> list[Observation]:
    route: Route = raw.request.params["route"]
    where: str = raw.request.params["where"]
    series_id = (
        f"eia:{where if route.frequency == 'hourly' else raw.request.params['name']}:{route.dataset.value}"
    )
    window, days = raw.request.window, set(raw.request.window.local_days(TZ.key))
    out: dict[datetime, Observation] = {}
    for page in _json(raw.body):
        for row in _need(_need(page, "response"), "data"):
            value = _need(row, route.column)
            start, end, resolution = _interval(str(_need(row, "period")), route.frequency)
            inside = window.start_utc <= start < window.end_utc if route.frequency == "hourly" else True
            if route.frequency == "daily":
                inside = start.date() in days
            if value is None or value == "" or not inside:
                continue
            out[start] = Observation(
                source=Source.EIA,
                dataset=route.dataset,
                series_id=series_id,
                location=where,
                interval_start_utc=start,
                interval_end_utc=end,
                resolution=resolution,
                value=float(value) * route.scale,
                unit=route.unit,
                publish_time_utc=raw.fetched_at,
            )
    return [out[k] for k in sorted(out)]
