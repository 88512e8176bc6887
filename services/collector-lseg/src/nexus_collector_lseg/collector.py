"""LSEG historical pricing: interday summaries (P1D) per configured RIC, one request per RIC.

Rows come newest-first and are sorted here. Errors can come as HTTP 200 with a `status` object
and no `headers`/`data` (unknown RIC, no permission): permanent, so not retried. For exchange
futures SETTLE is the daily price, TRDPRC_1 the fallback. `DATE` is a trading date: the value
covers that local day of the exchange.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_collector_lseg.auth import Credentials, TokenProvider
from nexus_contracts import Dataset, Observation, Resolution, Source, Unit
from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window
from nexus_core.errors import AuthFailed, ContractViolation, SourceSchemaChanged, SourceUnavailable
from nexus_core.http import HttpClient, Response, alert_on_schema_change, client_for

FIELDS = "DATE,TRDPRC_1,SETTLE,HIGH_1,LOW_1,OPEN_PRC,ACVOL_UNS"
MAX_DAYS = 3000  # about the documented interday row limit per request


@dataclass(frozen=True)
class Instrument:
    dataset: Dataset
    unit: Unit
    tz: str = "Europe/Brussels"


CATALOG: dict[str, Instrument] = {
    "TRDEBMc1": Instrument(Dataset.MARKET_PRICE, Unit.EUR_MWH, "Europe/Berlin"),
    "TRDEBQc1": Instrument(Dataset.MARKET_PRICE, Unit.EUR_MWH, "Europe/Berlin"),
    "TRDEBYc1": Instrument(Dataset.MARKET_PRICE, Unit.EUR_MWH, "Europe/Berlin"),
    "TRFRBMc1": Instrument(Dataset.MARKET_PRICE, Unit.EUR_MWH, "Europe/Paris"),
    "TFMBMc1": Instrument(Dataset.GAS_PRICE, Unit.EUR_MWH, "Europe/Amsterdam"),
    "LCOc1": Instrument(Dataset.OIL_PRICE, Unit.USD_BBL, "Europe/London"),
}
DEFAULT = Instrument(Dataset.MARKET_PRICE, Unit.PRICE)


class LsegSettings(BaseSettings):
    """`NEXUS_LSEG_*`: RICs and base URL. Credentials (client_id + client_secret, or app_key +
    username + password) are secrets."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_LSEG_", extra="ignore", frozen=True)

    base_url: str = "https://api.refinitiv.com"
    rics: str = "TRDEBMc1,TFMBMc1"
    timeout_s: float = 30.0

    def ric_list(self) -> list[str]:
        return [r.strip() for r in self.rics.split(",") if r.strip()]


def authorized_get(http: HttpClient, tokens: TokenProvider, url: str, params: Any) -> Response:
    """GET with the bearer token; on 401 renew the token once and retry once."""
    response = http.get(url, params=params, headers={"Authorization": f"Bearer {tokens.bearer()}"})
    if response.status == 401:
        tokens.invalidate()
        response = http.get(url, params=params, headers={"Authorization": f"Bearer {tokens.bearer()}"})
    if response.status in (401, 403):
        raise AuthFailed(f"LSEG refused the token (HTTP {response.status})")
    if response.status != 200 or "html" in response.content_type:
        raise SourceUnavailable(f"LSEG answered HTTP {response.status} ({response.content_type})")
    return response


class LsegCollector(Collector):
    source = Source.LSEG
    publication_tz = "Europe/Brussels"
    refetch_days = 5

    def __init__(
        self,
        settings: LsegSettings | None = None,
        http: HttpClient | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self.settings = settings or LsegSettings()
        self.credentials = credentials if credentials is not None else Credentials.load("lseg")
        # About 5 requests/second per account: pace at 4. A burst bucket, not a quota.
        self.http = http or client_for(
            "lseg", rate_per_s=4, capacity=4, timeout_s=self.settings.timeout_s, bucket_is_quota=False
        )
        self.tokens = (
            TokenProvider(self.settings.base_url, self.credentials, self.http) if self.credentials else None
        )

    def is_configured(self) -> bool:
        return self.tokens is not None

    def requests(self, window: Window) -> Iterator[FetchRequest]:
        days = window.local_days(self.publication_tz)
        for ric in self.settings.ric_list():
            first = days[0]
            while first <= days[-1]:
                last = min(first + timedelta(days=MAX_DAYS - 1), days[-1])
                instrument = CATALOG.get(ric, DEFAULT)
                params = {"ric": ric, "first": first.isoformat(), "last": last.isoformat()}
                yield FetchRequest(instrument.dataset, f"{ric}_{first:%Y%m%d}_{last:%Y%m%d}", window, params)
                first = last + timedelta(days=1)

    def fetch(self, request: FetchRequest) -> RawPayload:
        if self.tokens is None:
            raise AuthFailed("LSEG credentials are not configured")
        first, last = date.fromisoformat(request.params["first"]), date.fromisoformat(request.params["last"])
        params = {
            "interval": "P1D",
            # The service reads [start, end): end is the day after the last wanted date.
            "start": f"{first:%Y-%m-%d}T00:00:00.000000000Z",
            "end": f"{last + timedelta(days=1):%Y-%m-%d}T00:00:00.000000000Z",
            "fields": FIELDS,
            "adjustments": "exchangeCorrection,manualCorrection",
            "count": "10000",
        }
        ric = quote(request.params["ric"], safe="")
        url = (
            f"{self.settings.base_url.rstrip('/')}/data/historical-pricing/v1/views/interday-summaries/{ric}"
        )
        response = authorized_get(self.http, self.tokens, url, params)
        return RawPayload(request=request, body=response.body, content_type="application/json")

    @alert_on_schema_change
    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        return parse_summaries(raw)


def _entry(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise SourceSchemaChanged("LSEG response is not JSON") from exc
    entry = data[0] if isinstance(data, list) and data else data
    if not isinstance(entry, dict):
        raise SourceSchemaChanged("LSEG response is not an array of universe objects")
    if "data" not in entry:
        status = entry.get("status")
        if isinstance(status, dict):
            # An HTTP-200 status object without data: unknown RIC or no permission (permanent).
            raise ContractViolation(f"LSEG {status.get('code')}: {status.get('message')}")
        raise SourceSchemaChanged("LSEG response lacks 'data'")
    return entry


def parse_summaries(raw: RawPayload) -> list[Observation]:
    entry = _entry(raw.body)
    ric = raw.request.params["ric"]
    instrument = CATALOG.get(ric, DEFAULT)
    if "headers" not in entry:
        raise SourceSchemaChanged("LSEG response lacks 'headers'")
    names = [h.get("name") for h in entry["headers"]]
    if "DATE" not in names or not ({"SETTLE", "TRDPRC_1"} & set(names)):
        raise SourceSchemaChanged(f"LSEG headers {names} lack DATE or a price field")
    zone = ZoneInfo(instrument.tz)
    first, last = (
        date.fromisoformat(raw.request.params["first"]),
        date.fromisoformat(raw.request.params["last"]),
    )
    out: dict[datetime, Observation] = {}
    for row in entry["data"]:
        record = dict(zip(names, row, strict=False))
        day = date.fromisoformat(str(record["DATE"]))
        price = record.get("SETTLE")
        price = price if price is not None else record.get("TRDPRC_1")
        if price is None or not first <= day <= last:
            continue
        start = datetime.combine(day, time(), zone).astimezone(UTC)
        out[start] = Observation(
            source=Source.LSEG,
            dataset=instrument.dataset,
            series_id=f"lseg:{ric}:{instrument.dataset.value}",
            location=ric,
            interval_start_utc=start,
            interval_end_utc=datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC),
            resolution=Resolution.P1D,
            value=float(price),
            unit=instrument.unit,
            publish_time_utc=raw.fetched_at,
        )
    # Rows arrive newest-first; the contract wants ascending intervals.
    return [out[k] for k in sorted(out)]
