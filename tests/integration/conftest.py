"""Shared local-runtime fixtures for integration tests.

`local_runtime`: one runtime per test process (session), on a temporary state folder, started and
fully provisioned. It does not leave its variables in os.environ: other suites share the worker
process, and a session-long `AWS_ENDPOINT_URL` / `NEXUS_*` / `MOTO_PORT` would point their code at
this emulator. `fresh_runtime`: the same runtime wiped and provisioned again, its environment
exported for the test only (in-process handlers read it), with default handlers and task runners
restored afterwards. Register stand-ins with
`runtime.lambdas.register(name, fn)` / `runtime.tasks.register(family, runner)`; create an extra
function in moto (needed for an event-source mapping) with `make_function`.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from nexus_core import aws
from nexus_core.settings import get_settings
from nexus_local.runtime import LocalRuntime


@contextmanager
def restored_environ() -> Iterator[None]:
    """Put os.environ back as it was, key by key, and forget settings and clients read meanwhile."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        for key in [k for k in os.environ if k not in saved]:
            del os.environ[key]
        for key, value in saved.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
        get_settings.cache_clear()
        aws.clear_cache()


@pytest.fixture(scope="session")
def local_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    runtime = LocalRuntime(state_dir=tmp_path_factory.mktemp("nexus-state"), persist=False)
    try:
        with restored_environ():
            runtime.start()
            runtime.wait_ready()
        yield runtime
    finally:
        with restored_environ():
            runtime.stop()


@pytest.fixture
def fresh_runtime(local_runtime: LocalRuntime) -> Iterator[LocalRuntime]:
    with restored_environ():
        os.environ["MOTO_PORT"] = str(local_runtime.port)
        local_runtime.reset()  # exports the runtime's variables until restored_environ ends
        try:
            yield local_runtime
        finally:
            local_runtime.lambdas.restore_defaults()
            local_runtime.tasks.restore_defaults()
            _drop_test_mappings(local_runtime)


def _drop_test_mappings(runtime: LocalRuntime) -> None:
    """Event-source mappings a test added would keep the poller busy for later tests."""
    lam = runtime.client("lambda")
    for esm in lam.list_event_source_mappings()["EventSourceMappings"]:
        if runtime.lambdas.logical(esm["FunctionArn"]) is None:
            lam.delete_event_source_mapping(UUID=esm["UUID"])


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return None\n")
    return buf.getvalue()


def make_function(runtime: LocalRuntime, name: str, handler: Callable[[Any, Any], Any]) -> str:
    """Create function `nexus-local-<name>` in moto, route its invokes to `handler`; returns its ARN."""
    iam = runtime.client("iam")
    role_name = f"{runtime.prefix}test-role"
    try:
        role = iam.get_role(RoleName=role_name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        policy = json.dumps({"Version": "2012-10-17", "Statement": []})
        role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=policy)["Role"]["Arn"]
    created = runtime.client("lambda").create_function(
        FunctionName=runtime.prefix + name,
        Runtime="python3.11",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
    )
    runtime.lambdas.register(name, handler)
    arn: str = created["FunctionArn"]
    return arn
