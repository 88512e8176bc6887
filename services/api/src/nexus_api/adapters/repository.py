"""What the API needs from storage, as a Protocol so logic and routes can be tested without AWS."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from nexus_api.logic.resample import DailyData
from nexus_api.models import ReportInfo, SeriesInfo


class ApiRepository(Protocol):
    def series_catalog(self) -> list[SeriesInfo]:
        """Every series in the lake with its first and last interval."""

    def observations(self, series: SeriesInfo, start: date, end: date) -> list[tuple[float, float]]:
        """(interval start as UTC epoch seconds, value) of one series over UTC days `start..end`."""

    def daily(self, series: SeriesInfo, start: date, end: date) -> DailyData:
        """Per UTC day `start..end`: (n, sum) from the partition statistics, without reading a day
        file; raw points only of days whose partition record has no statistics (older records)."""

    def data_version(self, series: SeriesInfo, start: date, end: date) -> str:
        """Changes whenever any lake file of those days changes (a digest of their checksums)."""

    def analysis_weeks(self) -> list[str]:
        """ISO weeks with an analysis document, oldest first."""

    def analysis(self, week: str) -> dict[str, Any] | None:
        """The analysis document of `week` (reports/json/<week>.json) as JSON data."""

    def reports(self) -> list[ReportInfo]:
        """The PDF archive, oldest first."""

    def report_url(self, week: str, expires_s: int) -> str | None:
        """A presigned download URL of the week's PDF, or None when there is none."""

    def source_statuses(self) -> list[dict[str, Any]]: ...

    def partitions_since(self, day: date) -> list[dict[str, Any]]: ...

    def quarantine_counts(self) -> dict[str, int]: ...

    def quarantine_queue_depth(self) -> int | None: ...

    def alerts(self, days: list[date]) -> list[dict[str, Any]]: ...

    def execution_names(self) -> list[str]: ...

    def execution_input(self, name: str) -> str | None: ...

    def start_execution(self, name: str, payload: str) -> str:
        """Start the weekly state machine as execution `name`; returns its ARN."""
