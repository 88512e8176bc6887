"""SNS topics, SQS queues with their DLQs, and the SNS → SQS subscriptions, from the topology."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from nexus_contracts.topology import TOPOLOGY, Topology
from nexus_infra import iam
from nexus_infra.config import InfraConfig


class Messaging(pulumi.ComponentResource):
    """Every topic, queue and subscription named in `TOPOLOGY`; nothing listed twice."""

    def __init__(
        self, cfg: InfraConfig, topology: Topology = TOPOLOGY, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("nexus:messaging:Messaging", "messaging", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.topics = {
            t.name: aws.sns.Topic(f"topic-{t.name}", name=cfg.name(t.name), tags=cfg.tags(), opts=child)
            for t in topology.topics
        }
        self.queues: dict[str, aws.sqs.Queue] = {}
        self.dlqs = [q.name for q in topology.queues if q.is_dlq]
        # Dead-letter queues first, so each source queue can point its redrive policy at one.
        for q in sorted(topology.queues, key=lambda q: not q.is_dlq):
            redrive = None
            if q.dlq is not None:
                redrive = pulumi.Output.json_dumps(
                    {"deadLetterTargetArn": self.queues[q.dlq].arn, "maxReceiveCount": q.max_receive_count}
                )
            self.queues[q.name] = aws.sqs.Queue(
                f"queue-{q.name}",
                name=cfg.name(q.name),
                visibility_timeout_seconds=q.visibility_timeout_s,
                message_retention_seconds=q.retention_s,
                sqs_managed_sse_enabled=True,
                redrive_policy=redrive,
                tags=cfg.tags(),
                opts=child,
            )
        for sub in topology.subscriptions:
            self._subscribe(sub.topic, sub.queue, sub.filter_policy, sub.raw_message_delivery)
        self.register_outputs({name: topic.arn for name, topic in self.topics.items()})

    def _subscribe(self, topic: str, queue: str, filter_policy: dict[str, list[str]], raw: bool) -> None:
        child = pulumi.ResourceOptions(parent=self)
        q, t = self.queues[queue], self.topics[topic]
        aws.sqs.QueuePolicy(
            f"queue-{queue}-from-{topic}",
            queue_url=q.url,
            policy=iam.document(
                [
                    {
                        "Sid": "AllowSnsTopic",
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": q.arn,
                        "Condition": {"ArnEquals": {"aws:SourceArn": t.arn}},
                    }
                ]
            ),
            opts=child,
        )
        aws.sns.TopicSubscription(
            f"sub-{topic}-{queue}",
            topic=t.arn,
            protocol="sqs",
            endpoint=q.arn,
            filter_policy=json.dumps(filter_policy) if filter_policy else None,
            raw_message_delivery=raw,
            opts=child,
        )
