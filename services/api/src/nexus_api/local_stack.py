"""A throwaway local stack: a moto server process, the sample state and the HTTP front.

moto runs in its own process: moto keeps its state in module globals, so a second in-process
server would share (and could wipe or pollute) the state of the local runtime's emulator that
other suites run in the same test process.

Used by the API test suites, the browser suite and the benchmark until the pipeline's own local
runtime is available to them; `python -m nexus_api.local_stack` runs one for dashboard work.
moto comes from the workspace's local runtime package; the Lambda never imports this module.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3

from nexus_api.local_server import LocalServer, patched_environ, start_server
from nexus_api.sample_state import SeededState, seed
from nexus_core.settings import NexusSettings


@dataclass
class LocalStack:
    endpoint: str
    server: LocalServer
    state: SeededState
    moto: subprocess.Popen[bytes]
    environ: dict[str, str]

    def env(self) -> AbstractContextManager[None]:
        """This stack's environment for the duration of a block."""
        return patched_environ(self.environ)

    def settings(self) -> NexusSettings:
        with self.env():
            return NexusSettings()

    def stop(self) -> None:
        if self.moto.poll() is not None:
            return
        self.server.shutdown()
        self.moto.terminate()
        self.moto.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"moto server not listening on {port} after {timeout_s} s")


def environment(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "NEXUS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "NEXUS_REGION": "eu-west-1",
        "NEXUS_ENV": "local",
        "NEXUS_BUCKET": "nexus-local-data",
        "NEXUS_TABLE": "nexus-local-metadata",
    }


def start_stack(*, days: int = 15, port: int = 0) -> LocalStack:
    """Start moto on a free port, seed `days` days, serve on `port`; stopped at interpreter exit."""
    moto_port = free_port()
    moto = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from moto.server import main; main()",
            "-H",
            "127.0.0.1",
            "-p",
            str(moto_port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{moto_port}"
    _wait_for(moto_port, moto)
    env = environment(endpoint)
    with patched_environ(env):
        state = seed(NexusSettings(), end=datetime.now(UTC).date() - timedelta(days=1), days=days)
        env["NEXUS_STATE_MACHINE_ARN"] = stand_in_workflow(endpoint, state.week)
    with patched_environ(env):
        server = start_server(endpoint, port, settings=NexusSettings())
    stack = LocalStack(endpoint, server, state, moto, env)
    atexit.register(stack.stop)
    return stack


def stand_in_workflow(endpoint: str, week: str) -> str:
    """A one-state machine with the week's first execution, so reruns have a stored input."""
    sfn = boto3.client("stepfunctions", region_name="eu-west-1", endpoint_url=endpoint)
    arn: str = sfn.create_state_machine(
        name="nexus-local-weekly-analysis",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/nexus-local-weekly-analysis",
    )["stateMachineArn"]
    payload = json.dumps({"week": week, "lookback_days": 84})
    sfn.start_execution(stateMachineArn=arn, name=f"weekly-{week}", input=payload)
    return arn


def main() -> None:
    stack = start_stack(port=int(os.environ.get("NEXUS_API_PORT", "8000")))
    print(f"dashboard and API: {stack.server.url}  (week {stack.state.week})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stack.stop()


if __name__ == "__main__":
    main()
