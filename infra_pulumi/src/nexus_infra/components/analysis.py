"""The weekly analysis: ECR repository, ECS cluster, Fargate task, the state machine and its schedule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from nexus_contracts.asl import ASL_PATH, ON_DEMAND, SPOT, analysis_capacity_provider, render_asl
from nexus_contracts.topology import TOPOLOGY
from nexus_infra import iam
from nexus_infra.components.network import Network
from nexus_infra.config import REPO_ROOT, InfraConfig


def asl_template(cfg: InfraConfig) -> str:
    """The repository's state-machine definition (or the configured file)."""
    return Path(cfg.asl_file or REPO_ROOT / ASL_PATH).read_text(encoding="utf-8")


class Analysis(pulumi.ComponentResource):
    """`task_statements` is the analyzer's data access; the state machine gets only what it runs."""

    def __init__(
        self,
        cfg: InfraConfig,
        *,
        network: Network,
        plan_week_arn: pulumi.Output[str],
        reporter_arn: pulumi.Output[str],
        alerts_topic_arn: pulumi.Output[str],
        reports_topic_arn: pulumi.Output[str],
        task_statements: list[dict[str, Any]],
        task_environment: dict[str, pulumi.Input[str]],
        account_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("nexus:analysis:Analysis", "analysis", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        task = TOPOLOGY.tasks[0]
        self.repository = aws.ecr.Repository(
            "analyzer",
            name=cfg.name(task.family),
            image_tag_mutability="MUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "AES256"}],
            tags=cfg.tags(),
            opts=child,
        )
        aws.ecr.LifecyclePolicy(
            "analyzer-keep-last",
            repository=self.repository.name,
            policy=json.dumps(
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": "keep the last 5 images",
                            "selection": {
                                "tagStatus": "any",
                                "countType": "imageCountMoreThan",
                                "countNumber": 5,
                            },
                            "action": {"type": "expire"},
                        }
                    ]
                }
            ),
            opts=child,
        )
        self.cluster = aws.ecs.Cluster(
            "cluster",
            name=cfg.name("analysis"),
            settings=[{"name": "containerInsights", "value": "disabled"}],
            tags=cfg.tags(),
            opts=child,
        )
        # The state machine names its provider in RunTask's CapacityProviderStrategy (placeholder
        # AnalysisCapacityProvider); both must be associated with the cluster for that to be accepted.
        # The default strategy (a RunTask without one, e.g. from the console) follows the option too.
        self.capacity_provider = analysis_capacity_provider(cfg.fargate_spot)
        capacity = aws.ecs.ClusterCapacityProviders(
            "cluster-capacity",
            cluster_name=self.cluster.name,
            capacity_providers=[ON_DEMAND, SPOT],
            default_capacity_provider_strategies=[{"capacity_provider": self.capacity_provider, "weight": 1}],
            opts=child,
        )
        self.task_logs = aws.cloudwatch.LogGroup(
            "analyzer-logs",
            name=f"/ecs/{cfg.name(task.family)}",
            retention_in_days=cfg.log_retention_days,
            tags=cfg.tags(),
            opts=child,
        )
        execution_role = aws.iam.Role(
            "analyzer-execution-role",
            name=cfg.name("analyzer-execution"),
            assume_role_policy=iam.trust("ecs-tasks.amazonaws.com"),
            tags=cfg.tags(),
            opts=child,
        )
        aws.iam.RolePolicy(
            "analyzer-execution-policy",
            role=execution_role.id,
            policy=iam.document(
                [
                    # GetAuthorizationToken has no resource-level permissions.
                    iam.allow(["ecr:GetAuthorizationToken"], ["*"]),
                    iam.allow(
                        [
                            "ecr:BatchCheckLayerAvailability",
                            "ecr:BatchGetImage",
                            "ecr:GetDownloadUrlForLayer",
                        ],
                        [self.repository.arn],
                    ),
                    iam.allow(
                        ["logs:CreateLogStream", "logs:PutLogEvents"],
                        [pulumi.Output.concat(self.task_logs.arn, ":*")],
                    ),
                ]
            ),
            opts=child,
        )
        self.task_role = aws.iam.Role(
            "analyzer-task-role",
            name=cfg.name("analyzer-task"),
            assume_role_policy=iam.trust("ecs-tasks.amazonaws.com"),
            tags=cfg.tags(),
            opts=child,
        )
        aws.iam.RolePolicy(
            "analyzer-task-policy", role=self.task_role.id, policy=iam.document(task_statements), opts=child
        )
        env = [{"name": k, "value": v} for k, v in sorted(task_environment.items())]
        container = pulumi.Output.all(self.repository.repository_url, self.task_logs.name, env).apply(
            lambda args: json.dumps(
                [
                    {
                        "name": task.family,
                        "image": f"{args[0]}:{cfg.analyzer_image_tag}",
                        "essential": True,
                        "environment": args[2],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": args[1],
                                "awslogs-region": cfg.region,
                                "awslogs-stream-prefix": task.family,
                            },
                        },
                    }
                ]
            )
        )
        self.task_definition = aws.ecs.TaskDefinition(
            "analyzer",
            family=cfg.name(task.family),
            cpu=str(task.cpu),
            memory=str(task.memory_mb),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform={"cpu_architecture": "ARM64", "operating_system_family": "LINUX"},
            execution_role_arn=execution_role.arn,
            task_role_arn=self.task_role.arn,
            container_definitions=container,
            tags=cfg.tags(),
            opts=child,
        )
        values = {
            "PlanWeekFunctionArn": plan_week_arn,
            "ReporterFunctionArn": reporter_arn,
            "EcsClusterArn": self.cluster.arn,
            "AnalyzerTaskDefinitionArn": self.task_definition.arn,
            "SubnetId": network.subnet.id,
            "SecurityGroupId": network.security_group.id,
            "AlertsTopicArn": alerts_topic_arn,
            "ReportsTopicArn": reports_topic_arn,
            # an Output like the others, so the definition waits for the cluster's providers
            "AnalysisCapacityProvider": capacity.cluster_name.apply(lambda _: self.capacity_provider),
        }
        template = asl_template(cfg)
        self.definition = pulumi.Output.all(**values).apply(lambda v: render_asl(template, dict(v)))
        self._state_machine(cfg, values, [execution_role.arn, self.task_role.arn], account_id)
        self.register_outputs({"state_machine": self.state_machine.arn})

    def _state_machine(
        self,
        cfg: InfraConfig,
        values: dict[str, pulumi.Output[str]],
        pass_roles: list[pulumi.Output[str]],
        account_id: pulumi.Input[str],
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        name = cfg.name(TOPOLOGY.state_machines[0])
        self.sfn_logs = aws.cloudwatch.LogGroup(
            "weekly-analysis-logs",
            name=f"/aws/vendedlogs/states/{name}",
            retention_in_days=cfg.log_retention_days,
            tags=cfg.tags(),
            opts=child,
        )
        role = aws.iam.Role(
            "weekly-analysis-role",
            name=name,
            assume_role_policy=iam.trust("states.amazonaws.com", account_id),
            opts=child,
        )
        account_region = pulumi.Output.concat(
            cfg.region, ":", self.cluster.arn.apply(lambda a: a.split(":")[4])
        )
        statements = [
            # The two functions and their versions/aliases (`<arn>:*`), nothing else.
            iam.allow(
                ["lambda:InvokeFunction"],
                [
                    arn
                    for key in ("PlanWeekFunctionArn", "ReporterFunctionArn")
                    for arn in (values[key], pulumi.Output.concat(values[key], ":*"))
                ],
            ),
            iam.allow(["ecs:RunTask"], [values["AnalyzerTaskDefinitionArn"]]),
            iam.allow(
                ["ecs:DescribeTasks", "ecs:StopTask"],
                [pulumi.Output.concat("arn:aws:ecs:", account_region, ":task/", self.cluster.name, "/*")],
            ),
            iam.allow(["iam:PassRole"], list(pass_roles)),
            iam.allow(
                ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
                [
                    pulumi.Output.concat(
                        "arn:aws:events:", account_region, ":rule/StepFunctionsGetEventsForECSTaskRule"
                    )
                ],
            ),
            iam.allow(["sns:Publish"], [values["AlertsTopicArn"], values["ReportsTopicArn"]]),
            # Log delivery APIs have no resource-level permissions.
            iam.allow(
                [
                    "logs:CreateLogDelivery",
                    "logs:DeleteLogDelivery",
                    "logs:DescribeLogGroups",
                    "logs:DescribeResourcePolicies",
                    "logs:GetLogDelivery",
                    "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy",
                    "logs:UpdateLogDelivery",
                ],
                ["*"],
            ),
        ]
        policy = aws.iam.RolePolicy(
            "weekly-analysis-policy", role=role.id, policy=iam.document(statements), opts=child
        )
        self.state_machine = aws.sfn.StateMachine(
            "weekly-analysis",
            name=name,
            type="STANDARD",
            role_arn=role.arn,
            definition=self.definition,
            logging_configuration={
                "level": "ERROR",
                "include_execution_data": False,
                "log_destination": pulumi.Output.concat(self.sfn_logs.arn, ":*"),
            },
            tags=cfg.tags(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        schedule = next(s for s in TOPOLOGY.schedules if s.target_kind == "state_machine")
        rule = aws.cloudwatch.EventRule(
            schedule.name,
            name=cfg.name(schedule.name),
            schedule_expression=schedule.cron,
            description="weekly analysis, Sunday 02:00 UTC",
            tags=cfg.tags(),
            opts=child,
        )
        events_role = aws.iam.Role(
            "weekly-schedule-role",
            name=cfg.name("weekly-schedule"),
            assume_role_policy=iam.trust("events.amazonaws.com", account_id),
            opts=child,
        )
        aws.iam.RolePolicy(
            "weekly-schedule-policy",
            role=events_role.id,
            policy=iam.document([iam.allow(["states:StartExecution"], [self.state_machine.arn])]),
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{schedule.name}-target",
            rule=rule.name,
            arn=self.state_machine.arn,
            role_arn=events_role.arn,
            input=json.dumps(schedule.input),
            opts=child,
        )
