"""One SQL surface over the lake: queries written once (DuckDB), transpiled for Athena (Trino)."""

from nexus_core.query.bounds import DayRange, day_range
from nexus_core.query.dialect import athena_view_ddl, to_athena
from nexus_core.query.glue import glue_table_spec
from nexus_core.query.result import FORMATTERS, QueryResult
from nexus_core.query.sql import RAW_TABLE, VIEWS

__all__ = [
    "FORMATTERS",
    "RAW_TABLE",
    "VIEWS",
    "DayRange",
    "QueryResult",
    "athena_view_ddl",
    "day_range",
    "glue_table_spec",
    "to_athena",
]
