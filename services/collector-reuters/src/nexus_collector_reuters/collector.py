"""Reuters news headlines through the LSEG Data Platform (same token as the LSEG collector).

One request per configured query and window; the fetch follows `meta.next` cursors (only the
cursor is sent for the next page) and keeps the pages verbatim. Headlines become `NewsItem`s,
keyed by `storyId`; the kit publishes them as one `news.collected` event.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_collector_lseg.auth import Credentials, TokenProvider
from nexus_collector_lseg.collector import authorized_get
from nexus_contracts import Dataset, NewsItem, Source
from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window
from nexus_core.errors import AuthFailed, SourceSchemaChanged
from nexus_core.http import HttpClient, alert_on_schema_change, client_for, raise_source_alert

PAGE_LIMIT = 100


class ReutersSettings(BaseSettings):
    """`NEXUS_REUTERS_*`: queries separated by `;` (RDP news query language) and base URL.
    Credentials: `NEXUS_REUTERS_*` or, when absent, the LSEG ones (same platform account)."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_REUTERS_", extra="ignore", frozen=True)

    base_url: str = "https://api.refinitiv.com"
    queries: str = '("German power" OR R:TRDEBMc1) AND Language:LEN;("TTF gas" OR R:TFMBMc1) AND Language:LEN'
    timeout_s: float = 30.0
    # Pages per query and window (100 headlines each). A window with more is cut there, and the
    # cut is raised as an `incomplete_day` alert rather than passed over in silence.
    max_pages: int = Field(default=50, ge=1)

    def query_list(self) -> list[str]:
        return [q.strip() for q in self.queries.split(";") if q.strip()]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ReutersCollector(Collector):
    source = Source.REUTERS
    publication_tz = "UTC"
    publication_lead_days = 0
    publication_time = time(0, 0)
    refetch_days = 1

    def __init__(
        self,
        settings: ReutersSettings | None = None,
        http: HttpClient | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self.settings = settings or ReutersSettings()
        self.credentials = credentials if credentials is not None else Credentials.load("reuters", "lseg")
        self.http = http or client_for(
            "reuters", rate_per_s=4, capacity=4, timeout_s=self.settings.timeout_s, bucket_is_quota=False
        )
        self.tokens = (
            TokenProvider(self.settings.base_url, self.credentials, self.http) if self.credentials else None
        )

    def is_configured(self) -> bool:
        return self.tokens is not None

    def requests(self, window: Window) -> Iterator[FetchRequest]:
        for n, query in enumerate(self.settings.query_list()):
            key = f"headlines_q{n}_{window.start_utc:%Y%m%dT%H%M}_{window.end_utc:%Y%m%dT%H%M}"
            yield FetchRequest(Dataset.NEWS, key, window, {"query": query})

    def fetch(self, request: FetchRequest) -> RawPayload:
        if self.tokens is None:
            raise AuthFailed("Reuters/LSEG credentials are not configured")
        url = f"{self.settings.base_url.rstrip('/')}/data/news/v1/headlines"
        params: dict[str, str] = {
            "query": request.params["query"],
            "dateFrom": _stamp(request.window.start_utc),
            "dateTo": _stamp(request.window.end_utc),
            "limit": str(PAGE_LIMIT),
            "sort": "oldToNew",
        }
        pages: list[bytes] = []
        for _ in range(self.settings.max_pages):
            response = authorized_get(self.http, self.tokens, url, params)
            pages.append(response.body)
            cursor = _meta(response.body).get("next")
            if not cursor:
                break
            params = {"cursor": str(cursor), "limit": str(PAGE_LIMIT)}
        else:
            raise_source_alert(
                self.source.value,
                "incomplete_day",
                f"reuters: headlines cut at {len(pages)} pages",
                f"query {request.params['query']!r}, {request.window.start_utc:%Y-%m-%dT%H:%MZ} to "
                f"{request.window.end_utc:%Y-%m-%dT%H:%MZ}: more than {len(pages) * PAGE_LIMIT} headlines; "
                "the rest were not fetched (raise NEXUS_REUTERS_MAX_PAGES or narrow the query)",
            )
        return RawPayload(
            request=request, body=b"[" + b",".join(pages) + b"]", content_type="application/json"
        )

    @alert_on_schema_change
    def parse(self, raw: RawPayload) -> Sequence[NewsItem]:  # type: ignore[override]
        return parse_headlines(raw)


def _meta(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise SourceSchemaChanged("Reuters headlines response is not JSON") from exc
    meta = data.get("meta") if isinstance(data, dict) else None
    return meta if isinstance(meta, dict) else {}


def _value(node: Any, *path: str) -> Any:
    for name in path:
        if isinstance(node, list):
            node = node[0] if node else None
        if not isinstance(node, dict) or name not in node:
            raise SourceSchemaChanged(f"Reuters headline lacks {'/'.join(path)}")
        node = node[name]
    return node


def parse_headlines(raw: RawPayload) -> list[NewsItem]:
    """Headlines inside the window, one per story id, oldest first."""
    window, query = raw.request.window, raw.request.params["query"]
    items: dict[str, NewsItem] = {}
    for page in json.loads(raw.body):
        if "data" not in page:
            raise SourceSchemaChanged("Reuters headlines page lacks 'data'")
        for story in page["data"]:
            meta = _value(story, "newsItem", "itemMeta")
            published = datetime.fromisoformat(str(_value(meta, "firstCreated", "$")).replace("Z", "+00:00"))
            if not window.start_utc <= published < window.end_utc:
                continue
            content = story["newsItem"].get("contentMeta", {})
            story_id = str(_value(story, "storyId"))
            items[story_id] = NewsItem(
                source=Source.REUTERS,
                story_id=story_id,
                headline=str(_value(meta, "title", "$"))[:1000],
                published_utc=published,
                query=query[:300],
                topics=tuple(s.get("_qcode", "") for s in content.get("subject", []) if s.get("_qcode")),
                language=str((content.get("language") or [{"_tag": "en"}])[0].get("_tag", "en")),
            )
    return sorted(items.values(), key=lambda i: (i.published_utc, i.story_id))
