"""Data-quality rule set alone: one year of hourly day-ahead prices for 20 bidding zones.

Each batch is one CET delivery day (23/24/25 hours x 20 zones) judged with its window and the
trailing seven days of history, so completeness, revisions, drift and robust z-scores all run.
No I/O: the figure is the cost of the rules (`evaluate`) and of building histories from lake
rows (`history_from_rows`), in CPU seconds.
"""

from __future__ import annotations

import math
import time
from collections import deque
from datetime import date, timedelta
from typing import Any

from nexus_contracts.registries.areas import AREAS, AreaCode
from nexus_validator.quality import QualityContext, evaluate, history_from_rows
from nexus_validator.quality.calendar import day_bounds

ZONES = [code for code in AreaCode if code is not AreaCode.DE_AT_LU][:20]
FIRST_DAY = date(2023, 1, 1)
DAYS = 365
TRAILING_DAYS = 7


def day_batch(day: date) -> tuple[list[dict[str, Any]], tuple[Any, Any]]:
    """All zones' hourly prices for one local delivery day, with the day's UTC window."""
    start, end = day_bounds(day, "Europe/Brussels")
    hours = int((end - start).total_seconds() // 3600)
    published = (start - timedelta(hours=11)).isoformat()
    records = []
    for z, zone in enumerate(ZONES):
        for h in range(hours):
            t = start + timedelta(hours=h)
            value = 80 + 30 * math.sin(2 * math.pi * (h - 6) / 24) + 10 * math.sin(z + day.toordinal() / 7)
            records.append(
                {
                    "source": "sim",
                    "dataset": "day_ahead_price",
                    "series_id": f"sim:{zone.value}:day_ahead_price",
                    "area": zone.value,
                    "interval_start_utc": t.isoformat(),
                    "interval_end_utc": (t + timedelta(hours=1)).isoformat(),
                    "resolution": "PT60M",
                    "value": round(value, 2),
                    "unit": "EUR/MWh",
                    "publish_time_utc": published,
                    "quality": "measured",
                }
            )
    return records, (start, end)


def main() -> None:
    assert all(AREAS[z].valid_on(FIRST_DAY) for z in ZONES)
    batches = [day_batch(FIRST_DAY + timedelta(days=d)) for d in range(DAYS)]
    total = sum(len(b) for b, _ in batches)
    now = batches[-1][1][1] + timedelta(days=1)
    trailing: deque[list[dict[str, Any]]] = deque(maxlen=TRAILING_DAYS)
    t_hist = t_rules = 0.0
    rejected = alerts = 0
    for records, window in batches:
        t0 = time.process_time()
        history = history_from_rows(row for day in trailing for row in day)
        t1 = time.process_time()
        report = evaluate(records, QualityContext(now=now, history=history, window=window))
        t2 = time.process_time()
        t_hist += t1 - t0
        t_rules += t2 - t1
        rejected += len(report.rejections)
        alerts += len(report.alerts)
        trailing.append([o.model_dump() for o in report.accepted])
    print(
        f"observations: {total} ({len(ZONES)} zones x {DAYS} CET days hourly);"
        f" rejected {rejected}, alerts {alerts}"
    )
    print(
        f"rules (evaluate):   {total / t_rules:,.0f} obs/s CPU"
        f" ({t_rules:.2f} s, {1000 * t_rules / DAYS:.1f} ms/day)"
    )
    print(
        f"history from rows:  {t_hist:.2f} s CPU"
        f" ({1000 * t_hist / DAYS:.1f} ms/day, {TRAILING_DAYS}-day trailing)"
    )


if __name__ == "__main__":
    main()
