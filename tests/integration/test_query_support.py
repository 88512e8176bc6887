"""A real moto server with the lake's bucket, metadata table, topics and quarantine queue.

Holds fixtures and helpers only; the query integration modules import `lake_env` from here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from nexus_core import aws
from nexus_core.metadata import create_table
from nexus_core.settings import NexusSettings, get_settings


@dataclass
class LakeEnv:
    """Endpoint, settings and the SQS tap subscribed to the alerts topic."""

    endpoint: str
    settings: NexusSettings
    alerts_tap: str

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name="eu-west-1")

    def alerts(self) -> list[dict[str, Any]]:
        """Alert envelopes delivered to the tap so far (drained)."""
        sqs = self.client("sqs")
        got = sqs.receive_message(QueueUrl=self.alerts_tap, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        out = []
        for message in got.get("Messages", []):
            out.append(json.loads(json.loads(message["Body"])["Message"]))
            sqs.delete_message(QueueUrl=self.alerts_tap, ReceiptHandle=message["ReceiptHandle"])
        return out


def _provision(endpoint: str, tag: str) -> LakeEnv:
    """Resources named with `tag`: moto's state is per process, so each fixture gets its own names."""
    bucket, table = f"nexus-{tag}-data", f"nexus-{tag}-metadata"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-1")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    create_table(boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-west-1"), table)
    sns = boto3.client("sns", endpoint_url=endpoint, region_name="eu-west-1")
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="eu-west-1")
    topic = sns.create_topic(Name=f"nexus-{tag}-alerts")["TopicArn"]
    observations = sns.create_topic(Name=f"nexus-{tag}-observations")["TopicArn"]
    quarantine = sqs.create_queue(QueueName=f"nexus-{tag}-quarantine")["QueueUrl"]
    tap = sqs.create_queue(QueueName=f"{tag}-alerts-tap")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    settings = NexusSettings.model_validate(
        {
            "env": "qtest",
            "bucket": bucket,
            "table": table,
            "alerts_topic_arn": topic,
            "observations_topic_arn": observations,
            "quarantine_queue_url": quarantine,
            "NEXUS_S3_ENDPOINT_URL": endpoint,
        }
    )
    return LakeEnv(endpoint=endpoint, settings=settings, alerts_tap=tap)


@pytest.fixture(scope="module")
def lake_env() -> Iterator[LakeEnv]:
    """A fresh moto server on an ephemeral port; the NEXUS_ variables point at its resources."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in _provision_env(endpoint).items():
            mp.setenv(key, value)
        provisioned = _provision(endpoint, f"q{uuid.uuid4().hex[:8]}")
        mp.setenv("NEXUS_BUCKET", provisioned.settings.bucket)
        mp.setenv("NEXUS_TABLE", provisioned.settings.table)
        mp.setenv("NEXUS_ALERTS_TOPIC_ARN", provisioned.settings.alerts_topic_arn)
        mp.setenv("NEXUS_OBSERVATIONS_TOPIC_ARN", provisioned.settings.observations_topic_arn)
        mp.setenv("NEXUS_QUARANTINE_QUEUE_URL", provisioned.settings.quarantine_queue_url)
        aws.clear_cache()
        get_settings.cache_clear()
        try:
            yield provisioned
        finally:
            aws.clear_cache()
            get_settings.cache_clear()
            server.stop()


def _provision_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": endpoint,
        "NEXUS_ENV": "qtest",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
