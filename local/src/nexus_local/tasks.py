"""ECS emulation: a RunTask starts the registered runner of its task-definition family.

A runner is either an argv (the container's entry point, run as a subprocess; the override
`command` is appended like Docker's CMD) or a callable `(command, env) -> exit code`.
`interrupt_spot(n)` makes the next n tasks placed on FARGATE_SPOT stop the way AWS reclaims Spot
capacity (stop code SpotInterruption, the container ends on SIGTERM), for tests of that path.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
Runner = list[str] | Callable[[list[str], dict[str, str]], int]
SPOT = "FARGATE_SPOT"
SIGTERM_EXIT = 143  # 128 + SIGTERM: what a container stopped by ECS exits with


@dataclass
class TaskRun:
    task_arn: str
    family: str
    capacity_provider: str = "FARGATE"
    status: str = "RUNNING"
    exit_code: int | None = None
    reason: str = ""
    stop_code: str = "EssentialContainerExited"


def family_of(task_definition: str) -> str:
    """`family` of `family`, `family:3` or a task-definition ARN."""
    return task_definition.rsplit("/", 1)[-1].split(":", 1)[0]


class TaskRunner:
    """Runs containers for RunTask and remembers their outcome for DescribeTasks."""

    def __init__(self, runners: Mapping[str, Runner], prefix: str, base_env: Callable[[], dict[str, str]]):
        self._runners = dict(runners)
        self._defaults = dict(runners)
        self._prefix = prefix
        self._base_env = base_env
        self._runs: dict[str, TaskRun] = {}
        self._spot_interruptions = 0
        self._lock = threading.Lock()

    def register(self, family: str, runner: Runner) -> None:
        """Add or replace the runner of logical family `family` (tests, stand-ins)."""
        with self._lock:
            self._runners[family] = runner

    def restore_defaults(self) -> None:
        with self._lock:
            self._runners = dict(self._defaults)
            self._spot_interruptions = 0

    def interrupt_spot(self, count: int = 1) -> None:
        """The next `count` tasks placed on FARGATE_SPOT are reclaimed instead of running to the end."""
        with self._lock:
            self._spot_interruptions = count

    def logical(self, task_definition: str) -> str | None:
        family = family_of(task_definition)
        if family.startswith(self._prefix):
            family = family[len(self._prefix) :]
        return family if family in self._runners else None

    def start(
        self, task_arn: str, family: str, overrides: dict[str, Any], capacity_provider: str = "FARGATE"
    ) -> None:
        """Start the runner on a thread; `overrides` is RunTask's `overrides` (camelCase)."""
        container = (overrides.get("containerOverrides") or [{}])[0]
        command = list(container.get("command") or [])
        env = {**os.environ, **self._base_env()}
        env.update({e["name"]: e["value"] for e in container.get("environment") or []})
        run = TaskRun(task_arn=task_arn, family=family, capacity_provider=capacity_provider or "FARGATE")
        with self._lock:
            self._runs[task_arn] = run
            interrupted = run.capacity_provider == SPOT and self._spot_interruptions > 0
            if interrupted:
                self._spot_interruptions -= 1
                run.status, run.exit_code, run.stop_code = "STOPPED", SIGTERM_EXIT, "SpotInterruption"
                run.reason = "Your Spot Task was interrupted."
        if not interrupted:
            threading.Thread(target=self._run, args=(run, command, env), daemon=True).start()

    def _run(self, run: TaskRun, command: list[str], env: dict[str, str]) -> None:
        runner = self._runners[run.family]
        try:
            if callable(runner):
                code = int(runner(command, env))
            else:
                code = subprocess.run([*runner, *command], env=env, check=False).returncode
            reason = "Essential container in task exited"
        except Exception as exc:  # a runner that cannot start is a failed container, not a crash
            log.exception("task %s failed to run", run.task_arn)
            code, reason = 1, f"CannotStartContainerError: {exc}"
        with self._lock:
            run.exit_code, run.reason, run.status = code, reason, "STOPPED"

    def get(self, task_arn: str) -> TaskRun | None:
        with self._lock:
            return self._runs.get(task_arn)

    def rewrite_description(self, task: dict[str, Any]) -> None:
        """Make a moto task description tell the truth about our run (in place)."""
        run = self.get(task.get("taskArn", ""))
        if run is None:
            return
        task["lastStatus"] = run.status
        task["desiredStatus"] = run.status
        for container in task.get("containers", []):
            container["lastStatus"] = run.status
            if run.status == "STOPPED":
                container["exitCode"] = run.exit_code
        if run.status == "STOPPED":
            task["stopCode"] = run.stop_code
            task["stoppedReason"] = run.reason

    @property
    def running(self) -> int:
        with self._lock:
            return sum(1 for r in self._runs.values() if r.status == "RUNNING")
