"""Daily and weekly observations served from the partition records' daily statistics.

On the shared seeded stack (a real moto server), lake files and records are written the way the
validator writes them (`LakeWriter.merge_write` then `PartitionRecord.from_write`), each test in
its own (source, dataset). The API is the real resolver over a fresh `AwsRepository`; S3 reads
are counted with a botocore event hook on the repository's own client.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from nexus_api.adapters.aws import AwsRepository
from nexus_api.app import build_app
from nexus_api.logic.resample import Resolution, resample
from nexus_api.settings import ApiSettings
from nexus_contracts import AreaCode, Dataset, Observation, Source, Unit
from nexus_contracts import Resolution as ObsResolution
from nexus_core.lake import LakeWriter, PartitionWrite
from nexus_core.metadata import MetadataRepository, PartitionRecord
from tests.integration.test_api_events import ANALYST, Context, event
from tests.integration.test_api_http import stack

pytestmark = pytest.mark.xdist_group("api-stack")

BERLIN = ZoneInfo("Europe/Berlin")


def hourly(
    source: Source,
    dataset: Dataset,
    area: AreaCode,
    unit: Unit,
    start: datetime,
    end: datetime,
    published: datetime,
) -> list[Observation]:
    """Hourly observations of one series over [start, end) with seeded random values."""
    rng = random.Random(f"{source}{dataset}{start}")
    hours = int((end - start).total_seconds() // 3600)
    return [
        Observation(
            source=source,
            dataset=dataset,
            series_id=f"{source.value}:{area.value}:{dataset.value}",
            area=area,
            interval_start_utc=start + timedelta(hours=h),
            interval_end_utc=start + timedelta(hours=h + 1),
            resolution=ObsResolution.PT60M,
            value=round(40 + 60 * rng.random(), 3),
            unit=unit,
            publish_time_utc=published,
        )
        for h in range(hours)
    ]


def deliver(
    observations: list[Observation], *, legacy_days: frozenset[date] = frozenset()
) -> list[PartitionWrite]:
    """Merge into the lake and record each touched partition as the validator does.

    Records of `legacy_days` are stored without statistics, as before they existed.
    """
    with stack().env():
        settings = stack().settings()
        table = boto3.resource("dynamodb", region_name=settings.region).Table(settings.table)
        meta = MetadataRepository(settings, table=table)
        writes = LakeWriter(settings).merge_write(observations)
        for write in writes:
            record = PartitionRecord.from_write(write, datetime.now(UTC))
            assert record.daily_stats is not None
            if write.day in legacy_days:
                record = record.model_copy(update={"daily_stats": None})
            meta.put_partition(record)
    return writes


def api(ttl_s: float = 60.0) -> tuple[AwsRepository, APIGatewayRestResolver]:
    """A fresh repository (empty caches) and the real resolver over it."""
    with stack().env():
        repo = AwsRepository(stack().settings(), endpoint_url=stack().endpoint, catalog_ttl_s=ttl_s)
        return repo, build_app(repo, ApiSettings())


def get(app: APIGatewayRestResolver, series: str, start: date, end: date, resolution: str) -> dict[str, Any]:
    query = {"from": str(start), "to": str(end), "resolution": resolution}
    response = app.resolve(event("GET", f"/series/{series}/observations", query, claims=ANALYST), Context())  # type: ignore[arg-type]
    assert response["statusCode"] == 200, response["body"]
    headers = response.get("headers") or {}
    etag = headers.get("ETag") or (response.get("multiValueHeaders") or {}).get("ETag", [None])[0]
    body: dict[str, Any] = json.loads(response["body"])
    return body | {"etag": etag}


@contextmanager
def s3_reads(repo: AwsRepository) -> Iterator[list[str]]:
    """Keys of every S3 GetObject the repository's client makes inside the block."""
    keys: list[str] = []

    def count(params: dict[str, Any], **_: Any) -> None:
        keys.append(params["Key"])

    repo.s3.meta.events.register("before-parameter-build.s3.GetObject", count)
    try:
        yield keys
    finally:
        repo.s3.meta.events.unregister("before-parameter-build.s3.GetObject", count)


def assert_daily_and_weekly_equal_resampled_raw(
    app: APIGatewayRestResolver, series: str, start: date, end: date
) -> dict[str, list[dict[str, Any]]]:
    """P1D and P1W as served equal `resample` of the raw points served for the same range."""
    raw = get(app, series, start, end, "raw")["points"]
    pairs = [(datetime.fromisoformat(p["t"]).timestamp(), p["v"]) for p in raw]
    served: dict[str, list[dict[str, Any]]] = {}
    for resolution in (Resolution.DAY, Resolution.WEEK):
        points = get(app, series, start, end, resolution.value)["points"]
        expected = resample(pairs, resolution)
        assert [(datetime.fromisoformat(p["t"]), p["n"]) for p in points] == [
            (e.start, e.count) for e in expected
        ]
        assert [p["v"] for p in points] == pytest.approx([e.value for e in expected], rel=1e-12, abs=0)
        served[resolution.value] = points
    return served


def test_dst_week_daily_and_weekly_means_come_from_the_stats_without_s3_reads():
    # Given Europe/Berlin delivery days 2024-03-25..2024-04-07 (spring forward on 2024-03-31),
    # each delivered on its own, so UTC day files are merged from two local days
    series = "entsoe:DE_LU:day_ahead_price"
    published = datetime(2024, 3, 20, 12, tzinfo=UTC)
    for offset in range(14):
        local = date(2024, 3, 25) + timedelta(days=offset)
        start = datetime.combine(local, datetime.min.time(), BERLIN).astimezone(UTC)
        end = datetime.combine(local + timedelta(days=1), datetime.min.time(), BERLIN).astimezone(UTC)
        deliver(
            hourly(
                Source.ENTSOE, Dataset.DAY_AHEAD_PRICE, AreaCode.DE_LU, Unit.EUR_MWH, start, end, published
            )
        )
    repo, app = api()
    first, last = date(2024, 3, 24), date(2024, 4, 7)
    repo.series_catalog()  # the catalog (cached for a minute) reads its first and last day files
    # When daily and weekly means of the whole range are requested
    with s3_reads(repo) as keys:
        daily = get(app, series, first, last, "P1D")["points"]
        weekly = get(app, series, first, last, "P1W")["points"]
    # Then no day file was read
    assert keys == []
    # And the UTC buckets hold every interval: 2024-03-24T23:00Z opens the first local day,
    # 2024-03-31 has 24 UTC hours, ISO weeks start on Monday 00:00 UTC
    assert daily[0]["t"].startswith("2024-03-24")
    assert daily[0]["n"] == 1
    assert {p["n"] for p in daily[1:-1]} == {24}
    assert daily[-1]["t"].startswith("2024-04-07")
    assert daily[-1]["n"] == 22
    assert [(p["t"][:10], p["n"]) for p in weekly] == [
        ("2024-03-18", 1),
        ("2024-03-25", 168),
        ("2024-04-01", 166),
    ]
    # And both equal the resample of the raw points, which the day files serve
    with s3_reads(repo) as keys:
        served = assert_daily_and_weekly_equal_resampled_raw(app, series, first, last)
    assert len(keys) == 15 - 2  # 15 UTC day files; the catalog already read the first and last
    assert (served["P1D"], served["P1W"]) == (daily, weekly)


def test_a_revised_day_changes_the_daily_mean_the_etag_and_the_data_version():
    # Given one UTC day of actual load published at 06:00
    series = "entsoe:FR:actual_load"
    first, day, last = date(2024, 5, 13), date(2024, 5, 14), date(2024, 5, 15)
    start = datetime.combine(first, datetime.min.time(), UTC)
    delivered = hourly(
        Source.ENTSOE, Dataset.ACTUAL_LOAD, AreaCode.FR, Unit.MW, start, start + timedelta(days=3), start
    )
    deliver(delivered)
    repo, app = api()
    before = get(app, series, first, last, "P1D")
    info = next(s for s in repo.series_catalog() if s.series_id == series)
    version = repo.data_version(info, first, last)
    # When a later vintage raises 2024-05-14's hours 8..11 by 50 MW
    revised = [
        o.model_copy(update={"value": o.value + 50.0, "publish_time_utc": start + timedelta(days=2)})
        for o in delivered[24 + 8 : 24 + 12]
    ]
    (write,) = deliver(revised)
    assert (write.day, write.revised, write.written) == (day, 4, True)
    # Then, once the API's minute of metadata caching is over (a fresh repository here), that
    # day's mean follows the revision, read from the new statistics without S3 (the catalog
    # read only the first and last day files)
    repo, app = api()
    repo.series_catalog()
    with s3_reads(repo) as keys:
        after = get(app, series, first, last, "P1D")
    assert keys == []
    assert [p["n"] for p in after["points"]] == [p["n"] for p in before["points"]] == [24, 24, 24]
    assert after["points"][1]["v"] == pytest.approx(before["points"][1]["v"] + 4 * 50.0 / 24, rel=1e-12)
    assert [after["points"][i] for i in (0, 2)] == [before["points"][i] for i in (0, 2)]
    # And the ETag and the data version changed with the rewritten partition
    assert after["etag"] != before["etag"]
    assert repo.data_version(info, first, last) != version
    # And daily and weekly equal the resample of the revised raw points
    served = assert_daily_and_weekly_equal_resampled_raw(app, series, first, last)
    assert served["P1D"] == after["points"]


def test_records_without_stats_still_answer_from_their_day_files():
    # Given two weeks of temperature where the records of odd days predate the statistics
    series = "openmeteo:DE_LU:temperature"
    first, last = date(2024, 6, 3), date(2024, 6, 16)
    start = datetime.combine(first, datetime.min.time(), UTC)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
    legacy = frozenset(first + timedelta(days=d) for d in range(1, 14, 2))
    writes = deliver(
        hourly(Source.OPENMETEO, Dataset.TEMPERATURE, AreaCode.DE_LU, Unit.DEG_C, start, end, start),
        legacy_days=legacy,
    )
    repo, app = api()
    repo.series_catalog()
    # When daily means are requested
    with s3_reads(repo) as keys:
        daily = get(app, series, first, last, "P1D")["points"]
    # Then every day answers with its 24 hours, and only the older records' day files were read
    assert [(p["t"][:10], p["n"]) for p in daily] == [(str(first + timedelta(days=d)), 24) for d in range(14)]
    legacy_keys = {w.key for w in writes if w.day in legacy}
    assert keys
    assert set(keys) <= legacy_keys
    # And daily and weekly means over the mixed records equal the resample of the raw points
    assert_daily_and_weekly_equal_resampled_raw(app, series, first, last)
