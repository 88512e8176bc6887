"""The collector kit against real moto S3/SNS/DynamoDB: archive, publish, status, alerts, windows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

import pytest

from nexus_contracts import AreaCode, Dataset, Observation, Resolution, Source, Unit
from nexus_contracts.events import parse_event
from nexus_contracts.topology import COLLECTOR_SOURCES
from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window
from nexus_core.collector.kit import (
    KitServices,
    default_window,
    make_collector_handler,
    run_collection,
    window_from_event,
)
from nexus_core.errors import SourceSchemaChanged
from nexus_core.metadata import MetadataRepository
from tests.unit import test_core_moto
from tests.unit.test_core_moto import MotoEnv

moto_env = test_core_moto.moto_env


class FakeCollector(Collector):
    """Serves a JSON list of hourly values per dataset; `broken` makes parse fail."""

    source: ClassVar[Source] = Source.EIA
    publication_lead_days = 1
    publication_time = time(12, 45)

    def __init__(self, *, configured: bool = True, broken: bool = False) -> None:
        self.configured = configured
        self.broken = broken

    def is_configured(self) -> bool:
        return self.configured

    def requests(self, window: Window) -> Iterable[FetchRequest]:
        for dataset in (Dataset.TEMPERATURE, Dataset.WIND_SPEED):
            yield FetchRequest(
                dataset=dataset, key=f"{dataset.value}/{window.start_utc:%Y%m%d}", window=window
            )

    def fetch(self, request: FetchRequest) -> RawPayload:
        hours = int((request.window.end_utc - request.window.start_utc).total_seconds() // 3600)
        return RawPayload(
            request=request, body=json.dumps([1.0] * hours).encode(), content_type="application/json"
        )

    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        if self.broken:
            raise SourceSchemaChanged("field 'data' missing")
        start = raw.request.window.start_utc
        unit = Unit.DEG_C if raw.request.dataset is Dataset.TEMPERATURE else Unit.M_S
        return [
            Observation(
                source=Source.EIA,
                dataset=raw.request.dataset,
                series_id=f"eia:FR:{raw.request.dataset.value}",
                area=AreaCode.FR,
                interval_start_utc=start + timedelta(hours=h),
                interval_end_utc=start + timedelta(hours=h + 1),
                resolution=Resolution.PT60M,
                value=v,
                unit=unit,
                publish_time_utc=start + timedelta(hours=h + 1),
            )
            for h, v in enumerate(json.loads(raw.body))
        ]


def test_dst_days_have_23_and_25_hours() -> None:
    # Given the two DST change days of 2024 in Europe/Berlin
    spring = Window.for_local_days(date(2024, 3, 31), date(2024, 3, 31), "Europe/Berlin")
    autumn = Window.for_local_days(date(2024, 10, 27), date(2024, 10, 27), "Europe/Berlin")
    # Then their UTC windows last 23 and 25 hours
    assert spring.end_utc - spring.start_utc == timedelta(hours=23)
    assert autumn.end_utc - autumn.start_utc == timedelta(hours=25)
    assert spring.start_utc == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert autumn.local_days("Europe/Berlin") == [date(2024, 10, 27)]


def test_default_window_follows_publication_time() -> None:
    collector = FakeCollector()
    # Before 12:45 Brussels the latest published delivery day is today; after, tomorrow
    before = default_window(collector, datetime(2024, 3, 30, 11, 0, tzinfo=UTC))  # 12:00 CET
    after = default_window(collector, datetime(2024, 3, 30, 12, 0, tzinfo=UTC))  # 13:00 CET
    assert before.local_days("Europe/Brussels") == [date(2024, 3, 29), date(2024, 3, 30)]
    assert after.local_days("Europe/Brussels") == [date(2024, 3, 30), date(2024, 3, 31)]
    # And the window crossing the spring DST change lasts 24 + 23 hours
    assert after.end_utc - after.start_utc == timedelta(hours=47)


def test_handler_event_shapes() -> None:
    collector = FakeCollector()
    scheduled = {"source": "aws.events", "detail-type": "Scheduled Event", "time": "2024-10-26T13:00:00Z"}
    window, dry = window_from_event(collector, scheduled)
    assert window.local_days("Europe/Brussels") == [date(2024, 10, 26), date(2024, 10, 27)]
    assert not dry
    window, dry = window_from_event(collector, {"from": "2024-10-27", "to": "2024-10-27", "dry_run": True})
    assert window.end_utc - window.start_utc == timedelta(hours=25)
    assert dry


def test_run_archives_publishes_and_records_success(moto_env: MotoEnv) -> None:
    services = KitServices.from_settings(moto_env.settings)
    window = Window.for_local_days(date(2024, 3, 31), date(2024, 3, 31), "Europe/Brussels")
    moto_env.drain("observations")
    # When a healthy collector runs over the spring-forward day
    result = run_collection(FakeCollector(), window, services=services)
    # Then each raw payload is archived under landing/raw/<source>/<day>/<key>-<sha8>
    assert result.status == "ok"
    assert result.requests == 2
    assert result.observations == 46
    assert all(k.startswith("landing/raw/eia/") for k in result.raw_keys)
    s3 = moto_env.client("s3")
    body = s3.get_object(Bucket=moto_env.settings.bucket, Key=result.raw_keys[0])["Body"].read()
    assert json.loads(body) == [1.0] * 23
    # And one event per dataset was published with its attributes
    notes = moto_env.drain("observations")
    datasets = sorted(n["MessageAttributes"]["dataset"]["Value"] for n in notes)
    assert datasets == ["temperature", "wind_speed"]
    events = [parse_event(n["Message"]) for n in notes]
    assert {len(e.payload.observations) for e in events} == {23}
    assert len({e.correlation_id for e in events}) == 1
    status = MetadataRepository(moto_env.settings).get_source_status("eia")
    assert status is not None
    assert status.consecutive_failures == 0
    assert status.last_success is not None


def test_dry_run_has_no_side_effects(moto_env: MotoEnv) -> None:
    window = Window.for_local_days(date(2024, 4, 1), date(2024, 4, 1), "Europe/Brussels")
    moto_env.drain("observations")
    result = run_collection(
        FakeCollector(), window, dry_run=True, services=KitServices.from_settings(moto_env.settings)
    )
    assert result.observations == 48
    assert result.events == 0
    assert result.raw_keys == []
    assert moto_env.drain("observations") == []


def test_three_failures_raise_one_critical_alert(moto_env: MotoEnv) -> None:
    services = KitServices.from_settings(moto_env.settings)
    window = Window.for_local_days(date(2024, 4, 2), date(2024, 4, 2), "Europe/Brussels")
    moto_env.drain("alerts")
    now = datetime(2024, 4, 3, 6, tzinfo=UTC)
    # When a collector whose parser is broken runs four times
    results = [
        run_collection(FakeCollector(broken=True), window, services=services, now=now) for _ in range(4)
    ]
    # Then each run fails, yet its raw payloads were archived before parsing
    assert {r.status for r in results} == {"failed"}
    assert all(len(r.raw_keys) == 2 for r in results)
    assert "SourceSchemaChanged" in results[0].errors[0]
    # And the third and fourth failures produced a single critical alert (deduplicated per day)
    notes = moto_env.drain("alerts")
    assert len(notes) == 1
    assert notes[0]["MessageAttributes"]["severity"]["Value"] == "critical"
    status = MetadataRepository(moto_env.settings).get_source_status("eia")
    assert status is not None
    assert status.consecutive_failures == 4
    # And a success resets the counter
    run_collection(FakeCollector(), window, services=services, now=now)
    status = MetadataRepository(moto_env.settings).get_source_status("eia")
    assert status is not None
    assert status.consecutive_failures == 0


def test_not_configured_is_skipped(moto_env: MotoEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "NEXUS_BUCKET": moto_env.settings.bucket,
        "NEXUS_TABLE": moto_env.settings.table,
        "NEXUS_OBSERVATIONS_TOPIC_ARN": moto_env.settings.observations_topic_arn,
        "NEXUS_ALERTS_TOPIC_ARN": moto_env.settings.alerts_topic_arn,
    }.items():
        monkeypatch.setenv(key, value)
    from nexus_core.settings import get_settings

    get_settings.cache_clear()
    try:
        handler = make_collector_handler(lambda: FakeCollector(configured=False))
        summary = handler({"from": "2024-04-05", "to": "2024-04-05"}, None)
    finally:
        get_settings.cache_clear()
    assert summary["status"] == "not configured"
    assert summary["observations"] == 0
    assert json.loads(json.dumps(summary)) == summary
    status = MetadataRepository(moto_env.settings).get_source_status("eia")
    assert status is not None
    assert status.configured is False


# -- cold start -----------------------------------------------------------------------------

# What a handler's cold import must leave to the first invocation (each is tens to hundreds of ms).
DEFERRED = (
    "boto3",
    "botocore",
    "urllib3",
    "numpy",
    "aws_lambda_powertools",
    "nexus_contracts.events",
    "nexus_contracts.analysis",
    "nexus_core.metadata",
    "nexus_core.publisher",
)
LOADED = (
    "import importlib, json, sys\n"
    "importlib.import_module(sys.argv[1])\n"
    "print(json.dumps(sorted(m for m in sys.argv[2:] if m in sys.modules)))\n"
)


def _fresh_python(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("source", COLLECTOR_SOURCES)
def test_handler_cold_import_leaves_the_run_s_dependencies_to_the_first_call(source: str) -> None:
    # When a fresh interpreter imports a collector's Lambda handler module
    loaded = json.loads(_fresh_python(LOADED, f"nexus_collector_{source}.handler", *DEFERRED))
    # Then none of the AWS, HTTP, numpy, Powertools or event-model modules came with it
    assert loaded == []


def test_a_cold_handler_loads_what_it_deferred_and_publishes(moto_env: MotoEnv) -> None:
    # Given a fresh interpreter pointed at the moto stack (nothing preloaded by this test process)
    settings = moto_env.settings
    env = {
        "AWS_ENDPOINT_URL": moto_env.endpoint,
        "NEXUS_BUCKET": settings.bucket,
        "NEXUS_TABLE": settings.table,
        "NEXUS_OBSERVATIONS_TOPIC_ARN": settings.observations_topic_arn,
        "NEXUS_ALERTS_TOPIC_ARN": settings.alerts_topic_arn,
    }
    moto_env.drain("observations")
    # When the sim handler is imported and invoked once for one delivery day
    code = (
        "import json, sys\n"
        "from nexus_collector_sim.handler import handler\n"
        "print(json.dumps(handler({'from': '2024-03-06', 'to': '2024-03-06'}, None)))\n"
    )
    summary = json.loads(_fresh_python(code, env=env))
    # Then the run archived, published one event per dataset and recorded its status
    assert summary["status"] == "ok"
    notes = moto_env.drain("observations")
    assert len(notes) == summary["events"] == len(summary["datasets"])
    status = MetadataRepository(settings).get_source_status("sim")
    assert status is not None
    assert status.last_success is not None
