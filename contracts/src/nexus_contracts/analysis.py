"""The weekly analysis document (`analysis.completed`) and the report announcement (`report.published`).

Prices are in EUR/MWh unless a field says otherwise, temperatures in °C, wind in m/s. Times are
UTC. Statistics that could not be computed (too little data) are `None`, never NaN.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from nexus_contracts.types import FROZEN, UtcDatetime

Num = float | None
ISO_WEEK_PATTERN = r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"


class WeeklyStats(BaseModel):
    """Hourly day-ahead price statistics of one market over the ISO week (local delivery days)."""

    model_config = FROZEN

    area: str
    series_id: str
    hours: int = Field(ge=0)
    base: Num = None
    peak: Num = Field(default=None, description="08:00-20:00 local time, Monday-Friday")
    offpeak: Num = None
    min: Num = None
    min_at: UtcDatetime | None = None
    max: Num = None
    max_at: UtcDatetime | None = None
    std: Num = None
    p5: Num = None
    p95: Num = None
    negative_hours: int = 0
    spike_hours: int = Field(default=0, description="hours above the spike threshold (parameters)")
    wow_base_change_pct: Num = None
    yoy_base_change_pct: Num = None
    volatility_asinh: Num = Field(default=None, description="std of daily changes of asinh(base), annualised")


class CorrelationMatrix(BaseModel):
    """A symmetric matrix over `series`; `window` is `week` or `trailing_12w`."""

    model_config = FROZEN

    method: Literal["pearson", "spearman"]
    window: Literal["week", "trailing_12w"]
    series: tuple[str, ...]
    values: tuple[tuple[Num, ...], ...]
    observations: int = Field(ge=0)


class RollingCorrelation(BaseModel):
    """Correlation of the market's daily base price with a driver over trailing windows."""

    model_config = FROZEN

    area: str
    driver: str
    window_days: int
    last: Num = None
    mean_12w: Num = None


class Coefficient(BaseModel):
    model_config = FROZEN

    name: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float


class Regression(BaseModel):
    """OLS of daily base price on drivers with Newey-West (HAC) standard errors."""

    model_config = FROZEN

    area: str
    observations: int
    r_squared: float
    hac_lags: int
    coefficients: tuple[Coefficient, ...]
    temperature_sensitivity_eur_mwh_per_degc: Num = None


class Spreads(BaseModel):
    """Clean spark and dark spreads over the week's base and peak prices (EUR/MWh)."""

    model_config = FROZEN

    area: str
    clean_spark_base: Num = None
    clean_spark_peak: Num = None
    clean_dark_base: Num = None
    clean_dark_peak: Num = None
    daily_clean_spark: tuple[Num, ...] = ()
    daily_clean_dark: tuple[Num, ...] = ()


class TimeSeriesDiagnostics(BaseModel):
    """MSTL (periods 24 h and 168 h), ADF, KPSS and Granger gas -> power on the lookback."""

    model_config = FROZEN

    area: str
    daily_seasonal_amplitude: Num = None
    weekly_seasonal_amplitude: Num = None
    trend_change_week: Num = None
    adf_stat: Num = None
    adf_p_value: Num = None
    kpss_stat: Num = None
    kpss_p_value: Num = None
    granger_gas_p_value: Num = None
    granger_lags: int = 0


class Outlook(BaseModel):
    """Next-week hourly price outlook with 80 % and 95 % prediction intervals and its backtest."""

    model_config = FROZEN

    area: str
    model: str
    start_utc: UtcDatetime
    mean: tuple[float, ...]
    lower_80: tuple[float, ...]
    upper_80: tuple[float, ...]
    lower_95: tuple[float, ...]
    upper_95: tuple[float, ...]
    backtest_weeks: int
    backtest_mae: Num = None
    backtest_naive_mae: Num = None
    backtest_rmae: Num = None
    expected_base: Num = None


class Anomaly(BaseModel):
    model_config = FROZEN

    area: str
    at: UtcDatetime
    value: float
    robust_z: float


class Coverage(BaseModel):
    """How complete one series is over the week, with the lake's quality flags."""

    model_config = FROZEN

    series_id: str
    source: str
    dataset: str
    expected: int
    present: int
    completeness: float = Field(ge=0.0, le=1.0)
    quality: dict[str, int] = Field(default_factory=dict)
    last_publish_utc: UtcDatetime | None = None


class Narrative(BaseModel):
    """The written commentary; `source` says whether the model or the template wrote it."""

    model_config = FROZEN

    headline: str
    summary: str
    drivers: tuple[str, ...]
    risks: tuple[str, ...]
    outlook: str
    caveats: tuple[str, ...]
    source: Literal["llm", "template"]
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    attempts: int = 0
    fallback_reason: str | None = None


class AnalysisDocument(BaseModel):
    """Everything the weekly analysis computed for one ISO week: `reports/json/<week>.json`."""

    model_config = FROZEN

    event_type: Literal["analysis.completed"] = "analysis.completed"
    week: str = Field(pattern=ISO_WEEK_PATTERN)
    week_start_utc: UtcDatetime
    week_end_utc: UtcDatetime
    generated_at: UtcDatetime = Field(description="the only field that differs between reruns of a week")
    lookback_days: int
    sources: tuple[str, ...]
    simulated: bool
    parameters: dict[str, float | str]
    stats: tuple[WeeklyStats, ...]
    correlations: tuple[CorrelationMatrix, ...]
    rolling_correlations: tuple[RollingCorrelation, ...]
    regressions: tuple[Regression, ...]
    spreads: tuple[Spreads, ...]
    diagnostics: tuple[TimeSeriesDiagnostics, ...]
    outlooks: tuple[Outlook, ...]
    anomalies: tuple[Anomaly, ...]
    coverage: tuple[Coverage, ...]
    hourly_profiles: dict[str, dict[str, tuple[Num, ...]]] = Field(
        default_factory=dict, description="area -> {this_week, previous_week}: mean price by local hour"
    )
    daily: dict[str, dict[str, tuple[Num, ...]]] = Field(
        default_factory=dict, description="area -> {base, temperature}: the week's daily values"
    )
    headlines: tuple[str, ...] = ()
    narrative: Narrative
    outputs: dict[str, str] = Field(default_factory=dict)


class ReportPublished(BaseModel):
    """A weekly report is ready: where it is and a presigned link valid for 7 days."""

    model_config = FROZEN

    event_type: Literal["report.published"] = "report.published"
    week: str = Field(pattern=ISO_WEEK_PATTERN)
    execution: str | None = None
    pdf_key: str
    json_key: str
    pdf_url: str
    url_expires_at: UtcDatetime
    pages: int = Field(ge=1)
    headline: str
    narrative_source: Literal["llm", "template"]
    simulated: bool


WEEK_TZ = "Europe/Brussels"
"""ISO weeks run Monday 00:00 to Monday 00:00 in the SDAC delivery-day zone."""


def parse_week(week: str) -> date:
    """The Monday of ISO week `YYYY-Www`; ValueError when malformed."""
    if not re.match(ISO_WEEK_PATTERN, week):
        raise ValueError(f"not an ISO week: {week!r} (expected YYYY-Www)")
    return date.fromisocalendar(int(week[:4]), int(week[6:]), 1)


def week_of(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """[start, end) of the ISO week in UTC (local midnights in WEEK_TZ, so 167 or 169 h on DST weeks)."""
    monday = parse_week(week)
    tz = ZoneInfo(WEEK_TZ)
    start = datetime.combine(monday, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def last_complete_week(now: datetime) -> str:
    """The latest ISO week that has fully ended at `now` (local WEEK_TZ time)."""
    local_day = now.astimezone(ZoneInfo(WEEK_TZ)).date()
    return week_of(local_day - timedelta(days=local_day.isoweekday()))
