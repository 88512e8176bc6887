"""boto3 against the local runtime: Step Functions with Lambda + ECS .sync, the scheduler, state."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from nexus_local.runtime import LocalRuntime


def _machine(runtime: LocalRuntime, name: str) -> str:
    res = runtime.resources
    assert res is not None
    definition = {
        "StartAt": "Plan",
        "States": {
            "Plan": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": res.functions["plan-week"], "Payload.$": "$"},
                "ResultSelector": {"exit.$": "$.Payload.exit"},
                "ResultPath": "$.plan",
                "Next": "Analyse",
            },
            "Analyse": {
                "Type": "Task",
                "Resource": "arn:aws:states:::ecs:runTask.sync",
                "Parameters": {
                    "Cluster": res.cluster_arn,
                    "TaskDefinition": res.task_definitions["analyzer"],
                    "LaunchType": "FARGATE",
                    "NetworkConfiguration": {
                        "AwsvpcConfiguration": {
                            "Subnets": [res.subnet_id],
                            "SecurityGroups": [res.security_group_id],
                        }
                    },
                    "Overrides": {
                        "ContainerOverrides": [
                            {
                                "Name": "analyzer",
                                "Command.$": "States.Array($.plan.exit)",
                                "Environment": [{"Name": "WEEK", "Value.$": "$.week"}],
                            }
                        ]
                    },
                },
                "ResultSelector": {"containers.$": "$.Containers", "stop.$": "$.StopCode"},
                "ResultPath": "$.task",
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Failed"}],
                "End": True,
            },
            "Failed": {"Type": "Pass", "Result": "caught", "ResultPath": "$.outcome", "End": True},
        },
    }
    role = "arn:aws:iam::123456789012:role/nexus-local-sfn-role"
    sfn = runtime.client("stepfunctions")
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=role)[
        "stateMachineArn"
    ]


def _finish(runtime: LocalRuntime, execution_arn: str, timeout: float = 60) -> dict[str, Any]:
    sfn = runtime.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while (desc := sfn.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "execution still running"
        time.sleep(0.2)
    result: dict[str, Any] = desc
    return result


@pytest.mark.parametrize("exit_code", [0, 3])
def test_lambda_then_ecs_sync_runs_through_the_middleware(
    fresh_runtime: LocalRuntime, exit_code: int
) -> None:
    # Given a plan Lambda choosing the container's argument and an analyzer "container" exiting with it
    seen: dict[str, Any] = {}
    fresh_runtime.lambdas.register("plan-week", lambda event, ctx: {"exit": str(event["exit"])})

    def container(command: list[str], env: dict[str, str]) -> int:
        seen.update(command=command, week=env.get("WEEK"), endpoint=env.get("AWS_ENDPOINT_URL"))
        return int(command[0])

    fresh_runtime.tasks.register("analyzer", container)
    machine = _machine(fresh_runtime, f"test-weekly-{exit_code}")

    # When an unnamed execution starts
    started = fresh_runtime.client("stepfunctions").start_execution(
        stateMachineArn=machine, input=json.dumps({"week": "2024-W03", "exit": exit_code})
    )
    desc = _finish(fresh_runtime, started["executionArn"])

    # Then both tasks ran locally with the SFN parameters, and the exit code decided the path
    assert seen == {"command": [str(exit_code)], "week": "2024-W03", "endpoint": fresh_runtime.endpoint}
    output = json.loads(desc["output"])
    assert desc["status"] == "SUCCEEDED"
    if exit_code == 0:
        assert output["task"]["stop"] == "EssentialContainerExited"
        assert output["task"]["containers"][0]["ExitCode"] == 0
    else:
        assert output["outcome"] == "caught"
        assert output["error"]["Error"] == "States.TaskFailed"
        assert json.loads(output["error"]["Cause"])["Containers"][0]["ExitCode"] == 3


def test_unnamed_executions_do_not_collide(fresh_runtime: LocalRuntime) -> None:
    # Given a trivial machine, When started twice without a name, Then two distinct executions exist
    sfn = fresh_runtime.client("stepfunctions")
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = sfn.create_state_machine(
        name="test-pass", definition=definition, roleArn="arn:aws:iam::123456789012:role/r"
    )
    first = sfn.start_execution(stateMachineArn=arn["stateMachineArn"])["executionArn"]
    second = sfn.start_execution(stateMachineArn=arn["stateMachineArn"])["executionArn"]
    assert first != second
    assert not first.endswith(":None")


def test_scheduler_fires_lambda_and_state_machine_targets(fresh_runtime: LocalRuntime) -> None:
    # Given stand-ins for the simulated collector and the plan step
    fresh_runtime.lambdas.register("collector-sim", lambda event, ctx: {"collected": event})
    fresh_runtime.lambdas.register(
        "plan-week", lambda event, ctx: {**event, "enough_data": False, "reason": "test"}
    )

    # When the daily rule is fired with a window and the weekly rule with its own input
    daily = fresh_runtime.fire("collect-sim", {"from": "2024-01-15", "to": "2024-01-15"})
    weekly = fresh_runtime.fire("weekly-analysis")

    # Then the collector's result comes back, and the state machine started with {"week": "auto"}
    assert daily == [{"collected": {"from": "2024-01-15", "to": "2024-01-15"}}]
    desc = fresh_runtime.client("stepfunctions").describe_execution(executionArn=weekly[0])
    assert json.loads(desc["input"]) == {"week": "auto"}
    assert desc["stateMachineArn"] == fresh_runtime.environment()["NEXUS_STATE_MACHINE_ARN"]


_LIFECYCLE = """
import json, sys
from pathlib import Path
from nexus_local.runtime import LocalRuntime
state = Path(sys.argv[1])
with LocalRuntime(state_dir=state) as rt:
    rt.client("s3").put_object(Bucket=rt.resources.bucket, Key="raw-data/x.parquet", Body=b"PAR1",
                               ContentType="application/x-parquet", Metadata={"rows": "3"})
    rt.client("dynamodb").put_item(TableName=rt.resources.table,
                                   Item={"pk": {"S": "SOURCE#sim"}, "sk": {"S": "STATUS"}, "n": {"N": "4"}})
with LocalRuntime(state_dir=state) as rt:  # starts from an emptied emulator, then restores
    obj = rt.client("s3").get_object(Bucket=rt.resources.bucket, Key="raw-data/x.parquet")
    key = {"pk": {"S": "SOURCE#sim"}, "sk": {"S": "STATUS"}}
    item = rt.client("dynamodb").get_item(TableName=rt.resources.table, Key=key)["Item"]
    print(json.dumps({"body": obj["Body"].read().decode(), "type": obj["ContentType"],
                      "meta": obj["Metadata"], "n": item["n"]["N"]}))
"""


def test_state_survives_stop_and_start(tmp_path: Path) -> None:
    # Given a runtime that wrote an object and an item, then stopped (own process: moto is global)
    # When a new runtime starts on the same state folder
    out = subprocess.run(
        [sys.executable, "-c", _LIFECYCLE, str(tmp_path / "state")],
        check=True,
        timeout=240,
        capture_output=True,
        text=True,
    )

    # Then the object (with content type and metadata) and the item are back
    restored = json.loads(out.stdout.strip().splitlines()[-1])
    assert restored == {"body": "PAR1", "type": "application/x-parquet", "meta": {"rows": "3"}, "n": "4"}
    assert (tmp_path / "state" / "dynamodb.json").is_file()


def test_clock_fires_due_rules(fresh_runtime: LocalRuntime) -> None:
    from nexus_local.scheduler import LocalScheduler

    # Given an every-minute rule (own name prefix) targeting a recording function
    fired: list[Any] = []
    fresh_runtime.lambdas.register("test-clock", lambda event, ctx: fired.append(event))
    events = fresh_runtime.client("events")
    events.put_rule(
        Name="nexus-local-test-clock-tick", ScheduleExpression="cron(* * * * ? *)", State="ENABLED"
    )
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:nexus-local-test-clock"
    events.put_targets(
        Rule="nexus-local-test-clock-tick", Targets=[{"Id": "t", "Arn": arn, "Input": '{"tick": 1}'}]
    )
    clock = LocalScheduler(fresh_runtime.endpoint, fresh_runtime.region, "nexus-local-test-clock-")

    # When simulated time runs 600 times faster than real time (a minute every 0.1 s)
    clock.start_clock(speedup=600)
    deadline = time.monotonic() + 30
    while len(fired) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    clock.stop()

    # Then the rule fired repeatedly with its target's input
    assert len(fired) >= 2
    assert fired[0] == {"tick": 1}
