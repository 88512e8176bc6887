"""Itemised monthly estimate: usage assumptions times the dated price table, options priced apart."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nexus_infra.config import NAT_INSTANCE_TYPE, NAT_ROOT_VOLUME_GB
from nexus_infra.cost.prices import PRICES

P = PRICES
HOURS_PER_MONTH = 730
DAYS_PER_MONTH = 30.4
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7
_FROZEN = ConfigDict(extra="forbid", frozen=True)


class Usage(BaseModel):
    """What one month of a small team's use looks like (override any field in the config file)."""

    model_config = _FROZEN
    sources: int = 4
    collections_per_day: float = 4  # one per deployed source
    observations_per_collection: int = 2_000
    collector_seconds: float = 20
    stored_gb: float = 5.0  # lake, all classes together
    raw_share_archived: float = 0.5  # part of the lake past its 30-day tier
    fargate_minutes: float = 70  # about 4.3 weekly runs of 15 minutes
    api_requests: int = 30_000
    dashboard_gb: float = 2.0
    athena_gb_scanned: float = 5.0
    log_gb: float = 0.5
    claude_input_tokens: int = 120_000
    claude_output_tokens: int = 12_000
    alarms: int = 17


class Options(BaseModel):
    model_config = _FROZEN
    waf: bool = False
    replication: bool = False
    cloudtrail_data_events: bool = False
    nat_instance: bool = False
    fargate_spot: bool = False


class CostConfig(BaseModel):
    model_config = _FROZEN
    usage: Usage = Usage()
    options: Options = Options()


@dataclass(frozen=True)
class Line:
    service: str
    detail: str
    usd: float


def load(path: Path | None) -> CostConfig:
    """A TOML or JSON file with optional `[usage]` and `[options]` tables."""
    if path is None:
        return CostConfig()
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    return CostConfig.model_validate(data)


def base_lines(u: Usage, spot: bool = False) -> list[Line]:
    """The default stack's line items."""
    runs = u.collections_per_day * DAYS_PER_MONTH
    batches = runs * 2  # validator batches per collection
    gb_s = runs * u.collector_seconds * 0.5 + batches * 5 * 1.0 + u.api_requests * 0.2 * 0.5
    requests = runs + batches + u.api_requests + WEEKS_PER_MONTH * 2
    lam = max(0, gb_s - P["lambda_free_gb_seconds"]) * P["lambda_gb_second"]
    lam += max(0, requests - P["lambda_free_requests"]) * P["lambda_request"]
    archived = u.stored_gb * u.raw_share_archived
    s3_storage = (u.stored_gb - archived) * P["s3_standard_gb_month"] + archived * P["s3_ia_gb_month"]
    s3_requests = runs * 40 * P["s3_put_request"] + (u.api_requests * 5 + 20_000) * P["s3_get_request"]
    ddb_items = runs * 30 + u.api_requests * 3
    ddb = ddb_items * (P["dynamodb_write_request"] + P["dynamodb_read_request"])
    ddb += 0.05 * (P["dynamodb_storage_gb_month"] + P["dynamodb_pitr_gb_month"])
    # The event-source mapping long-polls all month: about 5 pollers x 3 empty receives a minute.
    polling = DAYS_PER_MONTH * 24 * 60 * 15
    messaging = runs * 3 * P["sns_publish"] + (runs * 6 + polling) * P["sqs_request"]
    hours = u.fargate_minutes / 60
    fargate = hours * (0.25 * P["fargate_vcpu_hour"] + 0.5 * P["fargate_gb_hour"])
    if spot:
        fargate *= 1 - P["fargate_spot_discount"]
    fargate += hours * P["public_ipv4_hour"] + 0.5 * P["ecr_storage_gb_month"]
    logs = u.log_gb * (P["logs_ingest_gb"] + P["logs_storage_gb_month"])
    alarms = max(0, u.alarms - P["alarm_free_count"]) * P["alarm_month"]
    cdn = max(0, u.dashboard_gb - P["cloudfront_free_gb"]) * P["cloudfront_gb"]
    claude = (
        u.claude_input_tokens * P["claude_input_token"] + u.claude_output_tokens * P["claude_output_token"]
    )
    return [
        Line("Lambda", f"{requests:,.0f} invocations, {gb_s:,.0f} GB-s (free tier applied)", lam),
        Line(
            "S3",
            f"{u.stored_gb:g} GB lake, half past its IA tier; PUT/GET requests",
            s3_storage + s3_requests,
        ),
        Line("DynamoDB", f"on demand, {ddb_items:,.0f} writes+reads, PITR", ddb),
        Line("SNS + SQS", f"{runs:,.0f} collections fanned out; idle long polling", messaging),
        Line(
            "Step Functions",
            f"{WEEKS_PER_MONTH:.1f} weekly runs",
            WEEKS_PER_MONTH * 12 * P["sfn_state_transition"],
        ),
        Line(
            "Fargate",
            f"{u.fargate_minutes:g} min at 0.25 vCPU / 0.5 GB{' (Spot)' if spot else ''}, ECR",
            fargate,
        ),
        Line("API Gateway", f"{u.api_requests:,} HTTP API requests", u.api_requests * P["http_api_request"]),
        Line("CloudFront", f"{u.dashboard_gb:g} GB (within the always-free 1 TB)", cdn),
        Line(
            "Athena",
            f"{u.athena_gb_scanned:g} GB scanned",
            u.athena_gb_scanned / 1024 * P["athena_tb_scanned"],
        ),
        Line("CloudWatch", f"{u.log_gb:g} GB logs, {u.alarms} alarms (10 free)", logs + alarms),
        Line("Claude", f"{u.claude_input_tokens:,} input / {u.claude_output_tokens:,} output tokens", claude),
        Line(
            "Free here",
            "Cognito (<10k users), Glue catalog, mgmt CloudTrail, SSM, budgets, VPC, "
            "EventBridge Scheduler (14M runs/month free)",
            0.0,
        ),
    ]


def option_lines(u: Usage) -> dict[str, Line]:
    """What each option adds on top of the default stack."""
    runs = u.collections_per_day * DAYS_PER_MONTH
    waf_requests = u.api_requests + u.dashboard_gb * 2_000
    replica = u.stored_gb * (P["s3_ia_gb_month"] + P["s3_replication_transfer_gb"] / 12)
    data_events = (runs * 80 + u.api_requests * 5) * P["cloudtrail_data_event"]
    # the EgressNat component: the instance, its Elastic IP (a public IPv4) and its root volume
    nat = HOURS_PER_MONTH * (P["nat_instance_hour"] + P["public_ipv4_hour"])
    nat += NAT_ROOT_VOLUME_GB * P["ebs_gp3_gb_month"]
    full = base_lines(u)[5].usd
    return {
        "waf": Line(
            "WAF",
            "web ACL, 2 rules, requests",
            P["waf_web_acl_month"] + 2 * P["waf_rule_month"] + waf_requests * P["waf_request"],
        ),
        "replication": Line(
            "S3 replication", f"{u.stored_gb:g} GB replica (IA) in us-west-2, transfer", replica
        ),
        "cloudtrail_data_events": Line(
            "CloudTrail data events", "S3 object events on the data bucket", data_events
        ),
        "nat_instance": Line(
            "NAT instance",
            f"{NAT_INSTANCE_TYPE} + Elastic IP + {NAT_ROOT_VOLUME_GB} GB gp3, all month (egress_ip_sources)",
            nat,
        ),
        "fargate_spot": Line(
            "Fargate Spot", "weekly task on Spot (saves)", base_lines(u, spot=True)[5].usd - full
        ),
    }


def estimate(cfg: CostConfig) -> tuple[list[Line], list[Line], float]:
    """(base lines, enabled option lines, monthly total in USD)."""
    lines = base_lines(cfg.usage)
    options = option_lines(cfg.usage)
    enabled = [line for name, line in options.items() if getattr(cfg.options, name)]
    return lines, enabled, sum(x.usd for x in lines) + sum(x.usd for x in enabled)
