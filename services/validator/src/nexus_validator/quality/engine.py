"""The rule set end to end: records in, accepted observations, rejections and alert intents out.

The validator Lambda and `nexus validate` both call `evaluate` (records) or `evaluate_body`
(one message body), so offline validation is the same code path as the pipeline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nexus_contracts.events import AlertKind, Severity
from nexus_contracts.observation import Observation
from nexus_validator.quality.batch import DUPLICATE_RULE, classify_revisions, duplicate_keys
from nexus_validator.quality.daily import completeness_alerts, day_completeness, stuck_value_alerts
from nexus_validator.quality.event import ClaimFetcher, ObservationBatch, read_event
from nexus_validator.quality.history import Z_THRESHOLD, drift_alerts, unusual_alerts
from nexus_validator.quality.model import AlertIntent, QualityReport, Rejection, SeriesHistory
from nexus_validator.quality.record import CONTRACT_RULE, RAW_RULES, RECORD_RULES, parse_observation


@dataclass(frozen=True)
class QualityContext:
    """What the rules need besides the records: the clock, the lake's history, the batch window."""

    now: datetime
    history: Mapping[str, SeriesHistory] = field(default_factory=dict)
    window: tuple[datetime, datetime] | None = None
    source: str | None = None
    dataset: str | None = None
    z_threshold: float = Z_THRESHOLD


def check_record(record: Any, index: int, ctx: QualityContext) -> Observation | Rejection:
    """Every single-record rule in order; the first failure names the rejection."""
    if not isinstance(record, dict):
        reason = f"record is a {type(record).__name__}, not an object"
        return Rejection(CONTRACT_RULE, Severity.CRITICAL, reason, record, index)
    for raw_rule in RAW_RULES:
        reason = raw_rule.check(record)
        if reason:
            return Rejection(raw_rule.name, raw_rule.severity, reason, record, index)
    parsed = parse_observation(record)
    if isinstance(parsed, str):
        return Rejection(CONTRACT_RULE, Severity.CRITICAL, parsed, record, index)
    mismatch = _batch_mismatch(parsed, ctx)
    if mismatch:
        return Rejection("batch_mismatch", Severity.CRITICAL, mismatch, record, index)
    for rule in RECORD_RULES:
        reason = rule.check(parsed, ctx.now)
        if reason:
            return Rejection(rule.name, rule.severity, reason, record, index)
    return parsed


def _batch_mismatch(obs: Observation, ctx: QualityContext) -> str | None:
    # A record must belong to the batch's (source, dataset): the lake partition depends on it.
    if ctx.source is not None and obs.source.value != ctx.source:
        return f"record source {obs.source.value} differs from the batch source {ctx.source}"
    if ctx.dataset is not None and obs.dataset.value != ctx.dataset:
        return f"record dataset {obs.dataset.value} differs from the batch dataset {ctx.dataset}"
    return None


def evaluate(records: Sequence[Any], ctx: QualityContext) -> QualityReport:
    """Apply the whole rule set to a batch of raw (decoded JSON) records."""
    valid: list[tuple[int, Observation]] = []
    rejections: list[Rejection] = []
    for i, record in enumerate(records):
        outcome = check_record(record, i, ctx)
        if isinstance(outcome, Rejection):
            rejections.append(outcome)
        else:
            valid.append((i, outcome))
    dups = duplicate_keys([obs for _, obs in valid])
    dropped = {d.index for d in dups}
    for d in dups:
        pos, _ = valid[d.index]
        rejections.append(Rejection(DUPLICATE_RULE, Severity.WARNING, d.reason, records[pos], pos))
    accepted = [obs for j, (_, obs) in enumerate(valid) if j not in dropped]
    revisions, stale = classify_revisions(accepted, ctx.history)
    days = day_completeness(accepted, ctx.window, ctx.history)
    alerts = [
        *completeness_alerts(days),
        *stuck_value_alerts(accepted, ctx.window),
        *drift_alerts(accepted, ctx.history),
        *unusual_alerts(accepted, ctx.history, ctx.z_threshold),
        *rejection_alerts(rejections, ctx),
    ]
    return QualityReport(
        accepted=tuple(accepted),
        rejections=tuple(sorted(rejections, key=lambda r: -1 if r.index is None else r.index)),
        alerts=tuple(alerts),
        revisions=revisions,
        stale=tuple(stale),
        days=tuple(days),
    )


def rejection_alerts(rejections: Sequence[Rejection], ctx: QualityContext) -> list[AlertIntent]:
    """One DATA_QUALITY alert per rule that refused records of this (source, dataset)."""
    counts = Counter(r.rule for r in rejections)
    severity = {r.rule: r.severity for r in rejections}
    where = f"{ctx.source or '-'}:{ctx.dataset or '-'}"
    return [
        AlertIntent(
            severity=severity[rule],
            kind=AlertKind.DATA_QUALITY,
            title=f"{n} record(s) quarantined by {rule}",
            detail=f"rule {rule} refused {n} record(s) of {where}; see `nexus quarantine list`",
            dedupe_key=f"quarantine:{where}:{rule}",
            rule=rule,
            source=ctx.source,
            dataset=ctx.dataset,
            context={"rule": rule, "count": str(n)},
        )
        for rule, n in sorted(counts.items())
    ]


def evaluate_body(
    body: str | bytes,
    ctx: QualityContext,
    fetch: ClaimFetcher | None = None,
) -> tuple[ObservationBatch | None, QualityReport]:
    """One message body: event rules first (a broken envelope rejects the message), then `evaluate`."""
    batch = read_event(body, fetch)
    if isinstance(batch, Rejection):
        return None, QualityReport(
            accepted=(), rejections=(batch,), alerts=tuple(rejection_alerts([batch], ctx))
        )
    scoped = QualityContext(
        now=ctx.now,
        history=ctx.history,
        window=batch.window,
        source=batch.source,
        dataset=batch.dataset,
        z_threshold=ctx.z_threshold,
    )
    return batch, evaluate(batch.records, scoped)
