"""Who is calling: the caller's id and groups from verified token claims."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ANALYSTS = "analysts"
ADMINS = "admins"


@dataclass(frozen=True, slots=True)
class Caller:
    user: str
    groups: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMINS in self.groups


def _groups(raw: Any) -> frozenset[str]:
    # API Gateway flattens list claims to strings such as "[admins analysts]" or "admins,analysts".
    if isinstance(raw, list | tuple):
        return frozenset(str(g) for g in raw)
    if isinstance(raw, str):
        return frozenset(g for g in raw.strip("[]").replace(",", " ").split() if g)
    return frozenset()


def caller_from_claims(claims: Mapping[str, Any] | None) -> Caller | None:
    """The caller, or None when the claims carry no subject (no verified token)."""
    if not claims:
        return None
    user = claims.get("cognito:username") or claims.get("username") or claims.get("sub")
    if not user:
        return None
    return Caller(user=str(user), groups=_groups(claims.get("cognito:groups")))
