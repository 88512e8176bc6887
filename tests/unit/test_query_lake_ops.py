"""Checksum verification and the corruption alert, on partition records and in-memory bytes."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from nexus_contracts import Severity
from nexus_contracts.events import AlertKind
from nexus_core.metadata import PartitionRecord
from nexus_core.query.lake_ops import corruption_alert, partitions_result, verify_partitions


def record(key: str, data: bytes, source: str = "entsoe") -> PartitionRecord:
    return PartitionRecord(
        source=source,
        dataset="day_ahead_price",
        day=date(2024, 3, 31),
        s3_key=key,
        rows=23,
        series=1,
        sha256=hashlib.sha256(data).hexdigest(),
        updated_at=datetime(2024, 4, 1, tzinfo=UTC),
    )


def test_verify_reports_changed_and_missing_files_only() -> None:
    # Given three records: one intact, one whose bytes changed, one whose object is gone
    store = {"a": b"intact", "b": b"changed"}
    records = [record("a", b"intact"), record("b", b"original"), record("c", b"gone")]
    # When verified against the store
    checked, mismatches = verify_partitions(records, store.get)
    # Then the changed and the missing files mismatch, with what was found
    assert checked == 3
    assert [(m.record.s3_key, m.actual) for m in mismatches] == [
        ("b", hashlib.sha256(b"changed").hexdigest()),
        ("c", None),
    ]


def test_corruption_alert_is_critical_and_deduplicated_per_file() -> None:
    # Given a mismatch on a file of an unregistered source
    _, (mismatch,) = verify_partitions([record("k", b"x", source="vendor-x")], {"k": b"y"}.get)
    # When the alert is built
    alert = corruption_alert(mismatch)
    # Then it is the critical "S3 data corruption" alert keyed by the file
    assert (alert.severity, alert.kind, alert.title) == (
        Severity.CRITICAL,
        AlertKind.DATA_CORRUPTION,
        "S3 data corruption",
    )
    assert alert.dedupe_key == "data_corruption:k"
    assert alert.source is None
    assert alert.context["expected_sha256"] == mismatch.record.sha256


def test_partition_listing_shortens_checksums() -> None:
    result = partitions_result([record("raw-data/x.parquet", b"x")])
    (row,) = result.records()
    assert row["sha256"] == hashlib.sha256(b"x").hexdigest()[:12]
    assert row["s3_key"] == "raw-data/x.parquet"
