"""`nexus cost`: the default stack stays cheap, options are priced apart, config files override."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus_cli.main import main
from nexus_infra.cost.model import CostConfig, Options, Usage, estimate, load, option_lines
from nexus_infra.cost.prices import PRICES

BUDGET_ALERT_USD = 18.0


def test_default_stack_costs_at_most_five_dollars_and_stays_under_the_alarm() -> None:
    # Given the default configuration
    lines, enabled, total = estimate(CostConfig())
    # Then nothing optional is on, the total is the sum of the items, at most 5 USD and under 18 USD
    assert enabled == []
    assert total == pytest.approx(sum(line.usd for line in lines))
    assert 0 < total <= 5.0
    assert total < BUDGET_ALERT_USD


def test_every_option_with_a_fixed_fee_adds_to_the_bill() -> None:
    # Given the option lines for the default usage
    options = option_lines(Usage())
    # Then the always-on options cost at least their fixed monthly fees
    assert options["waf"].usd >= PRICES["waf_web_acl_month"]
    assert options["nat_instance"].usd >= 730 * PRICES["nat_instance_hour"]
    assert options["replication"].usd > 0
    assert options["cloudtrail_data_events"].usd > 0
    assert options["fargate_spot"].usd <= 0


def test_config_file_turns_options_on_and_scales_usage(tmp_path: Path) -> None:
    # Given a TOML file with every option on and ten times the stored data
    path = tmp_path / "stack.toml"
    path.write_text(
        "[usage]\nstored_gb = 50\n[options]\nwaf = true\nreplication = true\n"
        "cloudtrail_data_events = true\nnat_instance = true\nfargate_spot = true\n",
        encoding="utf-8",
    )
    cfg = load(path)
    # When estimated
    _, enabled, total = estimate(cfg)
    _, _, base_total = estimate(CostConfig(usage=cfg.usage))
    # Then the total is the base plus each enabled option, and still within the 20 USD budget
    assert len(enabled) == len(Options.model_fields)
    assert total == pytest.approx(base_total + sum(line.usd for line in enabled))
    assert base_total > estimate(CostConfig())[2]
    assert total < 20.0


def test_cost_command_prints_items_and_total(capsys: pytest.CaptureFixture[str]) -> None:
    # When `nexus cost` runs with the defaults
    code = main(["cost"])
    out = capsys.readouterr().out
    # Then it succeeds and prints the line items, the dated price table and the options
    assert code == 0
    assert "TOTAL" in out
    assert "as of" in out
    for service in ("Lambda", "S3", "DynamoDB", "Fargate", "Claude", "nat_instance", "waf"):
        assert service in out
    total = float(next(line for line in out.splitlines() if "TOTAL" in line).split()[1])
    assert total <= 5.0
