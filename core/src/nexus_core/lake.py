"""The raw-data lake on S3: idempotent merge-writes of Observations and pruned reads.

One Parquet file per (source, dataset, UTC day of interval_start_utc) at `raw_key(...)`. A write
merges with the existing file by (series_id, interval_start_utc), keeping the row with the latest
publish_time_utc (a tie keeps the existing row, so redelivery changes nothing). Bytes depend only
on the rows: fixed writer options, sorted rows, no timestamps in the file metadata.

On S3 the read-merge-write is optimistic: the write is conditional on the ETag that was read
(or on the key being absent), and a lost race re-reads and merges again. Two writers of one day
file (adjacent local delivery days share a UTC day, concurrent validators, or a delayed retry of
an earlier PUT) therefore never overwrite each other's rows.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from botocore.exceptions import ClientError

from nexus_contracts import Observation
from nexus_core import aws
from nexus_core.daily_stats import DayStats, bounded, day_stats
from nexus_core.lake_schema import OBSERVATION_SCHEMA, RAW_PREFIX, raw_key
from nexus_core.settings import NexusSettings, get_settings

Row = dict[str, Any]
Key = tuple[str, datetime]

# Fixed writer options: changing any of them changes every checksum, so they live here only.
_WRITE_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "row_group_size": 1_000_000,
}
# A conditional PUT lost to another writer: 412 (ETag changed / key now exists) or 409.
_CONFLICT_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"})
MAX_WRITE_ATTEMPTS = 8
_PARTITIONING = ds.partitioning(
    pa.schema([("year", pa.int32()), ("month", pa.int32()), ("day", pa.int32())]), flavor="hive"
)


@dataclass(frozen=True)
class PartitionWrite:
    """The outcome of merging rows into one lake file; counts are of the incoming rows.

    `daily_stats` are the per-series statistics of the rows now in the file (None: not computed, as
    for headlines, or too many series for the partition item).
    """

    source: str
    dataset: str
    day: date
    key: str
    version_id: str | None
    sha256: str
    rows: int
    series: int
    accepted: int
    revised: int
    stale: int
    written: bool
    daily_stats: dict[str, DayStats] | None = None


def s3_filesystem(settings: NexusSettings) -> pafs.S3FileSystem:
    """pyarrow's S3 filesystem on the configured endpoint (pyarrow ignores AWS_ENDPOINT_URL)."""
    if not settings.s3_endpoint_url:
        return pafs.S3FileSystem(region=settings.region)
    url = urlparse(settings.s3_endpoint_url)
    return pafs.S3FileSystem(
        region=settings.region,
        endpoint_override=url.netloc or url.path,
        scheme=url.scheme or "https",
        allow_bucket_creation=False,
    )


def observation_row(obs: Observation) -> Row:
    """One Observation as a lake row (enums as their string values)."""
    return {
        "source": obs.source.value,
        "dataset": obs.dataset.value,
        "series_id": obs.series_id,
        "area": obs.area.value if obs.area else None,
        "location": obs.location,
        "interval_start_utc": obs.interval_start_utc,
        "interval_end_utc": obs.interval_end_utc,
        "resolution": obs.resolution.value,
        "value": obs.value,
        "unit": obs.unit.value,
        "publish_time_utc": obs.publish_time_utc,
        "quality": obs.quality.value,
    }


def sorted_table(rows: Sequence[Row], schema: pa.Schema, *sort_by: str) -> pa.Table:
    """Rows as an Arrow table of `schema`, sorted by `sort_by`."""
    ordered = sorted(rows, key=lambda r: tuple(r[k] for k in sort_by))
    return pa.Table.from_pylist(ordered, schema=schema)


def table_to_parquet(table: pa.Table) -> bytes:
    """Deterministic Parquet bytes of a table: fixed writer options, no timestamps."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **_WRITE_OPTIONS)
    return bytes(sink.getvalue().to_pybytes())


def sorted_parquet_bytes(rows: Sequence[Row], schema: pa.Schema, *sort_by: str) -> bytes:
    """Deterministic Parquet bytes: rows sorted by `sort_by`, fixed writer options, no timestamps."""
    return table_to_parquet(sorted_table(rows, schema, *sort_by))


def observation_table(rows: Sequence[Row]) -> pa.Table:
    """Lake rows as a table in file order: sorted by (series_id, interval_start_utc)."""
    return sorted_table(rows, OBSERVATION_SCHEMA, "series_id", "interval_start_utc")


def rows_to_parquet(rows: Sequence[Row]) -> bytes:
    """Deterministic Parquet bytes of rows, sorted by (series_id, interval_start_utc)."""
    return table_to_parquet(observation_table(rows))


def merge_rows(existing: Sequence[Row], incoming: Sequence[Row]) -> tuple[list[Row], int, int, int]:
    """Merge by (series_id, interval_start_utc) keeping the latest publish time.

    Returns (rows, accepted, revised, stale): accepted = incoming rows that are new keys,
    revised = incoming rows that replace an older vintage, stale = incoming rows ignored
    (older or equal publish time; a tie keeps what is already there).
    """
    merged: dict[Key, Row] = {(r["series_id"], r["interval_start_utc"]): r for r in existing}
    accepted = revised = stale = 0
    for row in incoming:
        key = (row["series_id"], row["interval_start_utc"])
        current = merged.get(key)
        if current is None:
            accepted += 1
        elif row["publish_time_utc"] > current["publish_time_utc"]:
            revised += 1
        else:
            stale += 1
            continue
        merged[key] = row
    return list(merged.values()), accepted, revised, stale


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


class LakeWriteConflict(RuntimeError):
    """Other writers kept changing a lake file during every attempt of a merge (transient)."""


class LakeWriter:
    """Merges observations into their (source, dataset, UTC day) files.

    With the default S3 filesystem, files are read and written through the S3 API with
    conditional PUTs (compare-and-swap on the ETag); a custom `fs` (a local benchmark) is
    written unconditionally.
    """

    def __init__(
        self, settings: NexusSettings | None = None, *, fs: pafs.FileSystem | None = None, s3: Any = None
    ) -> None:
        self.settings = settings or get_settings()
        self.conditional = fs is None
        self.fs = fs or s3_filesystem(self.settings)
        self._s3 = s3 or aws.client("s3", self.settings)

    def merge_write(self, observations: Iterable[Observation]) -> list[PartitionWrite]:
        """Merge observations into the lake; one PartitionWrite per touched file, in key order."""
        groups: dict[tuple[str, str, date], list[Row]] = defaultdict(list)
        for obs in observations:
            day = obs.interval_start_utc.astimezone(UTC).date()
            groups[(obs.source.value, obs.dataset.value, day)].append(observation_row(obs))
        return [self.merge_rows_into(s, d, day, rows) for (s, d, day), rows in sorted(groups.items())]

    def merge_rows_into(
        self, source: str, dataset: str, day: date, incoming: Sequence[Row]
    ) -> PartitionWrite:
        """Merge rows of one partition; rewrites the file only when its content changes.

        The write's `daily_stats` describe the rows in the file afterwards (merged, latest vintages).
        """
        key = raw_key(source, dataset, day)
        for _ in range(MAX_WRITE_ATTEMPTS):
            old_bytes, etag = self._read(key)
            old_table = _bytes_to_table(old_bytes) if old_bytes is not None else None
            existing = _table_rows(old_table) if old_table is not None else []
            rows, accepted, revised, stale = merge_rows(existing, incoming)
            if old_table is not None and old_bytes is not None and accepted + revised == 0:
                table, data, written = old_table, old_bytes, False  # nothing new: keep the file
            else:
                table = observation_table(rows)
                data, written = table_to_parquet(table), True
            if not written or self._write(key, data, etag):
                break
        else:
            raise LakeWriteConflict(f"{key} changed under every one of {MAX_WRITE_ATTEMPTS} merges")
        head = self._s3.head_object(Bucket=self.settings.bucket, Key=key)
        return PartitionWrite(
            source=source,
            dataset=dataset,
            day=day,
            key=key,
            version_id=head.get("VersionId") if head.get("VersionId") not in (None, "null") else None,
            sha256=hashlib.sha256(data).hexdigest(),
            rows=len(rows),
            series=len({r["series_id"] for r in rows}),
            accepted=accepted,
            revised=revised,
            stale=stale,
            written=written,
            daily_stats=bounded(day_stats(table, day)),
        )

    def _read(self, key: str) -> tuple[bytes | None, str | None]:
        """The file's bytes and ETag; (None, None) when it does not exist yet."""
        if not self.conditional:
            return self._read_bytes(key), None
        try:
            got = self._s3.get_object(Bucket=self.settings.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None, None
            raise
        return bytes(got["Body"].read()), str(got["ETag"])

    def _write(self, key: str, data: bytes, etag: str | None) -> bool:
        """Write `data` if the file is still the one read (`etag`, None = absent); False if not."""
        if not self.conditional:
            with self.fs.open_output_stream(f"{self.settings.bucket}/{key}") as out:
                out.write(data)
            return True
        condition = {"IfMatch": etag} if etag is not None else {"IfNoneMatch": "*"}
        try:
            self._s3.put_object(
                Bucket=self.settings.bucket,
                Key=key,
                Body=data,
                **condition,
            )
        except ClientError as exc:
            error = exc.response.get("Error", {}).get("Code")
            status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
            if error in _CONFLICT_CODES or status in _CONFLICT_CODES:
                return False  # another writer got there first: read and merge again
            raise
        return True

    def _read_bytes(self, key: str) -> bytes | None:
        # Opening directly costs one request less than asking first whether the file exists.
        try:
            with self.fs.open_input_stream(f"{self.settings.bucket}/{key}") as src:
                return bytes(src.read())
        except FileNotFoundError:
            return None


def _bytes_to_table(data: bytes) -> pa.Table:
    return pq.read_table(pa.BufferReader(data), schema=OBSERVATION_SCHEMA)


def _table_rows(table: pa.Table) -> list[Row]:
    rows = table.to_pylist()
    for row in rows:
        for col in ("interval_start_utc", "interval_end_utc", "publish_time_utc"):
            row[col] = _utc(row[col])
    return rows


class LakeReader:
    """Reads lake partitions into one Arrow table, pruning by the hive day partitions."""

    def __init__(self, settings: NexusSettings | None = None, *, fs: pafs.FileSystem | None = None) -> None:
        self.settings = settings or get_settings()
        self.fs = fs or s3_filesystem(self.settings)

    def read(
        self,
        *,
        start: date,
        end: date,
        source: str | None = None,
        dataset: str | None = None,
        columns: Sequence[str] | None = None,
    ) -> pa.Table:
        """Rows of partitions whose UTC day is in `start..end` (inclusive), optionally filtered.

        Pruning works on the year/month/day partitions (one clause per month in range); source
        and dataset filter the rows, which Parquet statistics prune per row group.
        """
        names = list(columns) if columns is not None else OBSERVATION_SCHEMA.names
        base = f"{self.settings.bucket}/{RAW_PREFIX}"
        if self.fs.get_file_info(base).type == pafs.FileType.NotFound:
            return OBSERVATION_SCHEMA.empty_table().select(names)
        dataset_ = ds.dataset(
            base, filesystem=self.fs, format="parquet", partitioning=_PARTITIONING, schema=_with_partitions()
        )
        expr = _day_filter(start, end)
        if source is not None:
            expr = expr & (ds.field("source") == str(source))
        if dataset is not None:
            expr = expr & (ds.field("dataset") == str(dataset))
        table = dataset_.to_table(columns=names, filter=expr)
        if "series_id" in names and "interval_start_utc" in names:
            table = table.sort_by([("series_id", "ascending"), ("interval_start_utc", "ascending")])
        return table

    def read_partitions(
        self, source: str, dataset: str, days: Iterable[date], columns: Sequence[str] | None = None
    ) -> pa.Table:
        """Rows of the named (source, dataset) files for `days` (UTC), skipping absent ones.

        Reads known keys without listing the bucket, for callers (the validator's history) that
        know exactly which partitions they need.
        """
        names = list(columns) if columns is not None else OBSERVATION_SCHEMA.names
        paths = [f"{self.settings.bucket}/{raw_key(source, dataset, day)}" for day in sorted(set(days))]
        infos = self.fs.get_file_info(paths) if paths else []
        present = [i.path for i in infos if i.type == pafs.FileType.File]
        if not present:
            return OBSERVATION_SCHEMA.empty_table().select(names)
        table = ds.dataset(present, filesystem=self.fs, format="parquet", schema=OBSERVATION_SCHEMA).to_table(
            columns=names
        )
        return table


def _with_partitions() -> pa.Schema:
    schema = OBSERVATION_SCHEMA
    for name in ("year", "month", "day"):
        schema = schema.append(pa.field(name, pa.int32()))
    return schema


def _day_filter(start: date, end: date) -> ds.Expression:
    if end < start:
        raise ValueError("end must not be before start")
    clauses: list[ds.Expression] = []
    month = start.replace(day=1)
    while month <= end:
        nxt = (month + timedelta(days=32)).replace(day=1)
        first = max(start, month)
        last = min(end, nxt - timedelta(days=1))
        clauses.append(
            (ds.field("year") == month.year)
            & (ds.field("month") == month.month)
            & (ds.field("day") >= first.day)
            & (ds.field("day") <= last.day)
        )
        month = nxt
    expr = clauses[0]
    for clause in clauses[1:]:
        expr = expr | clause
    return expr
