"""The default stack is the cheap one: no option that costs money while idle is on."""

from __future__ import annotations

import pytest

from nexus_infra.concurrency import ConcurrencyBudgetError, allocate
from tests.infra.infra_checks import run_task_strategies
from tests.infra.pulumi_harness import Recorder

pytestmark = pytest.mark.xdist_group("infra-default")


def test_default_stack_has_no_idle_cost_options(core_default: Recorder) -> None:
    types = {r.typ for r in core_default.resources}
    # Then no WAF, no replication, no Config recorder, no NAT gateway, no interface endpoint, no KMS key
    for unwanted in (
        "aws:wafv2/webAcl:WebAcl",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "aws:cfg/recorder:Recorder",
        "aws:ec2/natGateway:NatGateway",
        "aws:kms/key:Key",
    ):
        assert unwanted not in types
    endpoints = core_default.of_type("ec2/vpcEndpoint:VpcEndpoint")
    assert {e.inputs["vpcEndpointType"] for e in endpoints} == {"Gateway"}
    # And the management trail is on, without data events
    (trail,) = core_default.of_type("cloudtrail/trail:Trail")
    assert not trail.inputs.get("eventSelectors")


def test_default_stack_runs_the_weekly_task_on_demand(core_default: Recorder) -> None:
    # Given the default stack (fargate_spot off)
    (machine,) = core_default.of_type("sfn/stateMachine:StateMachine")
    definition = machine.inputs["definition"]
    # Then no placeholder is left and every RunTask names FARGATE
    assert "${" not in definition
    assert run_task_strategies(core_default) == [[{"CapacityProvider": "FARGATE", "Weight": 1}]] * 2
    (capacity,) = core_default.of_type("clusterCapacityProviders:ClusterCapacityProviders")
    assert capacity.inputs["defaultCapacityProviderStrategies"][0]["capacityProvider"] == "FARGATE"


def test_concurrency_budget_refuses_too_many_collectors() -> None:
    # Given the eight known sources and the seed's budget of 10
    sources = ("sim", "entsoe", "openmeteo", "fred", "eia", "lseg", "reuters", "bloomberg")
    # Then the allocation refuses, and accepts once the budget is raised
    with pytest.raises(ConcurrencyBudgetError):
        allocate(sources, 10)
    assert sum(allocate(sources, 14).values()) == 14


def test_stack_configuration_is_read_from_the_nexus_namespace() -> None:
    import pulumi

    from nexus_infra.config import REPO_ROOT, from_pulumi_config
    from tests.infra.pulumi_harness import Recorder

    # Given a collector stack's configuration, values as the Pulumi CLI stores them (strings)
    pulumi.runtime.set_mocks(Recorder(), project="nexus-collector", stack="prod-entsoe")
    pulumi.runtime.set_all_config(
        {
            "nexus:env": "prod",
            "nexus:enable_waf": "true",
            "nexus:collector_sources": '["entsoe"]',
            "nexus:alert_subscriptions": '[{"protocol": "email", "endpoint": "ops@example.com"}]',
            "nexus:core_stack": "organization/nexus-core/prod",
            "aws:region": "eu-central-1",
        }
    )
    # When read
    try:
        cfg = from_pulumi_config()
    finally:
        pulumi.runtime.set_all_config({})
    # Then JSON values are decoded, plain strings kept, the region comes from aws:region
    assert (cfg.env, cfg.region, cfg.enable_waf) == ("prod", "eu-central-1", True)
    assert cfg.collector_sources == ("entsoe",)
    assert cfg.alert_subscriptions[0].endpoint == "ops@example.com"
    assert cfg.core_stack == "organization/nexus-core/prod"
    # And artifacts resolve from the repository root, wherever Pulumi runs the program
    assert cfg.artifact("lambda", "validator.zip") == str(REPO_ROOT / "build" / "lambda" / "validator.zip")
