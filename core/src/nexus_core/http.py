"""The HTTP client every collector uses: timeouts, retries, Retry-After, rate limits, metrics.

Retries (exponential backoff with full jitter) happen on 429, 5xx and timeouts/connection errors
only; any other 4xx goes straight back to the caller, who knows what it means for its source.
`Retry-After` (seconds or an HTTP date) is honoured up to `max_retry_after_s`; a longer ban stops
the run with `RateLimited`. Every wait goes through the injectable clock.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from nexus_core.errors import RateLimited, SourceSchemaChanged, SourceUnavailable
from nexus_core.ratelimit import Clock, SystemClock, TokenBucket

if TYPE_CHECKING:
    import urllib3

log = logging.getLogger(__name__)

QUOTA_WARNING_FRACTION = 0.2
"""Under this share of the quota left, the client reports 'API rate limit approaching'."""

Params = Mapping[str, Any] | Sequence[tuple[str, Any]]
QuotaHook = Callable[[str, float, str], None]
"""Called with (source, fraction of quota left, where the figure came from)."""


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` tries; the n-th wait is uniform in [0, min(cap, base * 2**n)]."""

    max_attempts: int = 5
    base_s: float = 1.0
    cap_s: float = 30.0
    max_retry_after_s: float = 120.0
    # ENTSO-E bans a token for ~10 minutes after a 429: there the run stops instead of retrying.
    stop_on_429: bool = False


@dataclass(frozen=True)
class Response:
    """A complete HTTP response (body read), headers with lower-case names."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class HttpMetrics:
    """Counters of one client: requests sent, retries, waits, statuses seen."""

    requests: int = 0
    retries: int = 0
    waited_s: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


Headers = Mapping[str, str] | Callable[[], Mapping[str, str]]
"""Request headers, or a function making them for each attempt."""


def _with(headers: Headers | None, defaults: dict[str, str]) -> Headers:
    """`defaults` under `headers` (which win), keeping a function a function."""
    if callable(headers):
        make = headers
        return lambda: {**defaults, **make()}
    return {**defaults, **(headers or {})}


def quota_from_headers(headers: Mapping[str, str]) -> float | None:
    """The fraction of quota left from X-RateLimit-Remaining/Limit (or the IETF RateLimit-*)."""
    for prefix in ("x-ratelimit-", "ratelimit-"):
        remaining, limit = headers.get(prefix + "remaining"), headers.get(prefix + "limit")
        if remaining is None or limit is None:
            continue
        try:
            # IETF drafts allow "100, 100;w=60": the first number is the quota.
            total = float(limit.split(",")[0].split(";")[0])
            left = float(remaining.split(",")[0].split(";")[0])
        except ValueError:
            return None
        return left / total if total > 0 else None
    return None


def log_quota_warning(source: str, fraction: float, origin: str) -> None:
    """Default quota hook: a structured warning line (the kit swaps in the alert publisher)."""
    log.warning("API rate limit approaching", extra={"source": source, "left": fraction, "from": origin})


def _count_retry(source: str) -> None:
    """One `HttpRetries` metric point (EMF) per retry, dimension source only."""
    # Imported on first retry: the metrics stack is not worth a cold-start cost on happy paths.
    from nexus_core.observability import metric

    metric("HttpRetries", 1, source=source)


@functools.cache
def _transport_errors() -> tuple[type[Exception], ...]:
    """Timeouts, protocol and connection errors: worth another attempt."""
    import urllib3

    return (
        urllib3.exceptions.TimeoutError,
        urllib3.exceptions.ProtocolError,
        urllib3.exceptions.NewConnectionError,
        urllib3.exceptions.MaxRetryError,
    )


class HttpClient:
    """One source's HTTP client. Thread-compatible; one instance per collector."""

    def __init__(
        self,
        source: str,
        *,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
        bucket: TokenBucket | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        quota_hook: QuotaHook | None = None,
        bucket_is_quota: bool = True,
    ) -> None:
        # Imported by the first client, not by importing this module: a collector's cold import
        # loads its parser and contract, the transport comes with the first invocation.
        import urllib3

        self.source = source
        self.timeout: urllib3.Timeout = urllib3.Timeout(connect=min(timeout_s, 10.0), read=timeout_s)
        self.retry = retry or RetryPolicy()
        self.bucket = bucket
        # A bucket that only paces a burst limit (LSEG's 5 req/s) says nothing about a quota.
        self.bucket_is_quota = bucket_is_quota
        self.clock: Clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.quota_hook: QuotaHook = quota_hook or log_quota_warning
        self.metrics = HttpMetrics()
        self._quota_warned = False
        self._pool: urllib3.PoolManager = urllib3.PoolManager(retries=False, maxsize=4)

    def get(self, url: str, params: Params | None = None, headers: Headers | None = None) -> Response:
        return self.request("GET", url, params=params, headers=headers)

    def post_form(self, url: str, form: Params, headers: Headers | None = None) -> Response:
        merged = _with(headers, {"Content-Type": "application/x-www-form-urlencoded"})
        return self.request("POST", url, body=urlencode(form).encode(), headers=merged)

    def post_json(self, url: str, payload: Any, headers: Headers | None = None) -> Response:
        merged = _with(headers, {"Content-Type": "application/json"})
        return self.request("POST", url, body=json.dumps(payload).encode(), headers=merged)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        headers: Headers | None = None,
        body: bytes | None = None,
    ) -> Response:
        """Send with retries; returns any non-retryable response (2xx, 3xx, other 4xx) as is.

        `headers` may be a function: it is called for every attempt, so a single-use signature
        (a per-request JWT) is made afresh for a retry instead of being replayed.
        """
        full_url = f"{url}{'&' if '?' in url else '?'}{urlencode(params, doseq=True)}" if params else url
        last_problem = "no attempt"
        for attempt in range(self.retry.max_attempts):
            if attempt:
                self.metrics.retries += 1
            if self.bucket is not None:
                self.metrics.waited_s += self.bucket.acquire()
                if self.bucket_is_quota:
                    self._check_quota(self.bucket.fraction_left(), "token bucket")
            try:
                response = self._send(method, full_url, headers() if callable(headers) else headers, body)
            except _transport_errors() as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                self._backoff(attempt, None)
                continue
            header_quota = quota_from_headers(response.headers)
            if header_quota is not None:
                self._check_quota(header_quota, "response headers")
            if response.status == 429:
                hint = parse_retry_after(response.headers.get("retry-after"))
                if self.retry.stop_on_429 or (hint is not None and hint > self.retry.max_retry_after_s):
                    raise RateLimited(f"{self.source}: HTTP 429 from {url}", retry_after_s=hint)
                last_problem = "HTTP 429"
                self._backoff(attempt, hint)
                continue
            if response.status >= 500:
                last_problem = f"HTTP {response.status}"
                self._backoff(attempt, parse_retry_after(response.headers.get("retry-after")))
                continue
            return response
        if last_problem == "HTTP 429":
            raise RateLimited(f"{self.source}: still rate limited after {self.retry.max_attempts} tries")
        raise SourceUnavailable(
            f"{self.source}: {method} {url} failed after {self.retry.max_attempts} tries ({last_problem})"
        )

    def _send(self, method: str, url: str, headers: Mapping[str, str] | None, body: bytes | None) -> Response:
        self.metrics.requests += 1
        raw = self._pool.request(
            method, url, body=body, headers=dict(headers or {}), timeout=self.timeout, redirect=False
        )
        self.metrics.statuses[raw.status] = self.metrics.statuses.get(raw.status, 0) + 1
        lowered = {k.lower(): v for k, v in raw.headers.items()}
        return Response(status=raw.status, headers=lowered, body=raw.data, url=url)

    def _backoff(self, attempt: int, retry_after_s: float | None) -> None:
        if attempt + 1 >= self.retry.max_attempts:
            return
        _count_retry(self.source)
        jitter = self.rng.uniform(0, min(self.retry.cap_s, self.retry.base_s * 2**attempt))
        delay = max(jitter, retry_after_s or 0.0)
        self.metrics.waited_s += delay
        self.clock.sleep(delay)

    def _check_quota(self, fraction: float, origin: str) -> None:
        if fraction < QUOTA_WARNING_FRACTION and not self._quota_warned:
            self._quota_warned = True
            self.quota_hook(self.source, fraction, origin)


def raise_source_alert(source: str, kind: str, title: str, detail: str, severity: str = "warning") -> bool:
    """Raise an `alert.raised` for a source (deduplicated per day) when an alerts topic is set.

    Offline and dry runs have no topic: the alert is then only logged. Returns True if published.
    """
    log.warning(title, extra={"source": source, "kind": kind, "detail": detail[:500]})
    # Imported here so a collector's cold start does not pay for DynamoDB/SNS unless it alerts.
    from nexus_contracts import AlertRaised, Severity, Source
    from nexus_contracts.events import AlertKind
    from nexus_core.settings import get_settings

    settings = get_settings()
    if not settings.alerts_topic_arn:
        return False
    from nexus_core.alerts import AlertPublisher

    alert = AlertRaised(
        severity=Severity(severity),
        kind=AlertKind(kind),
        title=title[:200],
        detail=detail[:4000],
        source=Source(source),
        dedupe_key=f"{kind}:{source}",
    )
    try:
        return AlertPublisher(settings, producer=f"collector-{source}").raise_alert(alert)
    except Exception as exc:  # an alert must never break the collection it reports on
        log.warning("alert not published", extra={"source": source, "error": type(exc).__name__})
        return False


def alert_quota_hook(source: str, fraction: float, origin: str) -> None:
    """Quota hook raising the seed's 'API rate limit approaching' warning alert."""
    raise_source_alert(
        source,
        "rate_limit_approaching",
        f"API rate limit approaching: {source}",
        f"{fraction:.0%} of the {source} request quota left (from the {origin})",
    )


def client_for(
    source: str,
    *,
    rate_per_s: float,
    capacity: float,
    timeout_s: float = 30.0,
    retry: RetryPolicy | None = None,
    bucket_is_quota: bool = True,
) -> HttpClient:
    """The production client of `source`: process-wide token bucket, alerting quota hook."""
    from nexus_core.ratelimit import bucket_for

    return HttpClient(
        source,
        timeout_s=timeout_s,
        retry=retry,
        bucket=bucket_for(source, rate_per_s, capacity),
        quota_hook=alert_quota_hook,
        bucket_is_quota=bucket_is_quota,
    )


ParseFn = TypeVar("ParseFn", bound=Callable[..., Any])


def alert_on_schema_change(parse: ParseFn) -> ParseFn:
    """Decorate a collector's `parse`: a SourceSchemaChanged also raises a `schema_changed` alert."""

    @functools.wraps(parse)
    def wrapper(self: Any, raw: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return parse(self, raw, *args, **kwargs)
        except SourceSchemaChanged as exc:
            source = str(getattr(self.source, "value", self.source))
            raise_source_alert(
                source,
                "schema_changed",
                f"{source}: response format changed",
                f"{exc} (request {getattr(raw.request, 'key', '?')})",
            )
            raise

    return wrapper  # type: ignore[return-value]
