"""Write the analysis outputs to S3 under deterministic keys (a rerun overwrites the same keys)."""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


def output_keys(week: str) -> dict[str, str]:
    return {
        "weekly_aggregates": f"processed-data/weekly-aggregates/week={week}/weekly_stats.parquet",
        "correlation_matrices": f"processed-data/correlation-matrices/week={week}/correlations.parquet",
        "analysis_json": f"reports/json/{week}.json",
        "report_pdf": f"reports/pdf/{week}.pdf",
    }


def parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def put(s3: Any, bucket: str, key: str, body: bytes, content_type: str) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
