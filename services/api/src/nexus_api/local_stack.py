"""A throwaway local stack: moto server, the sample state and the HTTP front, in this process.

Used by the API test suites, the browser suite and the benchmark until the pipeline's own local
runtime is available to them; `python -m nexus_api.local_stack` runs one for dashboard work.
moto comes from the workspace's local runtime package; the Lambda never imports this module.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3
from moto.server import ThreadedMotoServer

from nexus_api.local_server import LocalServer, start_server
from nexus_api.sample_state import SeededState, seed
from nexus_core.settings import NexusSettings


@dataclass
class LocalStack:
    endpoint: str
    server: LocalServer
    state: SeededState
    moto: ThreadedMotoServer

    def stop(self) -> None:
        self.server.shutdown()
        self.moto.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
    """Start moto on a free port, point this process at it, seed `days` days, serve on `port`."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{moto_port}"
    os.environ.update(environment(endpoint))
    state = seed(NexusSettings(), end=datetime.now(UTC).date() - timedelta(days=1), days=days)
    os.environ["NEXUS_STATE_MACHINE_ARN"] = stand_in_workflow(endpoint, state.week)
    return LocalStack(endpoint, start_server(endpoint, port), state, moto)


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
