"""Readers over recorded Pulumi resources (inputs arrive with the engine's camelCase keys)."""

from __future__ import annotations

import json
from typing import Any

from tests.infra.pulumi_harness import Recorded, Recorder

# Services whose resources hold data: a wildcard resource there is a broad data grant.
DATA_SERVICES = ("s3", "dynamodb", "sqs", "sns", "ssm", "states", "glue", "athena", "secretsmanager", "kms")


def by_bucket(rec: Recorder, suffix: str) -> dict[str, Recorded]:
    """Bucket id → the bucket sub-resource of the given type."""
    return {r.inputs["bucket"]: r for r in rec.of_type(suffix)}


def bucket_ids(rec: Recorder) -> dict[str, str]:
    """Bucket id (the mock's `<name>-id`) → physical bucket name."""
    return {f"{r.name}-id": r.inputs["bucket"] for r in rec.of_type("s3/bucket:Bucket")}


def policy_statements(rec: Recorder) -> list[tuple[str, dict[str, Any]]]:
    """(role policy resource name, statement) for every inline role policy."""
    out = []
    for r in rec.of_type("iam/rolePolicy:RolePolicy"):
        for statement in json.loads(r.inputs["policy"])["Statement"]:
            out.append((r.name, statement))
    return out


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def broad_grants(statement: dict[str, Any]) -> list[str]:
    """What is too broad in one Allow statement: `*` actions, or `*` resources on data services."""
    problems = []
    actions = as_list(statement.get("Action", []))
    for action in actions:
        if action == "*" or action.endswith(":*"):
            problems.append(f"wildcard action {action}")
    data_actions = [a for a in actions if a.split(":")[0] in DATA_SERVICES]
    if data_actions and "*" in as_list(statement.get("Resource", [])):
        problems.append(f"wildcard resource for {data_actions}")
    return problems


def run_task_strategies(rec: Recorder) -> list[list[dict[str, Any]]]:
    """Every RunTask state's capacity provider strategy in the deployed state-machine definition."""
    (machine,) = rec.of_type("sfn/stateMachine:StateMachine")
    states = json.loads(machine.inputs["definition"])["States"]
    return [
        s["Parameters"]["CapacityProviderStrategy"]
        for s in states.values()
        if s.get("Resource", "").startswith("arn:aws:states:::ecs:runTask")
    ]
