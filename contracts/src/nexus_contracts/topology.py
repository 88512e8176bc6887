"""The deployable topology as plain data: read by the local runtime and by the Pulumi program.

Logical names only; physical AWS names are `nexus-<env>-<name>` (see `physical_name`).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from nexus_contracts.types import FROZEN


def physical_name(env: str, logical: str) -> str:
    """`nexus-<env>-<logical>`, the AWS resource name of a logical resource."""
    return f"nexus-{env}-{logical}"


class Topic(BaseModel):
    model_config = FROZEN
    name: str


class Queue(BaseModel):
    """An SQS queue; `dlq` names its dead-letter queue, `max_receive_count` its redrive count."""

    model_config = FROZEN
    name: str
    visibility_timeout_s: int = 60
    retention_s: int = 4 * 24 * 3600
    dlq: str | None = None
    max_receive_count: int = 3
    is_dlq: bool = False


class Subscription(BaseModel):
    """SNS topic → SQS queue with an optional filter policy on message attributes."""

    model_config = FROZEN
    topic: str
    queue: str
    filter_policy: dict[str, list[str]] = Field(default_factory=dict)
    raw_message_delivery: bool = False


class EventSource(BaseModel):
    """SQS → Lambda event-source mapping with partial batch responses."""

    model_config = FROZEN
    queue: str
    batch_size: int = 10
    max_batching_window_s: int = 1
    report_batch_item_failures: bool = True


class Function(BaseModel):
    """A Lambda function: `handler` is `module.path:callable`; `package` its workspace member."""

    model_config = FROZEN
    name: str
    handler: str
    package: str
    memory_mb: int = 512
    timeout_s: int = 300
    event_source: EventSource | None = None
    source: str | None = None


class Schedule(BaseModel):
    """An EventBridge rule on a cron expression (AWS's six fields) with one target."""

    model_config = FROZEN
    name: str
    cron: str
    target_kind: str  # "lambda" | "state_machine"
    target: str
    input: dict[str, str] = Field(default_factory=dict)


class Task(BaseModel):
    """A Fargate task definition family run by the state machine."""

    model_config = FROZEN
    family: str
    module: str
    cpu: int = 256
    memory_mb: int = 512


class Topology(BaseModel):
    model_config = FROZEN
    bucket: str
    table: str
    topics: tuple[Topic, ...]
    queues: tuple[Queue, ...]
    subscriptions: tuple[Subscription, ...]
    functions: tuple[Function, ...]
    schedules: tuple[Schedule, ...]
    tasks: tuple[Task, ...]
    state_machines: tuple[str, ...]

    def function(self, name: str) -> Function:
        return next(f for f in self.functions if f.name == name)

    def queue(self, name: str) -> Queue:
        return next(q for q in self.queues if q.name == name)


# One collector per source; all of them publish to the same observations topic.
COLLECTOR_SOURCES: tuple[str, ...] = (
    "sim",
    "entsoe",
    "openmeteo",
    "fred",
    "eia",
    "lseg",
    "reuters",
    "bloomberg",
)

DAILY_COLLECTION_CRON = "cron(0 6 * * ? *)"
WEEKLY_ANALYSIS_CRON = "cron(0 2 ? * SUN *)"


def _collector(source: str) -> Function:
    module = f"nexus_collector_{source}.handler:handler"
    return Function(
        name=f"collector-{source}", handler=module, package=f"services/collector-{source}", source=source
    )


TOPOLOGY = Topology(
    bucket="data",
    table="metadata",
    topics=(Topic(name="observations"), Topic(name="alerts"), Topic(name="reports")),
    queues=(
        Queue(name="validation", visibility_timeout_s=120, dlq="validation-dlq", max_receive_count=3),
        Queue(name="validation-dlq", retention_s=14 * 24 * 3600, is_dlq=True),
        Queue(name="quarantine", retention_s=14 * 24 * 3600, dlq="quarantine-dlq", max_receive_count=5),
        Queue(name="quarantine-dlq", retention_s=14 * 24 * 3600, is_dlq=True),
    ),
    subscriptions=(
        Subscription(
            topic="observations",
            queue="validation",
            filter_policy={"event_type": ["observations.collected", "news.collected"]},
        ),
    ),
    functions=(
        *(_collector(s) for s in COLLECTOR_SOURCES),
        Function(
            name="validator",
            handler="nexus_validator.handler:handler",
            package="services/validator",
            memory_mb=1024,
            timeout_s=120,
            event_source=EventSource(queue="validation"),
        ),
        Function(
            name="plan-week",
            handler="nexus_reporter.plan:handler",
            package="services/reporter",
            memory_mb=256,
            timeout_s=60,
        ),
        Function(
            name="reporter",
            handler="nexus_reporter.handler:handler",
            package="services/reporter",
            memory_mb=1024,
            timeout_s=300,
        ),
        Function(
            name="api",
            handler="nexus_api.handler:handler",
            package="services/api",
            memory_mb=512,
            timeout_s=29,
        ),
    ),
    schedules=(
        *(
            Schedule(
                name=f"collect-{s}", cron=DAILY_COLLECTION_CRON, target_kind="lambda", target=f"collector-{s}"
            )
            for s in COLLECTOR_SOURCES
        ),
        Schedule(
            name="weekly-analysis",
            cron=WEEKLY_ANALYSIS_CRON,
            target_kind="state_machine",
            target="weekly-analysis",
            input={"week": "auto"},
        ),
    ),
    tasks=(Task(family="analyzer", module="nexus_analyzer"),),
    state_machines=("weekly-analysis",),
)
