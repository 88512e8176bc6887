"""Every patch of moto 5.2.5 internals the local runtime needs, in one place.

Each patch targets private moto code, so moto is pinned and each patch has a regression test
(tests/unit/test_local_patches.py). `apply_all()` is idempotent. The StartExecution default name
is a request rewrite and lives in the middleware instead.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
_APPLIED: set[str] = set()


def enable_sfn_execution() -> None:
    """Patch 1: run the real ASL interpreter (must happen before any CreateStateMachine)."""
    from moto.core.config import default_user_config

    default_user_config["stepfunctions"] = {"execute_state_machine": True}


def _ecs_operation(service_action_name: str) -> Any:
    import botocore.session

    model = botocore.session.get_session().get_service_model("ecs")
    pascal = "".join(part.capitalize() for part in service_action_name.split("_"))
    return model.operation_model(pascal)


def patch_ecs_normalisation() -> None:
    """Patch 4: SFN's PascalCase ECS parameters/responses go through botocore's ECS shapes.

    moto stubs `_normalise_parameters/_normalise_response` out, so `Cluster` reached the camelCase
    API and the state failed with States.Runtime `'Cluster'`.
    """
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_ecs as ecs_mod,
    )

    cls = ecs_mod.StateTaskServiceEcs

    def _normalise_parameters(
        self: Any, parameters: dict[str, Any], boto_service_name: Any = None, service_action_name: Any = None
    ) -> None:
        action = self._get_boto_service_action(service_action_name)
        self._to_boto_request(parameters, _ecs_operation(action).input_shape)

    def _normalise_response(
        self: Any, response: Any, boto_service_name: Any = None, service_action_name: Any = None
    ) -> None:
        action = self._get_boto_service_action(service_action_name)
        self._from_boto_response(response, _ecs_operation(action).output_shape)

    cls._normalise_parameters = _normalise_parameters  # type: ignore[method-assign]
    cls._normalise_response = _normalise_response  # type: ignore[method-assign]


def failed_container_exit(task: dict[str, Any]) -> int | None:
    """The first non-zero container exit code of an SFN-cased ECS task description, if any."""
    for container in task.get("Containers", []):
        code = container.get("ExitCode")
        if code not in (None, 0):
            return int(code)
    return None


def patch_ecs_sync_exit_code() -> None:
    """Patch 5: a STOPPED task whose container exited non-zero fails the state (States.TaskFailed).

    moto treats every STOPPED task as success; AWS fails the `.sync` state and users Catch it.
    """
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_ecs as ecs_mod,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    cls = ecs_mod.StateTaskServiceEcs
    original = cls._build_sync_resolver

    def _build_sync_resolver(self: Any, env: Any, *args: Any, **kwargs: Any) -> Callable[[], Any] | None:
        resolver = original(self, env, *args, **kwargs)
        if resolver is None:
            return None

        def _checked() -> Any:
            task = resolver()
            if task is not None and failed_container_exit(task) is not None:
                failed = StatesErrorNameType.StatesTaskFailed
                details = TaskFailedEventDetails(
                    resource=self._get_sfn_resource(),
                    resourceType=self._get_sfn_resource_type(),
                    error=failed.to_name(),
                    cause=json.dumps(task, default=str),
                )
                raise FailureEventException(
                    FailureEvent(
                        env=env,
                        error_name=StatesErrorName(typ=failed),
                        event_type=HistoryEventType.TaskFailed,
                        event_details=EventDetails(taskFailedEventDetails=details),  # type: ignore[typeddict-item]
                    )
                )
            return task

        return _checked

    cls._build_sync_resolver = _build_sync_resolver  # type: ignore[method-assign]


def unassociated_providers(strategy: list[dict[str, Any]] | None, associated: list[str] | None) -> list[str]:
    """Capacity providers a RunTask strategy names that the cluster does not have."""
    return [s["capacityProvider"] for s in strategy or [] if s["capacityProvider"] not in (associated or [])]


def patch_ecs_capacity_providers() -> None:
    """Patch 8: capacity provider strategies reach ECS, which refuses providers the cluster lacks.

    moto's SFN ECS integration silently drops every RunTask parameter outside its own list, which
    lacks `CapacityProviderStrategy` (AWS passes it on), so the task ran on the default provider.
    And moto's RunTask places a FARGATE_SPOT task on any cluster, so a stack that forgot to
    associate Spot (ClusterCapacityProviders) would pass locally and fail in AWS.
    """
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_ecs as ecs_mod,
    )

    ecs_mod._SUPPORTED_API_PARAM_BINDINGS["runtask"].add("CapacityProviderStrategy")
    cls = EC2ContainerServiceBackend
    if getattr(cls.run_task, "_nexus_patched", False):
        return
    original = cls.run_task
    signature = inspect.signature(original)  # moto's responses pass the strategy positionally

    def run_task(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs).arguments
        strategy = bound.get("capacity_provider_strategy")
        if strategy:
            cluster = self._get_cluster(bound["cluster_str"])
            missing = unassociated_providers(strategy, cluster.capacity_providers)
            if missing:
                raise InvalidParameterException(
                    f"The specified capacity provider strategy cannot contain a capacity provider that "
                    f"is not associated with the cluster: {missing}"
                )
        return original(self, *args, **kwargs)

    run_task._nexus_patched = True  # type: ignore[attr-defined]
    cls.run_task = run_task  # type: ignore[method-assign]


def patch_sqs_esm_off() -> None:
    """Patch 6: moto's own SQS→Lambda mapping invokes via Docker on every send; our poller replaces it."""
    from moto.sqs.models import Queue

    Queue.lambda_event_source_mappings = property(  # type: ignore[assignment,method-assign]
        lambda self: {}, lambda self, value: None
    )


def _dispatch_target(target: dict[str, Any], event: Any, region: str) -> None:
    """Deliver an EventBridge event to an SNS, Lambda or Step Functions target."""
    import boto3
    from moto.sns.models import sns_backends
    from moto.utilities.arns import parse_arn

    arn = parse_arn(target["Arn"])
    body = event if isinstance(event, str) else json.dumps(event, default=str)
    if arn.service == "sns":
        sns_backends[arn.account][arn.region].publish(message=body, arn=target["Arn"])
        return
    endpoint = f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}"
    if arn.service == "lambda":
        client = boto3.client("lambda", region_name=arn.region, endpoint_url=endpoint)
        client.invoke(FunctionName=target["Arn"], InvocationType="Event", Payload=body.encode())
    elif arn.service == "states":
        sfn = boto3.client("stepfunctions", region_name=arn.region, endpoint_url=endpoint)
        sfn.start_execution(stateMachineArn=target["Arn"], input=body)


def patch_events_targets() -> None:
    """Patch 7: rules with SNS/Lambda/SFN targets no longer make PutEvents fail with a 500."""
    from moto.events.models import Rule
    from moto.events.utils import EventTemplateParser

    if getattr(Rule.send_to_targets, "_nexus_patched", False):
        return
    original = Rule.send_to_targets
    ours = {"sns", "lambda", "states"}

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        native = [t for t in self.targets if t["Arn"].split(":")[2] not in ours]
        for target in (t for t in self.targets if t["Arn"].split(":")[2] in ours):
            if "Input" in target:
                event: Any = target["Input"]
            elif transform_input and "InputTransformer" in target:
                transformer = target["InputTransformer"]
                event = EventTemplateParser.parse(
                    input_template=transformer.get("InputTemplate"),
                    input_paths_map=transformer.get("InputPathsMap", {}),
                    event=original_event,
                )
            else:
                event = original_event
            _dispatch_target(target, event, self.region_name)
        if native:
            saved, self.targets = self.targets, native
            try:
                original(self, original_event, transform_input)
            finally:
                self.targets = saved

    send_to_targets._nexus_patched = True  # type: ignore[attr-defined]
    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]


PATCHES: dict[str, Callable[[], None]] = {
    "sfn-execution": enable_sfn_execution,
    "ecs-normalisation": patch_ecs_normalisation,
    "ecs-sync-exit-code": patch_ecs_sync_exit_code,
    "sqs-esm-off": patch_sqs_esm_off,
    "events-targets": patch_events_targets,
    "ecs-capacity-providers": patch_ecs_capacity_providers,
}


# The ECS patches import moto's ASL interpreter and ECS backend (seconds): the runtime applies them
# off the start-up path, before it creates the first state machine.
CORE_PATCHES = ("sfn-execution", "sqs-esm-off", "events-targets")
SFN_PATCHES = ("ecs-normalisation", "ecs-sync-exit-code", "ecs-capacity-providers")


def apply(names: tuple[str, ...]) -> None:
    """Apply the named patches once per process."""
    for name in names:
        if name not in _APPLIED:
            PATCHES[name]()
            _APPLIED.add(name)
            log.debug("moto patch applied: %s", name)


def apply_all() -> None:
    """Apply every patch once per process (safe to call again)."""
    apply(tuple(PATCHES))
