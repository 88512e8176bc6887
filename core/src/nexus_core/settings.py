"""Service settings: one pydantic-settings model, `NEXUS_` prefix, validated once at cold start.

Names are global (every function gets the same bucket, table and topic variables), so the local
runtime can share one environment between all services.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NexusSettings(BaseSettings):
    """Settings common to every service. Logic receives this object; it never reads os.environ."""

    # validate_by_name: keyword arguments (`NexusSettings(s3_endpoint_url=...)`) win over the
    # environment for aliased fields too, instead of being dropped in favour of the variables.
    model_config = SettingsConfigDict(env_prefix="NEXUS_", extra="ignore", frozen=True, validate_by_name=True)

    env: str = "local"
    region: str = Field(
        default="eu-west-1", validation_alias=AliasChoices("NEXUS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION")
    )
    bucket: str = "nexus-local-data"
    table: str = "nexus-local-metadata"
    observations_topic_arn: str = ""
    alerts_topic_arn: str = ""
    reports_topic_arn: str = ""
    quarantine_queue_url: str = ""
    state_machine_arn: str = ""
    # pyarrow's S3FileSystem ignores AWS_ENDPOINT_URL, so the endpoint is passed explicitly.
    s3_endpoint_url: str | None = Field(
        default=None, validation_alias=AliasChoices("NEXUS_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL")
    )
    sim_seed: int = 7
    log_level: str = "INFO"


@lru_cache(maxsize=1)
def get_settings() -> NexusSettings:
    """The process-wide settings, read once (cold start)."""
    return NexusSettings()
