"""The local AWS runtime: moto server + middleware + poller + scheduler + provisioning + state.

    with LocalRuntime(state_dir=Path(".nexus")) as rt:
        rt.fire("collect-sim", {"from": "2024-01-01", "to": "2024-01-01"})
        rt.wait_idle(60)

One runtime per process: moto's backends, `MOTO_PORT` and the handlers' `os.environ` are global.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
from botocore.config import Config

from nexus_contracts.topology import TOPOLOGY, physical_name
from nexus_local import patches
from nexus_local.environ import ProcessEnvironment, aws_variables, runtime_variables
from nexus_local.lambdas import Handler, LambdaRegistry
from nexus_local.middleware import Interceptor
from nexus_local.poller import SqsPoller
from nexus_local.provision import ACCOUNT, Provisioned, Provisioner
from nexus_local.scheduler import LocalScheduler
from nexus_local.state import StateStore
from nexus_local.tasks import Runner, TaskRunner

log = logging.getLogger(__name__)


class InvokeError(RuntimeError):
    """A direct invoke came back with a function error (the message is Lambda's error payload)."""


def default_handlers() -> dict[str, Handler | str]:
    return {fn.name: fn.handler for fn in TOPOLOGY.functions}


def default_tasks() -> dict[str, Runner]:
    return {task.family: [sys.executable, "-m", task.module] for task in TOPOLOGY.tasks}


class LocalRuntime:
    """Everything `make demo`, `nexus up` and the integration tests run against."""

    def __init__(
        self,
        state_dir: Path = Path(".nexus"),
        port: int = 0,
        lambdas: Mapping[str, Handler | str] | None = None,
        tasks: Mapping[str, Runner] | None = None,
        persist: bool = True,
        env: str = "local",
        region: str = "eu-west-1",
    ) -> None:
        self.state_dir = Path(state_dir)
        self.port = port
        self.persist = persist
        self.env = env
        self.region = region
        self.prefix = physical_name(env, "")
        limits = {fn.name: (fn.memory_mb, fn.timeout_s) for fn in TOPOLOGY.functions}
        handlers = {**default_handlers(), **(lambdas or {})}
        self.lambdas = LambdaRegistry(handlers, self.prefix, region, ACCOUNT, limits)
        self.tasks = TaskRunner({**default_tasks(), **(tasks or {})}, self.prefix, self.environment)
        self.resources: Provisioned | None = None
        self.start_seconds = 0.0
        self._server: Any = None
        self._poller: SqsPoller | None = None
        self._scheduler: LocalScheduler | None = None
        self._process_env = ProcessEnvironment()
        self._weekly: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalRuntime:
        t0 = time.perf_counter()
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # AMIs cost ~2 s, unused
        patches.apply(patches.CORE_PATCHES)  # SFN execution on before the first CreateStateMachine
        self._serve()
        self._post("/moto-api/reset")  # one runtime per process: start from an empty emulator
        self._process_env.export(aws_variables(self.endpoint, self.region))
        self.resources = Provisioner(self.session(), self.endpoint, self.env).run_core()
        self._process_env.export(self.environment())
        self._weekly = threading.Thread(
            target=self._provision_deferred, daemon=True, name="provision-deferred"
        )
        self._weekly.start()
        if self.persist:
            counts = self.store().restore(self.resources.bucket, self.resources.table)
            log.info("restored %(objects)d objects and %(items)d items", counts)
        self._scheduler = LocalScheduler(self.endpoint, self.region, self.prefix)
        self.start_seconds = time.perf_counter() - t0
        return self

    def _serve(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app = Interceptor(DomainDispatcherApplication(create_backend_app), self.lambdas, self.tasks)
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.port = self._server.server_port
        # SFN task integrations call localhost:$MOTO_PORT; restored by stop() like the rest
        self._process_env.export({"MOTO_PORT": str(self.port)})
        threading.Thread(target=self._server.serve_forever, daemon=True, name="moto-server").start()

    def _post(self, path: str, body: bytes = b"") -> None:
        request = urllib.request.Request(self.endpoint + path, data=body, method="POST")  # noqa: S310 (http only)
        with urllib.request.urlopen(request):  # noqa: S310
            pass

    def _provision_deferred(self) -> None:
        # its own session: boto3 sessions are not thread-safe
        provisioner = Provisioner(self.session(), self.endpoint, self.env)
        try:
            assert self.resources is not None
            provisioner.run_functions(self.resources)
            if self._server is None:  # stopped meanwhile
                return
            self._poller = SqsPoller(self.endpoint, self.region, self.lambdas)
            self._poller.start()
            patches.apply(patches.SFN_PATCHES)
            provisioner.run_weekly(self.resources)
        except Exception:
            if self._server is not None:  # not a runtime stopped while still provisioning
                log.exception("deferred resources could not be provisioned")

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the deferred resources (functions + ESMs, ECS, state machine) exist."""
        if self._weekly is not None:
            self._weekly.join(timeout)
            if self._weekly.is_alive():
                raise TimeoutError("resources still provisioning")

    def reset(self) -> None:
        """Wipe the emulator and provision again (test isolation; the state folder is untouched)."""
        self.wait_ready()
        self._post("/moto-api/reset")
        self.resources = Provisioner(self.session(), self.endpoint, self.env).run()
        self._process_env.export(self.environment())

    def session(self) -> boto3.Session:
        return boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=self.region)  # noqa: S106

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for the emulator (read timeout long enough for slow handlers)."""
        config = kwargs.pop("config", None) or Config(read_timeout=900, retries={"total_max_attempts": 1})
        return self.session().client(service, endpoint_url=self.endpoint, config=config, **kwargs)  # type: ignore[call-overload]

    def store(self) -> StateStore:
        return StateStore(self.state_dir, self.session(), self.endpoint)

    def environment(self) -> dict[str, str]:
        """Every variable of the working agreement, pointing at what this runtime provisioned."""
        return runtime_variables(self.endpoint, self.region, self.env, self.state_dir, self.resources)

    def fire(self, rule: str, input: Any = None) -> list[Any]:
        """Play EventBridge rule `rule` (logical or physical name) now; see LocalScheduler.fire."""
        assert self._scheduler is not None, "runtime not started"
        return self._scheduler.fire(rule, input)

    def start_clock(self, speedup: float = 1.0) -> None:
        assert self._scheduler is not None, "runtime not started"
        self._scheduler.start_clock(speedup)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """True once every event-source queue is empty and no handler or task is running."""
        deadline = time.monotonic() + timeout
        self.wait_ready(timeout)  # until the ESMs exist, nothing consumes the queues
        assert self._poller is not None, "runtime not started"
        while self.tasks.running and time.monotonic() < deadline:
            time.sleep(0.1)
        return self._poller.wait_idle(max(0.0, deadline - time.monotonic()))

    def invoke(self, function: str, event: Any = None) -> Any:
        """Invoke a function synchronously through the Lambda API; raises InvokeError on failure."""
        name = function if function.startswith(self.prefix) else self.prefix + function
        resp = self.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
        payload = resp["Payload"].read()
        if resp.get("FunctionError"):
            raise InvokeError(payload.decode(errors="replace"))
        return json.loads(payload) if payload else None

    def stop(self) -> None:
        """Stop the threads, save state (when persisting), shut the server down."""
        if self._server is None:
            return
        for part in (self._scheduler, self._poller):
            if part is not None:
                part.stop()
        try:
            if self.persist and self.resources is not None:
                counts = self.store().save(self.resources.bucket, self.resources.table)
                log.info("saved %(objects)d objects and %(items)d items", counts)
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            self._process_env.restore()

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
