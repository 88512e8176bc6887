"""ENTSO-E collector: the contract suite plus the source's own quirks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from nexus_collector_entsoe.collector import EntsoeCollector, EntsoeSettings
from nexus_core.collector.base import Collector
from nexus_core.errors import RateLimited
from nexus_core.http import HttpClient
from tests.contract.test_collector_contract import CollectorContract, collect, replay_client
from tests.fixtures.replay.entsoe_api import TOKEN, EntsoeApi
from tests.fixtures.replay.server import Handler, ReplayServer, rate_limited

PRICE = "entsoe:DE_LU:day_ahead_price"
LOAD = "entsoe:DE_LU:actual_load"


class TestEntsoeContract(CollectorContract):
    source = "entsoe"
    retries_429 = False
    day_counts = {
        (date(2024, 3, 31), PRICE): 23,
        (date(2024, 10, 27), PRICE): 25,
        (date(2024, 3, 31), LOAD): 92,
        (date(2024, 10, 27), LOAD): 100,
        (date(2025, 10, 1), PRICE): 96,
    }

    def make_api(self, **options: Any) -> Handler:
        return EntsoeApi(**options)

    def empty_api(self) -> Handler:
        return EntsoeApi(published_until=date(2000, 1, 1))

    def broken_api(self) -> Handler:
        return EntsoeApi(drop="resolution")

    def make_collector(self, base_url: str, http: HttpClient, *, valid_credentials: bool = True) -> Collector:
        settings = EntsoeSettings(base_url=f"{base_url}/api", areas="DE_LU,FR", documents="A44,A65")
        return EntsoeCollector(settings, http, token=TOKEN if valid_credentials else "revoked-token")


@pytest.fixture
def entsoe() -> Any:
    with ReplayServer(EntsoeApi()) as server:
        yield (
            server,
            EntsoeCollector(
                EntsoeSettings(base_url=f"{server.url}/api", areas="DE_LU", documents="A44"),
                replay_client("entsoe"),
                token=TOKEN,
            ),
        )


def test_spring_dst_day_starts_at_2300z_the_day_before(entsoe: Any) -> None:
    # Given the DE-LU prices of 2024-03-31; When collected
    _, collector = entsoe
    records = collect(collector, date(2024, 3, 31), date(2024, 3, 31))
    # Then the 23 hours run from 2024-03-30T23:00Z to 2024-03-31T22:00Z
    assert records[0].interval_start_utc == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert records[-1].interval_end_utc == datetime(2024, 3, 31, 22, tzinfo=UTC)


def test_request_is_padded_by_a_day_and_names_the_sdac_sequence(entsoe: Any) -> None:
    server, collector = entsoe
    collect(collector, date(2024, 3, 31), date(2024, 3, 31))
    sent = server.log[-1]
    # Then the query covers the day plus one day each side, in UTC yyyyMMddHHmm
    assert sent.arg("periodStart") == "202403292300"
    assert sent.arg("periodEnd") == "202404012200"
    assert sent.arg("classificationSequence_AttributeInstanceComponent.position") == "1"


def test_a03_omitted_positions_repeat_the_previous_value(entsoe: Any) -> None:
    server, collector = entsoe
    records = collect(collector, date(2024, 3, 6), date(2024, 3, 6))
    body_points = server.log[-1]  # the fake omits repeated values; the parser restores every hour
    assert body_points
    assert len(records) == 24
    assert len({r.interval_start_utc for r in records}) == 24


def test_429_stops_the_run_with_rate_limited(entsoe: Any) -> None:
    server, collector = entsoe
    server.fail_next(rate_limited("600"))
    with pytest.raises(RateLimited):
        collect(collector, date(2024, 3, 6), date(2024, 3, 6))
    # Then exactly one request was sent: no tight retry loop against a ban
    assert len(server.log) == 1


def test_zip_answer_from_the_fallback_host_is_unpacked(entsoe: Any) -> None:
    import io
    import zipfile

    server, collector = entsoe
    inner = EntsoeApi()
    plain = collect(collector, date(2024, 3, 6), date(2024, 3, 6))

    def zipped(request: Any) -> Any:
        reply = inner(request)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("document.xml", reply.body)
        reply.body, reply.headers = buffer.getvalue(), {"Content-Type": "application/zip"}
        return reply

    server.handler = zipped
    assert collect(collector, date(2024, 3, 6), date(2024, 3, 6)) == plain


def test_acknowledgement_with_http_400_no_matching_data_is_empty(entsoe: Any) -> None:
    from tests.fixtures.replay.entsoe_api import acknowledgement
    from tests.fixtures.replay.server import Reply

    server, collector = entsoe
    text = "No matching data found for Data item ENERGY_PRICES [12.1.D]"
    server.fail_next(Reply(400, acknowledgement(text), {"Content-Type": "text/xml"}))
    # Then the older server behaviour (400 + acknowledgement) also reads as "nothing yet"
    assert collect(collector, date(2024, 3, 6), date(2024, 3, 6)) == []


def test_other_acknowledgements_are_refusals_not_empty_days(entsoe: Any) -> None:
    from nexus_core.errors import ContractViolation
    from tests.fixtures.replay.entsoe_api import acknowledgement
    from tests.fixtures.replay.server import Reply

    server, collector = entsoe
    text = "The amount of requested data exceeds allowed limit."
    server.fail_next(Reply(200, acknowledgement(text), {"Content-Type": "text/xml"}))
    with pytest.raises(ContractViolation, match="exceeds allowed limit"):
        collect(collector, date(2024, 3, 6), date(2024, 3, 6))
