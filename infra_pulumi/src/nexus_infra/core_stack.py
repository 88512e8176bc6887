"""The core stack: everything shared by all sources. Collector stacks read its outputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from nexus_contracts.topology import TOPOLOGY, Function
from nexus_infra import iam
from nexus_infra.components.analysis import Analysis
from nexus_infra.components.api import HttpApi, Identity
from nexus_infra.components.dashboard import Dashboard
from nexus_infra.components.egress import EgressNat
from nexus_infra.components.function import RUNTIME, LambdaFunction
from nexus_infra.components.lake import DataLake
from nexus_infra.components.messaging import Messaging
from nexus_infra.components.metadata import MetadataTable
from nexus_infra.components.monitoring import Alarms, AlertRouting, Audit
from nexus_infra.components.network import Network
from nexus_infra.components.query import Query
from nexus_infra.concurrency import VALIDATOR_MAX_CONCURRENCY, allocate, describe, peaks
from nexus_infra.config import InfraConfig
from nexus_infra.layers import LAYERS

CORE_FUNCTIONS = ("validator", "plan-week", "reporter", "api")
TABLE_RW = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]


class Core:
    """Builds the stack; attributes are kept for tests and for `export_outputs`."""

    def __init__(self, cfg: InfraConfig) -> None:
        self.cfg = cfg
        self.account_id = aws.get_caller_identity_output().account_id
        self.reserved = self._reservations()
        self.lake = DataLake(cfg)
        self.table = MetadataTable(cfg).table
        self.messaging = Messaging(cfg)
        self.topics = self.messaging.topics
        self.layers = {
            name: aws.lambda_.LayerVersion(
                f"layer-{name}",
                layer_name=cfg.name(name),
                code=pulumi.FileArchive(cfg.artifact("layers", f"{name}.zip")),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=["arm64"],
            )
            for name in LAYERS
        }
        self.functions = {name: self._function(TOPOLOGY.function(name)) for name in CORE_FUNCTIONS[:3]}
        self.network = Network(cfg)
        self.egress = EgressNat(cfg, self.network) if cfg.nat_instance else None
        self.analysis = Analysis(
            cfg,
            network=self.network,
            plan_week_arn=self.functions["plan-week"].arn,
            reporter_arn=self.functions["reporter"].arn,
            alerts_topic_arn=self.topics["alerts"].arn,
            reports_topic_arn=self.topics["reports"].arn,
            task_statements=self._analyzer_statements(),
            account_id=self.account_id,
            task_environment={
                **self.environment(),
                "NEXUS_ANTHROPIC_API_KEY_PARAMETER": f"/nexus/{cfg.env}/anthropic/api-key",
            },
        )
        self.functions["api"] = self._function(TOPOLOGY.function("api"))
        self.dashboard = Dashboard(cfg)
        self.identity = Identity(cfg)
        self.http_api = HttpApi(cfg, self.identity, self.functions["api"].function, self.dashboard.url)
        self.query = Query(cfg, self.lake.bucket_name)
        self._consume_validation_queue()
        self.alarms = Alarms(
            cfg,
            alerts_topic_arn=self.topics["alerts"].arn,
            dlq_names={q: self.messaging.queues[q].name for q in self.messaging.dlqs},
            state_machine_arn=self.analysis.state_machine.arn,
            bucket_name=self.lake.bucket_name,
        )
        AlertRouting(cfg, alerts_topic=self.topics["alerts"], account_id=self.account_id)
        Audit(cfg, account_id=self.account_id, data_bucket_arn=self.lake.bucket_arn)

    def _reservations(self) -> dict[str, int]:
        """Reserved mode: a slice per function (refused above the budget). Quota mode: none; warn
        when the worst case of a window passes the account's quota (Lambda throttles, then retries)."""
        cfg = self.cfg
        if cfg.lambda_concurrency_mode == "reserved":
            return allocate(cfg.collector_sources, cfg.account_lambda_concurrency)
        for window in peaks(cfg.collector_sources, cfg.api_throttle().max_concurrency()):
            if window.total > cfg.account_lambda_concurrency:
                pulumi.log.warn(
                    f"{window.name}: up to {window.total} scheduled concurrent executions if every "
                    "schedule fires in the same minute, above the quota of "
                    f"{cfg.account_lambda_concurrency}; Lambda throttles and retries "
                    "(python -m nexus_infra.concurrency)"
                )
        return {}

    def concurrency(self) -> dict[str, object]:
        """The `lambda_concurrency` output: the mode, and its peaks or its reservations."""
        cfg = self.cfg
        return describe(
            cfg.lambda_concurrency_mode,
            cfg.collector_sources,
            cfg.account_lambda_concurrency,
            cfg.api_throttle().max_concurrency(),
        )

    def environment(self, *, with_state_machine: bool = False) -> dict[str, pulumi.Input[str]]:
        """The NEXUS_* variables every service reads (global names: one environment for all)."""
        env: dict[str, pulumi.Input[str]] = {
            "NEXUS_ENV": self.cfg.env,
            "NEXUS_REGION": self.cfg.region,
            "NEXUS_BUCKET": self.lake.bucket_name,
            "NEXUS_TABLE": self.table.name,
            "NEXUS_OBSERVATIONS_TOPIC_ARN": self.topics["observations"].arn,
            "NEXUS_ALERTS_TOPIC_ARN": self.topics["alerts"].arn,
            "NEXUS_REPORTS_TOPIC_ARN": self.topics["reports"].arn,
            "NEXUS_QUARANTINE_QUEUE_URL": self.messaging.queues["quarantine"].url,
        }
        if with_state_machine:
            env["NEXUS_STATE_MACHINE_ARN"] = self.analysis.state_machine.arn
        return env

    def _function(self, spec: Function) -> LambdaFunction:
        return LambdaFunction(
            self.cfg,
            spec,
            statements=self._statements(spec.name),
            environment=self.environment(with_state_machine=spec.name == "api"),
            alerts_topic_arn=self.topics["alerts"].arn,
            reserved_concurrency=self.reserved.get(spec.name),
            layers=[layer.arn for layer in self.layers.values()],
        )

    def _statements(self, name: str) -> list[dict[str, Any]]:
        """Least privilege per function: named actions on named resources and key prefixes."""
        bucket, table = self.lake.bucket_arn, self.table.arn
        queues, topics = self.messaging.queues, self.topics
        list_bucket = iam.allow(["s3:ListBucket"], [bucket])
        if name == "validator":
            return [
                iam.allow(
                    [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility",
                    ],
                    [queues["validation"].arn],
                ),
                iam.allow(["sqs:SendMessage"], [queues["quarantine"].arn]),
                iam.allow(["sns:Publish"], [topics["alerts"].arn]),
                iam.allow(["s3:GetObject", "s3:PutObject"], iam.objects(bucket, "raw-data/", "quarantine/")),
                iam.allow(["s3:GetObject"], iam.objects(bucket, "landing/")),
                list_bucket,
                iam.allow(TABLE_RW, [table]),
            ]
        if name == "plan-week":
            return [
                list_bucket,
                iam.allow(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"], [table]),
            ]
        if name == "reporter":
            return [
                list_bucket,
                iam.allow(["s3:GetObject"], iam.objects(bucket, "processed-data/", "raw-data/")),
                iam.allow(["s3:GetObject", "s3:PutObject"], iam.objects(bucket, "reports/")),
                iam.allow(TABLE_RW, [table]),
                iam.allow(["sns:Publish"], [topics["reports"].arn]),
            ]
        if name == "api":
            return [
                list_bucket,
                iam.allow(["s3:GetObject"], iam.objects(bucket, "reports/", "processed-data/", "raw-data/")),
                iam.allow(["dynamodb:GetItem", "dynamodb:Query"], [table]),
                iam.allow(["states:StartExecution"], [self.analysis.state_machine.arn]),
            ]
        raise KeyError(name)

    def _analyzer_statements(self) -> list[dict[str, Any]]:
        bucket = self.lake.bucket_arn
        return [
            iam.allow(["s3:ListBucket"], [bucket]),
            iam.allow(["s3:GetObject"], iam.objects(bucket, "raw-data/")),
            iam.allow(["s3:GetObject", "s3:PutObject"], iam.objects(bucket, "processed-data/")),
            iam.allow(TABLE_RW, [self.table.arn]),
            self._parameters("anthropic"),
        ]

    def _parameters(self, scope: str) -> dict[str, Any]:
        """Read access to `/nexus/<env>/<scope>/*` SSM parameters only."""
        arn = pulumi.Output.concat(
            "arn:aws:ssm:",
            self.cfg.region,
            ":",
            self.account_id,
            f":parameter/nexus/{self.cfg.env}/{scope}/*",
        )
        return iam.allow(["ssm:GetParameter", "ssm:GetParameters"], [arn])

    def _consume_validation_queue(self) -> None:
        spec = TOPOLOGY.function("validator")
        source = spec.event_source
        assert source is not None
        aws.lambda_.EventSourceMapping(
            "validator-from-validation",
            event_source_arn=self.messaging.queues[source.queue].arn,
            function_name=self.functions["validator"].function.name,
            batch_size=source.batch_size,
            maximum_batching_window_in_seconds=source.max_batching_window_s,
            function_response_types=["ReportBatchItemFailures"] if source.report_batch_item_failures else [],
            scaling_config={"maximum_concurrency": VALIDATOR_MAX_CONCURRENCY},
        )

    def outputs(self) -> dict[str, Any]:
        """What collector stacks (and operators) read through a stack reference."""
        return {
            "env": self.cfg.env,
            "region": self.cfg.region,
            "account_id": self.account_id,
            "bucket_name": self.lake.bucket_name,
            "bucket_arn": self.lake.bucket_arn,
            "table_name": self.table.name,
            "table_arn": self.table.arn,
            "observations_topic_arn": self.topics["observations"].arn,
            "alerts_topic_arn": self.topics["alerts"].arn,
            "reports_topic_arn": self.topics["reports"].arn,
            "quarantine_queue_url": self.messaging.queues["quarantine"].url,
            "layer_arns": [layer.arn for layer in self.layers.values()],
            "state_machine_arn": self.analysis.state_machine.arn,
            "ecr_repository_url": self.analysis.repository.repository_url,
            "api_endpoint": self.http_api.endpoint,
            "dashboard_url": self.dashboard.url,
            "dashboard_bucket": self.dashboard.bucket.bucket.bucket,
            "user_pool_id": self.identity.pool.id,
            "user_pool_client_id": self.identity.client.id,
            "athena_workgroup": self.query.workgroup.name,
            "lambda_concurrency": self.concurrency(),
            **self._egress_outputs(),
        }

    def _egress_outputs(self) -> dict[str, Any]:
        """With `egress_ip_sources`: the IP to give the vendor, and where those collectors run."""
        if self.egress is None:
            return {}
        return {
            "egress_ip": self.egress.egress_ip,
            "egress_subnet_id": self.egress.subnet.id,
            "egress_security_group_id": self.egress.lambda_security_group.id,
        }


def build(cfg: InfraConfig) -> Core:
    core = Core(cfg)
    for key, value in core.outputs().items():
        pulumi.export(key, value)
    return core
