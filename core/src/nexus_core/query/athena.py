"""Athena engine: the same DuckDB-dialect SQL, transpiled to Trino and run in the workgroup.

The workgroup holds the result location and the bytes-scanned limit, so requests name only the
workgroup and the Glue database. Date bounds on raw_observations are repeated on the partition
columns, which is what partition projection prunes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nexus_core.errors import NexusError
from nexus_core.query.bounds import with_partition_predicate
from nexus_core.query.dialect import to_athena
from nexus_core.query.result import QueryResult
from nexus_core.query.settings import QuerySettings

_DONE = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


class AthenaQueryFailed(NexusError):
    """Athena ended the query in FAILED or CANCELLED, or it ran past the timeout."""


class AthenaQueryEngine:
    """start_query_execution, poll get_query_execution, page through get_query_results."""

    def __init__(
        self, client: Any, settings: QuerySettings, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._client = client
        self._settings = settings
        self._sleep = sleep

    def start_request(self, sql: str) -> dict[str, Any]:
        """The StartQueryExecution request for one DuckDB-dialect statement."""
        return {
            "QueryString": to_athena(with_partition_predicate(sql)),
            "QueryExecutionContext": {"Database": self._settings.database},
            "WorkGroup": self._settings.workgroup,
        }

    def _wait(self, execution_id: str) -> None:
        waited = 0.0
        while True:
            got = self._client.get_query_execution(QueryExecutionId=execution_id)
            status = got["QueryExecution"]["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return
            if state in _DONE:
                raise AthenaQueryFailed(f"{execution_id} {state}: {status.get('StateChangeReason', '')}")
            if waited >= self._settings.athena_timeout_seconds:
                raise AthenaQueryFailed(f"{execution_id} still {state} after {waited:.0f} s")
            self._sleep(self._settings.athena_poll_seconds)
            waited += self._settings.athena_poll_seconds

    def execute(self, sql: str) -> QueryResult:
        """Run one statement; values come back as Athena's strings (NULL as None)."""
        execution_id = self._client.start_query_execution(**self.start_request(sql))["QueryExecutionId"]
        self._wait(execution_id)
        columns: list[str] = []
        rows: list[tuple[Any, ...]] = []
        pages = self._client.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id)
        for page in pages:
            result_set = page["ResultSet"]
            if not columns:
                columns = [c["Name"] for c in result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])]
            for row in result_set.get("Rows", []):
                values = tuple(cell.get("VarCharValue") for cell in row.get("Data", []))
                if not rows and values == tuple(columns):  # the first row repeats the header
                    continue
                rows.append(values)
        return QueryResult(columns=columns, rows=rows)
