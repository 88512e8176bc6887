"""One regression test per moto patch: each fails when its patch is removed from nexus_local.patches.

They work on moto's backends directly, in an account no runtime uses, so they need no server and
do not disturb a runtime running in the same process.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from nexus_local import patches

ACCOUNT = "000000000042"
REGION = "eu-west-1"


@pytest.fixture(scope="module", autouse=True)
def _patched() -> None:
    patches.apply_all()
    patches.apply_all()  # idempotent


def test_sfn_execution_uses_the_asl_interpreter() -> None:
    # Given the patches applied
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import get_backend

    # When the Step Functions API picks its backend
    backend = get_backend(ACCOUNT, REGION)

    # Then it is the interpreter that really executes ASL, not the static fake
    assert isinstance(backend, StepFunctionsParserBackend)


def _ecs_service() -> Any:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs import (
        StateTaskServiceEcs,
    )

    service = StateTaskServiceEcs()
    service.resource = SimpleNamespace(  # type: ignore[assignment]
        api_action="runTask",
        service_name="ecs",
        condition="sync",
        resource_arn="arn:aws:states:::ecs:runTask.sync",
    )
    return service


def test_ecs_parameters_and_responses_are_normalised() -> None:
    # Given SFN-style PascalCase RunTask parameters and a camelCase ECS response
    service = _ecs_service()
    params = {
        "Cluster": "c",
        "TaskDefinition": "td",
        "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["subnet-1"]}},
        "Overrides": {"ContainerOverrides": [{"Name": "analyzer", "Command": ["--week", "2024-W03"]}]},
    }
    response = {"tasks": [{"taskArn": "t-1", "containers": [{"exitCode": 3}]}], "failures": []}

    # When the ECS service normalises them
    service._normalise_parameters(params, service_action_name="run_task")
    service._normalise_response(response, service_action_name="describe_tasks")

    # Then the request has boto's camelCase names and the response SFN's PascalCase ones
    assert params["cluster"] == "c"
    assert params["networkConfiguration"] == {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
    assert params["overrides"]["containerOverrides"][0]["command"] == ["--week", "2024-W03"]
    assert response["Tasks"][0]["Containers"][0]["ExitCode"] == 3


class _StubEcs:
    def __init__(self, exit_code: int) -> None:
        self.exit_code = exit_code

    def describe_tasks(self, cluster: str, tasks: list[str]) -> dict[str, Any]:
        container = {"name": "analyzer", "lastStatus": "STOPPED", "exitCode": self.exit_code}
        return {"tasks": [{"taskArn": tasks[0], "lastStatus": "STOPPED", "containers": [container]}]}


def _resolver(monkeypatch: pytest.MonkeyPatch, exit_code: int) -> Any:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_ecs as ecs_mod,
    )

    monkeypatch.setattr(ecs_mod, "boto_client_for", lambda **_: _StubEcs(exit_code))
    env = SimpleNamespace(
        stack=[{"Tasks": [{"TaskArn": "t-1", "ClusterArn": "c-1"}]}],
        next_state_name="RunAnalysis",
        event_history_context=SimpleNamespace(source_event_id=1),
    )
    runtime_part = SimpleNamespace(region=REGION)
    return _ecs_service()._build_sync_resolver(env, runtime_part, {}, None)


def test_ecs_sync_non_zero_exit_fails_the_task(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException

    # Given a `.sync` ECS task whose container stopped with exit code 3
    resolve = _resolver(monkeypatch, exit_code=3)

    # When the sync resolver polls it, Then the state fails with States.TaskFailed and the task as cause
    with pytest.raises(FailureEventException) as failed:
        resolve()
    details = failed.value.failure_event.event_details["taskFailedEventDetails"]
    assert details["error"] == "States.TaskFailed"
    assert json.loads(details["cause"])["Containers"][0]["ExitCode"] == 3


def test_ecs_sync_zero_exit_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a `.sync` ECS task whose container exited 0, When polled, Then the task description is the output
    assert _resolver(monkeypatch, exit_code=0)()["Containers"][0]["ExitCode"] == 0


def test_sqs_queue_ignores_moto_event_source_mappings() -> None:
    from moto.sqs.models import sqs_backends

    # Given a queue with a mapping registered the way moto's Lambda backend does it
    backend = sqs_backends[ACCOUNT][REGION]
    queue = backend.create_queue("patch-esm-off")
    queue.lambda_event_source_mappings["arn:fn"] = SimpleNamespace(enabled=True, batch_size=10)

    # When a message is sent
    backend.send_message(queue.name, "hello")

    # Then moto did not consume it in-process: the mapping is gone and the message still waits
    assert queue.lambda_event_source_mappings == {}
    received = backend.receive_message(queue.name, 10, 0, 30)
    assert [m.body for m in received] == ["hello"]


def test_event_rule_with_sns_target_delivers() -> None:
    from moto.events.models import events_backends
    from moto.sns.models import sns_backends
    from moto.sqs.models import sqs_backends

    # Given a rule whose target is an SNS topic with an SQS subscriber
    sns, sqs = sns_backends[ACCOUNT][REGION], sqs_backends[ACCOUNT][REGION]
    topic = sns.create_topic("patch-events-topic")
    queue = sqs.create_queue("patch-events-queue")
    sns.subscribe(topic.arn, queue.queue_arn, "sqs")
    events = events_backends[ACCOUNT][REGION]
    events.put_rule("patch-events-rule", event_pattern=json.dumps({"source": ["nexus.test"]}))
    events.put_targets(
        "patch-events-rule", None, [{"Id": "t", "Arn": topic.arn, "Input": '{"week": "auto"}'}]
    )

    # When a matching event is put (moto alone raises NotImplementedError here)
    events.put_events([{"Source": "nexus.test", "DetailType": "d", "Detail": "{}"}])

    # Then the target's Input reached the topic's subscriber
    received = sqs.receive_message(queue.name, 10, 0, 30)
    assert [json.loads(json.loads(m.body)["Message"]) for m in received] == [{"week": "auto"}]


def test_run_task_refuses_a_capacity_provider_the_cluster_lacks() -> None:
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.models import ecs_backends

    # Given a cluster associated with FARGATE only, and a task definition (bridge: no subnet needed)
    ecs = ecs_backends[ACCOUNT][REGION]
    ecs.create_cluster("patch-capacity", capacity_providers=["FARGATE"])
    ecs.register_task_definition(
        "patch-capacity-task",
        container_definitions=[{"name": "a", "image": "x", "memory": 512}],
        network_mode="bridge",
    )

    def run(provider: str) -> Any:
        strategy = [{"capacityProvider": provider, "weight": 1}]
        return ecs.run_task(
            "patch-capacity", "patch-capacity-task", 1, None, "", None, None, None, None, None, strategy
        )

    # When RunTask names FARGATE_SPOT (moto alone places it anyway), Then it is refused as in AWS
    with pytest.raises(InvalidParameterException, match="FARGATE_SPOT"):
        run("FARGATE_SPOT")
    # And the associated provider is accepted
    (task,) = run("FARGATE")
    assert task.capacity_provider_name == "FARGATE"


def test_sfn_run_task_passes_the_capacity_provider_strategy_on() -> None:
    # Given a runTask.sync state whose parameters name a capacity provider strategy
    service = _ecs_service()
    parameters = {
        "Cluster": "c",
        "TaskDefinition": "td",
        "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}],
    }
    # When the interpreter filters them to what the integration supports (moto alone drops it)
    kept = service._get_supported_parameters()
    # Then the strategy is kept, and it normalises to ECS's own casing
    assert "CapacityProviderStrategy" in kept
    service._normalise_parameters(parameters, service_action_name="run_task")
    assert parameters["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
