"""ISO week labels (`YYYY-Www`) and the execution names of weekly reruns."""

from __future__ import annotations

import re
from collections.abc import Iterable

WEEK_PATTERN = r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"
_WEEK = re.compile(WEEK_PATTERN)


def is_week(label: str) -> bool:
    return bool(_WEEK.match(label))


def next_rerun_name(week: str, existing: Iterable[str]) -> str:
    """`weekly-<week>-r<N>` with N one above the highest rerun already started for the week."""
    prefix = f"weekly-{week}-r"
    suffixes = (name[len(prefix) :] for name in existing if name.startswith(prefix))
    numbers = [int(s) for s in suffixes if s.isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"
