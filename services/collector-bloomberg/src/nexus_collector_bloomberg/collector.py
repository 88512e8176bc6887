"""Bloomberg Data License REST: submit a HistoryRequest, poll for its output, download, parse.

The output is one JSON record per security and date; "N.A." marks a missing value and a non-zero
`RC` a per-security problem. PX_SETTLE is the end-of-day price of futures, PX_LAST the fallback.
A request runs asynchronously: the content endpoint answers 404 (or an empty list) until ready.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_collector_bloomberg.auth import BloombergAuth
from nexus_contracts import Dataset, Observation, Resolution, Source, Unit
from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window
from nexus_core.errors import AuthFailed, ContractViolation, SourceSchemaChanged, SourceUnavailable
from nexus_core.http import HttpClient, Response, alert_on_schema_change, client_for
from nexus_core.secrets import get_secret

logger = logging.getLogger(__name__)

FIELDS = ("PX_SETTLE", "PX_LAST")
MISSING = "N.A."
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 3


class BloombergSettings(BaseSettings):
    """`NEXUS_BLOOMBERG_*`. `tickers`: comma list of `TICKER|dataset|unit` (dataset and unit
    optional: market_price, price). `catalog`: the Data License account number."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_BLOOMBERG_", extra="ignore", frozen=True)

    base_url: str = "https://api.bloomberg.com"
    token_url: str | None = None
    auth: str = "oauth2"
    catalog: str = ""
    tickers: str = ""
    exchange_tz: str = "Europe/Brussels"
    poll_interval_s: float = 30.0
    max_polls: int = 20
    timeout_s: float = 60.0

    def instruments(self) -> dict[str, tuple[Dataset, Unit]]:
        out = {}
        for spec in [t.strip() for t in self.tickers.split(",") if t.strip()]:
            ticker, *rest = [p.strip() for p in spec.split("|")]
            dataset = Dataset(rest[0]) if rest else Dataset.MARKET_PRICE
            out[ticker] = (dataset, Unit(rest[1]) if len(rest) > 1 else Unit.PRICE)
        return out

    def oauth_url(self) -> str:
        if self.token_url:
            return self.token_url
        if self.base_url.rstrip("/") == "https://api.bloomberg.com":
            return "https://bsso.blpprofessional.com/ext/api/as/token.oauth2"
        return f"{self.base_url.rstrip('/')}/ext/api/as/token.oauth2"


class BloombergCollector(Collector):
    source = Source.BLOOMBERG
    publication_tz = "Europe/Brussels"
    refetch_days = 3

    def __init__(
        self,
        settings: BloombergSettings | None = None,
        http: HttpClient | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> None:
        self.settings = s = settings or BloombergSettings()
        self.client_id = client_id if client_id is not None else get_secret("bloomberg", "client_id")
        secret = client_secret if client_secret is not None else get_secret("bloomberg", "client_secret")
        self.client_secret = secret
        # 1,200 requests per minute per application.
        self.http = http or client_for("bloomberg", rate_per_s=20, capacity=1200, timeout_s=s.timeout_s)
        self.auth = BloombergAuth(s.auth, self.client_id or "", secret or "", s.oauth_url(), self.http)

    def is_configured(self) -> bool:
        s = self.settings
        return bool(self.client_id and self.client_secret and s.catalog and s.instruments())

    def requests(self, window: Window) -> Iterator[FetchRequest]:
        days = window.local_days(self.publication_tz)
        key = f"history_{days[0]:%Y%m%d}_{days[-1]:%Y%m%d}"
        # One request for all tickers: Data License bills per security and field, not per call.
        yield FetchRequest(
            Dataset.MARKET_PRICE, key, window, {"first": days[0].isoformat(), "last": days[-1].isoformat()}
        )

    def _url(self, path: str) -> str:
        return f"{self.settings.base_url.rstrip('/')}/eap/catalogs/{self.settings.catalog}/{path}"

    def _call(self, method: str, url: str, payload: Any = None) -> Response:
        """One API call, redirects followed (see `_follow`), once more after a 401 with a fresh
        OAuth2 token (one revoked before its expiry); wrong credentials fail twice and stop the run."""
        response = self._follow(method, url, payload)
        if response.status == 401:
            self.auth.invalidate()
            response = self._follow(method, url, payload)
        if response.status in (401, 403):
            raise AuthFailed(f"Bloomberg refused the credentials or the IP (HTTP {response.status})")
        if "html" in response.content_type:
            raise SourceUnavailable(f"Bloomberg answered HTTP {response.status} with an HTML page")
        return response

    def _follow(self, method: str, url: str, payload: Any) -> Response:
        """Send, following redirects here, each hop with its own fresh signature."""
        for _ in range(MAX_REDIRECTS + 1):
            # A JWT names one method, host and path and is single use: the HTTP client asks for
            # headers on every attempt, so neither a retry nor a redirect hop replays one.
            headers = functools.partial(self.auth.headers, method, url)
            if method == "POST":
                response = self.http.post_json(url, payload, headers)
            else:
                response = self.http.get(url, headers=headers)
            location = response.headers.get("location")
            if response.status not in REDIRECTS or not location:
                return response
            url = urljoin(url, location)
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, payload = "GET", None  # as browsers and requests do
        raise SourceUnavailable(f"Bloomberg redirected more than {MAX_REDIRECTS} times")

    def fetch(self, request: FetchRequest) -> RawPayload:
        identifier = f"nx{hashlib.sha1(request.key.encode()).hexdigest()[:6]}{uuid.uuid4().hex[:10]}"  # noqa: S324
        submitted = self._call("POST", self._url("requests/"), self._history_request(identifier, request))
        if submitted.status == 400:
            raise ContractViolation(f"Bloomberg refused the request: {submitted.text[:300]}")
        if submitted.status not in (200, 201, 202):
            raise SourceUnavailable(f"Bloomberg answered HTTP {submitted.status} to the submission")
        key = self._wait_for_output(identifier)
        output = self._call("GET", self._url(f"content/responses/{key}"))
        if output.status != 200:
            raise SourceUnavailable(f"Bloomberg output download answered HTTP {output.status}")
        return RawPayload(request=request, body=output.body, content_type="application/json")

    def _wait_for_output(self, identifier: str) -> str:
        url = self._url(f"content/responses/?requestIdentifier={identifier}")
        for _ in range(self.settings.max_polls):
            response = self._call("GET", url)
            if response.status == 200:
                contains = response.json().get("contains") or []
                if contains:
                    return str(contains[0]["key"])
            elif response.status != 404:
                raise SourceUnavailable(f"Bloomberg polling answered HTTP {response.status}")
            self.http.clock.sleep(self.settings.poll_interval_s)
        raise SourceUnavailable(
            f"Bloomberg output of {identifier} not ready after {self.settings.max_polls} polls"
        )

    def _history_request(self, identifier: str, request: FetchRequest) -> dict[str, Any]:
        universe = [
            {"@type": "Identifier", "identifierType": "TICKER", "identifierValue": t}
            for t in self.settings.instruments()
        ]
        return {
            "@type": "HistoryRequest",
            "identifier": identifier,
            "name": identifier,
            "title": "NEXUS_ENA daily history",
            "universe": {"@type": "Universe", "contains": universe},
            "fieldList": {"@type": "HistoryFieldList", "contains": [{"mnemonic": f} for f in FIELDS]},
            "trigger": {"@type": "SubmitTrigger"},
            "runtimeOptions": {
                "@type": "HistoryRuntimeOptions",
                "dateRange": {
                    "@type": "IntervalDateRange",
                    "startDate": request.params["first"],
                    "endDate": request.params["last"],
                },
            },
            "formatting": {"@type": "MediaType", "outputMediaType": "application/json"},
        }

    @alert_on_schema_change
    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        return parse_output(raw, self.settings.instruments(), ZoneInfo(self.settings.exchange_tz))


def _number(value: Any) -> float | None:
    if value is None or value == MISSING or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise SourceSchemaChanged(f"Bloomberg value is not a number: {value!r}") from exc


def parse_output(
    raw: RawPayload, instruments: dict[str, tuple[Dataset, Unit]], zone: ZoneInfo
) -> list[Observation]:
    try:
        rows = json.loads(raw.body)
    except ValueError as exc:
        raise SourceSchemaChanged("Bloomberg output is not JSON") from exc
    first, last = (
        date.fromisoformat(raw.request.params["first"]),
        date.fromisoformat(raw.request.params["last"]),
    )
    out: dict[tuple[str, datetime], Observation] = {}
    for row in rows:
        if "IDENTIFIER" not in row or "DATE" not in row:
            raise SourceSchemaChanged("Bloomberg output row lacks IDENTIFIER or DATE")
        ticker, day = str(row["IDENTIFIER"]), date.fromisoformat(str(row["DATE"])[:10])
        if int(row.get("RC", 0) or 0) != 0:
            logger.warning("Bloomberg security error", extra={"ticker": ticker, "rc": row.get("RC")})
            continue
        price = _number(row.get("PX_SETTLE"))
        price = price if price is not None else _number(row.get("PX_LAST"))
        if price is None or not first <= day <= last or ticker not in instruments:
            continue
        dataset, unit = instruments[ticker]
        start = datetime.combine(day, time(), zone).astimezone(UTC)
        out[(ticker, start)] = Observation(
            source=Source.BLOOMBERG,
            dataset=dataset,
            series_id=f"bloomberg:{ticker.replace(' ', '_')}:{dataset.value}",
            location=ticker,
            interval_start_utc=start,
            interval_end_utc=datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC),
            resolution=Resolution.P1D,
            value=price,
            unit=unit,
            publish_time_utc=raw.fetched_at,
        )
    return sorted(out.values(), key=lambda o: (o.series_id, o.interval_start_utc))
