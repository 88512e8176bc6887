"""The WSGI middleware in front of moto, with a recording stand-in for moto's app behind it."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from werkzeug.test import Client

from nexus_local.lambdas import LambdaRegistry, function_name
from nexus_local.middleware import ECS_TARGET, SFN_START, Interceptor
from nexus_local.tasks import TaskRunner

PREFIX = "nexus-local-"
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:nexus-local-echo"


class Downstream:
    """Records what reaches moto; answers RunTask/DescribeTasks like moto does."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        self.bodies.append(body)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.endswith(("RunTask", "DescribeTasks")):
            task = {
                "taskArn": "arn:task/1",
                "lastStatus": "PROVISIONING",
                "containers": [{"name": "analyzer"}],
            }
            strategy = body.get("capacityProviderStrategy")
            if strategy:  # moto places the task on the strategy's first provider
                task["capacityProviderName"] = strategy[0]["capacityProvider"]
            out = json.dumps({"tasks": [task], "failures": []}).encode()
        else:
            out = b'{"moto": true}'
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))])
        return [out]


def boom(event: Any, context: Any) -> Any:
    raise ValueError("bad input")


@pytest.fixture
def setup() -> tuple[Client, Downstream, list[Any]]:
    calls: list[Any] = []

    def echo(event: Any, context: Any) -> Any:
        calls.append((event, context.function_name))
        return {"echo": event}

    handlers: dict[str, Any] = {"echo": echo, "boom": boom, "missing": "nexus_not_installed.handler:handler"}
    lambdas = LambdaRegistry(handlers, PREFIX, "eu-west-1")
    tasks = TaskRunner({"analyzer": lambda command, env: int(env.get("EXIT", "0"))}, PREFIX, dict)
    downstream = Downstream()
    return Client(Interceptor(downstream, lambdas, tasks)), downstream, calls


def invoke(client: Client, fn: str, payload: Any, **headers: str) -> Any:
    return client.post(f"/2015-03-31/functions/{fn}/invocations", data=json.dumps(payload), headers=headers)


@pytest.mark.parametrize(
    "ref",
    [
        "echo",
        "nexus-local-echo",
        "nexus-local-echo:$LATEST",
        ARN,
        "123456789012:function:nexus-local-echo",
        ARN.replace(":", "%3A"),
    ],
)
def test_invoke_reaches_the_handler_for_every_name_form(setup: Any, ref: str) -> None:
    # Given a registered handler, When invoked by name, qualifier, full/partial or encoded ARN
    client, downstream, calls = setup
    resp = invoke(client, ref, {"a": 1})

    # Then it ran in-process with Lambda's success shape, and moto never saw the call
    assert resp.status_code == 200
    assert resp.json == {"echo": {"a": 1}}
    assert "X-Amz-Function-Error" not in resp.headers
    assert calls == [({"a": 1}, "nexus-local-echo")]
    assert downstream.bodies == []


def test_handler_error_is_a_function_error(setup: Any) -> None:
    # Given a handler that raises, When invoked
    client, _, _ = setup
    resp = invoke(client, "boom", {})

    # Then Lambda answers 200 with X-Amz-Function-Error and the error payload
    assert resp.status_code == 200
    assert resp.headers["X-Amz-Function-Error"] == "Unhandled"
    assert resp.json["errorType"] == "ValueError"
    assert resp.json["errorMessage"] == "bad input"
    assert resp.json["stackTrace"]


def test_event_invocation_returns_202_and_runs_later(setup: Any) -> None:
    # Given InvocationType=Event, When invoked
    client, _, calls = setup
    resp = invoke(client, "echo", {"async": True}, **{"X-Amz-Invocation-Type": "Event"})

    # Then the caller gets 202 at once and the handler runs on a thread
    assert resp.status_code == 202
    deadline = time.monotonic() + 5
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls == [({"async": True}, "nexus-local-echo")]


def test_uninstalled_handler_is_resource_not_found(setup: Any) -> None:
    # Given a function whose package is not installed, When invoked, Then Lambda's 404
    client, _, _ = setup
    resp = invoke(client, "missing", {})
    assert resp.status_code == 404
    assert resp.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"


def test_unregistered_function_falls_through_to_moto(setup: Any) -> None:
    client, downstream, _ = setup
    assert invoke(client, "other", {"x": 1}).json == {"moto": True}
    assert downstream.bodies == [{"x": 1}]


def test_start_execution_without_name_gets_a_uuid(setup: Any) -> None:
    # Given two StartExecution calls, one without a name, When they pass the middleware
    client, downstream, _ = setup
    for body in ({"stateMachineArn": "sm"}, {"stateMachineArn": "sm", "name": "weekly-2024-W03"}):
        client.post("/", data=json.dumps(body), headers={"X-Amz-Target": SFN_START})

    # Then the unnamed one reaches moto with a UUID name and the named one is untouched
    unnamed, named = downstream.bodies
    assert len(unnamed["name"]) == 36
    assert unnamed["name"].count("-") == 4
    assert named["name"] == "weekly-2024-W03"


def _describe(client: Client) -> dict[str, Any]:
    headers = {"X-Amz-Target": ECS_TARGET + "DescribeTasks"}
    body = json.dumps({"cluster": "c", "tasks": ["arn:task/1"]})
    task: dict[str, Any] = client.post("/", data=body, headers=headers).json["tasks"][0]
    return task


@pytest.mark.parametrize("exit_code", [0, 3])
def test_run_task_runs_the_container_and_describe_reports_its_exit(setup: Any, exit_code: int) -> None:
    # Given RunTask for the analyzer family with an environment override
    client, downstream, _ = setup
    overrides = {
        "containerOverrides": [
            {"name": "analyzer", "environment": [{"name": "EXIT", "value": str(exit_code)}]}
        ]
    }
    request = {
        "cluster": "c",
        "taskDefinition": "arn:aws:ecs:eu-west-1:1:task-definition/nexus-local-analyzer:1",
        "overrides": overrides,
    }
    resp = client.post("/", data=json.dumps(request), headers={"X-Amz-Target": ECS_TARGET + "RunTask"})

    # Then moto validated it, the task is RUNNING, and DescribeTasks ends STOPPED with the exit code
    assert downstream.bodies[0]["taskDefinition"].endswith("nexus-local-analyzer:1")
    assert resp.json["tasks"][0]["lastStatus"] in ("RUNNING", "STOPPED")
    deadline = time.monotonic() + 5
    while (task := _describe(client))["lastStatus"] != "STOPPED" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert task["lastStatus"] == task["desiredStatus"] == "STOPPED"
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["containers"][0]["exitCode"] == exit_code


def test_function_name_forms() -> None:
    assert function_name("fn") == "fn"
    assert function_name("fn:prod") == "fn"
    assert function_name(f"{ARN}:3") == "nexus-local-echo"
    assert function_name("123456789012:function:fn:prod") == "fn"


def test_spot_interruption_stops_the_next_spot_task_with_its_stop_code(setup: Any) -> None:
    # Given one Spot interruption to come and two RunTask calls on FARGATE_SPOT
    client, _, _ = setup
    interceptor: Any = client.application
    interceptor.tasks.interrupt_spot(1)
    request = {
        "cluster": "c",
        "taskDefinition": "nexus-local-analyzer",
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
    }
    headers = {"X-Amz-Target": ECS_TARGET + "RunTask"}
    # When the first runs
    first = client.post("/", data=json.dumps(request), headers=headers).json["tasks"][0]
    # Then it stopped the way AWS reclaims Spot capacity: stop code, SIGTERM exit, no exit 0
    assert first["lastStatus"] == "STOPPED"
    assert first["stopCode"] == "SpotInterruption"
    assert first["containers"][0]["exitCode"] == 143
    # And the next Spot task runs to its end as usual
    client.post("/", data=json.dumps(request), headers=headers)
    deadline = time.monotonic() + 5
    while (task := _describe(client))["lastStatus"] != "STOPPED" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["containers"][0]["exitCode"] == 0
    assert interceptor.tasks.get("arn:task/1").capacity_provider == "FARGATE_SPOT"
