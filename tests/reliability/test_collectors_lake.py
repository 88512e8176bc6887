"""End to end through the local runtime: a 30-day ENTSO-E backfill with 20 % of the replayed
answers failing lands in the lake once per hour, with no duplicate (series_id, interval) keys.

The collector Lambda runs with its production HTTP client (real backoff, the 429 ban stops a
run); a day whose run failed is invoked again, as the next schedule would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from nexus_core.lake import LakeReader
from nexus_core.settings import get_settings
from nexus_local.runtime import LocalRuntime
from tests.fixtures.replay.entsoe_api import TOKEN, EntsoeApi
from tests.fixtures.replay.server import ReplayServer

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("local-runtime")]

FIRST, DAYS, ROUNDS = date(2024, 3, 1), 30, 8


@pytest.fixture
def runtime(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalRuntime]:
    with ReplayServer(EntsoeApi(), fault_rate=0.2, seed=11) as server:
        for name, value in {
            "NEXUS_ENTSOE_BASE_URL": f"{server.url}/api",
            "NEXUS_ENTSOE_TOKEN": TOKEN,
            "NEXUS_ENTSOE_AREAS": "DE_LU",
            "NEXUS_ENTSOE_DOCUMENTS": "A44",
            "NEXUS_ENTSOE_TIMEOUT_S": "0.5",
        }.items():
            monkeypatch.setenv(name, value)
        rt = LocalRuntime(state_dir=tmp_path_factory.mktemp("collect-state"), persist=False)
        rt.start()
        rt.wait_ready()
        rt.replay = server  # type: ignore[attr-defined]
        try:
            yield rt
        finally:
            rt.stop()


def test_faulty_30_day_backfill_lands_every_hour_once(runtime: LocalRuntime) -> None:
    # Given 30 DE-LU days to collect while 20 % of the answers fail
    pending = [FIRST + timedelta(days=n) for n in range(DAYS)]
    # When each day is invoked, and failed days again in later rounds
    for _ in range(ROUNDS):
        summaries = {d: runtime.invoke("collector-entsoe", {"from": str(d), "to": str(d)}) for d in pending}
        pending = [d for d, s in summaries.items() if s["status"] != "ok"]
        if not pending:
            break
    assert runtime.wait_idle(timeout=300)
    assert runtime.replay.faults_served > 0  # type: ignore[attr-defined]
    assert pending == []
    # Then the lake holds 24 hourly prices for every day (720) and no key twice
    table = LakeReader(get_settings()).read(
        start=FIRST - timedelta(days=1),
        end=FIRST + timedelta(days=DAYS),
        source="entsoe",
        dataset="day_ahead_price",
    )
    keys = list(
        zip(
            table.column("series_id").to_pylist(), table.column("interval_start_utc").to_pylist(), strict=True
        )
    )
    assert len(keys) == DAYS * 24
    assert max(Counter(keys).values()) == 1
