"""Athena over the lake: Glue table with partition projection (no crawler), a capped workgroup."""

# Nested resource arguments are written as plain dicts; pulumi-aws types them as TypedDict unions.
# mypy: disable-error-code="arg-type,list-item,misc,call-overload"

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pyarrow as pa

from nexus_core.lake_schema import OBSERVATION_SCHEMA, RAW_PREFIX
from nexus_infra.components.buckets import SecureBucket, expire_after
from nexus_infra.config import InfraConfig

TABLE = "raw_observations"
PARTITION_KEYS = ("year", "month", "day")


def glue_type(arrow: pa.DataType) -> str:
    """Arrow type of a lake column → Glue/Hive type."""
    if pa.types.is_timestamp(arrow):
        return "timestamp"
    if pa.types.is_floating(arrow):
        return "double"
    if pa.types.is_string(arrow):
        return "string"
    raise ValueError(f"no Glue type for {arrow}")


def glue_columns() -> list[dict[str, str]]:
    """The table's columns, in the lake schema's order (one source of truth: lake_schema)."""
    return [{"name": f.name, "type": glue_type(f.type)} for f in OBSERVATION_SCHEMA]


def projection(bucket: str) -> dict[str, str]:
    location = f"s3://{bucket}/{RAW_PREFIX}/year=${{year}}/month=${{month}}/day=${{day}}/"
    return {
        "classification": "parquet",
        "projection.enabled": "true",
        "projection.year.type": "integer",
        "projection.year.range": "2015,2099",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "storage.location.template": location,
    }


class Query(pulumi.ComponentResource):
    def __init__(
        self, cfg: InfraConfig, bucket_name: pulumi.Output[str], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("nexus:query:Query", "query", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.database = aws.glue.CatalogDatabase("lake", name=cfg.name("lake").replace("-", "_"), opts=child)
        self.table = aws.glue.CatalogTable(
            TABLE,
            name=TABLE,
            database_name=self.database.name,
            table_type="EXTERNAL_TABLE",
            parameters=bucket_name.apply(projection),
            partition_keys=[{"name": key, "type": "string"} for key in PARTITION_KEYS],
            storage_descriptor={
                "location": pulumi.Output.concat("s3://", bucket_name, f"/{RAW_PREFIX}/"),
                "input_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "output_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "ser_de_info": {
                    "serialization_library": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                },
                "columns": glue_columns(),
            },
            opts=child,
        )
        self.results = SecureBucket(
            "athena-results",
            cfg.name("athena-results"),
            tags=cfg.tags(),
            lifecycle_rules=[expire_after(cfg.athena_results_expiry_days)],
            force_destroy=True,
            opts=child,
        )
        self.workgroup = aws.athena.Workgroup(
            "analysts",
            name=cfg.name("analysts"),
            force_destroy=True,
            configuration={
                "enforce_workgroup_configuration": True,
                "publish_cloudwatch_metrics_enabled": True,
                "bytes_scanned_cutoff_per_query": cfg.athena_bytes_scanned_limit,
                "engine_version": {"selected_engine_version": "Athena engine version 3"},
                "result_configuration": {
                    "output_location": pulumi.Output.concat("s3://", self.results.bucket.bucket, "/"),
                    "encryption_configuration": {"encryption_option": "SSE_S3"},
                },
            },
            tags=cfg.tags(),
            opts=child,
        )
        self.register_outputs({"database": self.database.name, "workgroup": self.workgroup.name})
