"""`nexus collect --dry-run` and `nexus sources` against a replayed ENTSO-E on a real socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from nexus_cli.main import main
from tests.fixtures.replay.entsoe_api import TOKEN, EntsoeApi
from tests.fixtures.replay.server import ReplayServer


@pytest.fixture
def entsoe_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    with ReplayServer(EntsoeApi()) as server:
        monkeypatch.setenv("NEXUS_ENTSOE_BASE_URL", f"{server.url}/api")
        monkeypatch.setenv("NEXUS_ENTSOE_TOKEN", TOKEN)
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        yield server


def _prices(capsys: Any, day: str) -> list[dict[str, Any]]:
    code = main(
        ["collect", "--source", "entsoe", "--from", day, "--to", day, "--dry-run", "--format", "jsonl"]
    )
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [r for r in lines if r["series_id"] == "entsoe:DE_LU:day_ahead_price"]


def test_dry_run_prints_23_hourly_de_lu_prices_on_the_spring_dst_day(
    entsoe_env: ReplayServer, capsys: Any
) -> None:
    # When the DE-LU day-ahead prices of 2024-03-31 are collected dry
    prices = _prices(capsys, "2024-03-31")
    # Then 23 hourly values start at 2024-03-30T23:00Z, with the contract's field names
    assert len(prices) == 23
    assert prices[0]["interval_start_utc"] == "2024-03-30T23:00:00Z"
    assert {p["resolution"] for p in prices} == {"PT60M"}
    assert {p["unit"] for p in prices} == {"EUR/MWh"}


def test_dry_run_prints_25_values_on_the_autumn_dst_day(entsoe_env: ReplayServer, capsys: Any) -> None:
    assert len(_prices(capsys, "2024-10-27")) == 25


def test_dry_run_of_an_unconfigured_source_does_nothing(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.delenv("NEXUS_FRED_API_KEY", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert main(["collect", "--source", "fred", "--from", "2024-03-06", "--dry-run"]) == 0
    assert "not configured" in capsys.readouterr().err


def test_sources_lists_configured_and_not_configured(
    entsoe_env: ReplayServer, capsys: Any, tmp_path: Any
) -> None:
    assert main(["sources", "--format", "json", "--state-dir", str(tmp_path / "none")]) == 0
    rows = {r["source"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["entsoe"]["configured"] == "configured"
    assert rows["bloomberg"]["configured"] == "not configured"
