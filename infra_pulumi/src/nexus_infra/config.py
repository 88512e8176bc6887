"""One typed configuration for every stack, read from Pulumi config (`nexus:*` keys) or built in tests.

Defaults are the cheap, safe stack: no WAF, no replication, no data events, no NAT instance,
no AWS Config recorder. Each option is a switch here and a line in `nexus cost`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nexus_contracts.topology import COLLECTOR_SOURCES
from nexus_infra.concurrency import ApiThrottle, Mode

_FROZEN = ConfigDict(extra="forbid", frozen=True)
REPO_ROOT = Path(__file__).resolve().parents[3]
# The NAT instance of the fixed-egress-IP option, as built and as priced by `nexus cost`.
NAT_INSTANCE_TYPE = "t4g.nano"
NAT_ROOT_VOLUME_GB = 8  # gp3, the Amazon Linux 2023 AMI's own size


class AlertSubscription(BaseModel):
    """An alert recipient: SNS email or HTTPS, narrowed by severity and (optionally) source."""

    model_config = _FROZEN
    protocol: Literal["email", "https"]
    endpoint: str
    severities: tuple[str, ...] = ("warning", "error", "critical")
    sources: tuple[str, ...] = ()

    def filter_policy(self) -> dict[str, list[str]]:
        policy: dict[str, list[str]] = {"severity": list(self.severities)}
        if self.sources:
            policy["source"] = list(self.sources)
        return policy


class InfraConfig(BaseModel):
    """Settings of one environment (`env`), shared by the core stack and the collector stacks."""

    model_config = _FROZEN
    env: str = "prod"
    region: str = "eu-west-1"
    replica_region: str = "us-west-2"
    enable_replication: bool = False
    enable_waf: bool = False
    enable_cloudtrail: bool = True
    enable_cloudtrail_data_events: bool = False
    enable_aws_config: bool = False
    # Collector sources whose vendor allow-lists one egress IP: their functions run in a private
    # subnet behind a NAT instance with an Elastic IP. Empty (default): nothing of it is created.
    egress_ip_sources: tuple[str, ...] = ()
    fargate_spot: bool = False
    log_retention_days: int = 30
    # The seed's 10 concurrent executions. quota mode: the account's own quota (`aws lambda
    # get-account-settings`), the platform-wide cap. reserved mode: the budget the reservations'
    # peak must stay within (the account then needs a quota of reserved total + 100).
    account_lambda_concurrency: int = Field(default=10, ge=1)
    lambda_concurrency_mode: Mode = "quota"
    # API stage throttling: a burst that lets a dashboard page's parallel requests (the Overview
    # sends 3, then 5 with four markets) through at once, and a steady rate for one or two analysts. The
    # dashboard retries a 429 after Retry-After. p95 is the latency the peak estimate assumes.
    api_throttle_burst: int = Field(default=8, ge=1)
    api_throttle_rate_per_s: float = Field(default=4.0, gt=0)
    api_p95_latency_ms: int = Field(default=250, gt=0)
    storage_quota_gb: float = 50.0
    athena_bytes_scanned_limit: int = 1024**3  # 1 GiB per query
    athena_results_expiry_days: int = 7
    budget_limit_usd: float = 20.0
    budget_alert_usd: float = 18.0
    budget_emails: tuple[str, ...] = ()
    alert_subscriptions: tuple[AlertSubscription, ...] = ()
    dashboard_cache_ttl_s: int = 24 * 3600
    analysis_max_minutes: int = 30
    source_silence_hours: int = 36
    collector_sources: tuple[str, ...] = ("entsoe", "openmeteo", "fred", "eia")
    dashboard_domain: str | None = None
    dashboard_certificate_arn: str | None = None  # ACM, us-east-1; enables TLSv1.2_2021 on the alias
    analyzer_image_tag: str = "latest"
    asl_file: str | None = None  # defaults to the repository's state_machines/weekly_analysis.asl.json
    artifacts_dir: str = "build"
    core_stack: str = "core"  # `<org>/<project>/<stack>` of the core stack, for collector stacks

    @field_validator("egress_ip_sources")
    @classmethod
    def _known_sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(COLLECTOR_SOURCES))
        if unknown:
            raise ValueError(f"unknown collector sources {unknown}; known: {COLLECTOR_SOURCES}")
        return value

    @property
    def nat_instance(self) -> bool:
        """The fixed-egress-IP network exists when at least one source needs it."""
        return bool(self.egress_ip_sources)

    def api_throttle(self) -> ApiThrottle:
        """The API stage's throttling and the p95 latency it is sized for."""
        burst, rate = self.api_throttle_burst, self.api_throttle_rate_per_s
        return ApiThrottle(burst, rate, self.api_p95_latency_ms / 1000)

    def name(self, logical: str) -> str:
        """`nexus-<env>-<logical>` (the topology's physical name)."""
        return f"nexus-{self.env}-{logical}"

    def artifact(self, *parts: str) -> str:
        """A `make package` output path; relative `artifacts_dir` is taken from the repository root."""
        base = Path(self.artifacts_dir)
        return str((base if base.is_absolute() else REPO_ROOT / base).joinpath(*parts))

    def tags(self, **extra: str) -> dict[str, str]:
        return {"project": "nexus-ena", "env": self.env, **extra}


def _decode(raw: str) -> Any:
    """Pulumi config values are strings; objects, lists, numbers and booleans arrive as JSON."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def from_pulumi_config() -> InfraConfig:
    """Read the `nexus:` namespace of the current stack's configuration."""
    import pulumi

    cfg = pulumi.Config("nexus")
    values: dict[str, Any] = {"env": pulumi.get_stack()}
    for field in InfraConfig.model_fields:
        raw = cfg.get(field)
        if raw is not None:
            values[field] = _decode(raw)
    aws_region = pulumi.Config("aws").get("region")
    if aws_region and "region" not in values:
        values["region"] = aws_region
    return InfraConfig.model_validate(values)
