"""Lake operations over partition records: listing and checksum verification.

`verify_partitions` is pure: it takes the records and a reader of an S3 key's bytes, so it runs the
same against moto, AWS or a test double of the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nexus_contracts import AlertRaised, Dataset, Severity, Source
from nexus_contracts.events import AlertKind
from nexus_core.metadata import PartitionRecord
from nexus_core.query.result import QueryResult

PARTITION_COLUMNS = [
    "source",
    "dataset",
    "day",
    "rows",
    "series",
    "completeness",
    "flags",
    "sha256",
    "s3_key",
]


@dataclass(frozen=True)
class Mismatch:
    """A lake file whose bytes do not hash to its partition record (`actual` None: file missing)."""

    record: PartitionRecord
    actual: str | None


def _tail(record: PartitionRecord) -> tuple[str, str]:
    return record.sha256[:12], record.s3_key


def partitions_result(records: Iterable[PartitionRecord]) -> QueryResult:
    """Partition records as a printable result (sha256 shortened to 12 hex digits)."""
    rows = [
        (r.source, r.dataset, r.day, r.rows, r.series, r.completeness, ",".join(r.flags), *_tail(r))
        for r in records
    ]
    return QueryResult(columns=list(PARTITION_COLUMNS), rows=rows)


def verify_partitions(
    records: Iterable[PartitionRecord], read: Callable[[str], bytes | None]
) -> tuple[int, list[Mismatch]]:
    """Hash every record's current S3 object; returns (files checked, mismatches)."""
    checked = 0
    mismatches: list[Mismatch] = []
    for record in records:
        checked += 1
        data = read(record.s3_key)
        actual = hashlib.sha256(data).hexdigest() if data is not None else None
        if actual != record.sha256:
            mismatches.append(Mismatch(record=record, actual=actual))
    return checked, mismatches


def _source(value: str) -> Source | None:
    return Source(value) if value in Source._value2member_map_ else None


def _dataset(value: str) -> Dataset | None:
    return Dataset(value) if value in Dataset._value2member_map_ else None


def corruption_alert(mismatch: Mismatch) -> AlertRaised:
    """The critical "S3 data corruption" alert of one mismatching file (one per file per day)."""
    record = mismatch.record
    found = mismatch.actual or "no object"
    return AlertRaised(
        severity=Severity.CRITICAL,
        kind=AlertKind.DATA_CORRUPTION,
        title="S3 data corruption",
        detail=f"{record.s3_key}: sha256 {found} does not match the partition record {record.sha256}",
        source=_source(record.source),
        dataset=_dataset(record.dataset),
        dedupe_key=f"data_corruption:{record.s3_key}",
        context={"s3_key": record.s3_key, "expected_sha256": record.sha256, "actual_sha256": found},
    )
