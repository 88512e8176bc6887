"""A real moto server for the core adapter tests, plus the one test of the cached clients.

Other test_core_* modules import `moto_env`; it provisions a versioned bucket, the metadata table,
the three topics, a raw SQS tap on each topic and the quarantine queue.
"""

from __future__ import annotations

import json
import os
import urllib.request
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
class MotoEnv:
    """Endpoint, settings and raw clients of one moto server."""

    endpoint: str
    settings: NexusSettings
    taps: dict[str, str]

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name="eu-west-1")

    def drain(self, tap: str) -> list[dict[str, Any]]:
        """Every message currently in a tap queue, deleted after reading."""
        sqs = self.client("sqs")
        out: list[dict[str, Any]] = []
        while True:
            got = sqs.receive_message(QueueUrl=self.taps[tap], MaxNumberOfMessages=10, WaitTimeSeconds=0)
            msgs = got.get("Messages", [])
            if not msgs:
                return out
            for m in msgs:
                out.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=self.taps[tap], ReceiptHandle=m["ReceiptHandle"])


_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


def provision(endpoint: str) -> MotoEnv:
    """Create the resources the core adapters use on a fresh moto server."""
    session = boto3.session.Session(region_name="eu-west-1")
    s3 = session.client("s3", endpoint_url=endpoint)
    s3.create_bucket(Bucket="nexus-test-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket="nexus-test-data", VersioningConfiguration={"Status": "Enabled"})
    ddb = session.client("dynamodb", endpoint_url=endpoint)
    create_table(ddb, "nexus-test-metadata")
    sns = session.client("sns", endpoint_url=endpoint)
    sqs = session.client("sqs", endpoint_url=endpoint)
    arns: dict[str, str] = {}
    taps: dict[str, str] = {}
    for name in ("observations", "alerts", "reports"):
        arns[name] = sns.create_topic(Name=f"nexus-test-{name}")["TopicArn"]
        taps[name] = sqs.create_queue(QueueName=f"tap-{name}")["QueueUrl"]
        qarn = sqs.get_queue_attributes(QueueUrl=taps[name], AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=arns[name], Protocol="sqs", Endpoint=qarn)
    taps["quarantine"] = sqs.create_queue(QueueName="nexus-test-quarantine")["QueueUrl"]
    settings = NexusSettings(
        env="test",
        bucket="nexus-test-data",
        table="nexus-test-metadata",
        observations_topic_arn=arns["observations"],
        alerts_topic_arn=arns["alerts"],
        reports_topic_arn=arns["reports"],
        quarantine_queue_url=taps["quarantine"],
        s3_endpoint_url=endpoint,
    )
    return MotoEnv(endpoint=endpoint, settings=settings, taps=taps)


_SERVER: dict[str, str] = {}


def _endpoint() -> str:
    """One moto server per test process (moto backends are process-global anyway)."""
    if "endpoint" not in _SERVER:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        _SERVER["endpoint"] = f"http://{host}:{port}"
    return _SERVER["endpoint"]


@pytest.fixture(scope="module")
def moto_env() -> Iterator[MotoEnv]:
    """A freshly reset moto server with AWS_ENDPOINT_URL (and the S3 endpoint) pointing at it.

    The variables are put back afterwards, and settings and clients read meanwhile are forgotten.
    """
    endpoint = _endpoint()
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {**_ENV, "AWS_ENDPOINT_URL": endpoint, "NEXUS_S3_ENDPOINT_URL": endpoint}.items():
            mp.setenv(key, value)
        get_settings.cache_clear()
        aws.clear_cache()
        try:
            yield provision(endpoint)
        finally:
            mp.undo()
            get_settings.cache_clear()
            aws.clear_cache()


def test_cached_clients_follow_the_endpoint(moto_env: MotoEnv) -> None:
    # Given settings pointing at the moto server
    settings = moto_env.settings
    # When the same client is asked for twice
    first = aws.client("s3", settings)
    second = aws.client("s3", settings)
    # Then it is built once and talks to the moto endpoint
    assert first is second
    assert first.meta.endpoint_url == moto_env.endpoint
    assert "nexus-test-data" in {b["Name"] for b in first.list_buckets()["Buckets"]}
    assert aws.client("sns", settings).meta.endpoint_url == os.environ["AWS_ENDPOINT_URL"]
