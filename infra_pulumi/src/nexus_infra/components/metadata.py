"""The DynamoDB metadata table: on demand, point-in-time recovery, encrypted, TTL on expires_at."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from nexus_infra.config import InfraConfig


class MetadataTable(pulumi.ComponentResource):
    def __init__(self, cfg: InfraConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nexus:storage:MetadataTable", "metadata", None, opts)
        self.table = aws.dynamodb.Table(
            "metadata",
            name=cfg.name("metadata"),
            billing_mode="PAY_PER_REQUEST",
            hash_key="pk",
            range_key="sk",
            attributes=[{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
            point_in_time_recovery={"enabled": True},
            # AWS-managed key (aws/dynamodb): encrypted, no customer-managed key to pay for.
            server_side_encryption={"enabled": True},
            ttl={"attribute_name": "expires_at", "enabled": True},
            deletion_protection_enabled=True,
            tags=cfg.tags(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"name": self.table.name, "arn": self.table.arn})
