"""Settings of the query surface (Athena side), read with the common NEXUS_ prefix."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class QuerySettings(BaseSettings):
    """Athena workgroup and Glue database; the workgroup carries the bytes-scanned limit and output."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_", extra="ignore", frozen=True)

    env: str = "local"
    athena_workgroup: str = ""
    glue_database: str = ""
    # Polling of a running Athena query: every `athena_poll_seconds`, at most `athena_timeout_seconds`.
    athena_poll_seconds: float = 1.0
    athena_timeout_seconds: float = 300.0

    @property
    def workgroup(self) -> str:
        """`nexus-<env>` unless set explicitly."""
        return self.athena_workgroup or f"nexus-{self.env}"

    @property
    def database(self) -> str:
        """`nexus_<env>` unless set explicitly (Glue names take no hyphens)."""
        return self.glue_database or f"nexus_{self.env}".replace("-", "_")
