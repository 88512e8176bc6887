"""`nexus cost [--config FILE]`: the itemised monthly AWS + Claude estimate of a stack configuration."""

from __future__ import annotations

import argparse
from pathlib import Path

BUDGET_ALERT_USD = 18.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("cost", help="itemised monthly cost estimate of a stack configuration")
    parser.add_argument("--config", type=Path, help="TOML or JSON file with [usage] and [options]")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nexus_infra.cost.model import estimate, load, option_lines
    from nexus_infra.cost.prices import PRICES_AS_OF, REGION

    cfg = load(args.config)
    lines, enabled, total = estimate(cfg)
    print(f"Monthly estimate, {REGION} list prices as of {PRICES_AS_OF} (USD)")
    for line in lines:
        print(f"  {line.service:<24}{line.usd:>8.2f}   {line.detail}")
    for line in enabled:
        print(f"+ {line.service:<24}{line.usd:>8.2f}   {line.detail}")
    print(f"  {'TOTAL':<24}{total:>8.2f}   (budget alarm at {BUDGET_ALERT_USD:.0f})")
    print("Options (what each adds):")
    for name, line in option_lines(cfg.usage).items():
        state = "on " if getattr(cfg.options, name) else "off"
        print(f"  [{state}] {name:<24}{line.usd:>+8.2f}   {line.detail}")
    return 0 if total <= BUDGET_ALERT_USD else 1
