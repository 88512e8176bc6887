"""News headlines in the lake: their own dataset ("news"), merged by story_id, read by time.

One Parquet file per (source, UTC day of published_utc) at `news_key(source, day)` (raw-news/).
A write merges with the existing file by story_id: a duplicate keeps the stored row unless its
headline changed, and then the newer published_utc wins (a tie keeps the stored row), so a
redelivered batch changes nothing. Rows are sorted by (published_utc, story_id) and written
with the lake's fixed writer options, so a file's bytes depend only on its rows.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from nexus_contracts import Dataset, NewsItem
from nexus_core import aws
from nexus_core.lake import PartitionWrite, s3_filesystem, sorted_parquet_bytes
from nexus_core.lake_schema import UTC_TS, news_key
from nexus_core.metadata import MetadataRepository, PartitionRecord
from nexus_core.settings import NexusSettings, get_settings

NEWS_DATASET = Dataset.NEWS.value

NEWS_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("story_id", pa.string(), nullable=False),
        pa.field("headline", pa.string(), nullable=False),
        pa.field("published_utc", UTC_TS, nullable=False),
        pa.field("query", pa.string(), nullable=False),
        pa.field("topics", pa.list_(pa.string()), nullable=False),
        pa.field("language", pa.string(), nullable=False),
        pa.field("url", pa.string()),
    ]
)

Row = dict[str, Any]


def news_row(item: NewsItem) -> Row:
    """One NewsItem as a lake row (source as its string value, topics as a list)."""
    return {
        "source": item.source.value,
        "story_id": item.story_id,
        "headline": item.headline,
        "published_utc": item.published_utc,
        "query": item.query,
        "topics": list(item.topics),
        "language": item.language,
        "url": item.url,
    }


def news_rows_to_parquet(rows: Sequence[Row]) -> bytes:
    """Deterministic Parquet bytes of headline rows, sorted by (published_utc, story_id)."""
    return sorted_parquet_bytes(rows, NEWS_SCHEMA, "published_utc", "story_id")


def merge_news(existing: Sequence[Row], incoming: Sequence[Row]) -> tuple[list[Row], int, int, int]:
    """Merge by story_id; returns (rows, accepted, revised, stale) counted over `incoming`.

    A known story is replaced only when its headline changed and the incoming row was
    published later; anything else is stale (kept as stored).
    """
    merged: dict[str, Row] = {r["story_id"]: r for r in existing}
    accepted = revised = stale = 0
    for row in incoming:
        current = merged.get(row["story_id"])
        if current is None:
            accepted += 1
        elif row["headline"] != current["headline"] and row["published_utc"] > current["published_utc"]:
            revised += 1
        else:
            stale += 1
            continue
        merged[row["story_id"]] = row
    return list(merged.values()), accepted, revised, stale


def _parquet_to_rows(data: bytes) -> list[Row]:
    rows = pq.read_table(pa.BufferReader(data), schema=NEWS_SCHEMA).to_pylist()
    for row in rows:
        row["published_utc"] = row["published_utc"].astimezone(UTC)
    return rows


class NewsLake:
    """Merge-writes headlines into their daily files and reads them back by time window."""

    def __init__(
        self,
        settings: NexusSettings | None = None,
        *,
        fs: pafs.FileSystem | None = None,
        s3: Any = None,
        metadata: MetadataRepository | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.fs = fs or s3_filesystem(self.settings)
        self._s3 = s3 or aws.client("s3", self.settings)
        self._metadata = metadata

    def merge_write(self, items: Iterable[NewsItem], *, now: datetime | None = None) -> list[PartitionWrite]:
        """Merge headlines into the lake and record each touched file; one write per file, key order."""
        groups: dict[tuple[str, date], list[Row]] = defaultdict(list)
        for item in items:
            groups[(item.source.value, item.published_utc.astimezone(UTC).date())].append(news_row(item))
        writes = [self._merge_into(source, day, rows) for (source, day), rows in sorted(groups.items())]
        if self._metadata is not None:
            for write in writes:
                # Headlines have no expected count: a news file is complete.
                self._metadata.put_partition(PartitionRecord.from_write(write, now or datetime.now(UTC)))
        return writes

    def _merge_into(self, source: str, day: date, incoming: Sequence[Row]) -> PartitionWrite:
        key = news_key(source, day)
        old = self._read_bytes(key)
        rows, accepted, revised, stale = merge_news(_parquet_to_rows(old) if old else [], incoming)
        written = old is None or accepted + revised > 0
        data = news_rows_to_parquet(rows) if written or old is None else old
        if written:
            with self.fs.open_output_stream(f"{self.settings.bucket}/{key}") as out:
                out.write(data)
        head = self._s3.head_object(Bucket=self.settings.bucket, Key=key)
        version = head.get("VersionId")
        return PartitionWrite(
            source=source,
            dataset=NEWS_DATASET,
            day=day,
            key=key,
            version_id=version if version not in (None, "null") else None,
            sha256=hashlib.sha256(data).hexdigest(),
            rows=len(rows),
            series=len({r["query"] for r in rows}),
            accepted=accepted,
            revised=revised,
            stale=stale,
            written=written,
        )

    def _read_bytes(self, key: str) -> bytes | None:
        try:
            with self.fs.open_input_stream(f"{self.settings.bucket}/{key}") as src:
                return bytes(src.read())
        except FileNotFoundError:
            return None

    def read_headlines(self, start_utc: datetime, end_utc: datetime, limit: int = 100) -> list[NewsItem]:
        """Headlines published in [start_utc, end_utc), newest first, at most `limit`.

        Prunes by day: only the news files of the UTC days the window touches are opened.
        """
        if start_utc.tzinfo is None or end_utc.tzinfo is None:
            raise ValueError("start_utc and end_utc must be timezone-aware")
        start, end = start_utc.astimezone(UTC), end_utc.astimezone(UTC)
        rows: list[Row] = []
        for path in self._news_files(start.date(), (end - timedelta(microseconds=1)).date()):
            with self.fs.open_input_stream(path) as src:
                rows.extend(r for r in _parquet_to_rows(src.read()) if start <= r["published_utc"] < end)
        rows.sort(key=lambda r: (r["published_utc"], r["story_id"]), reverse=True)
        return [NewsItem.model_validate(r) for r in rows[: max(0, limit)]]

    def _news_files(self, first: date, last: date) -> list[str]:
        paths: list[str] = []
        day = first
        while day <= last:
            folder = f"{self.settings.bucket}/{news_key('x', day).rsplit('/', 1)[0]}"
            selector = pafs.FileSelector(folder, allow_not_found=True)
            paths.extend(
                i.path
                for i in self.fs.get_file_info(selector)
                if i.path.endswith(f"__{NEWS_DATASET}.parquet")
            )
            day += timedelta(days=1)
        return sorted(paths)


def read_headlines(
    start_utc: datetime, end_utc: datetime, limit: int = 100, *, settings: NexusSettings | None = None
) -> list[NewsItem]:
    """Headlines published in [start_utc, end_utc), newest first (see NewsLake.read_headlines)."""
    return NewsLake(settings).read_headlines(start_utc, end_utc, limit)
