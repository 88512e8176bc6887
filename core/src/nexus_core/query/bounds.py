"""Which UTC days of the lake a query can touch, read from its predicates (partition pruning).

Only the simple, safe shape is understood: one SELECT over a single lake relation whose top-level
WHERE is a conjunction; bounds on `interval_start_utc` (UTC) or `delivery_day` (a local day, which
spans the UTC day before it too) narrow the days. Anything else reads the whole lake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

LAKE_RELATIONS = frozenset({"raw_observations", "latest_observations", "daily_summary"})


@dataclass(frozen=True)
class DayRange:
    """Inclusive UTC days; None is open."""

    first: date | None = None
    last: date | None = None

    def contains(self, day: date) -> bool:
        return (self.first is None or day >= self.first) and (self.last is None or day <= self.last)

    def narrowed(self, first: date | None, last: date | None) -> DayRange:
        new_first = max(d for d in (self.first, first) if d is not None) if first or self.first else None
        new_last = min(d for d in (self.last, last) if d is not None) if last or self.last else None
        return DayRange(new_first, new_last)


def _literal_instant(node: Any) -> datetime | None:
    """A string or typed literal ('2024-03-31', TIMESTAMP '...', CAST('...' AS DATE)) as UTC."""
    if isinstance(node, exp.Cast):
        node = node.this
    if not isinstance(node, exp.Literal) or not node.is_string:
        return None
    try:
        parsed = datetime.fromisoformat(node.this)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _bound(column: str, op: type, when: datetime) -> tuple[date | None, date | None]:
    """The UTC days a single `column <op> literal` allows."""
    day = when.date()
    if column == "delivery_day":  # local day d starts during UTC day d-1 east of UTC
        lo, hi = day - timedelta(days=1), day + timedelta(days=1)
    else:
        lo = hi = day
        if op is exp.LT and when.time() == datetime.min.time():
            hi = day - timedelta(days=1)
    if op in (exp.GT, exp.GTE):
        return lo, None
    if op in (exp.LT, exp.LTE):
        return None, hi
    return lo, hi  # EQ


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, exp.And):
        return _conjuncts(node.left) + _conjuncts(node.right)
    if isinstance(node, exp.Paren):
        return _conjuncts(node.this)
    return [node]


def _flip(op: type) -> type:
    flipped: dict[type, type] = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE}
    return flipped.get(op, op)


def _single_lake_select(sql: str) -> exp.Select | None:
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except ParseError:
        return None
    if not isinstance(tree, exp.Select) or tree.args.get("joins") or tree.args.get("with"):
        return None
    tables = list(tree.find_all(exp.Table))
    if len(tables) != 1 or tables[0].name not in LAKE_RELATIONS:
        return None
    return tree


def day_range(sql: str) -> DayRange:
    """The UTC days `sql` can read; open (the whole lake) unless its predicates bound it."""
    tree = _single_lake_select(sql)
    where = tree.args.get("where") if tree is not None else None
    days = DayRange()
    if where is None:
        return days
    for cond in _conjuncts(where.this):
        if isinstance(cond, exp.Between) and isinstance(cond.this, exp.Column):
            low, high = _literal_instant(cond.args["low"]), _literal_instant(cond.args["high"])
            if low and high and cond.this.name in ("interval_start_utc", "delivery_day"):
                days = days.narrowed(_bound(cond.this.name, exp.GTE, low)[0], None)
                days = days.narrowed(None, _bound(cond.this.name, exp.LTE, high)[1])
            continue
        if not isinstance(cond, exp.GT | exp.GTE | exp.LT | exp.LTE | exp.EQ):
            continue
        op: type = type(cond)
        column, other = cond.left, cond.right
        if not isinstance(column, exp.Column):
            column, other, op = other, column, _flip(op)
        when = _literal_instant(other)
        if isinstance(column, exp.Column) and column.name in ("interval_start_utc", "delivery_day") and when:
            days = days.narrowed(*_bound(column.name, op, when))
    return days


def partition_predicate(days: DayRange) -> str | None:
    """Conditions on year/month/day covering `days` (one clause per month), or None when open.

    Athena's partition projection prunes on these columns only, not on interval_start_utc.
    """
    if days.first is None or days.last is None or days.last < days.first:
        return None
    clauses: list[str] = []
    month = days.first.replace(day=1)
    while month <= days.last:
        following = (month + timedelta(days=32)).replace(day=1)
        low = max(days.first, month).day
        high = min(days.last, following - timedelta(days=1)).day
        clauses.append(f"(year = {month.year} AND month = {month.month} AND day BETWEEN {low} AND {high})")
        month = following
    return "(" + " OR ".join(clauses) + ")"


def with_partition_predicate(sql: str) -> str:
    """`sql` with its day bounds repeated on the partition columns, when it reads raw_observations."""
    tree = _single_lake_select(sql)
    if tree is None or next(tree.find_all(exp.Table)).name != "raw_observations":
        return sql
    predicate = partition_predicate(day_range(sql))
    if predicate is None:
        return sql
    return tree.where(predicate, dialect="duckdb", copy=True).sql(dialect="duckdb")
