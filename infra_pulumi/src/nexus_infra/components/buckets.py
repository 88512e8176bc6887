"""A private bucket: versioned, encrypted (SSE-S3), public access blocked, TLS-only policy."""

# Nested resource arguments are written as plain dicts; pulumi-aws types them as TypedDict unions.
# mypy: disable-error-code="arg-type,list-item,misc,call-overload"

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from nexus_infra import iam


class SecureBucket(pulumi.ComponentResource):
    """Every bucket of the platform goes through here, so no bucket can skip the baseline."""

    def __init__(
        self,
        name: str,
        bucket_name: str,
        *,
        tags: dict[str, str],
        lifecycle_rules: list[aws.s3.BucketLifecycleConfigurationRuleArgs] | None = None,
        policy_statements: list[dict[str, Any]] | None = None,
        region: str | None = None,
        force_destroy: bool = False,
        defer_policy: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("nexus:storage:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(
            name, bucket=bucket_name, region=region, force_destroy=force_destroy, tags=tags, opts=child
        )
        self.arn = self.bucket.arn
        self.id = self.bucket.id
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            region=region,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            region=region,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=self.bucket.id,
            region=region,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        self._region = region
        self._block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=self.bucket.id,
            region=region,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        if lifecycle_rules:
            aws.s3.BucketLifecycleConfiguration(
                f"{name}-lifecycle",
                bucket=self.bucket.id,
                region=region,
                rules=lifecycle_rules,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.versioning]),
            )
        self._name = name
        if not defer_policy:
            self.attach_policy(policy_statements or [])
        self.register_outputs({"bucket": self.bucket.id, "arn": self.bucket.arn})

    def attach_policy(self, statements: list[dict[str, Any]]) -> aws.s3.BucketPolicy:
        """The bucket's one policy: deny non-TLS first, then the grants (once, possibly deferred)."""
        return aws.s3.BucketPolicy(
            f"{self._name}-policy",
            bucket=self.bucket.id,
            region=self._region,
            policy=iam.document([iam.deny_insecure_transport(self.bucket.arn), *statements]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._block]),
        )


def expire_after(days: int, prefix: str = "") -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    """A rule deleting objects (and their old versions) after `days`; no storage-class tiers."""
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=f"expire-{prefix.strip('/') or 'all'}-{days}d",
        status="Enabled",
        filter={"prefix": prefix},
        expiration={"days": days},
        noncurrent_version_expiration={"noncurrent_days": 1},
        abort_incomplete_multipart_upload={"days_after_initiation": 1},
    )
