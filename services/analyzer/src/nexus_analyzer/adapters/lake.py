"""Read the lake partitions of a day range from S3 (partition pruning on the key layout)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from nexus_core.lake_schema import OBSERVATION_SCHEMA, RAW_PREFIX

STRING_COLUMNS = [f.name for f in OBSERVATION_SCHEMA if pa.types.is_string(f.type)]


def partition_keys(s3: Any, bucket: str, days: Iterable[date]) -> list[str]:
    """Keys of the partition files of `days`: one listing per month touched, filtered by day."""
    wanted = set(days)
    months = sorted({(d.year, d.month) for d in wanted})
    keys = []
    paginator = s3.get_paginator("list_objects_v2")
    for year, month in months:
        prefix = f"{RAW_PREFIX}/year={year:04d}/month={month:02d}/"
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                day_part = key[len(prefix) :].split("/", 1)[0]
                is_file = day_part.startswith("day=") and key.endswith(".parquet")
                if is_file and date(year, month, int(day_part[4:])) in wanted:
                    keys.append(key)
    return sorted(keys)


def parse_partition(body: bytes) -> pa.Table:
    """One lake file; strings as dictionaries (few distinct values repeated per row: half the memory)."""
    return pq.read_table(io.BytesIO(body), read_dictionary=STRING_COLUMNS)


def read_partitions(s3: Any, bucket: str, keys: list[str], threads: int) -> pa.Table:
    """All rows of `keys` as one table with OBSERVATION_SCHEMA (empty when there are no keys)."""

    def one(key: str) -> pa.Table:
        return parse_partition(s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    if not keys:
        return OBSERVATION_SCHEMA.empty_table()
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        tables = list(pool.map(one, keys))
    return pa.concat_tables(tables, promote_options="permissive")
