"""IAM policy documents as plain data: one statement per (actions, resources), never `*` on data."""

from __future__ import annotations

import json
from typing import Any

import pulumi

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def trust(service: str) -> str:
    """The assume-role policy of a role used by one AWS service."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    return json.dumps(doc)


def allow(actions: list[str], resources: list[Any]) -> dict[str, Any]:
    """One Allow statement; resources may be Outputs, resolved by `document`."""
    return {"Effect": "Allow", "Action": sorted(actions), "Resource": resources}


def document(statements: list[dict[str, Any]]) -> pulumi.Output[str]:
    """A policy document JSON, waiting for every Output inside the statements."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def objects(bucket_arn: pulumi.Input[str], *prefixes: str) -> list[pulumi.Output[str]]:
    """Object ARNs under the given key prefixes (`raw-data/` → `<bucket>/raw-data/*`)."""
    return [pulumi.Output.concat(bucket_arn, "/", prefix, "*") for prefix in prefixes]


def deny_insecure_transport(bucket_arn: pulumi.Input[str]) -> dict[str, Any]:
    """Bucket-policy statement refusing any request that is not over TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
