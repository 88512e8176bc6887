"""Create every resource of the topology in the emulator (on each start; moto keeps nothing)."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from typing import Any

import boto3

from nexus_contracts.asl import ON_DEMAND
from nexus_contracts.topology import TOPOLOGY, Topology, physical_name
from nexus_core.metadata import create_table
from nexus_local.provision_weekly import WeeklyResources

log = logging.getLogger(__name__)
ACCOUNT = "123456789012"


@dataclass
class Provisioned:
    """ARNs, URLs and names of what was created, keyed by logical name."""

    bucket: str
    table: str
    topics: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    state_machines: dict[str, str] = field(default_factory=dict)
    cluster_arn: str = ""
    task_definitions: dict[str, str] = field(default_factory=dict)
    subnet_id: str = ""
    security_group_id: str = ""


def _dummy_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return None\n")
    return buf.getvalue()


class Provisioner(WeeklyResources):
    def __init__(
        self,
        session: boto3.Session,
        endpoint: str,
        env: str,
        topology: Topology = TOPOLOGY,
        capacity_provider: str = ON_DEMAND,
    ) -> None:
        self._client = lambda service: session.client(service, endpoint_url=endpoint)  # type: ignore[call-overload]
        self.region: str = session.region_name or "eu-west-1"
        self.env = env
        self.topo = topology
        self.capacity_provider = capacity_provider

    def name(self, logical: str) -> str:
        return physical_name(self.env, logical)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT}:{resource}"

    def run(self) -> Provisioned:
        """Everything, in order."""
        out = self.run_core()
        self.run_functions(out)
        self.run_weekly(out)
        return out

    def run_core(self) -> Provisioned:
        """Data and messaging: bucket, table, topics, queues, subscriptions, schedules.

        Function and state-machine ARNs are deterministic, so rules can target them already.
        """
        out = Provisioned(bucket=self.name(self.topo.bucket), table=self.name(self.topo.table))
        for logical in self.topo.state_machines:
            out.state_machines[logical] = self.arn("states", f"stateMachine:{self.name(logical)}")
        for fn in self.topo.functions:
            out.functions[fn.name] = self.arn("lambda", f"function:{self.name(fn.name)}")
        self._storage(out)
        self._messaging(out)
        self._schedules(out)
        return out

    def run_functions(self, out: Provisioned) -> None:
        """Lambda functions and their event-source mappings (off the start-up path: moto's
        Lambda and IAM backends take about a second to load)."""
        self._functions(out)

    def run_weekly(self, out: Provisioned) -> None:
        """The ECS cluster and task, then the state machine (off the start-up path: moto's ECS
        imports the whole EC2 backend and the ASL interpreter, seconds of loading)."""
        self._ecs(out)
        self._state_machines(out)

    def _storage(self, out: Provisioned) -> None:
        s3 = self._client("s3")
        s3.create_bucket(Bucket=out.bucket, CreateBucketConfiguration={"LocationConstraint": self.region})
        s3.put_bucket_versioning(Bucket=out.bucket, VersioningConfiguration={"Status": "Enabled"})
        ddb = self._client("dynamodb")
        create_table(ddb, out.table)
        ddb.update_time_to_live(
            TableName=out.table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )

    def _messaging(self, out: Provisioned) -> None:
        sns, sqs = self._client("sns"), self._client("sqs")
        for topic in self.topo.topics:
            out.topics[topic.name] = sns.create_topic(Name=self.name(topic.name))["TopicArn"]
        # dead-letter queues first: the others' RedrivePolicy points at them
        for queue in sorted(self.topo.queues, key=lambda q: not q.is_dlq):
            attrs = {
                "VisibilityTimeout": str(queue.visibility_timeout_s),
                "MessageRetentionPeriod": str(queue.retention_s),
            }
            if queue.dlq:
                policy = {
                    "deadLetterTargetArn": out.queue_arns[queue.dlq],
                    "maxReceiveCount": queue.max_receive_count,
                }
                attrs["RedrivePolicy"] = json.dumps(policy)
            out.queue_urls[queue.name] = sqs.create_queue(QueueName=self.name(queue.name), Attributes=attrs)[
                "QueueUrl"
            ]
            out.queue_arns[queue.name] = self.arn("sqs", self.name(queue.name))
        for sub in self.topo.subscriptions:
            attributes = {"RawMessageDelivery": str(sub.raw_message_delivery).lower()}
            if sub.filter_policy:
                attributes["FilterPolicy"] = json.dumps(sub.filter_policy)
            sns.subscribe(
                TopicArn=out.topics[sub.topic],
                Protocol="sqs",
                Endpoint=out.queue_arns[sub.queue],
                Attributes=attributes,
            )

    def _functions(self, out: Provisioned) -> None:
        iam, lam = self._client("iam"), self._client("lambda")
        role = iam.create_role(
            RoleName=self.name("lambda-role"),
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
        code = _dummy_zip()
        for fn in self.topo.functions:
            created = lam.create_function(
                FunctionName=self.name(fn.name),
                Runtime="python3.11",
                Role=role,
                Handler=fn.handler.replace(":", "."),
                Code={"ZipFile": code},
                Timeout=fn.timeout_s,
                MemorySize=fn.memory_mb,
            )
            out.functions[fn.name] = created["FunctionArn"]
            if fn.event_source is not None:
                src = fn.event_source
                lam.create_event_source_mapping(
                    EventSourceArn=out.queue_arns[src.queue],
                    FunctionName=self.name(fn.name),
                    BatchSize=src.batch_size,
                    MaximumBatchingWindowInSeconds=src.max_batching_window_s,
                    FunctionResponseTypes=["ReportBatchItemFailures"]
                    if src.report_batch_item_failures
                    else [],
                )

    def _schedules(self, out: Provisioned) -> None:
        events = self._client("events")
        for sched in self.topo.schedules:
            rule = self.name(sched.name)
            events.put_rule(Name=rule, ScheduleExpression=sched.cron, State="ENABLED")
            arn = (
                out.functions[sched.target]
                if sched.target_kind == "lambda"
                else out.state_machines[sched.target]
            )
            target: dict[str, Any] = {"Id": "target", "Arn": arn}
            if sched.input:
                target["Input"] = json.dumps(sched.input)
            events.put_targets(Rule=rule, Targets=[target])
