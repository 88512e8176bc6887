"""Security and operability invariants of the core stack, every option switched on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nexus_contracts.asl import render_asl
from nexus_contracts.topology import DAILY_COLLECTION_CRON, TOPOLOGY, WEEKLY_ANALYSIS_CRON
from nexus_core.lake_schema import OBSERVATION_SCHEMA
from tests.infra.infra_checks import (
    broad_grants,
    bucket_ids,
    by_bucket,
    policy_statements,
    run_task_strategies,
)
from tests.infra.pulumi_harness import ACCOUNT, Recorder

pytestmark = pytest.mark.xdist_group("infra-core")


def test_every_queue_has_a_dead_letter_queue(core_all_options: Recorder) -> None:
    # Given the queues the core stack declares
    queues = {r.inputs["name"]: r for r in core_all_options.of_type("sqs/queue:Queue")}
    dlq_names = {f"nexus-test-{q.name}" for q in TOPOLOGY.queues if q.is_dlq}
    # Then every queue that is not itself a DLQ redrives into a declared DLQ
    assert set(queues) == {f"nexus-test-{q.name}" for q in TOPOLOGY.queues}
    for name, queue in queues.items():
        if name in dlq_names:
            continue
        redrive = json.loads(queue.inputs["redrivePolicy"])
        assert redrive["deadLetterTargetArn"].rsplit("/", 1)[-1] in dlq_names, name
        assert redrive["maxReceiveCount"] >= 1
    # And every DLQ has a depth alarm
    alarmed = {
        r.inputs["dimensions"]["QueueName"]
        for r in core_all_options.of_type("metricAlarm:MetricAlarm")
        if r.inputs.get("namespace") == "AWS/SQS"
    }
    assert alarmed == dlq_names


def test_every_bucket_is_encrypted_versioned_private_and_tls_only(core_all_options: Recorder) -> None:
    # Given every bucket, including the replica, the dashboard, Athena results and the audit trail
    buckets = bucket_ids(core_all_options)
    assert len(buckets) == 5
    versioning = by_bucket(core_all_options, "bucketVersioning:BucketVersioning")
    sse = by_bucket(core_all_options, ":BucketServerSideEncryptionConfiguration")
    blocks = by_bucket(core_all_options, "bucketPublicAccessBlock:BucketPublicAccessBlock")
    policies = by_bucket(core_all_options, "bucketPolicy:BucketPolicy")
    for bucket_id, name in buckets.items():
        # Then each one has versioning, default encryption, all four public-access blocks
        assert versioning[bucket_id].inputs["versioningConfiguration"]["status"] == "Enabled", name
        rule = sse[bucket_id].inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        assert rule["sseAlgorithm"] in ("AES256", "aws:kms"), name
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        assert all(blocks[bucket_id].inputs[f] is True for f in flags), name
        # And a policy denying any request not made over TLS
        statements = json.loads(policies[bucket_id].inputs["policy"])["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        ), name
    # And exactly one policy per bucket (S3 keeps only one)
    assert len(core_all_options.of_type("bucketPolicy:BucketPolicy")) == len(buckets)


def test_lifecycle_tiers_apply_to_raw_data_only(core_all_options: Recorder) -> None:
    # Given the lifecycle rules of every bucket
    rules = [
        (r.inputs["bucket"], rule)
        for r in core_all_options.of_type("bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        for rule in r.inputs["rules"]
    ]
    tiered = [(bucket, rule) for bucket, rule in rules if rule.get("transitions")]
    # Then exactly one rule moves objects between classes, on the data bucket's raw-data/ prefix
    assert len(tiered) == 1
    bucket, rule = tiered[0]
    assert bucket_ids(core_all_options)[bucket] == "nexus-test-data"
    assert rule["filter"]["prefix"] == "raw-data/"
    tiers = [(t["days"], t["storageClass"]) for t in rule["transitions"]]
    assert tiers == [(30, "STANDARD_IA"), (90, "GLACIER"), (365, "DEEP_ARCHIVE")]


def test_every_log_group_has_retention(core_all_options: Recorder) -> None:
    # Given every log group, and every function and the state machine
    groups = {
        r.inputs["name"]: r.inputs.get("retentionInDays")
        for r in core_all_options.of_type("logGroup:LogGroup")
    }
    functions = [r.inputs["name"] for r in core_all_options.of_type("lambda/function:Function")]
    # Then each has a bounded retention, and each function and the state machine has its own group
    assert all(isinstance(days, (int, float)) and 0 < days <= 365 for days in groups.values()), groups
    assert {f"/aws/lambda/{f}" for f in functions} <= set(groups)
    assert "/aws/vendedlogs/states/nexus-test-weekly-analysis" in groups
    assert "/ecs/nexus-test-analyzer" in groups


def test_no_iam_statement_is_a_wildcard_on_data(core_all_options: Recorder) -> None:
    # Given every inline role policy statement
    statements = policy_statements(core_all_options)
    assert statements
    # Then none grants `*` actions, nor `*` resources on data services
    problems = [(name, p) for name, s in statements if s["Effect"] == "Allow" for p in broad_grants(s)]
    assert problems == []


def test_one_role_per_function(core_all_options: Recorder) -> None:
    # Given the functions and the roles they run with
    functions = core_all_options.of_type("lambda/function:Function")
    roles = [f.inputs["role"] for f in functions]
    # Then no two functions share a role, and each role is trusted by Lambda only
    assert len(set(roles)) == len(functions) == 4
    lambda_roles = [
        r
        for r in core_all_options.of_type("iam/role:Role")
        if "lambda.amazonaws.com" in r.inputs["assumeRolePolicy"]
    ]
    assert len(lambda_roles) == len(functions)


def test_roles_of_services_acting_for_any_account_are_bound_to_this_one(
    core_all_options: Recorder, collector_entsoe: Recorder
) -> None:
    # Given the roles Step Functions, EventBridge rules and EventBridge Scheduler assume
    roles = core_all_options.of_type("iam/role:Role") + collector_entsoe.of_type("iam/role:Role")
    trusts = [json.loads(r.inputs["assumeRolePolicy"]) for r in roles]
    guarded = {"states.amazonaws.com", "events.amazonaws.com", "scheduler.amazonaws.com"}
    found = [
        (s["Principal"]["Service"], s.get("Condition"))
        for t in trusts
        for s in t["Statement"]
        if s["Principal"]["Service"] in guarded
    ]
    # Then each may be assumed only on behalf of this account (the confused-deputy guard)
    assert {service for service, _ in found} == guarded
    for service, condition in found:
        assert condition == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}, service


def test_weekly_schedule_is_sunday_0200_utc(core_all_options: Recorder) -> None:
    # Given the EventBridge rules of the core stack
    rules = core_all_options.of_type("eventRule:EventRule")
    # Then the only schedule is the weekly analysis, Sunday 02:00 UTC; collectors live in their stacks
    assert [r.inputs["scheduleExpression"] for r in rules] == [WEEKLY_ANALYSIS_CRON]
    assert WEEKLY_ANALYSIS_CRON == "cron(0 2 ? * SUN *)"
    assert DAILY_COLLECTION_CRON == "cron(0 6 * * ? *)"
    target = core_all_options.of_type("eventTarget:EventTarget")[0]
    assert json.loads(target.inputs["input"]) == {"week": "auto"}


def test_state_machine_is_the_repository_asl_fully_rendered(
    core_all_options: Recorder, asl_file: Path
) -> None:
    # Given the deployed definition
    (machine,) = core_all_options.of_type("sfn/stateMachine:StateMachine")
    definition = machine.inputs["definition"]
    # Then no placeholder is left
    assert "${" not in definition
    # And it is the repository file with the deployed resources substituted
    template = asl_file.read_text(encoding="utf-8")
    values = {
        "PlanWeekFunctionArn": "arn:aws:mock:eu-west-1:123456789012:function/nexus-test-plan-week",
        "ReporterFunctionArn": "arn:aws:mock:eu-west-1:123456789012:function/nexus-test-reporter",
        "EcsClusterArn": "arn:aws:mock:eu-west-1:123456789012:cluster/nexus-test-analysis",
        "AnalyzerTaskDefinitionArn": "arn:aws:mock:eu-west-1:123456789012:taskdefinition/analyzer",
        "SubnetId": "public-a-id",
        "SecurityGroupId": "analyzer-id",
        "AlertsTopicArn": "arn:aws:mock:eu-west-1:123456789012:topic/nexus-test-alerts",
        "ReportsTopicArn": "arn:aws:mock:eu-west-1:123456789012:topic/nexus-test-reports",
        "AnalysisCapacityProvider": "FARGATE_SPOT",
    }
    assert json.loads(definition) == json.loads(render_asl(template, values))


def test_spot_option_runs_the_weekly_task_on_fargate_spot(core_all_options: Recorder) -> None:
    # Given the stack with fargate_spot on
    (machine,) = core_all_options.of_type("sfn/stateMachine:StateMachine")
    # Then the first RunTask names FARGATE_SPOT in its strategy (no LaunchType to override it)
    assert "LaunchType" not in machine.inputs["definition"]
    first, *rest = run_task_strategies(core_all_options)
    assert first == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]
    # And the rerun after an interruption is on-demand
    assert rest == [[{"CapacityProvider": "FARGATE", "Weight": 1}]]
    # And the cluster has both providers associated, so ECS accepts either strategy
    (capacity,) = core_all_options.of_type("clusterCapacityProviders:ClusterCapacityProviders")
    assert sorted(capacity.inputs["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]


def test_validator_reports_partial_batch_failures(core_all_options: Recorder) -> None:
    # Given the event-source mapping of the validation queue
    (mapping,) = core_all_options.of_type("eventSourceMapping:EventSourceMapping")
    # Then failed records are retried one by one, not the whole batch
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping.inputs["eventSourceArn"].endswith("nexus-test-validation")


def test_glue_table_matches_the_lake_schema_with_projection(core_all_options: Recorder) -> None:
    # Given the Glue table over raw-data/
    (table,) = core_all_options.of_type("catalogTable:CatalogTable")
    columns = [c["name"] for c in table.inputs["storageDescriptor"]["columns"]]
    # Then its columns are the lake schema's, partitions are projected (no crawler)
    assert columns == OBSERVATION_SCHEMA.names
    assert table.inputs["name"] == "raw_observations"
    assert table.inputs["parameters"]["projection.enabled"] == "true"
    assert table.inputs["parameters"]["storage.location.template"].startswith(
        "s3://nexus-test-data/raw-data/year="
    )
    assert core_all_options.of_type("glue/crawler:Crawler") == []
    (workgroup,) = core_all_options.of_type("athena/workgroup:Workgroup")
    assert workgroup.inputs["configuration"]["bytesScannedCutoffPerQuery"] > 0


def test_reserved_mode_reserves_within_the_budget(core_all_options: Recorder) -> None:
    # Given the core stack in reserved mode with the four default sources
    reserved = {
        f.inputs["name"]: f.inputs["reservedConcurrentExecutions"]
        for f in core_all_options.of_type("lambda/function:Function")
    }
    # Then each function has today's reservation and the output names the account quota AWS needs
    assert reserved == {
        "nexus-test-validator": 2,
        "nexus-test-api": 2,
        "nexus-test-plan-week": 1,
        "nexus-test-reporter": 1,
    }
    # And with the four collectors at one each, the total stays within the seed's 10
    assert sum(reserved.values()) + 4 <= 10
    output = core_all_options.outputs["lambda_concurrency"]
    assert output["mode"] == "reserved"
    assert (output["peak"], output["required_account_quota"]) == (9, 110)


def test_budget_and_fargate_sizing(core_all_options: Recorder) -> None:
    # Given the budget and the analyzer task
    (budget,) = core_all_options.of_type("budgets/budget:Budget")
    (task,) = core_all_options.of_type("ecs/taskDefinition:TaskDefinition")
    # Then the budget is 20 USD with an alert at 18 USD, the task 0.25 vCPU / 0.5 GB
    assert float(budget.inputs["limitAmount"]) == 20.0
    assert 18.0 in [n["threshold"] for n in budget.inputs["notifications"]]
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("256", "512")
    (capacity,) = core_all_options.of_type("clusterCapacityProviders:ClusterCapacityProviders")
    assert capacity.inputs["defaultCapacityProviderStrategies"][0]["capacityProvider"] == "FARGATE_SPOT"


def test_alert_subscriptions_filter_on_severity_and_source(core_all_options: Recorder) -> None:
    # Given the two configured alert subscriptions
    subs = [
        r
        for r in core_all_options.of_type("topicSubscription:TopicSubscription")
        if r.inputs["protocol"] != "sqs"
    ]
    policies = {r.inputs["protocol"]: json.loads(r.inputs["filterPolicy"]) for r in subs}
    # Then the email one takes critical alerts (and alarm notifications, which carry no attributes)
    assert policies["email"] == {"severity": ["critical", {"exists": False}]}
    # And the HTTPS one is narrowed to its source
    assert policies["https"]["source"] == ["entsoe"]
