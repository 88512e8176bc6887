"""One Lambda function with its own role, log group, optional reserved concurrency and error alarm."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import pulumi
import pulumi_aws as aws

from nexus_contracts.topology import Function
from nexus_infra import iam
from nexus_infra.config import InfraConfig

RUNTIME = "python3.12"
ARCHITECTURE = "arm64"
# Lambda's maximum: throttled asynchronous events are retried for this long before being dropped.
ASYNC_MAX_EVENT_AGE_S = 6 * 3600
ASYNC_RETRIES = 2  # after a function error (1 and 2 minutes later); collections are idempotent


def lambda_handler(spec: Function) -> str:
    """`pkg.module:callable` (topology) → `pkg.module.callable` (Lambda's handler setting)."""
    return spec.handler.replace(":", ".")


def artifact_path(cfg: InfraConfig, spec: Function) -> str:
    """The zip `make package` builds for the function's workspace member."""
    return cfg.artifact("lambda", f"{PurePosixPath(spec.package).name}.zip")


class LambdaFunction(pulumi.ComponentResource):
    """A function and everything only it uses; `statements` are its whole data access."""

    def __init__(
        self,
        cfg: InfraConfig,
        spec: Function,
        *,
        statements: list[dict[str, Any]],
        environment: dict[str, pulumi.Input[str]],
        alerts_topic_arn: pulumi.Input[str],
        reserved_concurrency: int | None = None,
        async_failure_destination: pulumi.Input[str] | None = None,
        layers: list[pulumi.Input[str]] | None = None,
        vpc_config: aws.lambda_.FunctionVpcConfigArgsDict | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("nexus:compute:LambdaFunction", spec.name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        physical = cfg.name(spec.name)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{spec.name}-logs",
            name=f"/aws/lambda/{physical}",
            retention_in_days=cfg.log_retention_days,
            tags=cfg.tags(),
            opts=child,
        )
        self.role = aws.iam.Role(
            f"{spec.name}-role",
            name=physical,
            assume_role_policy=iam.trust("lambda.amazonaws.com"),
            tags=cfg.tags(function=spec.name),
            opts=child,
        )
        logs = iam.allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"], [pulumi.Output.concat(self.log_group.arn, ":*")]
        )
        if async_failure_destination is not None:  # Lambda delivers the failure record as the function
            statements = [*statements, iam.allow(["sns:Publish"], [async_failure_destination])]
        policy = aws.iam.RolePolicy(
            f"{spec.name}-policy", role=self.role.id, policy=iam.document([logs, *statements]), opts=child
        )
        self.function = aws.lambda_.Function(
            spec.name,
            name=physical,
            role=self.role.arn,
            runtime=RUNTIME,
            architectures=[ARCHITECTURE],
            handler=lambda_handler(spec),
            code=pulumi.FileArchive(artifact_path(cfg, spec)),
            memory_size=spec.memory_mb,
            timeout=spec.timeout_s,
            reserved_concurrent_executions=reserved_concurrency,
            layers=layers or [],
            environment={"variables": {"POWERTOOLS_SERVICE_NAME": spec.name, **environment}},
            logging_config={"log_format": "JSON", "log_group": self.log_group.name},
            vpc_config=vpc_config,
            tags=cfg.tags(function=spec.name),
            # the policy first: Lambda checks the ENI permissions when it creates a VPC function
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_group, policy]),
        )
        self.arn = self.function.arn
        if async_failure_destination is not None:
            self._async_invocations(spec.name, async_failure_destination, child)
        self.error_alarm = aws.cloudwatch.MetricAlarm(
            f"{spec.name}-errors",
            name=f"{physical}-errors",
            namespace="AWS/Lambda",
            metric_name="Errors",
            dimensions={"FunctionName": self.function.name},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[alerts_topic_arn],
            alarm_description=f"{spec.name}: invocation errors",
            tags=cfg.tags(),
            opts=child,
        )
        self.register_outputs({"arn": self.function.arn, "role": self.role.arn})

    def _async_invocations(
        self, name: str, destination: pulumi.Input[str], opts: pulumi.ResourceOptions
    ) -> None:
        """Scheduled (asynchronous) invocations: a throttled event is retried for the full 6 hours
        Lambda allows, a failing one twice; an event that fails or expires goes to `destination`."""
        aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-async",
            function_name=self.function.name,
            maximum_event_age_in_seconds=ASYNC_MAX_EVENT_AGE_S,
            maximum_retry_attempts=ASYNC_RETRIES,
            destination_config={"on_failure": {"destination": destination}},
            opts=opts,
        )
