"""The few named failures of NEXUS_ENA, one class per failure mode.

They are mapped once: to retries in the HTTP client, to a source status in the collector kit, to
partial batch failures in SQS consumers and to Retry/Catch in the state machine.
"""

from __future__ import annotations


class NexusError(Exception):
    """Base of every NEXUS_ENA error."""


class SourceUnavailable(NexusError):
    """The source could not be reached or kept failing (5xx, timeouts) after the retries."""


class RateLimited(SourceUnavailable):
    """The source refused for rate reasons (429); `retry_after_s` is its hint, if any."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AuthFailed(NexusError):
    """Credentials are missing, wrong or expired (401/403), and a refresh did not help."""


class NoDataYet(NexusError):
    """The source has not published the requested interval yet (not an error for a run)."""


class SourceSchemaChanged(NexusError):
    """A response lacks a field the parser requires: the source changed its format."""


class ContractViolation(NexusError):
    """Data or an event does not satisfy its contract."""


class ClaimCheckMissing(NexusError):
    """A claim-checked payload is absent from S3 or does not match its checksum."""
