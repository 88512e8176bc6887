"""Cold start of every collector's Lambda handler, each figure from a fresh interpreter.

Two figures per handler, each the best of a few runs, measured inside the child process:
- `import`: `importlib.import_module` of the handler module only. Target: under 300 ms.
- `first call`: that import plus one handler invocation for one delivery day, against a moto server
  (raw archive to S3, event to SNS, source status in DynamoDB, credentials from SSM SecureStrings)
  and the source's replayed API on a loopback socket (tests/fixtures/replay). Lazy imports move cost
  from the import into this call, so this is the cold start a scheduled run really pays; it also
  holds botocore building its clients and the run's own work, which no import change removes.
- `pyc`: the import again with bytecode already compiled (a cache warmed by one untimed run), as
  a zip built by `make package` with a Python 3.12 at hand ships it; the other figures compile every
  module they import from source, as a zip without bytecode makes Lambda do on each cold start.
`own` is what the collector module adds once the shared kit is loaded. Shared layers are printed
for attribution. No figure is judged here except the import target, on the figure without bytecode.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from nexus_contracts.topology import COLLECTOR_SOURCES
from nexus_core.metadata import create_table

TARGET_MS = 300.0
RUNS = 5  # imports; the import figure is the best of these
CALL_RUNS = 3  # import plus first call (each takes a second or more)
DAY = "2024-03-06"
CHILD = (
    "import importlib, json, sys, time\n"
    "for pre in sys.argv[3:]: importlib.import_module(pre)\n"
    "t = time.perf_counter()\n"
    "module = importlib.import_module(sys.argv[1])\n"
    "imported = time.perf_counter()\n"
    "out = {'ms': (imported - t) * 1000}\n"
    "if sys.argv[2]:\n"
    "    summary = module.handler(json.loads(sys.argv[2]), None)\n"
    "    out.update(first_ms=(time.perf_counter() - t) * 1000, status=summary['status'])\n"
    "print(json.dumps(out))\n"
)
# Shared layers every handler pays for, printed for attribution (not judged against the target).
SHARED = ("pydantic", "nexus_contracts.observation", "pydantic_settings", "nexus_core.collector.kit")
ENV_NAME = "bench"

# How each source reaches its replayed API: (fake, path prefix, settings, secrets).
REPLAY: dict[str, tuple[str, str, dict[str, str], dict[str, str]]] = {
    "entsoe": ("entsoe_api.EntsoeApi", "/api", {"AREAS": "DE_LU", "DOCUMENTS": "A44"}, {"token": "TOKEN"}),
    "openmeteo": ("openmeteo_api.OpenMeteoApi", "", {"ENABLED": "true", "AREAS": "DE_LU"}, {}),
    "fred": ("fred_api.FredApi", "/fred", {"SERIES": "DCOILBRENTEU"}, {"api_key": "API_KEY"}),
    "eia": ("eia_api.EiaApi", "/v2", {"RESPONDENTS": "PJM", "PRICES": "henry_hub"}, {"api_key": "API_KEY"}),
    "lseg": (
        "lseg_api.LsegApi",
        "",
        {"RICS": "TRDEBMc1"},
        {"client_id": "CLIENT_ID", "client_secret": "CLIENT_SECRET"},
    ),
    "reuters": (
        "lseg_api.LsegApi",
        "",
        {"QUERIES": "power"},
        {"client_id": "CLIENT_ID", "client_secret": "CLIENT_SECRET"},
    ),
    "bloomberg": (
        "bloomberg_api.BloombergApi",
        "",
        {"CATALOG": "12345", "TICKERS": "TTF1 Comdty", "POLL_INTERVAL_S": "0.05"},
        {"client_id": "CLIENT_ID", "client_secret": "CLIENT_SECRET"},
    ),
}


def child(module: str, event: dict[str, Any] | None, env: dict[str, str], *preloaded: str) -> dict[str, Any]:
    """One fresh interpreter: import `module` (after `preloaded`, untimed), then call it if `event`."""
    command = [sys.executable, "-c", CHILD, module, json.dumps(event) if event else "", *preloaded]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ, **env})
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@contextmanager
def aws_stack() -> Iterator[dict[str, str]]:
    """A moto server with the bucket, table and topics a collector run uses; its environment."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    session = boto3.session.Session(region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    session.client("s3", endpoint_url=endpoint).create_bucket(
        Bucket="nexus-bench-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    create_table(session.client("dynamodb", endpoint_url=endpoint), "nexus-bench-metadata")
    sns = session.client("sns", endpoint_url=endpoint)
    try:
        yield {
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ENDPOINT_URL": endpoint,
            "NEXUS_ENV": ENV_NAME,
            "NEXUS_BUCKET": "nexus-bench-data",
            "NEXUS_TABLE": "nexus-bench-metadata",
            "NEXUS_OBSERVATIONS_TOPIC_ARN": sns.create_topic(Name="bench-observations")["TopicArn"],
            "NEXUS_ALERTS_TOPIC_ARN": sns.create_topic(Name="bench-alerts")["TopicArn"],
            # EMF metrics on, as in Lambda (they go to the child's stdout).
            "POWERTOOLS_METRICS_DISABLED": "false",
        }
    finally:
        server.stop()


def replay_env(stack: ExitStack, source: str, aws_env: dict[str, str]) -> dict[str, str]:
    """Start `source`'s replayed API; store its credentials in SSM; the variables pointing at it."""
    if source not in REPLAY:
        return {}
    import importlib

    import boto3

    from tests.fixtures.replay.server import ReplayServer

    fake, prefix, settings, secrets = REPLAY[source]
    module_name, cls = fake.rsplit(".", 1)
    module = importlib.import_module(f"tests.fixtures.replay.{module_name}")
    server = stack.enter_context(ReplayServer(getattr(module, cls)()))
    ssm = boto3.client(
        "ssm",
        endpoint_url=aws_env["AWS_ENDPOINT_URL"],
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    for name, constant in secrets.items():
        ssm.put_parameter(
            Name=f"/nexus/{ENV_NAME}/{source}/{name}",
            Value=str(getattr(module, constant)),
            Type="SecureString",
            Overwrite=True,
        )
    prefixed = {"BASE_URL": f"{server.url}{prefix}", **settings}
    return {f"NEXUS_{source.upper()}_{key}": value for key, value in prefixed.items()}


def with_bytecode(module: str, cache: str) -> list[float]:
    """Import times of `module` from compiled bytecode: one untimed run fills `cache`, then RUNS."""
    env = {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": cache}
    child(module, None, env)
    return [r["ms"] for r in (child(module, None, env) for _ in range(RUNS)) if "ms" in r]


def best(values: list[float]) -> tuple[float, float]:
    """(best, median) of `values`."""
    ordered = sorted(values)
    return ordered[0], ordered[len(ordered) // 2]


def main() -> None:
    print(
        f"{'module':<36} {'import':>7} {'median':>7} {'own':>5} {'pyc':>5} {'first call':>10} {'median':>7}"
        f"  status  (ms; import target < {TARGET_MS:.0f})"
    )
    for module in SHARED:
        runs = [r["ms"] for r in (child(module, None, {}) for _ in range(RUNS)) if "ms" in r]
        low, mid = best(runs) if runs else (float("nan"), float("nan"))
        print(f"{module:<36} {low:>7.0f} {mid:>7.0f} {'':>5} {'':>5} {'':>10} {'':>7}  shared", flush=True)
    event = {"from": DAY, "to": DAY}
    with aws_stack() as aws_env, tempfile.TemporaryDirectory(prefix="nexus-pyc-") as cache:
        for source in COLLECTOR_SOURCES:
            module = f"nexus_collector_{source}.handler"
            with ExitStack() as stack:
                env = {**aws_env, **replay_env(stack, source, aws_env)}
                imports = [child(module, None, {}) for _ in range(RUNS)]
                calls = [child(module, event, env) for _ in range(CALL_RUNS)]
                own = child(module, None, {}, SHARED[-1]).get("ms", float("nan"))
                pyc = min(with_bytecode(module, cache), default=float("nan"))
            if any("error" in r for r in imports + calls):
                errors = {r["error"] for r in imports + calls if "error" in r}
                print(f"{module:<36} failed: {'; '.join(sorted(errors))[:200]}", flush=True)
                continue
            low, mid = best([r["ms"] for r in imports])
            first, first_mid = best([r["first_ms"] for r in calls])
            statuses = ",".join(sorted({r["status"] for r in calls}))
            verdict = "ok" if low < TARGET_MS else "OVER"
            print(
                f"{module:<36} {low:>7.0f} {mid:>7.0f} {own:>5.0f} {pyc:>5.0f} {first:>10.0f} "
                f"{first_mid:>7.0f}  {verdict} (run: {statuses})",
                flush=True,
            )


if __name__ == "__main__":
    main()
