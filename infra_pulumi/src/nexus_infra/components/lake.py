"""The data bucket (lake, reports, landing, quarantine) and its optional us-west-2 replica."""

# Nested resource arguments are written as plain dicts; pulumi-aws types them as TypedDict unions.
# mypy: disable-error-code="arg-type,list-item,misc,call-overload"

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from nexus_infra import iam
from nexus_infra.components.buckets import SecureBucket
from nexus_infra.config import InfraConfig

RAW_PREFIX = "raw-data/"
# The seed's tiers for raw data only: reports and web assets stay in Standard.
RAW_TIERS: tuple[tuple[int, str], ...] = ((30, "STANDARD_IA"), (90, "GLACIER"), (365, "DEEP_ARCHIVE"))
NONCURRENT_DAYS = 90


def lake_rules() -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    return [
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="raw-data-tiers",
            status="Enabled",
            filter={"prefix": RAW_PREFIX},
            transitions=[{"days": days, "storage_class": cls} for days, cls in RAW_TIERS],
        ),
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="old-versions-and-uploads",
            status="Enabled",
            filter={"prefix": ""},
            noncurrent_version_expiration={"noncurrent_days": NONCURRENT_DAYS},
            abort_incomplete_multipart_upload={"days_after_initiation": 1},
        ),
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="landing-expiry",
            status="Enabled",
            filter={"prefix": "landing/"},
            expiration={"days": 30},
        ),
    ]


class DataLake(pulumi.ComponentResource):
    def __init__(self, cfg: InfraConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("nexus:storage:DataLake", "data-lake", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.data = SecureBucket(
            "data", cfg.name("data"), tags=cfg.tags(), lifecycle_rules=lake_rules(), opts=child
        )
        self.bucket_name = self.data.bucket.bucket
        self.bucket_arn = self.data.bucket.arn
        if cfg.enable_replication:
            self._replicate(cfg)
        self.register_outputs({"bucket": self.bucket_name})

    def _replicate(self, cfg: InfraConfig) -> None:
        """Cross-region replica (disaster recovery): same baseline, replication of every version."""
        child = pulumi.ResourceOptions(parent=self)
        replica = SecureBucket(
            "data-replica",
            cfg.name("data-replica"),
            tags=cfg.tags(role="replica"),
            region=cfg.replica_region,
            opts=child,
        )
        role = aws.iam.Role(
            "replication-role",
            name=cfg.name("s3-replication"),
            assume_role_policy=iam.trust("s3.amazonaws.com"),
            tags=cfg.tags(),
            opts=child,
        )
        src, dst = self.data.bucket.arn, replica.bucket.arn
        aws.iam.RolePolicy(
            "replication-policy",
            role=role.id,
            policy=iam.document(
                [
                    iam.allow(["s3:GetReplicationConfiguration", "s3:ListBucket"], [src]),
                    iam.allow(
                        [
                            "s3:GetObjectVersionForReplication",
                            "s3:GetObjectVersionAcl",
                            "s3:GetObjectVersionTagging",
                        ],
                        [pulumi.Output.concat(src, "/*")],
                    ),
                    iam.allow(
                        ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                        [pulumi.Output.concat(dst, "/*")],
                    ),
                ]
            ),
            opts=child,
        )
        aws.s3.BucketReplicationConfig(
            "data-replication",
            bucket=self.data.bucket.id,
            role=role.arn,
            rules=[
                {
                    "id": "all-objects",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "delete_marker_replication": {"status": "Enabled"},
                    "destination": {"bucket": dst, "storage_class": "STANDARD_IA"},
                }
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.data.versioning, replica.versioning]),
        )
