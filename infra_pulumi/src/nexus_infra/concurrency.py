"""Lambda concurrency: how the platform stays within the seed's 10 executions, in two modes.

`quota` (default): no function reserves concurrency. AWS refuses any reservation that would leave
fewer than 100 executions unreserved, so on an account whose quota is 10 (new accounts often are)
nothing can be reserved at all. The account's own quota is the platform-wide cap, and each
function is held back by something that needs no reservation: the validator's event-source
mapping (`maximum_concurrency`), the API stage's throttling, and the collectors' schedules spread
over a flexible window. When the cap is reached Lambda throttles; asynchronous (scheduled)
invocations are retried for up to 6 hours, so a throttled collection is late, not lost.

`reserved`: a fixed reservation per function, for accounts whose quota is at least the reserved
total + 100. `allocate()` refuses a plan whose peak passes the budget.

`python -m nexus_infra.concurrency` prints the worst-case peak per time window.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from typing import Literal

Mode = Literal["quota", "reserved"]
# AWS: reservations may not bring the account's unreserved concurrency below this.
UNRESERVED_MINIMUM = 100
# The SQS event-source mapping's cap (2 is the smallest value AWS accepts).
VALIDATOR_MAX_CONCURRENCY = 2
# One schedule a day per collector: one execution at a time (retries come after it ends).
COLLECTOR_CONCURRENCY = 1
# The weekly workflow runs these one after the other, with the Fargate analyzer in between.
WEEKLY_FUNCTIONS = ("plan-week", "reporter")
CORE_RESERVATIONS: dict[str, int] = {"validator": 2, "api": 2, "plan-week": 1, "reporter": 1}
COLLECTOR_RESERVATION = 1


class ConcurrencyBudgetError(ValueError):
    """The reserved concurrency of the deployed functions exceeds the account budget."""


@dataclass(frozen=True)
class ApiThrottle:
    """The API stage's token bucket (burst, steady requests/s) and the p95 latency it is sized for."""

    burst: int
    rate_per_s: float
    p95_latency_s: float

    def max_concurrency(self) -> int:
        """Executions a p95-long request can overlap with: the bucket admits at most
        burst + rate x latency requests in any window one latency long."""
        return math.floor(self.burst + self.rate_per_s * self.p95_latency_s)


@dataclass(frozen=True)
class Window:
    """A time window's worst case: the scheduled work as (part, concurrent executions) pairs, and
    the interactive API's burst beside it."""

    name: str
    parts: tuple[tuple[str, int], ...]
    api: int = 0

    @property
    def total(self) -> int:
        """The scheduled work's peak: what the platform itself starts in the window."""
        return sum(n for _, n in self.parts)


def reservations(collector_sources: tuple[str, ...]) -> dict[str, int]:
    """Function name → reserved concurrency in `reserved` mode."""
    plan = dict(CORE_RESERVATIONS)
    plan.update({f"collector-{s}": COLLECTOR_RESERVATION for s in collector_sources})
    return plan


def reserved_peak(plan: dict[str, int]) -> int:
    """Executions the plan lets run at once: the weekly pair counts once (never both at a time)."""
    weekly = [plan.get(name, 0) for name in WEEKLY_FUNCTIONS]
    return sum(plan.values()) - sum(weekly) + max(weekly)


def required_quota(plan: dict[str, int]) -> int:
    """The smallest account quota AWS accepts the plan on: every reservation + 100 unreserved."""
    return sum(plan.values()) + UNRESERVED_MINIMUM


def allocate(collector_sources: tuple[str, ...], budget: int) -> dict[str, int]:
    """Function name → reserved concurrency; raises when the plan's peak passes `budget`."""
    plan = reservations(collector_sources)
    peak = reserved_peak(plan)
    if peak > budget:
        raise ConcurrencyBudgetError(
            f"reserved concurrency lets {peak} executions run at once (plan-week and reporter "
            f"counted once), above the budget of {budget}: deploy fewer collectors, raise "
            "nexus:account_lambda_concurrency, or use nexus:lambda_concurrency_mode quota. " + preflight(plan)
        )
    return plan


def preflight(plan: dict[str, int]) -> str:
    """The account requirement of a reserved plan, as an operator should check it."""
    return (
        f"Reserved mode needs an account concurrency quota of at least {required_quota(plan)} "
        f"({sum(plan.values())} reserved + {UNRESERVED_MINIMUM} AWS keeps unreserved); "
        "see ConcurrentExecutions in `aws lambda get-account-settings`."
    )


def peaks(collector_sources: tuple[str, ...], api_cap: int) -> tuple[Window, Window]:
    """Worst case per window when every schedule fires at once (quota mode, the default).

    The scheduled work is what the platform starts by itself; the API is people, so it is shown
    beside it with the share of the quota left to it at that moment.
    """
    daily = Window(
        "daily 06:00 UTC",
        (
            (f"collectors ({len(collector_sources)})", len(collector_sources) * COLLECTOR_CONCURRENCY),
            ("validator (event-source mapping cap)", VALIDATOR_MAX_CONCURRENCY),
        ),
        api_cap,
    )
    weekly = Window(
        "Sunday 02:00 UTC",
        (
            ("plan-week, then reporter (in sequence)", 1),
            ("analyzer (Fargate, no Lambda)", 0),
        ),
        api_cap,
    )
    return daily, weekly


def describe(mode: Mode, collector_sources: tuple[str, ...], quota: int, api_cap: int) -> dict[str, object]:
    """The core stack's `lambda_concurrency` output: what the chosen mode deploys and its peaks."""
    plan = reservations(collector_sources)
    if mode == "reserved":
        return {
            "mode": mode,
            "reserved": plan,
            "peak": reserved_peak(plan),
            "required_account_quota": required_quota(plan),
        }
    windows = peaks(collector_sources, api_cap)
    return {
        "mode": mode,
        "account_quota": quota,
        "peaks": {w.name: w.total for w in windows},
        "api_burst_executions": api_cap,
    }


def render(windows: tuple[Window, ...], quota: int) -> list[str]:
    """Printable lines: each window's parts and total against the account's quota."""
    lines = []
    for window in windows:
        spare = quota - window.total
        verdict = (
            f"{-spare} over the quota of {quota}: Lambda throttles the excess briefly, then retries"
            if spare < 0
            else f"within the quota of {quota}"
        )
        lines.append(f"{window.name}: scheduled peak {window.total} concurrent executions, {verdict}")
        lines.extend(f"  {part:<42}{n:>3}" for part, n in window.parts)
        if window.api:
            room = max(spare, 0)
            note = (
                "all fit beside it"
                if window.api <= room
                else f"{room} fit beside it; the rest get 429 and the dashboard retries them"
            )
            lines.append(f"  {'api (people, stage throttling), up to':<42}{window.api:>3}  {note}")
    return lines


def main(argv: list[str] | None = None) -> int:
    from nexus_contracts.topology import COLLECTOR_SOURCES
    from nexus_infra.config import InfraConfig

    default = InfraConfig()
    parser = argparse.ArgumentParser(prog="python -m nexus_infra.concurrency", description=__doc__)
    parser.add_argument("--sources", default=",".join(default.collector_sources), help="comma-separated")
    parser.add_argument("--all-sources", action="store_true", help=f"all {len(COLLECTOR_SOURCES)} sources")
    parser.add_argument("--quota", type=int, default=default.account_lambda_concurrency)
    args = parser.parse_args(argv)
    sources = COLLECTOR_SOURCES if args.all_sources else tuple(s for s in args.sources.split(",") if s)
    cfg = InfraConfig(collector_sources=sources, account_lambda_concurrency=args.quota)
    throttle = cfg.api_throttle()
    print(
        "Mode quota (default): no reservations. Worst case, every schedule firing in the same minute "
        f"(collectors are spread over 15 min); API stage burst {throttle.burst}, "
        f"{throttle.rate_per_s:g} req/s, sized for a p95 of {throttle.p95_latency_s:g} s"
    )
    for line in render(peaks(sources, throttle.max_concurrency()), args.quota):
        print(line)
    plan = reservations(sources)
    peak = reserved_peak(plan)
    fits = "fits" if peak <= args.quota else "refused"
    print(f"Mode reserved: {sum(plan.values())} reserved, peak {peak} ({fits} in a budget of {args.quota}).")
    print(f"  {preflight(plan)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
