"""boto3 implementation of `ApiRepository` over the documented S3 and DynamoDB layouts.

Reads are small and cached in the process: the series catalog for `cache_seconds`, each lake day
file by (key, checksum) so a rewritten partition is never served stale. Observations read only
the days the partition metadata lists, in parallel, capped by the API's `max_days`. Daily totals
come from the partition records' `daily_stats` (DynamoDB only); a record without them (written
before they existed) falls back to its day file.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import boto3
import pyarrow.parquet as pq
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError

from nexus_api.errors import Conflict
from nexus_api.logic.resample import DailyData, DayTotal
from nexus_api.models import ReportInfo, SeriesInfo
from nexus_core.metadata import from_dynamo
from nexus_core.settings import NexusSettings

_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 3}, max_pool_connections=16)
_DAY_COLUMNS = ["series_id", "area", "location", "interval_start_utc", "value", "unit", "resolution"]
# Scans of partition records skip `daily_stats` (a map per series and day): only these are used.
_LISTED = ("pk", "sk", "source", "dataset", "day", "s3_key", "sha256", "completeness")
# What observations, daily totals and data versions use of the records of one dataset's days.
_READ = ("day", "s3_key", "sha256", "daily_stats")


def _projection(names: tuple[str, ...]) -> dict[str, Any]:
    """ProjectionExpression of attribute `names` (placeholders: some are DynamoDB reserved words)."""
    aliases = {f"#a{i}": name for i, name in enumerate(names)}
    return {"ProjectionExpression": ", ".join(aliases), "ExpressionAttributeNames": aliases}


T = TypeVar("T")

DaySeries = dict[str, dict[str, Any]]


class _Lru:
    """A small thread-safe LRU for immutable values."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Any) -> Any | None:
        with self._lock:
            return self._items.get(key)

    def get_or_load(self, key: Any, load: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[no-any-return]
        value = load()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


class AwsRepository:
    """The API's view of S3 (lake, reports, quarantine), DynamoDB metadata and Step Functions."""

    def __init__(
        self, settings: NexusSettings, *, endpoint_url: str | None = None, catalog_ttl_s: float = 60.0
    ) -> None:
        """`endpoint_url` pins every client to one emulator; None lets botocore read the environment."""
        self.settings = settings
        self._endpoint = endpoint_url
        session = boto3.session.Session()
        self.s3: Any = session.client(
            "s3",
            region_name=settings.region,
            endpoint_url=settings.s3_endpoint_url or endpoint_url,
            config=_CONFIG,
        )
        self.table: Any = session.resource(
            "dynamodb", region_name=settings.region, endpoint_url=endpoint_url, config=_CONFIG
        ).Table(settings.table)
        self._session = session
        self._catalog_ttl_s = catalog_ttl_s
        self._catalog: tuple[float, list[SeriesInfo]] | None = None
        self._days = _Lru(4096)
        self._index: dict[tuple[str, str, date, date], tuple[float, list[dict[str, Any]]]] = {}
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="nexus-api-read")

    # -- lake ------------------------------------------------------------------------------
    def _partition_items(self, flt: Any) -> list[dict[str, Any]]:
        return [from_dynamo(i) for i in self._scan(FilterExpression=flt, **_projection(_LISTED))]

    def _day_file(self, key: str, checksum: str) -> DaySeries:
        """Series of one lake file: id -> {area, location, unit, resolution, points}."""

        def load() -> DaySeries:
            body = self.s3.get_object(Bucket=self.settings.bucket, Key=key)["Body"].read()
            table = pq.read_table(io.BytesIO(body), columns=_DAY_COLUMNS)
            out: DaySeries = {}
            for row in table.to_pylist():
                entry = out.setdefault(
                    row["series_id"],
                    {k: row[k] for k in ("area", "location", "unit", "resolution")} | {"points": []},
                )
                entry["points"].append((row["interval_start_utc"].timestamp(), row["value"]))
            return out

        return self._days.get_or_load((key, checksum), load)

    def series_catalog(self) -> list[SeriesInfo]:
        now = time.monotonic()
        if self._catalog and now - self._catalog[0] < self._catalog_ttl_s:
            return self._catalog[1]
        items = self._partition_items(Attr("pk").begins_with("PARTITION#"))
        by_dataset: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for item in items:
            by_dataset.setdefault((item["source"], item["dataset"]), []).append(item)
        catalog: list[SeriesInfo] = []
        for (source, dataset), records in sorted(by_dataset.items()):
            records.sort(key=lambda r: r["day"])
            first = self._day_file(records[0]["s3_key"], records[0]["sha256"])
            last = self._day_file(records[-1]["s3_key"], records[-1]["sha256"])
            for series_id, entry in sorted(last.items()):
                head = first.get(series_id, entry)
                catalog.append(
                    SeriesInfo(
                        series_id=series_id,
                        source=source,
                        dataset=dataset,
                        area=entry["area"],
                        location=entry["location"],
                        unit=entry["unit"],
                        resolution=entry["resolution"],
                        first_interval_utc=datetime.fromtimestamp(min(p[0] for p in head["points"]), UTC),
                        last_interval_utc=datetime.fromtimestamp(max(p[0] for p in entry["points"]), UTC),
                        simulated=source == "sim",
                    )
                )
        self._catalog = (now, catalog)
        return catalog

    def _partitions(self, source: str, dataset: str, start: date, end: date) -> list[dict[str, Any]]:
        """Partition records of the days, cached like the catalog (a rewrite changes the checksum)."""
        key = (source, dataset, start, end)
        now = time.monotonic()
        hit = self._index.get(key)
        if hit and now - hit[0] < self._catalog_ttl_s:
            return hit[1]
        cond = Key("pk").eq(f"PARTITION#{source}#{dataset}") & Key("sk").between(
            f"DAY#{start.isoformat()}", f"DAY#{end.isoformat()}"
        )
        records = [from_dynamo(i) for i in self._query(KeyConditionExpression=cond, **_projection(_READ))]
        if len(self._index) > 256:
            self._index.clear()
        self._index[key] = (now, records)
        return records

    def data_version(self, series: SeriesInfo, start: date, end: date) -> str:
        records = self._partitions(series.source, series.dataset, start, end)
        digest = hashlib.sha256("".join(f"{r['s3_key']}={r['sha256']};" for r in records).encode())
        return digest.hexdigest()

    def observations(self, series: SeriesInfo, start: date, end: date) -> list[tuple[float, float]]:
        records = self._partitions(series.source, series.dataset, start, end)
        return self._points(records, series.series_id)

    def daily(self, series: SeriesInfo, start: date, end: date) -> DailyData:
        records = self._partitions(series.source, series.dataset, start, end)
        totals: list[DayTotal] = []
        legacy: list[dict[str, Any]] = []
        for record in records:
            stats = record.get("daily_stats")
            if stats is None:
                legacy.append(record)
            elif (entry := stats.get(series.series_id)) is not None:
                midnight = datetime.combine(date.fromisoformat(record["day"]), datetime.min.time(), UTC)
                totals.append(DayTotal(int(midnight.timestamp()), int(entry["n"]), float(entry["sum"])))
        return DailyData(totals=totals, points=self._points(legacy, series.series_id) if legacy else [])

    def _points(self, records: list[dict[str, Any]], series_id: str) -> list[tuple[float, float]]:
        """(epoch, value) points of one series from the records' day files (cached, read in parallel)."""
        cached = [self._days.peek((r["s3_key"], r["sha256"])) for r in records]
        missing = [r for r, hit in zip(records, cached, strict=True) if hit is None]
        loaded = iter(list(self._pool.map(lambda r: self._day_file(r["s3_key"], r["sha256"]), missing)))
        points: list[tuple[float, float]] = []
        for hit in cached:
            day = hit if hit is not None else next(loaded)
            entry = day.get(series_id)
            if entry:
                points.extend(entry["points"])
        return points

    # -- analyses and reports --------------------------------------------------------------
    def _list(self, prefix: str) -> list[dict[str, Any]]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.settings.bucket, Prefix=prefix)
        return [obj for page in pages for obj in page.get("Contents", [])]

    def analysis_weeks(self) -> list[str]:
        keys = [o["Key"] for o in self._list("reports/json/") if o["Key"].endswith(".json")]
        return sorted(k.rsplit("/", 1)[-1].removesuffix(".json") for k in keys)

    def analysis(self, week: str) -> dict[str, Any] | None:
        try:
            body = self.s3.get_object(Bucket=self.settings.bucket, Key=f"reports/json/{week}.json")["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise
        doc: dict[str, Any] = json.loads(body.read())
        return doc

    def reports(self) -> list[ReportInfo]:
        out = [
            ReportInfo(
                week=o["Key"].rsplit("/", 1)[-1].removesuffix(".pdf"),
                size_bytes=o["Size"],
                last_modified=o["LastModified"],
            )
            for o in self._list("reports/pdf/")
            if o["Key"].endswith(".pdf")
        ]
        return sorted(out, key=lambda r: r.week)

    def report_url(self, week: str, expires_s: int) -> str | None:
        key = f"reports/pdf/{week}.pdf"
        try:
            self.s3.head_object(Bucket=self.settings.bucket, Key=key)
        except ClientError:
            return None
        url: str = self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.settings.bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="nexus-{week}.pdf"',
                "ResponseContentType": "application/pdf",
            },
            ExpiresIn=expires_s,
        )
        return url

    # -- metadata --------------------------------------------------------------------------
    def _scan(self, **kwargs: Any) -> list[dict[str, Any]]:
        return self._paged(self.table.scan, **kwargs)

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        return self._paged(self.table.query, **kwargs)

    @staticmethod
    def _paged(call: Callable[..., Any], **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = call(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def source_statuses(self) -> list[dict[str, Any]]:
        flt = Attr("pk").begins_with("SOURCE#") & Attr("sk").eq("STATUS")
        return [from_dynamo(i) for i in self._scan(FilterExpression=flt)]

    def partitions_since(self, day: date) -> list[dict[str, Any]]:
        return self._partition_items(Attr("pk").begins_with("PARTITION#") & Attr("sk").gte(f"DAY#{day}"))

    def quarantine_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for obj in self._list("quarantine/"):
            parts = obj["Key"].split("/")
            if len(parts) > 2:
                counts[parts[1]] = counts.get(parts[1], 0) + 1
        return counts

    def quarantine_queue_depth(self) -> int | None:
        if not self.settings.quarantine_queue_url:
            return None
        sqs = self._session.client(
            "sqs", region_name=self.settings.region, endpoint_url=self._endpoint, config=_CONFIG
        )
        attrs = sqs.get_queue_attributes(
            QueueUrl=self.settings.quarantine_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attrs["Attributes"]["ApproximateNumberOfMessages"])

    def alerts(self, days: list[date]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for day in days:
            for item in self._query(KeyConditionExpression=Key("pk").eq(f"ALERT#{day.isoformat()}")):
                out.append(from_dynamo(item) | {"day": day.isoformat()})
        return out

    # -- weekly workflow -------------------------------------------------------------------
    def _sfn(self) -> Any:
        if not self.settings.state_machine_arn:
            raise Conflict("the weekly workflow is not configured (NEXUS_STATE_MACHINE_ARN)")
        return self._session.client(
            "stepfunctions", region_name=self.settings.region, endpoint_url=self._endpoint, config=_CONFIG
        )

    def _execution_arn(self, name: str) -> str:
        return f"{self.settings.state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"

    def execution_names(self) -> list[str]:
        pages = (
            self._sfn()
            .get_paginator("list_executions")
            .paginate(stateMachineArn=self.settings.state_machine_arn)
        )
        return [e["name"] for page in pages for e in page.get("executions", [])]

    def execution_input(self, name: str) -> str | None:
        try:
            got: str = self._sfn().describe_execution(executionArn=self._execution_arn(name))["input"]
        except ClientError:
            return None
        return got

    def start_execution(self, name: str, payload: str) -> str:
        arn: str = self._sfn().start_execution(
            stateMachineArn=self.settings.state_machine_arn, name=name, input=payload
        )["executionArn"]
        return arn
