"""Fixtures of the infra suite: each Pulumi program runs once per worker under mocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nexus_contracts.asl import ASL_PATH, PLACEHOLDERS
from tests.conftest import REPO
from tests.infra.pulumi_harness import Recorder, run

# Used only while the repository has no state-machine definition yet: every placeholder, once.
MINIMAL_ASL = {
    "StartAt": "PlanWeek",
    "States": {
        "PlanWeek": {"Type": "Task", "Resource": "${PlanWeekFunctionArn}", "Next": "Run"},
        "Run": {
            "Type": "Task",
            "Resource": "arn:aws:states:::ecs:runTask.sync",
            "Parameters": {
                "Cluster": "${EcsClusterArn}",
                "TaskDefinition": "${AnalyzerTaskDefinitionArn}",
                "CapacityProviderStrategy": [{"CapacityProvider": "${AnalysisCapacityProvider}"}],
                "Subnets": ["${SubnetId}"],
                "SecurityGroups": ["${SecurityGroupId}"],
                "Alerts": "${AlertsTopicArn}",
                "Reports": "${ReportsTopicArn}",
            },
            "Next": "Report",
        },
        "Report": {"Type": "Task", "Resource": "${ReporterFunctionArn}", "End": True},
    },
}
assert all(f"${{{p}}}" in json.dumps(MINIMAL_ASL) for p in PLACEHOLDERS)


@pytest.fixture(scope="session")
def asl_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's ASL when present, else the minimal stand-in above."""
    real = REPO / ASL_PATH
    if real.exists():
        return real
    path = tmp_path_factory.mktemp("asl") / "weekly_analysis.asl.json"
    path.write_text(json.dumps(MINIMAL_ASL), encoding="utf-8")
    return path


def _core(asl_file: Path, **options: object) -> Recorder:
    from nexus_infra import core_stack
    from nexus_infra.config import InfraConfig

    cfg = InfraConfig(env="test", asl_file=str(asl_file), **options)  # type: ignore[arg-type]
    return run(lambda: core_stack.build(cfg), stack="test")


@pytest.fixture(scope="session")
def core_all_options(asl_file: Path) -> Recorder:
    """The core stack with every option on (replica bucket, WAF, data events, AWS Config, Spot,
    reserved concurrency)."""
    return _core(
        asl_file,
        lambda_concurrency_mode="reserved",
        enable_replication=True,
        enable_waf=True,
        enable_cloudtrail_data_events=True,
        enable_aws_config=True,
        fargate_spot=True,
        alert_subscriptions=[
            {"protocol": "email", "endpoint": "ops@example.com", "severities": ["critical"]},
            {"protocol": "https", "endpoint": "https://hooks.example.com/x", "sources": ["entsoe"]},
        ],
    )


@pytest.fixture(scope="session")
def core_default(asl_file: Path) -> Recorder:
    return _core(asl_file)


CORE_OUTPUTS = {
    "bucket_name": "nexus-test-data",
    "bucket_arn": "arn:aws:s3:::nexus-test-data",
    "table_name": "nexus-test-metadata",
    "table_arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/nexus-test-metadata",
    "observations_topic_arn": "arn:aws:sns:eu-west-1:123456789012:nexus-test-observations",
    "alerts_topic_arn": "arn:aws:sns:eu-west-1:123456789012:nexus-test-alerts",
    "reports_topic_arn": "arn:aws:sns:eu-west-1:123456789012:nexus-test-reports",
    "quarantine_queue_url": "https://sqs.eu-west-1.amazonaws.com/123456789012/nexus-test-quarantine",
    "account_id": "123456789012",
    "layer_arns": ["arn:aws:lambda:eu-west-1:123456789012:layer:nexus-test-powertools:1"],
    # a core deployed with egress_ip_sources set
    "egress_subnet_id": "subnet-0private",
    "egress_security_group_id": "sg-0egresslambda",
}
EGRESS_SOURCES = ("lseg", "bloomberg")


@pytest.fixture(scope="session")
def collector_entsoe() -> Recorder:
    return _collector("entsoe")


@pytest.fixture(scope="session")
def collector_fred_reserved() -> Recorder:
    return _collector("fred", lambda_concurrency_mode="reserved")


@pytest.fixture(scope="session")
def core_egress(asl_file: Path) -> Recorder:
    """The core stack with a fixed egress IP for two vendors, every other option off."""
    return _core(asl_file, egress_ip_sources=EGRESS_SOURCES)


def _collector(source: str, **options: object) -> Recorder:
    from nexus_infra import collector_stack
    from nexus_infra.config import InfraConfig

    cfg = InfraConfig(env="test", core_stack="org/nexus-core/test", **options)  # type: ignore[arg-type]
    return run(lambda: collector_stack.build(cfg, source), stack=f"test-{source}", core_outputs=CORE_OUTPUTS)


@pytest.fixture(scope="session")
def collectors_with_egress() -> dict[str, Recorder]:
    """lseg (needs the fixed IP) and entsoe (does not), both under the same egress configuration."""
    return {s: _collector(s, egress_ip_sources=EGRESS_SOURCES) for s in ("lseg", "entsoe")}


@pytest.fixture(scope="session")
def collectors_all_sources() -> dict[str, Recorder]:
    """Every known source's collector stack, all eight deployed (default quota mode)."""
    from nexus_contracts.topology import COLLECTOR_SOURCES

    return {s: _collector(s, collector_sources=COLLECTOR_SOURCES) for s in COLLECTOR_SOURCES}
