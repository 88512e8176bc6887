"""Reserved concurrency per function, kept within the account budget (the seed's 10).

Each function gets a fixed slice; the sum over the core functions and every deployed collector
must stay within `account_lambda_concurrency`, so a runaway consumer can never starve the rest
or run up the bill.
"""

from __future__ import annotations

CORE_RESERVATIONS: dict[str, int] = {"validator": 2, "api": 2, "plan-week": 1, "reporter": 1}
COLLECTOR_RESERVATION = 1


class ConcurrencyBudgetError(ValueError):
    """The reserved concurrency of the deployed functions exceeds the account budget."""


def allocate(collector_sources: tuple[str, ...], budget: int) -> dict[str, int]:
    """Function name → reserved concurrency; raises when the total passes `budget`."""
    plan = dict(CORE_RESERVATIONS)
    plan.update({f"collector-{s}": COLLECTOR_RESERVATION for s in collector_sources})
    total = sum(plan.values())
    if total > budget:
        raise ConcurrencyBudgetError(
            f"reserved concurrency {total} exceeds the budget of {budget}: "
            "deploy fewer collectors or raise nexus:account_lambda_concurrency"
        )
    return plan
