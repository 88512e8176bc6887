"""Analyzer settings (NEXUS_ prefix), read once at container start."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalyzerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEXUS_", extra="ignore", frozen=True)

    analysis_week: str = ""
    analysis_execution: str | None = None
    analysis_lookback_days: int = 3 * 365
    analysis_read_threads: int = 16
    anthropic_api_key: str | None = None
    anthropic_api_key_parameter: str | None = None  # SSM SecureString name, used when no key is set
    anthropic_model: str = "claude-sonnet-4-5"
    anthropic_max_tokens: int = 1500
    anthropic_timeout_s: float = 60.0
    anthropic_max_retries: int = 2
    anthropic_base_url: str | None = None
    anthropic_usd_per_mtok_in: float = 3.0
    anthropic_usd_per_mtok_out: float = 15.0
