"""`nexus demo` end to end, as a user runs it: the real CLI in a subprocess on a fresh state folder,
then `nexus up` on that folder with the dashboard in Chromium over what the pipeline produced.

Fourteen days always contain a complete ISO week whatever the weekday the suite runs on, so the
weekly workflow has enough data; the 56-day default is timed by `make demo`, not here.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard import browser

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo"), pytest.mark.timeout(1500)]

DAYS = 14
DAILY_DATASETS = ("carbon_price", "day_ahead_price", "gas_price", "temperature", "wind_speed")


def _nexus(*args: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing of the test process's own runtimes leaks into the CLI.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEXUS_", "AWS_", "MOTO_"))}
    return subprocess.run(
        [sys.executable, "-m", "nexus_cli.main", *args], capture_output=True, text=True, env=env, timeout=900
    )


def _partitions(state: Path) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    done = _nexus("lake", "ls", "--state-dir", str(state), "--format", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(done.stdout)
    return {(r["source"], r["dataset"], str(r["day"])): tuple(sorted(r.items())) for r in rows}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """One demo run on a fresh state folder, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("demo")
    state, out = root / "state", root / "out"
    return state, out, _nexus("demo", "--days", str(DAYS), "--state-dir", str(state), "--out", str(out))


def test_demo_twice_on_one_state_folder_gives_the_same_lake(
    demo: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    # Given a fresh state folder, when the demo runs
    state, out, first = demo

    # Then it exits 0 and its summary shows every daily simulated dataset on every day, nothing lost
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["days"] == DAYS
    assert summary["quarantined"] == 0
    assert summary["dlq"] == 0
    for dataset in DAILY_DATASETS:
        assert summary["datasets"][f"sim/{dataset}"]["days_collected"] == DAYS, dataset
    assert summary["observations"] > DAYS * 24 * 4 * 3

    # And the weekly workflow ran through every state and wrote its report and analysis
    weekly = summary["weekly"]
    assert weekly["status"] == "SUCCEEDED", weekly
    for state_name in ("PlanWeek", "RunAnalysis", "GenerateReport", "PublishReport"):
        assert state_name in weekly["states"]
    week = weekly["week"]
    assert (out / f"report-{week}.pdf").read_bytes().startswith(b"%PDF")
    analysis = json.loads((out / f"analysis-{week}.json").read_text())
    assert analysis["week"] == week
    before = _partitions(state)
    assert len(before) == summary["partitions"]

    # When the demo runs again on the same state folder
    second = _nexus("demo", "--days", str(DAYS), "--state-dir", str(state), "--out", str(out))

    # Then the lake holds the same partitions with the same checksums, and they verify
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    after = _partitions(state)
    assert after.keys() == before.keys()
    changed = [key for key in before if dict(before[key])["sha256"] != dict(after[key])["sha256"]]
    assert changed == []
    verify = _nexus("lake", "verify", "--state-dir", str(state))
    assert verify.returncode == 0, verify.stdout[-2000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def up(demo: tuple[Path, Path, subprocess.CompletedProcess[str]]) -> Iterator[str]:
    """`nexus up` on the demo's state folder; yields the dashboard's URL, stops it with SIGTERM."""
    state, _, first = demo
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    api_port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEXUS_", "AWS_", "MOTO_"))}
    command = [sys.executable, "-m", "nexus_cli.main", "up", "--state-dir", str(state)]
    process = subprocess.Popen(
        [*command, "--port", str(_free_port()), "--api-port", str(api_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{api_port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                with urllib.request.urlopen(url + "/config.json", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "nexus up did not serve the dashboard within 180 s"
                time.sleep(0.5)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _api(url: str, path: str, token: str) -> Any:
    request = urllib.request.Request(f"{url}/api{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())


def _login(url: str, username: str, password: str) -> str:
    """Through the front's Cognito proxy, as the dashboard signs in."""
    with urllib.request.urlopen(url + "/config.json", timeout=10) as resp:
        client_id = json.loads(resp.read())["clientId"]
    body = {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id}
    body["AuthParameters"] = {"USERNAME": username, "PASSWORD": password}
    request = urllib.request.Request(
        url + "/cognito/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return str(json.loads(resp.read())["AuthenticationResult"]["IdToken"])


@pytest.mark.browser
def test_dashboard_over_the_demo_pipeline_output(
    up: str, demo: tuple[Path, Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    from nexus_api.local_auth import DEMO_PASSWORD

    # Given `nexus up` over the lake, metadata and reports the demo's daily and weekly cycles wrote
    _, out, _ = demo
    summary = json.loads((out / "summary.json").read_text())
    week = summary["weekly"]["week"]
    # When an admin goes through the dashboard in Chromium
    seen = browser("flow", tmp_path, url=up)
    assert seen["errors"] == []
    # Then the Overview shows the demo's weekly analysis, marked simulated, with the API's numbers
    token = _login(up, "admin@nexus.local", DEMO_PASSWORD)
    assert _api(up, "/analyses", token)[0]["week"] == week == seen["week"]
    assert seen["banner"] is True
    areas = _api(up, "/analyses", token)[0]["areas"]
    assert len(areas) >= 2
    expected = {
        f"kpi-{area}-{key}": f"{_api(up, f'/markets/{area}/summary?week={week}', token)['stats'][key]:.2f}"
        for area in areas
        for key in ("base", "peak", "min", "max")
    }
    assert {k: seen["overview"].get(k) for k in expected} == expected
    # And the report the workflow wrote downloads as that week's PDF
    assert seen["pdf"] == {"name": f"nexus-{week}.pdf", "head": "%PDF-"}
    # And the Markets page drew points from the pipeline's lake at both resolutions
    assert seen["hourly"] > 0
    assert 0 < seen["daily"] < seen["hourly"]
