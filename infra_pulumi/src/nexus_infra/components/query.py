"""Athena over the lake: Glue table with partition projection (no crawler), a capped workgroup."""

# Nested resource arguments are written as plain dicts; pulumi-aws types them as TypedDict unions.
# mypy: disable-error-code="arg-type,list-item,misc,call-overload"

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from nexus_core.query.glue import glue_table_spec
from nexus_core.query.sql import RAW_TABLE
from nexus_infra.components.buckets import SecureBucket, expire_after
from nexus_infra.config import InfraConfig


def table_args(spec: dict[str, Any]) -> dict[str, Any]:
    """Glue `TableInput` (nexus_core.query.glue, shared with the local runtime) → CatalogTable args."""
    sd = spec["StorageDescriptor"]
    return {
        "name": spec["Name"],
        "table_type": spec["TableType"],
        "parameters": spec["Parameters"],
        "partition_keys": [{"name": k["Name"], "type": k["Type"]} for k in spec["PartitionKeys"]],
        "storage_descriptor": {
            "location": sd["Location"],
            "input_format": sd["InputFormat"],
            "output_format": sd["OutputFormat"],
            "ser_de_info": {
                "serialization_library": sd["SerdeInfo"]["SerializationLibrary"],
                "parameters": sd["SerdeInfo"].get("Parameters", {}),
            },
            "columns": [{"name": c["Name"], "type": c["Type"]} for c in sd["Columns"]],
        },
    }


class Query(pulumi.ComponentResource):
    def __init__(
        self, cfg: InfraConfig, bucket_name: pulumi.Output[str], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("nexus:query:Query", "query", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.database = aws.glue.CatalogDatabase(
            "lake", name=f"nexus_{cfg.env}".replace("-", "_"), opts=child
        )
        args = bucket_name.apply(lambda bucket: table_args(glue_table_spec(bucket)))
        self.table = aws.glue.CatalogTable(
            RAW_TABLE,
            name=args["name"],
            database_name=self.database.name,
            table_type=args["table_type"],
            parameters=args["parameters"],
            partition_keys=args["partition_keys"],
            storage_descriptor=args["storage_descriptor"],
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
            name=f"nexus-{cfg.env}",  # the names nexus_core.query.settings expects by default
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
