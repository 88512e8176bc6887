"""A collector stack: its own function, schedule, secrets and alarms, and nothing of the core."""

from __future__ import annotations

import json

import pytest

from nexus_contracts.topology import DAILY_COLLECTION_CRON
from tests.infra.infra_checks import broad_grants, policy_statements
from tests.infra.pulumi_harness import Recorder

pytestmark = pytest.mark.xdist_group("infra-collector")
ALERTS = "arn:aws:sns:eu-west-1:123456789012:nexus-test-alerts"

COLLECTOR_TYPES = {
    "nexus:collector:CollectorStack",
    "nexus:compute:LambdaFunction",
    "pulumi:pulumi:StackReference",
    "aws:lambda/function:Function",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:scheduler/schedule:Schedule",
}


def test_collector_stack_declares_no_core_resource(collector_entsoe: Recorder) -> None:
    # Given everything the entsoe stack declares
    types = {r.typ for r in collector_entsoe.resources}
    # Then it is only the collector's own kinds of resource (no bucket, table, topic, queue, ...)
    assert types <= COLLECTOR_TYPES, types - COLLECTOR_TYPES
    # And every named AWS resource carries the source in its name
    named = [
        r.inputs["name"]
        for r in collector_entsoe.resources
        if r.typ.startswith("aws:") and "name" in r.inputs
    ]
    assert named
    assert all("entsoe" in n for n in named), named
    # And the core's names reach it only through the stack reference
    (ref,) = collector_entsoe.of_type("StackReference")
    assert ref.inputs["name"] == "org/nexus-core/test"


def test_collector_function_is_sized_as_the_seed_says(collector_entsoe: Recorder) -> None:
    (function,) = collector_entsoe.of_type("lambda/function:Function")
    # Then Python 3.12 on arm64, 512 MB, 5 minutes, no reservation (the default quota mode), shared layers
    assert function.inputs["runtime"] == "python3.12"
    assert function.inputs["architectures"] == ["arm64"]
    assert (function.inputs["memorySize"], function.inputs["timeout"]) == (512, 300)
    assert function.inputs.get("reservedConcurrentExecutions") is None
    assert function.inputs["handler"] == "nexus_collector_entsoe.handler.handler"
    assert function.inputs["environment"]["variables"]["NEXUS_SSM_PREFIX"] == "/nexus/test/entsoe/"


def test_collector_schedule_is_daily_0600_utc(collector_entsoe: Recorder) -> None:
    (schedule,) = collector_entsoe.of_type("scheduler/schedule:Schedule")
    # Then cron 06:00 every day in UTC, started within a 15-minute flexible window
    assert schedule.inputs["scheduleExpression"] == DAILY_COLLECTION_CRON == "cron(0 6 * * ? *)"
    assert schedule.inputs["scheduleExpressionTimezone"] == "UTC"
    assert schedule.inputs["flexibleTimeWindow"] == {"mode": "FLEXIBLE", "maximumWindowInMinutes": 15}
    # And it invokes this function with the scheduled time, so a late run collects the same window
    target = schedule.inputs["target"]
    assert target["arn"].endswith(":function/nexus-test-collector-entsoe")
    assert json.loads(target["input"]) == {"time": "<aws.scheduler.scheduled-time>"}
    # And through a role trusted by EventBridge Scheduler that may invoke this function only
    (role,) = [r for r in collector_entsoe.of_type("iam/role:Role") if r.name == "collect-entsoe-scheduler"]
    assert "scheduler.amazonaws.com" in role.inputs["assumeRolePolicy"]
    assert target["roleArn"].endswith(role.inputs["name"])
    invoke = [
        s for name, s in policy_statements(collector_entsoe) if name == "collect-entsoe-scheduler-policy"
    ]
    assert invoke == [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": [target["arn"]]}]


def test_collector_role_reads_only_its_own_parameters(collector_entsoe: Recorder) -> None:
    statements = policy_statements(collector_entsoe)
    # Then no broad grant, and SSM access is limited to /nexus/<env>/<source>/
    assert [p for _, s in statements for p in broad_grants(s)] == []
    ssm = [s for _, s in statements if any(a.startswith("ssm:") for a in s["Action"])]
    assert [r.rsplit(":", 1)[-1] for s in ssm for r in s["Resource"]] == ["parameter/nexus/test/entsoe/*"]


def test_collector_alarms_errors_and_silence(collector_entsoe: Recorder) -> None:
    alarms = {r.inputs["name"]: r.inputs for r in collector_entsoe.of_type("metricAlarm:MetricAlarm")}
    # Then an error alarm and a 36-hour silence alarm, both into the alerts topic
    assert set(alarms) == {"nexus-test-collector-entsoe-errors", "nexus-test-entsoe-silent"}
    silent = alarms["nexus-test-entsoe-silent"]
    assert silent["period"] * silent["evaluationPeriods"] == 36 * 3600
    assert silent["treatMissingData"] == "breaching"
    assert all(
        a["alarmActions"] == ["arn:aws:sns:eu-west-1:123456789012:nexus-test-alerts"] for a in alarms.values()
    )
    assert json.dumps(silent["dimensions"]) == '{"source": "entsoe"}'


def test_throttled_collections_are_retried_and_failures_reach_the_alerts_topic(
    collector_entsoe: Recorder,
) -> None:
    # Given the collector's asynchronous invocation settings
    (config,) = collector_entsoe.of_type("functionEventInvokeConfig:FunctionEventInvokeConfig")
    # Then a throttled event waits the full 6 hours Lambda allows, an error is retried twice
    assert config.inputs["functionName"] == "nexus-test-collector-entsoe"
    assert config.inputs["maximumEventAgeInSeconds"] == 6 * 3600
    assert config.inputs["maximumRetryAttempts"] == 2
    # And an event that still fails or expires is sent to the alerts topic, which the role may publish to
    assert config.inputs["destinationConfig"] == {"onFailure": {"destination": ALERTS}}
    publish = [
        s
        for name, s in policy_statements(collector_entsoe)
        if name == "collector-entsoe-policy" and s["Resource"] == [ALERTS]
    ]
    assert publish == [{"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [ALERTS]}]
    # And the scheduler's own delivery retries do not give up before Lambda's queue would
    (schedule,) = collector_entsoe.of_type("scheduler/schedule:Schedule")
    assert schedule.inputs["target"]["retryPolicy"]["maximumEventAgeInSeconds"] == 6 * 3600


def test_reserved_mode_collector_reserves_one(collector_fred_reserved: Recorder) -> None:
    # Given a collector stack in reserved mode
    (function,) = collector_fred_reserved.of_type("lambda/function:Function")
    # Then it reserves its slice of the budget
    assert function.inputs["reservedConcurrentExecutions"] == 1
