"""The data-quality rule set of the validator: small pure rules, no AWS calls.

`evaluate(records, ctx)` judges decoded records, `evaluate_body(body, ctx, fetch)` one message
body; both return a QualityReport (accepted observations, rejections with rule and reason,
alert intents, revision counts, per-day completeness).
"""

from nexus_validator.quality.engine import QualityContext, evaluate, evaluate_body
from nexus_validator.quality.event import MAX_INLINE_BYTES, ObservationBatch, read_envelope, read_event
from nexus_validator.quality.history import history_from_rows
from nexus_validator.quality.model import (
    AlertIntent,
    DayCompleteness,
    QualityReport,
    Rejection,
    Revisions,
    SeriesHistory,
)

__all__ = [
    "MAX_INLINE_BYTES",
    "AlertIntent",
    "DayCompleteness",
    "ObservationBatch",
    "QualityContext",
    "QualityReport",
    "Rejection",
    "Revisions",
    "SeriesHistory",
    "evaluate",
    "evaluate_body",
    "history_from_rows",
    "read_envelope",
    "read_event",
]
