"""The Glue catalogue definition of `raw_observations` as plain data (no crawler).

Shapes follow the Glue API's `TableInput`, so the same dict feeds boto3 `glue.create_table` and
the Pulumi program. Partitions are found by projection: Athena computes the S3 prefixes of
year/month/day from the query's predicates instead of reading a partition list.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from nexus_core.lake_schema import OBSERVATION_SCHEMA, RAW_PREFIX
from nexus_core.query.sql import RAW_TABLE

PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

# Years the projection may enumerate: the EPF history starts in 2011, forecasts end soon after now.
PROJECTED_YEARS = (2010, 2040)


def _glue_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type):
        return "string"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    if pa.types.is_float64(arrow_type):
        return "double"
    raise TypeError(f"no Glue type for {arrow_type}")


def glue_columns() -> list[dict[str, str]]:
    """The data columns, exactly OBSERVATION_SCHEMA in its order."""
    return [{"Name": f.name, "Type": _glue_type(f.type)} for f in OBSERVATION_SCHEMA]


def projection_parameters(bucket: str) -> dict[str, str]:
    """Table parameters enabling partition projection over year/month/day (integers, 2-digit month/day)."""
    low, high = PROJECTED_YEARS
    return {
        "projection.enabled": "true",
        "projection.year.type": "integer",
        "projection.year.range": f"{low},{high}",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "storage.location.template": f"s3://{bucket}/{RAW_PREFIX}/year=${{year}}/month=${{month}}/day=${{day}}",
    }


def glue_table_spec(bucket: str) -> dict[str, Any]:
    """Glue `TableInput` of the external Parquet table over s3://<bucket>/raw-data/."""
    return {
        "Name": RAW_TABLE,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE", **projection_parameters(bucket)},
        "PartitionKeys": [{"Name": name, "Type": "int"} for name in ("year", "month", "day")],
        "StorageDescriptor": {
            "Columns": glue_columns(),
            "Location": f"s3://{bucket}/{RAW_PREFIX}/",
            "InputFormat": PARQUET_INPUT,
            "OutputFormat": PARQUET_OUTPUT,
            "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}},
        },
    }
