"""ECS emulation: a RunTask starts the registered runner of its task-definition family.

A runner is either an argv (the container's entry point, run as a subprocess; the override
`command` is appended like Docker's CMD) or a callable `(command, env) -> exit code`.
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


@dataclass
class TaskRun:
    task_arn: str
    family: str
    status: str = "RUNNING"
    exit_code: int | None = None
    reason: str = ""


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
        self._lock = threading.Lock()

    def register(self, family: str, runner: Runner) -> None:
        """Add or replace the runner of logical family `family` (tests, stand-ins)."""
        with self._lock:
            self._runners[family] = runner

    def restore_defaults(self) -> None:
        with self._lock:
            self._runners = dict(self._defaults)

    def logical(self, task_definition: str) -> str | None:
        family = family_of(task_definition)
        if family.startswith(self._prefix):
            family = family[len(self._prefix) :]
        return family if family in self._runners else None

    def start(self, task_arn: str, family: str, overrides: dict[str, Any]) -> None:
        """Start the runner on a thread; `overrides` is RunTask's `overrides` (camelCase)."""
        container = (overrides.get("containerOverrides") or [{}])[0]
        command = list(container.get("command") or [])
        env = {**os.environ, **self._base_env()}
        env.update({e["name"]: e["value"] for e in container.get("environment") or []})
        run = TaskRun(task_arn=task_arn, family=family)
        with self._lock:
            self._runs[task_arn] = run
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
            task["stopCode"] = "EssentialContainerExited"
            task["stoppedReason"] = run.reason

    @property
    def running(self) -> int:
        with self._lock:
            return sum(1 for r in self._runs.values() if r.status == "RUNNING")
