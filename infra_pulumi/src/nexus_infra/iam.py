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


def trust(service: str, account_id: pulumi.Input[str] | None = None) -> pulumi.Input[str]:
    """The assume-role policy of a role used by one AWS service.

    With `account_id`, the service may assume the role only on behalf of that account
    (`aws:SourceAccount`): the confused-deputy guard for services that act for any account
    (EventBridge Scheduler, Step Functions, EventBridge rules)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if account_id is None:
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [statement]})


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


def vpc_access(region: str, account_id: pulumi.Input[str]) -> list[dict[str, Any]]:
    """What Lambda needs to place a function's network interfaces in a subnet (the ENI part of
    AWSLambdaVPCAccessExecutionRole). EC2 holds no project data. Create and Describe* are granted on
    `*`: Lambda's documentation requires it for these calls (Describe* have no resource-level
    permissions at all). Delete and the IP assignments are limited to this account's interfaces
    in this region."""
    interfaces = pulumi.Output.concat("arn:aws:ec2:", region, ":", account_id, ":network-interface/*")
    return [
        allow(["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], ["*"]),
        allow(
            ["ec2:AssignPrivateIpAddresses", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"],
            [interfaces],
        ),
    ]
