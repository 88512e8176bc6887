"""The lake's SQL surface, written once in the DuckDB dialect.

`raw_observations` is the Parquet lake itself (columns of OBSERVATION_SCHEMA plus the Hive
partition columns year, month, day of the UTC day of interval_start_utc). The two views below are
registered locally in DuckDB as they are, and transpiled to the Athena (Trino) dialect by
`nexus_core.query.dialect`. The only construct the two engines spell differently is turning a
local calendar day into its UTC start instant; it is written as the portable macro
`local_midnight_utc(day, tz)`, defined once per engine.
"""

from __future__ import annotations

from nexus_contracts.registries import AREAS

RAW_TABLE = "raw_observations"
PARTITION_COLUMNS = ("year", "month", "day")

# One definition per engine of the portable macro (DuckDB: `timezone(tz, naive)` reads the naive
# timestamp as wall-clock time in tz; Trino: `with_timezone` does the same).
LOCAL_MIDNIGHT_MACRO = "local_midnight_utc"
DUCKDB_MACROS = (
    f"CREATE OR REPLACE MACRO {LOCAL_MIDNIGHT_MACRO}(d, tz) AS timezone(tz, CAST(d AS TIMESTAMP))",
)

# Seconds per MTU of the intraday resolutions; a P1D series expects one value per local day and
# a P1M series has no daily completeness (NULL).
_RESOLUTION_SECONDS = (
    "CASE resolution WHEN 'PT15M' THEN 900 WHEN 'PT30M' THEN 1800 WHEN 'PT60M' THEN 3600 END"
)


def _zones_values() -> str:
    """The delivery-day zone of every registered area, as an inline VALUES list."""
    rows = ", ".join(f"('{code.value}', '{area.tz}')" for code, area in sorted(AREAS.items()))
    return f"(VALUES {rows}) AS z(zone_key, tz)"


# The f-strings below splice in constants of this module and the registry, never user input.
LATEST_OBSERVATIONS = f"""
SELECT source, dataset, series_id, area, location, interval_start_utc, interval_end_utc,
       resolution, value, unit, publish_time_utc, quality, year, month, day
FROM (
    SELECT *,
           row_number() OVER (
               PARTITION BY series_id, interval_start_utc
               ORDER BY publish_time_utc DESC
           ) AS vintage_rank
    FROM {RAW_TABLE}
) AS ranked
WHERE vintage_rank = 1
"""  # noqa: S608

# Local delivery day in the area's zone (Europe/Brussels for SDAC zones, Europe/London for GB);
# rows without a registered area fall back to UTC days. Peak = 08:00-20:00 local on Mon-Fri
# (ISO day of week 1-5); off-peak = every other MTU of the day. Completeness = MTUs present /
# MTUs the local day holds (23/24/25 hours, 92/96/100 quarter-hours).
DAILY_SUMMARY = f"""
WITH located AS (
    SELECT o.series_id, o.source, o.dataset, o.area, o.location, o.unit, o.resolution, o.value,
           COALESCE(z.tz, 'UTC') AS time_zone,
           o.interval_start_utc AT TIME ZONE COALESCE(z.tz, 'UTC') AS local_start
    FROM latest_observations AS o
    LEFT JOIN {_zones_values()} ON z.zone_key = COALESCE(o.area, o.location)
),
classified AS (
    SELECT series_id, source, dataset, area, location, unit, resolution, value, time_zone,
           CAST(local_start AS DATE) AS delivery_day,
           isodow(local_start) <= 5 AND hour(local_start) >= 8 AND hour(local_start) < 20 AS is_peak
    FROM located
),
summarised AS (
    SELECT series_id, source, dataset, area, location, unit, resolution, time_zone, delivery_day,
           avg(value) AS base,
           avg(value) FILTER (WHERE is_peak) AS peak,
           avg(value) FILTER (WHERE NOT is_peak) AS off_peak,
           min(value) AS min_value,
           max(value) AS max_value,
           count(*) AS mtu_count
    FROM classified
    GROUP BY series_id, source, dataset, area, location, unit, resolution, time_zone, delivery_day
),
expected AS (
    SELECT *,
           CASE
               WHEN resolution = 'P1D' THEN 1
               ELSE (
                   epoch({LOCAL_MIDNIGHT_MACRO}(CAST(delivery_day + INTERVAL 1 DAY AS DATE), time_zone))
                   - epoch({LOCAL_MIDNIGHT_MACRO}(delivery_day, time_zone))
               ) / {_RESOLUTION_SECONDS}
           END AS expected_mtus
    FROM summarised
)
SELECT series_id, source, dataset, area, location, unit, resolution, time_zone, delivery_day,
       base, peak, off_peak, min_value, max_value, mtu_count,
       CAST(expected_mtus AS BIGINT) AS expected_mtus,
       CAST(mtu_count AS DOUBLE) / expected_mtus AS completeness
FROM expected
"""  # noqa: S608

VIEWS: dict[str, str] = {
    "latest_observations": LATEST_OBSERVATIONS,
    "daily_summary": DAILY_SUMMARY,
}
"""View name -> body, in dependency order (daily_summary reads latest_observations)."""
