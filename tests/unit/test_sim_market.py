"""The simulated market: determinism per (seed, day), DST days, publish times and its economics."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from nexus_collector_sim.collector import SimCollector
from nexus_collector_sim.model import ZONES, simulate_day
from nexus_contracts import Dataset
from nexus_core.collector.base import FetchRequest, Window
from nexus_core.collector.kit import run_collection
from nexus_core.errors import NoDataYet


def _same(a: object, b: object) -> bool:
    return json.dumps(a, default=lambda x: x.tolist() if hasattr(x, "tolist") else str(x)) == json.dumps(
        b, default=lambda x: x.tolist() if hasattr(x, "tolist") else str(x)
    )


def test_a_day_depends_only_on_seed_and_day() -> None:
    # Given a day simulated alone, and again after simulating other days in another order
    alone = simulate_day(11, date(2024, 5, 3)).__dict__
    for d in (date(2024, 5, 2), date(2023, 1, 1), date(2024, 5, 4)):
        simulate_day(11, d)
    again = simulate_day(11, date(2024, 5, 3)).__dict__
    # Then the values are identical; another seed or another day gives other values
    assert _same(alone, again)
    assert not _same(alone["price"], simulate_day(12, date(2024, 5, 3)).price)
    assert not _same(alone["price"], simulate_day(11, date(2024, 5, 4)).price)


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2024, 3, 31), 23), (date(2024, 10, 27), 25), (date(2024, 6, 1), 24)]
)
def test_dst_days_have_23_or_25_hourly_values(day: date, hours: int) -> None:
    # When a DST change day is collected through the kit (no side effects)
    collector = SimCollector(7)
    window = Window.for_local_days(day, day, "Europe/Brussels")
    result = run_collection(collector, window, dry_run=True)
    # Then each zone has one price, temperature and wind value per local hour of that day
    for dataset in ("day_ahead_price", "temperature", "wind_speed"):
        assert result.per_dataset[dataset] == hours * len(ZONES)
    sim = simulate_day(7, day)
    assert len(sim.starts_utc) == hours
    assert sim.starts_utc[0] == window.start_utc
    assert sim.starts_utc[-1] + timedelta(hours=1) == window.end_utc


def test_prices_are_published_at_the_auction_and_weather_after_the_hour() -> None:
    day = date(2024, 3, 12)
    # Given a clock at 11:00 UTC (12:00 CET) on D-1: the auction for D is not out yet
    early = SimCollector(7, clock=lambda: datetime(2024, 3, 11, 11, 0, tzinfo=UTC))
    (price_req,) = [
        r
        for r in early.requests(Window.for_local_days(day, day, "Europe/Brussels"))
        if r.dataset is Dataset.DAY_AHEAD_PRICE
    ]
    with pytest.raises(NoDataYet):
        early.fetch(price_req)
    # When the clock passes 12:45 CET the whole day is there, stamped with that publish time
    late = SimCollector(7, clock=lambda: datetime(2024, 3, 11, 12, 0, tzinfo=UTC))
    observations = late.parse(late.fetch(price_req))
    assert len(observations) == 24 * len(ZONES)
    assert {o.publish_time_utc for o in observations} == {datetime(2024, 3, 11, 11, 45, tzinfo=UTC)}
    # And weather for D is not requested before D has ended
    noon = SimCollector(7, clock=lambda: datetime(2024, 3, 12, 12, 0, tzinfo=UTC))
    window = Window.for_local_days(day, day, "Europe/Brussels")
    assert Dataset.TEMPERATURE not in {r.dataset for r in noon.requests(window)}
    # And a fetch at noon only returns the hours that already ended and were published
    temp_req = FetchRequest(
        dataset=Dataset.TEMPERATURE, key="t", window=window, params={"day": day.isoformat()}
    )
    temps = noon.parse(noon.fetch(temp_req))
    assert all(o.publish_time_utc <= datetime(2024, 3, 12, 12, 0, tzinfo=UTC) for o in temps)
    assert len(temps) == 12 * len(ZONES)  # 23:00Z..10:00Z ended and published by 11:10Z
    after = SimCollector(7, clock=lambda: datetime(2024, 3, 13, 0, 0, tzinfo=UTC))
    assert Dataset.TEMPERATURE in {r.dataset for r in after.requests(window)}


def test_a_year_has_the_documented_economics() -> None:
    # Given one year of simulated days (seed 7)
    days = [date(2023, 1, 1) + timedelta(days=i) for i in range(365)]
    sims = [simulate_day(7, d) for d in days]
    prices = np.concatenate([s.price[z] for s in sims for z in ZONES])
    # Then there are spikes and negative hours, within the SDAC limits
    assert (prices < 0).sum() > 10
    assert (prices > 200).sum() > 5
    assert prices.min() >= -500
    assert prices.max() <= 4000
    # And a regression of the daily DE_LU mean price finds gas and carbon raising it and wind lowering it
    y = np.array([s.price["DE_LU"].mean() for s in sims])
    x = np.column_stack(
        [
            np.ones(len(sims)),
            [s.gas for s in sims],
            [s.carbon for s in sims],
            [s.wind["DE_LU"].mean() for s in sims],
            [np.maximum(0, 15 - s.temperature["DE_LU"]).mean() for s in sims],
        ]
    )
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    assert beta[1] > 0.5, beta
    assert beta[2] > 0, beta
    assert beta[3] < -1.0, beta
    assert beta[4] > 0, beta
    # And neighbouring zones are coupled
    de = np.concatenate([s.price["DE_LU"] for s in sims])
    nl = np.concatenate([s.price["NL"] for s in sims])
    assert np.corrcoef(de, nl)[0, 1] > 0.7


def test_macro_index_is_monthly_and_gas_carbon_daily() -> None:
    collector = SimCollector(7)
    window = Window.for_local_days(date(2024, 2, 10), date(2024, 2, 20), "Europe/Brussels")
    result = run_collection(collector, window, dry_run=True)
    assert result.per_dataset["gas_price"] == 11
    assert result.per_dataset["carbon_price"] == 11
    assert result.per_dataset["macro_index"] == 1
    (req,) = [r for r in collector.requests(window) if r.dataset is Dataset.MACRO_INDEX]
    (macro,) = collector.parse(collector.fetch(req))
    assert macro.interval_start_utc == datetime(2024, 1, 1, tzinfo=UTC)
    assert macro.interval_end_utc == datetime(2024, 2, 1, tzinfo=UTC)
    assert macro.source.value == "sim"
