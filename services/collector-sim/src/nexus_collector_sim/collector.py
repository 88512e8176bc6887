"""The simulated market as a Collector: one request per (local delivery day, dataset).

`fetch` renders the day's values as JSON (the "raw payload" the kit archives); `parse` turns it
into Observations. Values whose publish time is after the fetch time are withheld, as a real
source would not have them yet; a day with nothing published yet raises NoDataYet.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from nexus_collector_sim.zones import TZ, ZONES
from nexus_contracts import Dataset, Observation, Quality, Source, Unit
from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window
from nexus_core.errors import NoDataYet

# numpy (the model) and pydantic-settings come with the first fetch / from_settings call, not
# with the handler's cold import.
if TYPE_CHECKING:
    from nexus_collector_sim.model import SimDay

DATASETS = (
    Dataset.DAY_AHEAD_PRICE,
    Dataset.TEMPERATURE,
    Dataset.WIND_SPEED,
    Dataset.GAS_PRICE,
    Dataset.CARBON_PRICE,
    Dataset.MACRO_INDEX,
)
HOUR = timedelta(hours=1)
# When a real market would publish: SDAC results D-1 12:45 CET; weather 10 min after the hour
# it measures; gas and carbon settlements at 18:30 and 19:00 on the day; the macro index on
# the 15th at 10:00 for the previous month.
AUCTION = time(12, 45)
GAS_SETTLEMENT, CARBON_SETTLEMENT, MACRO_RELEASE = time(18, 30), time(19, 0), time(10, 0)
WEATHER_DELAY = timedelta(minutes=10)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, TZ).astimezone(UTC)


def _obs(
    dataset: Dataset, name: str, start: datetime, end: datetime, area: str | None = None, **kw: Any
) -> dict[str, Any]:
    # Zones are areas; hubs and indices are locations, tied to the area whose calendar they use.
    zone = name if name in ZONES else None
    return {
        "source": "sim",
        "dataset": dataset.value,
        "series_id": f"sim:{name}:{dataset.value}",
        "area": zone or area,
        "location": None if zone else name,
        "interval_start_utc": start.isoformat(),
        "interval_end_utc": end.isoformat(),
        **kw,
    }


def day_records(sim: SimDay, dataset: Dataset) -> list[dict[str, Any]]:
    """The JSON records of one dataset of one simulated day (all vintages, unfiltered)."""
    day = sim.day
    day_start, day_end = _local(day, time(0)), _local(day + timedelta(days=1), time(0))
    hourly = {
        Dataset.DAY_AHEAD_PRICE: (sim.price, Unit.EUR_MWH),
        Dataset.TEMPERATURE: (sim.temperature, Unit.DEG_C),
        Dataset.WIND_SPEED: (sim.wind, Unit.M_S),
    }
    if dataset in hourly:
        values, unit = hourly[dataset]
        out = []
        for zone in ZONES:
            for i, start in enumerate(sim.starts_utc):
                published = (
                    _local(day - timedelta(days=1), AUCTION)
                    if dataset is Dataset.DAY_AHEAD_PRICE
                    else start + HOUR + WEATHER_DELAY
                )
                out.append(
                    _obs(
                        dataset,
                        zone,
                        start,
                        start + HOUR,
                        resolution="PT60M",
                        value=float(values[zone][i]),
                        unit=unit.value,
                        publish_time_utc=published.isoformat(),
                        quality="measured",
                    )
                )
        return out
    if dataset is Dataset.GAS_PRICE:
        return [
            _obs(
                dataset,
                "TTF",
                day_start,
                day_end,
                "NL",
                resolution="P1D",
                value=sim.gas,
                unit=Unit.EUR_MWH.value,
                publish_time_utc=_local(day, GAS_SETTLEMENT).isoformat(),
                quality="measured",
            )
        ]
    if dataset is Dataset.CARBON_PRICE:
        return [
            _obs(
                dataset,
                "EUA",
                day_start,
                day_end,
                "DE_LU",
                resolution="P1D",
                value=sim.carbon,
                unit=Unit.EUR_T.value,
                publish_time_utc=_local(day, CARBON_SETTLEMENT).isoformat(),
                quality="measured",
            )
        ]
    if dataset is Dataset.MACRO_INDEX and sim.macro is not None:
        month = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
        return [
            _obs(
                dataset,
                "EU_ACTIVITY",
                # A location without an area keeps UTC calendar periods.
                datetime.combine(month, time(0), UTC),
                datetime.combine(day.replace(day=1), time(0), UTC),
                resolution="P1M",
                value=sim.macro,
                unit=Unit.INDEX.value,
                publish_time_utc=_local(day, MACRO_RELEASE).isoformat(),
                quality=Quality.PROVISIONAL.value,
            )
        ]
    return []


class SimCollector(Collector):
    """The embedded default source; always configured, deterministic for (seed, day)."""

    source: ClassVar[Source] = Source.SIM
    publication_tz: ClassVar[str] = "Europe/Brussels"
    # The day-ahead auction makes tomorrow the latest published delivery day after 12:45.
    publication_lead_days: ClassVar[int] = 1
    publication_time: ClassVar[time] = AUCTION
    refetch_days: ClassVar[int] = 2

    def __init__(self, seed: int, *, clock: Callable[[], datetime] | None = None) -> None:
        self.seed = seed
        self.clock = clock or (lambda: datetime.now(UTC))

    @classmethod
    def from_settings(cls) -> SimCollector:
        from nexus_core.settings import get_settings

        return cls(get_settings().sim_seed)

    def is_configured(self) -> bool:
        return True

    def requests(self, window: Window) -> Iterable[FetchRequest]:
        now = self.clock()
        for day in window.local_days(self.publication_tz):
            # Measured weather is requested once its day has ended, so a morning run does not
            # deliver a partial day that the completeness rule would flag; refetch_days picks
            # the day up on the next run.
            weather_done = _local(day + timedelta(days=1), time(0)) + WEATHER_DELAY <= now
            for dataset in DATASETS:
                if dataset is Dataset.MACRO_INDEX and day.day != 15:
                    continue
                if dataset in (Dataset.TEMPERATURE, Dataset.WIND_SPEED) and not weather_done:
                    continue
                yield FetchRequest(
                    dataset=dataset,
                    key=f"{day.isoformat()}/{dataset.value}",
                    window=window,
                    params={"day": day.isoformat(), "seed": self.seed},
                )

    def fetch(self, request: FetchRequest) -> RawPayload:
        from nexus_collector_sim.model import simulate_day

        day = date.fromisoformat(request.params["day"])
        now = self.clock()
        records = [
            r
            for r in day_records(simulate_day(self.seed, day), request.dataset)
            if datetime.fromisoformat(r["publish_time_utc"]) <= now
        ]
        if not records:
            raise NoDataYet(f"sim {request.dataset.value} for {day} is not published yet")
        body = json.dumps({"seed": self.seed, "day": day.isoformat(), "records": records}, sort_keys=True)
        return RawPayload(
            request=request, body=body.encode(), content_type="application/json", fetched_at=now
        )

    def parse(self, raw: RawPayload) -> Sequence[Observation]:
        data = json.loads(raw.body)
        return [Observation.model_validate(r) for r in data["records"]]
