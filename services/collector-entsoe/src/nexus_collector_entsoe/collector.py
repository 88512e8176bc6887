"""ENTSO-E client: chunked, padded requests per zone and document type; responses to Observations.

Periods are `yyyyMMddHHmm` in UTC. The API answers with whole delivery days, so every request is
padded by one day on each side and the parsed points are truncated back to the request window.
A 429 bans the token for about ten minutes: the run stops (RateLimited) instead of retrying.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_collector_entsoe.parser import Document, Point, parse_document
from nexus_contracts import AREAS, AreaCode, Dataset, Observation, Resolution, Source, Unit
from nexus_contracts.registries import area_for_eic
from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window
from nexus_core.errors import AuthFailed, SourceSchemaChanged, SourceUnavailable
from nexus_core.http import HttpClient, alert_on_schema_change, client_for
from nexus_core.secrets import get_secret

PAD = timedelta(days=1)
CET = ZoneInfo("Europe/Brussels")
DOCUMENTS = {"A44": Dataset.DAY_AHEAD_PRICE, "A65": Dataset.ACTUAL_LOAD}
UNITS = {Dataset.DAY_AHEAD_PRICE: Unit.EUR_MWH, Dataset.ACTUAL_LOAD: Unit.MW}
EXPECTED_UNITS = {Dataset.DAY_AHEAD_PRICE: {"EUR", "MWH"}, Dataset.ACTUAL_LOAD: {"MAW"}}
# DE-LU and AT publish a second (local auction) price series; position 1 is the SDAC one.
SEQUENCE_ZONES = {AreaCode.DE_LU, AreaCode.AT}


class EntsoeSettings(BaseSettings):
    """`NEXUS_ENTSOE_*`: zones, document types, base URL, chunk size. The token is a secret."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_ENTSOE_", extra="ignore", frozen=True)

    base_url: str = "https://web-api.tp.entsoe.eu/api"
    areas: str = "DE_LU,FR,NL,BE"
    documents: str = "A44,A65"
    max_days_per_request: int = 365
    timeout_s: float = 60.0

    def area_codes(self) -> list[AreaCode]:
        return [AreaCode(a.strip()) for a in self.areas.split(",") if a.strip()]


def _stamp(moment: object) -> str:
    return format(moment, "%Y%m%d%H%M")


class EntsoeCollector(Collector):
    source = Source.ENTSOE
    publication_tz = "Europe/Brussels"
    # Day-ahead prices for D+1 are out after the 12:45 CET auction; load trails by hours.
    publication_lead_days = 1
    publication_time = time(13, 0)
    refetch_days = 3

    def __init__(
        self, settings: EntsoeSettings | None = None, http: HttpClient | None = None, token: str | None = None
    ) -> None:
        self.settings = settings or EntsoeSettings()
        self.token = token if token is not None else get_secret("entsoe", "token")
        self.http = http or client_for(
            "entsoe", rate_per_s=400 / 60, capacity=400, timeout_s=self.settings.timeout_s
        )
        # A 429 bans the token for ~10 minutes: stop the run and let the next schedule retry.
        self.http.retry = replace(self.http.retry, stop_on_429=True)

    def is_configured(self) -> bool:
        return bool(self.token)

    def requests(self, window: Window) -> Iterator[FetchRequest]:
        chunk = timedelta(days=self.settings.max_days_per_request)
        start = window.start_utc
        while start < window.end_utc:
            part = Window(start, min(start + chunk, window.end_utc))
            for document in [d.strip() for d in self.settings.documents.split(",") if d.strip()]:
                for code in self.settings.area_codes():
                    yield self._request(document, code, part)
            start = part.end_utc

    def _request(self, document: str, code: AreaCode, part: Window) -> FetchRequest:
        eic = AREAS[code].eic
        params = {
            "documentType": document,
            "periodStart": _stamp(part.start_utc - PAD),
            "periodEnd": _stamp(part.end_utc + PAD),
        }
        if document == "A44":
            params |= {"in_Domain": eic, "out_Domain": eic, "contract_MarketAgreement.type": "A01"}
            if code in SEQUENCE_ZONES:
                params["classificationSequence_AttributeInstanceComponent.position"] = "1"
        else:
            params |= {"processType": "A16", "outBiddingZone_Domain": eic}
        key = f"{document}_{code.value}_{_stamp(part.start_utc)}_{_stamp(part.end_utc)}"
        return FetchRequest(dataset=DOCUMENTS[document], key=key, window=part, params=params)

    def fetch(self, request: FetchRequest) -> RawPayload:
        params = {"securityToken": self.token or "", **request.params}
        response = self.http.get(self.settings.base_url, params=params)
        if response.status in (401, 403):
            raise AuthFailed(f"ENTSO-E rejected the security token (HTTP {response.status})")
        body = response.body
        # The fallback host may answer with a ZIP holding the XML document.
        if response.content_type.startswith("application/zip") or body[:2] == b"PK":
            body = _unzip(body)
        elif "html" in response.content_type or body.lstrip()[:15].lower().startswith(
            (b"<!doctype", b"<html")
        ):
            raise SourceUnavailable(f"ENTSO-E answered HTTP {response.status} with an HTML page")
        # 400 with an acknowledgement document is a normal answer ("No matching data found").
        if response.status >= 400 and b"Acknowledgement_MarketDocument" not in body:
            raise SourceUnavailable(f"ENTSO-E answered HTTP {response.status}")
        return RawPayload(request=request, body=body, content_type="application/xml", status=response.status)

    @alert_on_schema_change
    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        return to_observations(parse_document(raw.body), raw.request)


def _unzip(body: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".xml")]
        if not names:
            raise SourceSchemaChanged("ENTSO-E ZIP response holds no XML document")
        return archive.read(names[0])


def to_observations(document: Document, request: FetchRequest) -> list[Observation]:
    """Points inside the request window, one per (zone, start); the finest resolution wins."""
    dataset = request.dataset
    if document.points and not EXPECTED_UNITS[dataset] <= document.units:
        raise SourceSchemaChanged(f"ENTSO-E units {sorted(document.units)} for {dataset.value}")
    best: dict[tuple[str, datetime], Point] = {}
    for point in document.points:
        if not request.window.start_utc <= point.start < request.window.end_utc:
            continue
        key = (point.eic, point.start)
        kept = best.get(key)
        if kept is None or (point.end - point.start) < (kept.end - kept.start):
            best[key] = point
    out = []
    for point in best.values():
        area = area_for_eic(point.eic, point.start.astimezone(CET).date())
        out.append(
            Observation(
                source=Source.ENTSOE,
                dataset=dataset,
                series_id=f"entsoe:{area.code.value}:{dataset.value}",
                area=area.code,
                interval_start_utc=point.start,
                interval_end_utc=point.end,
                resolution=Resolution(point.resolution),
                value=point.value,
                unit=UNITS[dataset],
                publish_time_utc=document.created,
            )
        )
    return sorted(out, key=lambda o: (o.series_id, o.interval_start_utc))
