"""Local engine: DuckDB over a pyarrow dataset of s3://<bucket>/raw-data/ (Hive partitions).

DuckDB's own S3 extension cannot be installed offline, so pyarrow reads S3 (its S3FileSystem
needs the endpoint explicitly) and the dataset is registered as the `raw_observations` relation;
DuckDB pushes projections and filters down into the pyarrow scanner. Files outside the query's
UTC days (see `bounds.day_range`) are not even listed into the dataset.
"""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from nexus_core.lake import s3_filesystem
from nexus_core.lake_schema import OBSERVATION_SCHEMA, RAW_PREFIX
from nexus_core.query.bounds import DayRange, day_range
from nexus_core.query.result import QueryResult
from nexus_core.query.sql import DUCKDB_MACROS, RAW_TABLE, VIEWS
from nexus_core.settings import NexusSettings

PARTITION_SCHEMA = pa.schema([("year", pa.int32()), ("month", pa.int32()), ("day", pa.int32())])
RAW_SCHEMA = pa.schema(list(OBSERVATION_SCHEMA) + list(PARTITION_SCHEMA))
_DAY_DIRS = re.compile(r"year=(\d{4})/month=(\d{2})/day=(\d{2})/")


def file_day(path: str) -> date | None:
    """The UTC day of a lake file from its year=/month=/day= folders."""
    match = _DAY_DIRS.search(path)
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


class LocalQueryEngine:
    """Runs DuckDB-dialect SQL over the lake; one DuckDB connection per query."""

    def __init__(self, bucket: str, filesystem: pafs.FileSystem) -> None:
        self._root = f"{bucket}/{RAW_PREFIX}"
        self._fs = filesystem
        self.last_scanned_files: list[str] = []

    @classmethod
    def from_settings(cls, settings: NexusSettings) -> LocalQueryEngine:
        return cls(settings.bucket, s3_filesystem(settings))

    def lake_files(self, days: DayRange | None = None) -> list[str]:
        """Parquet files under raw-data/ whose UTC day lies in `days` (all when None), sorted."""
        selector = pafs.FileSelector(self._root, recursive=True, allow_not_found=True)
        paths = [i.path for i in self._fs.get_file_info(selector) if i.path.endswith(".parquet")]
        wanted = days or DayRange()
        return sorted(p for p in paths if (d := file_day(p)) is not None and wanted.contains(d))

    def dataset(self, days: DayRange | None = None) -> ds.Dataset:
        """The lake (or the days of it a query needs) as one Hive-partitioned pyarrow dataset."""
        files = self.lake_files(days)
        self.last_scanned_files = files
        if not files:
            return ds.dataset(RAW_SCHEMA.empty_table())
        return ds.dataset(
            files,
            schema=RAW_SCHEMA,
            format="parquet",
            filesystem=self._fs,
            partitioning=ds.partitioning(PARTITION_SCHEMA, flavor="hive"),
            partition_base_dir=self._root,
        )

    def connect(self, days: DayRange | None = None) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with raw_observations registered and the views created."""
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        for macro in DUCKDB_MACROS:
            con.execute(macro)
        con.register(RAW_TABLE, self.dataset(days))
        for name, body in VIEWS.items():
            con.execute(f"CREATE VIEW {name} AS {body}")
        return con

    def execute(self, sql: str, days: DayRange | None = None) -> QueryResult:
        """Run one statement; the days read are those of `days` narrowed by the query's own bounds."""
        bounds = day_range(sql)
        if days is not None:
            bounds = bounds.narrowed(days.first, days.last)
        con = self.connect(bounds)
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            return QueryResult(columns=columns, rows=cursor.fetchall())
        finally:
            con.close()
