"""`nexus demo` end to end, as a user runs it: the real CLI in a subprocess on a fresh state folder.

Fourteen days always contain a complete ISO week whatever the weekday the suite runs on, so the
weekly workflow has enough data; the 56-day default is timed by `make demo`, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

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


def test_demo_twice_on_one_state_folder_gives_the_same_lake(tmp_path: Path) -> None:
    state, out = tmp_path / "state", tmp_path / "out"

    # Given a fresh state folder, when the demo runs
    first = _nexus("demo", "--days", str(DAYS), "--state-dir", str(state), "--out", str(out))

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
