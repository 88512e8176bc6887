"""Align lake observations on one hourly UTC grid, and map grid hours to local delivery days.

Sub-hourly values (PT15M, PT30M) are averaged into their hour; daily and monthly values (gas,
carbon, FX) are held constant over every hour of their interval, so a daily series averaged over a
local day gives back that day's settlement.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US


@dataclass(frozen=True)
class SeriesInfo:
    series_id: str
    source: str
    dataset: str
    area: str | None
    location: str | None
    unit: str
    rows: int


@dataclass(frozen=True)
class Grid:
    """`values[i, h]` is series i at hour `origin_us + h*HOUR_US` (NaN when missing)."""

    origin_us: int
    series: tuple[SeriesInfo, ...]
    values: np.ndarray

    @property
    def hours(self) -> int:
        return int(self.values.shape[1])

    def index_of(self, series_id: str) -> int:
        return next(i for i, s in enumerate(self.series) if s.series_id == series_id)

    def row(self, series_id: str | None) -> np.ndarray | None:
        return None if series_id is None else self.values[self.index_of(series_id)]


def _to_us(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(
        pc.cast(column, pa.timestamp("us", tz="UTC")).cast(pa.int64()).to_numpy(zero_copy_only=False)
    )


def build_grid(table: pa.Table, origin_us: int, hours: int, batch_rows: int = 200_000) -> Grid:
    """Every series of `table` (OBSERVATION_SCHEMA columns) on the hourly grid [origin, origin+hours).

    Rows are processed in batches so the temporaries stay a few MB whatever the table size.
    """
    names: list[str] = sorted({s for s in pc.unique(table.column("series_id")).to_pylist() if s is not None})
    value_set = pa.array(names, pa.string())
    n = len(names)
    sums = np.zeros(n * hours)
    counts = np.zeros(n * hours)
    rows = np.zeros(n, dtype=np.int64)
    infos: dict[int, SeriesInfo] = {}
    for raw in table.to_batches(max_chunksize=batch_rows):
        batch = plain(raw)
        found = pc.index_in(batch.column("series_id"), value_set=value_set)
        codes = np.asarray(found.to_numpy(zero_copy_only=False)).astype(np.int64)
        _first_rows(batch, codes, names, infos)
        rows += np.bincount(codes, minlength=n)
        start, end = _to_us(batch.column("interval_start_utc")), _to_us(batch.column("interval_end_utc"))
        value = np.asarray(batch.column("value").to_numpy(zero_copy_only=False), dtype=np.float64)
        # A row covers max(1, whole hours of its interval) grid hours; sub-hourly rows share an hour.
        span = np.maximum(1, (end - start) // HOUR_US)
        first = np.floor_divide(start - origin_us, HOUR_US)
        row_of = np.repeat(np.arange(len(value)), span)
        hour = first[row_of] + (np.arange(len(row_of)) - np.repeat(np.cumsum(span) - span, span))
        keep = (hour >= 0) & (hour < hours)
        key = codes[row_of[keep]] * hours + hour[keep]
        sums += np.bincount(key, weights=value[row_of[keep]], minlength=n * hours)
        counts += np.bincount(key, minlength=n * hours)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).reshape(n, hours)
    series = tuple(replace(infos[i], rows=int(rows[i])) for i in range(n))
    return Grid(origin_us=origin_us, series=series, values=values)


def plain(data: Any) -> Any:
    """The table or batch with dictionary-encoded columns decoded (the lake reader keeps strings as
    dictionaries to save memory; compute kernels want plain strings)."""
    for i, field in enumerate(data.schema):
        if pa.types.is_dictionary(field.type):
            decoded = data.column(i).cast(field.type.value_type)
            data = data.set_column(i, pa.field(field.name, field.type.value_type, field.nullable), decoded)
    return data


def _first_rows(
    batch: pa.RecordBatch, codes: np.ndarray, names: list[str], infos: dict[int, SeriesInfo]
) -> None:
    """Remember the attributes of each series from the first row where it appears."""
    unique, first = np.unique(codes, return_index=True)
    cols = {c: batch.column(c) for c in ("source", "dataset", "area", "location", "unit")}
    for code, r in zip(unique.tolist(), first.tolist(), strict=True):
        if code not in infos:
            get = {c: col[r].as_py() for c, col in cols.items()}
            infos[code] = SeriesInfo(
                names[code], get["source"], get["dataset"], get["area"], get["location"], get["unit"], 0
            )


@dataclass(frozen=True)
class LocalCalendar:
    """Local delivery day and hour of each grid hour in one IANA zone (DST-aware)."""

    day: np.ndarray  # days since 1970-01-01 in local time
    hour: np.ndarray  # 0..23 local clock hour
    weekday: np.ndarray  # 0 = Monday

    def day_index(self) -> tuple[np.ndarray, np.ndarray]:
        """(unique local days, position of each grid hour in them)."""
        days, inverse = np.unique(self.day, return_inverse=True)
        return days, inverse


def local_calendar(origin_us: int, hours: int, tz: str) -> LocalCalendar:
    utc = pa.array(origin_us + np.arange(hours, dtype=np.int64) * HOUR_US, type=pa.int64())
    local = pc.local_timestamp(utc.cast(pa.timestamp("us", tz=tz)))
    local_us = np.asarray(local.cast(pa.int64()).to_numpy(zero_copy_only=False))
    day = np.floor_divide(local_us, DAY_US)
    hour = np.floor_divide(local_us - day * DAY_US, HOUR_US)
    return LocalCalendar(day=day, hour=hour, weekday=(day + 3) % 7)


def daily_mean(
    values: np.ndarray, cal: LocalCalendar, min_share: float = 0.8
) -> tuple[np.ndarray, np.ndarray]:
    """(local days, mean per local day); a day with fewer than `min_share` of its hours is NaN."""
    days, inv = cal.day_index()
    present = ~np.isnan(values)
    sums = np.bincount(inv, weights=np.where(present, values, 0.0), minlength=len(days))
    have = np.bincount(inv, weights=present.astype(np.float64), minlength=len(days))
    total = np.bincount(inv, minlength=len(days))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(have >= min_share * total, sums / have, np.nan)
    return days, mean
