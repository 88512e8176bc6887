"""Reporter failures, named for the state machine's Retry/Catch (the errorType is the class name)."""

from __future__ import annotations


class TransientError(Exception):
    """A retryable AWS failure (throttling, 5xx); the state machine retries with backoff."""


class AnalysisMissing(Exception):
    """The analysis document of the week is not in S3: the analyzer did not finish."""
