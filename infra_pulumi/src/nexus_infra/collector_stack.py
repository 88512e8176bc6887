"""One stack per collector source: the same program, parameterised by `nexus:source`.

It reads the core stack's outputs through a stack reference and declares only what belongs to
its source, so deploying or destroying one source leaves the core and the other sources as they are.
The daily run is an EventBridge Scheduler schedule (cron 06:00 UTC) with a flexible window, so the
collectors of all sources do not start in the same minute on an account capped at 10 executions.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from nexus_contracts.topology import COLLECTOR_SOURCES, TOPOLOGY
from nexus_infra import iam
from nexus_infra.components.function import LambdaFunction
from nexus_infra.concurrency import allocate
from nexus_infra.config import InfraConfig

# The SSM parameter names each source's collector reads (SecureStrings, created by operators).
SECRET_NAMES: dict[str, tuple[str, ...]] = {
    "entsoe": ("token",),
    "eia": ("api_key",),
    "fred": ("api_key",),
    "openmeteo": ("apikey",),  # commercial plan only; the free API needs none
    "lseg": ("client_id", "client_secret", "app_key", "username", "password"),
    "reuters": ("client_id", "client_secret", "app_key", "username", "password"),
    "bloomberg": ("client_id", "client_secret"),
}
# EventBridge Scheduler starts each collector somewhere in [06:00, 06:15) UTC.
FLEXIBLE_WINDOW_MINUTES = 15
# The schedule's own delivery retries (Lambda then queues the event: see LambdaFunction).
SCHEDULER_RETRY: aws.scheduler.ScheduleTargetRetryPolicyArgsDict = {
    "maximum_event_age_in_seconds": 6 * 3600,
    "maximum_retry_attempts": 185,
}
# Sources that may fall back to another source's credentials (Reuters news rides on an LSEG login).
SECRET_SCOPES: dict[str, tuple[str, ...]] = {"reuters": ("reuters", "lseg")}
CORE_OUTPUTS = (
    "bucket_name",
    "bucket_arn",
    "table_name",
    "table_arn",
    "observations_topic_arn",
    "alerts_topic_arn",
    "reports_topic_arn",
    "quarantine_queue_url",
    "account_id",
    "layer_arns",
)


def parameter_names(env: str, source: str) -> list[str]:
    """`/nexus/<env>/<source>/<name>` for every secret the source needs."""
    return [f"/nexus/{env}/{source}/{name}" for name in SECRET_NAMES.get(source, ())]


class CollectorStack(pulumi.ComponentResource):
    def __init__(self, cfg: InfraConfig, source: str, opts: pulumi.ResourceOptions | None = None) -> None:
        if source not in COLLECTOR_SOURCES:
            raise ValueError(f"unknown source {source!r}; known: {COLLECTOR_SOURCES}")
        super().__init__("nexus:collector:CollectorStack", f"collector-{source}", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        core = pulumi.StackReference("core", stack_name=cfg.core_stack, opts=child)
        out = {key: core.require_output(key) for key in CORE_OUTPUTS}
        spec = TOPOLOGY.function(f"collector-{source}")
        reserved = None
        if cfg.lambda_concurrency_mode == "reserved":
            reserved = allocate(cfg.collector_sources, cfg.account_lambda_concurrency).get(spec.name, 1)
        params = [
            pulumi.Output.concat(
                "arn:aws:ssm:", cfg.region, ":", out["account_id"], f":parameter/nexus/{cfg.env}/{scope}/*"
            )
            for scope in SECRET_SCOPES.get(source, (source,))
        ]
        statements = [
            iam.allow(["sns:Publish"], [out["observations_topic_arn"]]),
            iam.allow(["s3:PutObject"], iam.objects(out["bucket_arn"], "landing/")),
            iam.allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], [out["table_arn"]]),
            iam.allow(["ssm:GetParameter", "ssm:GetParameters"], params),
        ]
        vpc_config: aws.lambda_.FunctionVpcConfigArgsDict | None = None
        if source in cfg.egress_ip_sources:
            # The vendor allow-lists the core's Elastic IP: run in its private subnet, behind the NAT.
            vpc_config = {
                "subnet_ids": [core.require_output("egress_subnet_id")],
                "security_group_ids": [core.require_output("egress_security_group_id")],
            }
            statements += iam.vpc_access(cfg.region, out["account_id"])
        environment: dict[str, pulumi.Input[str]] = {
            "NEXUS_ENV": cfg.env,
            "NEXUS_REGION": cfg.region,
            "NEXUS_BUCKET": out["bucket_name"],
            "NEXUS_TABLE": out["table_name"],
            "NEXUS_OBSERVATIONS_TOPIC_ARN": out["observations_topic_arn"],
            "NEXUS_ALERTS_TOPIC_ARN": out["alerts_topic_arn"],
            "NEXUS_REPORTS_TOPIC_ARN": out["reports_topic_arn"],
            "NEXUS_QUARANTINE_QUEUE_URL": out["quarantine_queue_url"],
            "NEXUS_SSM_PREFIX": f"/nexus/{cfg.env}/{source}/",
        }
        self.function = LambdaFunction(
            cfg,
            spec,
            statements=statements,
            environment=environment,
            alerts_topic_arn=out["alerts_topic_arn"],
            reserved_concurrency=reserved,
            # a collection dropped after its retries (or 6 hours of throttling) reaches the alerts topic
            async_failure_destination=out["alerts_topic_arn"],
            layers=out["layer_arns"],  # type: ignore[arg-type]
            vpc_config=vpc_config,
            opts=child,
        )
        self._schedule(cfg, source, spec.name, out["account_id"])
        self._silence_alarm(cfg, source, out["alerts_topic_arn"])
        self.register_outputs({"function": self.function.arn, "parameters": parameter_names(cfg.env, source)})

    def _schedule(self, cfg: InfraConfig, source: str, function: str, account_id: pulumi.Input[str]) -> None:
        """The daily run: cron 06:00 UTC, started within a 15-minute flexible window, invoking the
        function asynchronously with a role that may invoke this function only."""
        schedule = next(s for s in TOPOLOGY.schedules if s.target == function)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{schedule.name}-scheduler",
            name=cfg.name(f"{schedule.name}-scheduler"),
            assume_role_policy=iam.trust("scheduler.amazonaws.com", account_id),
            tags=cfg.tags(source=source),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{schedule.name}-scheduler-policy",
            role=role.id,
            policy=iam.document([iam.allow(["lambda:InvokeFunction"], [self.function.arn])]),
            opts=child,
        )
        aws.scheduler.Schedule(
            schedule.name,
            name=cfg.name(schedule.name),
            schedule_expression=schedule.cron,
            schedule_expression_timezone="UTC",
            flexible_time_window={"mode": "FLEXIBLE", "maximum_window_in_minutes": FLEXIBLE_WINDOW_MINUTES},
            description=f"daily collection of {source}, 06:00 UTC + up to {FLEXIBLE_WINDOW_MINUTES} min",
            target={
                "arn": self.function.arn,
                "role_arn": role.arn,
                # the window stays the scheduled day's, however late a throttled run starts
                "input": json.dumps({"time": "<aws.scheduler.scheduled-time>"}),
                "retry_policy": SCHEDULER_RETRY,
            },
            opts=child,
        )

    def _silence_alarm(self, cfg: InfraConfig, source: str, topic: pulumi.Output[str]) -> None:
        """No collector request in `source_silence_hours` hours (hourly periods, missing = breaching)."""
        hours = cfg.source_silence_hours
        aws.cloudwatch.MetricAlarm(
            f"{source}-silent",
            name=cfg.name(f"{source}-silent"),
            namespace="NEXUS",
            metric_name="CollectorRequests",
            dimensions={"source": source},
            statistic="Sum",
            period=3600,
            evaluation_periods=hours,
            datapoints_to_alarm=hours,
            threshold=1,
            comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
            alarm_actions=[topic],
            alarm_description=f"{source}: silent for {hours} hours",
            tags=cfg.tags(source=source),
            opts=pulumi.ResourceOptions(parent=self),
        )


def build(cfg: InfraConfig, source: str) -> CollectorStack:
    stack = CollectorStack(cfg, source)
    pulumi.export("function_arn", stack.function.arn)
    pulumi.export("parameter_names", parameter_names(cfg.env, source))
    return stack
