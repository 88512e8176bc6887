"""Transpile the DuckDB-dialect queries to Athena (Trino) with sqlglot."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from nexus_core.query.sql import LOCAL_MIDNIGHT_MACRO, VIEWS

ATHENA_DIALECT = "trino"
SOURCE_DIALECT = "duckdb"


def _expand_macros(node: exp.Expression) -> exp.Expression:
    """Replace `local_midnight_utc(d, tz)` by Trino's `with_timezone(CAST(d AS TIMESTAMP), tz)`."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == LOCAL_MIDNIGHT_MACRO:
        day, zone = node.expressions
        return exp.Anonymous(
            this="with_timezone", expressions=[exp.cast(day.copy(), exp.DataType.Type.TIMESTAMP), zone.copy()]
        )
    return node


def to_athena(sql: str) -> str:
    """One DuckDB-dialect statement rewritten in the Athena (Trino) dialect."""
    tree = sqlglot.parse_one(sql, read=SOURCE_DIALECT).transform(_expand_macros)
    return tree.sql(dialect=ATHENA_DIALECT, pretty=True)


def athena_view_ddl() -> dict[str, str]:
    """`CREATE OR REPLACE VIEW` statements of every view in Athena's dialect, in dependency order."""
    return {name: f"CREATE OR REPLACE VIEW {name} AS\n{to_athena(body)}" for name, body in VIEWS.items()}
