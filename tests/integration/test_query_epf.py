"""Must-show: the real EPF DE prices through the validator, then daily_summary equals pandas.

DE.csv (../shared/data/epf, read in place) holds hourly day-ahead prices stamped in naive local
market time (CET/CEST), 24 rows every day: the dataset authors filled the hour that does not exist
on the spring-forward day (its value is the mean of its neighbours) and kept one 02:00 row on the
fall-back day. The loader sends one `observations.collected` event per week to the validator's
own message path (rules, LakeWriter merge, partition records). Loading drops the non-existent hour and maps the ambiguous 02:00 to its first
(summer-time) occurrence, so the spring day has its 23 real hours and the autumn day 24 of 25.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from nexus_contracts import (
    AreaCode,
    Dataset,
    Envelope,
    EventType,
    Observation,
    ObservationsCollected,
    Resolution,
    Source,
    Unit,
)
from nexus_core.metadata import MetadataRepository
from nexus_core.query.lake_ops import verify_partitions
from nexus_core.query.local import LocalQueryEngine
from nexus_validator.pipeline import ValidatorServices, process_message
from tests.integration.test_query_support import LakeEnv, lake_env  # noqa: F401

pytestmark = [pytest.mark.xdist_group("query_epf"), pytest.mark.slow]

BRUSSELS = ZoneInfo("Europe/Brussels")
SERIES = "entsoe:DE_AT_LU:day_ahead_price"
# Two four-week windows of the standard DE test period, around both DST changes of 2016.
WINDOWS = ((date(2016, 3, 14), date(2016, 4, 10)), (date(2016, 10, 17), date(2016, 11, 13)))


def in_windows(day: date) -> bool:
    return any(first <= day <= last for first, last in WINDOWS)


def to_utc(naive: datetime) -> datetime | None:
    """Local wall-clock time to UTC; None for a time the clock skipped (spring forward)."""
    local = naive.replace(tzinfo=BRUSSELS)  # fold=0: an ambiguous time is its first occurrence
    utc = local.astimezone(UTC)
    return utc if utc.astimezone(BRUSSELS).replace(tzinfo=None) == naive else None


def load_observations(path: Path) -> list[Observation]:
    """The DE price column of rows in WINDOWS as hourly observations with UTC intervals."""
    out: list[Observation] = []
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader)]
        price = header.index("Price")
        for row in reader:
            naive = datetime.fromisoformat(row[0])
            start = to_utc(naive)
            if not in_windows(naive.date()) or start is None:
                continue
            out.append(
                Observation(
                    source=Source.ENTSOE,
                    dataset=Dataset.DAY_AHEAD_PRICE,
                    series_id=SERIES,
                    area=AreaCode.DE_AT_LU,
                    interval_start_utc=start,
                    interval_end_utc=start + timedelta(hours=1),
                    resolution=Resolution.PT60M,
                    value=float(row[price]),
                    unit=Unit.EUR_MWH,
                    # The day-ahead auction publishes at noon (CET) of the day before delivery.
                    publish_time_utc=datetime.combine(
                        naive.date() - timedelta(days=1), datetime.min.time(), UTC
                    )
                    + timedelta(hours=11),
                )
            )
    return out


def pandas_daily(path: Path) -> pd.DataFrame:
    """Independent computation on the CSV: base and peak (08-20 local, Mon-Fri) per local day."""
    frame = pd.read_csv(path, index_col=0, parse_dates=True)
    frame.columns = frame.columns.str.strip()
    frame = frame[[in_windows(d) for d in frame.index.date]]
    real = frame.index.tz_localize(
        "Europe/Brussels", ambiguous=np.ones(len(frame), dtype=bool), nonexistent="NaT"
    )
    frame = frame[~real.isna()]
    idx = frame.index
    peak_mask = (idx.day_of_week < 5) & (idx.hour >= 8) & (idx.hour < 20)
    daily = pd.DataFrame(
        {
            "base": frame["Price"].groupby(idx.date).mean(),
            "peak": frame["Price"].where(peak_mask).groupby(idx.date).mean(),
            "hours": frame["Price"].groupby(idx.date).size(),
        }
    )
    daily.index = pd.Index([pd.Timestamp(d).date() for d in daily.index])
    return daily


def weekly_events(observations: list[Observation]) -> list[Envelope[ObservationsCollected]]:
    """observations.collected envelopes, one per run of 7 consecutive local days."""
    by_week: dict[date, list[Observation]] = defaultdict(list)
    for obs in observations:
        local_day = obs.interval_start_utc.astimezone(BRUSSELS).date()
        by_week[local_day - timedelta(days=local_day.weekday())].append(obs)
    events = []
    for monday, batch in sorted(by_week.items()):
        start = datetime.combine(monday, datetime.min.time(), BRUSSELS).astimezone(UTC)
        end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), BRUSSELS).astimezone(UTC)
        payload = ObservationsCollected(
            source=Source.ENTSOE,
            dataset=Dataset.DAY_AHEAD_PRICE,
            window_start_utc=start,
            window_end_utc=end,
            run_id=f"epf-de-{monday.isoformat()}",
            observations=tuple(batch),
        )
        events.append(
            Envelope[ObservationsCollected](
                event_type=EventType.OBSERVATIONS_COLLECTED, producer="epf-loader", payload=payload
            )
        )
    return events


@pytest.fixture(scope="module")
def loaded(lake_env: LakeEnv, shared_data: Path) -> LocalQueryEngine:  # noqa: F811
    services = ValidatorServices.from_settings(lake_env.settings)
    events = weekly_events(load_observations(shared_data / "epf" / "DE.csv"))
    outcomes = [process_message(event.model_dump_json(), services) for event in events]
    # Every real hour passes the rules: nothing is quarantined
    assert sum(o.quarantined for o in outcomes) == 0
    assert sum(o.accepted for o in outcomes) == sum(len(e.payload.observations or ()) for e in events)
    return LocalQueryEngine.from_settings(lake_env.settings)


def test_daily_summary_base_and_peak_equal_pandas_on_the_csv(
    loaded: LocalQueryEngine, shared_data: Path
) -> None:
    # Given eight weeks of real DE prices validated and written by the validator
    expected = pandas_daily(shared_data / "epf" / "DE.csv")
    # When daily_summary is queried from the lake
    result = loaded.execute(
        f"SELECT delivery_day, base, peak, mtu_count FROM daily_summary WHERE series_id = '{SERIES}' "  # noqa: S608
        "ORDER BY delivery_day"
    )
    got = pd.DataFrame(result.rows, columns=result.columns).set_index("delivery_day")
    # Then every local day is there and base/peak equal the independent computation
    assert list(got.index) == list(expected.index)
    assert len(got) == sum((last - first).days + 1 for first, last in WINDOWS)
    np.testing.assert_allclose(got["base"].to_numpy(), expected["base"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        got["peak"].to_numpy(dtype=float), expected["peak"].to_numpy(dtype=float), rtol=1e-12, equal_nan=True
    )
    assert (got["mtu_count"].to_numpy() == expected["hours"].to_numpy()).all()
    # And weekends have no peak
    assert got.loc[date(2016, 3, 19), "peak"] is None or np.isnan(got.loc[date(2016, 3, 19), "peak"])


def test_dst_days_of_the_real_series(loaded: LocalQueryEngine) -> None:
    # Given the loaded series, when the two DST days of 2016 are read
    result = loaded.execute(
        "SELECT delivery_day, mtu_count, expected_mtus, completeness FROM daily_summary "
        "WHERE delivery_day IN ('2016-03-27', '2016-03-28', '2016-10-30') ORDER BY delivery_day"
    )
    days = {r["delivery_day"]: r for r in result.records()}
    # Then the spring day has all its 23 hours; the autumn day misses the second 02:00 hour
    assert (days[date(2016, 3, 27)]["mtu_count"], days[date(2016, 3, 27)]["completeness"]) == (23, 1.0)
    assert days[date(2016, 3, 28)]["completeness"] == 1.0
    assert days[date(2016, 10, 30)]["expected_mtus"] == 25
    assert days[date(2016, 10, 30)]["completeness"] == pytest.approx(24 / 25)


def test_the_validators_partition_records_verify(loaded: LocalQueryEngine, lake_env: LakeEnv) -> None:  # noqa: F811
    # Given the partition records the validator wrote for the loaded files
    records = MetadataRepository(lake_env.settings).list_partitions(
        source="entsoe", dataset="day_ahead_price"
    )
    s3 = lake_env.client("s3")

    def read(key: str) -> bytes:
        return bytes(s3.get_object(Bucket=lake_env.settings.bucket, Key=key)["Body"].read())

    # When every file is checked against its record
    checked, mismatches = verify_partitions(records, read)
    # Then there is one record per lake file and every checksum matches
    assert checked == len(loaded.lake_files()) > 50
    assert mismatches == []
