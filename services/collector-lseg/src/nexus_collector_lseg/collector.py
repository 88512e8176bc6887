"""LSEG historical pricing: interday summaries (P1D) per configured RIC, paged back in time.

Summaries have no cursor: a request asks for `[start, end)` and at most `count` rows, newest
first. A full page means there may be more, so the next request moves `end` back to the oldest
date returned (`end` is exclusive, so that date is not asked twice); a short or empty page, or one
reaching `start`, ends the window. The pages are kept verbatim, as one JSON array, for the archive.
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

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_collector_lseg.auth import Credentials, TokenProvider
from nexus_contracts import Dataset, Observation, Resolution, Source, Unit
from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window
from nexus_core.errors import (
    AuthFailed,
    ContractViolation,
    NexusError,
    SourceSchemaChanged,
    SourceUnavailable,
)
from nexus_core.http import HttpClient, Response, alert_on_schema_change, client_for, raise_source_alert

FIELDS = "DATE,TRDPRC_1,SETTLE,HIGH_1,LOW_1,OPEN_PRC,ACVOL_UNS"
MAX_DAYS = 3000
"""Calendar days per request window: paging bounds the rows, this bounds one archived payload."""


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
    # Rows per page. LSEG quotes ~3,000 rows per interday request; the raw endpoint's own limit
    # is undocumented. "A short page is the last page" is only sound when the server really
    # returns `count` rows whenever it has them, so ask for no more than the quoted limit.
    count: int = Field(default=3000, ge=1)

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
        ric = request.params["ric"]
        first, last = date.fromisoformat(request.params["first"]), date.fromisoformat(request.params["last"])
        url = f"{self.settings.base_url.rstrip('/')}/data/historical-pricing/v1/views/interday-summaries/"
        url += quote(ric, safe="")
        count = self.settings.count
        # Each full page holds `count` distinct trading days of the window: more pages than this
        # means the server is not paging as documented.
        max_pages = -(-((last - first).days + 1) // count) + 1
        end = last + timedelta(days=1)  # the service reads [start, end)
        pages: list[bytes] = []
        while True:
            response = authorized_get(self.http, self.tokens, url, self._params(first, end, count))
            pages.append(response.body)
            dates = page_dates(response.body)
            if dates is None or len(dates) < count:
                break  # the last page (or one the parser must judge: status object, new format)
            oldest = min(dates)
            if oldest <= first:
                break  # the window is covered
            if oldest >= end or len(pages) >= max_pages:
                self._paging_broken(ric, first, end, oldest, len(pages))
            end = oldest
        body = b"[" + b",".join(pages) + b"]"
        return RawPayload(request=request, body=body, content_type="application/json")

    @staticmethod
    def _params(first: date, end: date, count: int) -> dict[str, str]:
        return {
            "interval": "P1D",
            "start": f"{first:%Y-%m-%d}T00:00:00.000000000Z",
            "end": f"{end:%Y-%m-%d}T00:00:00.000000000Z",
            "fields": FIELDS,
            "adjustments": "exchangeCorrection,manualCorrection",
            "count": str(count),
        }

    def _paging_broken(self, ric: str, first: date, end: date, oldest: date, pages: int) -> None:
        # Retrying cannot help a server that ignores `end`: the protocol changed, a human must look.
        detail = (
            f"LSEG {ric}: page {pages} asked for [{first}, {end}) and came back full with oldest"
            f" date {oldest}; paging makes no progress (is `end` ignored?)"
        )
        raise_source_alert(self.source.value, "schema_changed", "lseg: interday paging broken", detail)
        raise SourceSchemaChanged(detail)

    @alert_on_schema_change
    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        return parse_summaries(raw)


def _pages(body: bytes) -> list[Any]:
    """The page responses of one payload: a JSON array of pages, or one bare response (archived
    before paging) whose items are universe objects."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise SourceSchemaChanged("LSEG response is not JSON") from exc
    if isinstance(data, list) and data and all(isinstance(page, list) for page in data):
        return data
    return [data]


def _entry(page: Any) -> dict[str, Any]:
    entry = page[0] if isinstance(page, list) and page else page
    if not isinstance(entry, dict):
        raise SourceSchemaChanged("LSEG response is not an array of universe objects")
    if "data" not in entry:
        status = entry.get("status")
        if isinstance(status, dict):
            # An HTTP-200 status object without data: unknown RIC or no permission (permanent).
            raise ContractViolation(f"LSEG {status.get('code')}: {status.get('message')}")
        raise SourceSchemaChanged("LSEG response lacks 'data'")
    if "headers" not in entry:
        raise SourceSchemaChanged("LSEG response lacks 'headers'")
    return entry


def page_dates(body: bytes) -> list[date] | None:
    """The DATE of every row of one page response, or None if the page cannot be read as rows."""
    try:
        entry = _entry(json.loads(body))
        names = [h.get("name") for h in entry["headers"]]
        column = names.index("DATE")
        return [date.fromisoformat(str(row[column])) for row in entry["data"]]
    except (ValueError, TypeError, IndexError, AttributeError, KeyError, NexusError):
        return None


def parse_summaries(raw: RawPayload) -> list[Observation]:
    ric = raw.request.params["ric"]
    instrument = CATALOG.get(ric, DEFAULT)
    zone = ZoneInfo(instrument.tz)
    first, last = (
        date.fromisoformat(raw.request.params["first"]),
        date.fromisoformat(raw.request.params["last"]),
    )
    out: dict[datetime, Observation] = {}
    for page in _pages(raw.body):
        entry = _entry(page)
        names = [h.get("name") for h in entry["headers"]]
        if "DATE" not in names or not ({"SETTLE", "TRDPRC_1"} & set(names)):
            raise SourceSchemaChanged(f"LSEG headers {names} lack DATE or a price field")
        for row in entry["data"]:
            record = dict(zip(names, row, strict=False))
            day = date.fromisoformat(str(record["DATE"]))
            price = record.get("SETTLE")
            price = price if price is not None else record.get("TRDPRC_1")
            start = datetime.combine(day, time(), zone).astimezone(UTC)
            # Pages never overlap when `end` is honoured; a repeated date keeps its first row.
            if price is None or not first <= day <= last or start in out:
                continue
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
