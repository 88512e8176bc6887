"""A 30-day backfill with 20 % of replayed responses failing (5xx, timeouts, 429, HTML pages).

The client's retries absorb most faults; a request that still fails (an exhausted retry budget,
or ENTSO-E's 429 ban, which stops the run on purpose) is retried in a later round, as the next
scheduled run would. In the end every day is collected exactly once: the same records as a
fault-free backfill, with no duplicate business keys.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from nexus_core.collector.base import FetchRequest, Window
from nexus_core.errors import SourceUnavailable
from tests.contract import (
    test_collector_eia,
    test_collector_entsoe,
    test_collector_fred,
    test_collector_lseg,
    test_collector_openmeteo,
)
from tests.contract.test_collector_contract import record_key, replay_client
from tests.fixtures.replay.server import ReplayServer

CASES: dict[str, Any] = {
    "entsoe": test_collector_entsoe.TestEntsoeContract,
    "openmeteo": test_collector_openmeteo.TestOpenMeteoContract,
    "fred": test_collector_fred.TestFredContract,
    "eia": test_collector_eia.TestEiaContract,
    "lseg": test_collector_lseg.TestLsegContract,
}
FIRST = date(2024, 3, 1)
DAYS = 30
ROUNDS = 6


def backfill(case: Any, fault_rate: float, seed: int = 3) -> tuple[list[Any], int, int]:
    """Collect DAYS days one by one; failed requests are retried in later rounds."""
    with ReplayServer(case.make_api(), fault_rate=fault_rate, seed=seed) as server:
        collector = case.make_collector(server.url, replay_client(case.source))
        pending: list[FetchRequest] = []
        for n in range(DAYS):
            day = FIRST + timedelta(days=n)
            pending.extend(collector.requests(Window.for_local_days(day, day, collector.publication_tz)))
        records: list[Any] = []
        for _ in range(ROUNDS):
            failed = []
            for request in pending:
                try:
                    records.extend(collector.parse(collector.fetch(request)))
                except SourceUnavailable:  # RateLimited included: stop, come back next round
                    failed.append(request)
            pending = failed
            if not pending:
                break
        return records, len(pending), server.faults_served


@pytest.mark.parametrize("source", sorted(CASES))
def test_backfill_with_20_percent_faults_collects_every_day_once(source: str) -> None:
    case = CASES[source]()
    # Given a clean backfill as the reference
    clean, _, _ = backfill(case, fault_rate=0.0)
    # When the same 30 days are backfilled while 20 % of the answers fail
    faulty, left_over, faults = backfill(case, fault_rate=0.2)
    # Then faults really happened, nothing is left pending, and no business key repeats
    assert faults > 0
    assert left_over == 0
    keys = [record_key(r) for r in faulty]
    assert len(keys) == len(set(keys))
    # And the records are exactly the clean ones (values, intervals, units)
    assert case.comparable(faulty) == case.comparable(clean)
    assert len(faulty) == len(clean)
