"""Lambda entry point of the validator (`nexus_validator.handler:handler`).

SQS batches from the validation queue: each record is processed on its own; a record that
raises (a transient S3/DynamoDB/SNS failure) is reported in `batchItemFailures` and retried by
the queue, its batch-mates are not. Bad data never raises: it is quarantined.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_core.observability import logger
from nexus_core.settings import NexusSettings, get_settings
from nexus_validator.adapters.idempotency import OncePerMessage
from nexus_validator.pipeline import ValidatorServices, process_message
from nexus_validator.sns import unwrap

processor = BatchProcessor(event_type=EventType.SQS)


@lru_cache(maxsize=4)
def _services_for(settings: NexusSettings) -> ValidatorServices:
    return ValidatorServices.from_settings(settings)


def services() -> ValidatorServices:
    """Adapters built once per cold start, keyed by the settings they were built from.

    In Lambda the settings never change. A process that starts a second local runtime (tests,
    the CLI) re-reads its settings, and must not keep adapters bound to the old endpoint.
    """
    return _services_for(get_settings())


services.cache_clear = _services_for.cache_clear  # type: ignore[attr-defined]


def _process(message: dict[str, Any]) -> dict[str, Any]:
    outcome = process_message(message["text"], services())
    return {"event_id": outcome.event_id, "accepted": outcome.accepted, "quarantined": outcome.quarantined}


class ValidatorSettings(BaseSettings):
    """Validator-only switches (`NEXUS_VALIDATOR_` prefix)."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_VALIDATOR_", extra="ignore", frozen=True)

    # Off by default: the lake merge is idempotent on its own; the records only save repeated
    # quarantine entries and events on redelivery, at three DynamoDB calls per message.
    idempotency: bool = False


@lru_cache(maxsize=4)
def _process_once_for(settings: NexusSettings) -> OncePerMessage | None:
    return OncePerMessage(settings, _process) if ValidatorSettings().idempotency else None


def process_once() -> OncePerMessage | None:
    """`_process` guarded by an idempotency record per distinct event text, when enabled."""
    return _process_once_for(get_settings())


process_once.cache_clear = _process_once_for.cache_clear  # type: ignore[attr-defined]


def record_handler(record: SQSRecord) -> dict[str, Any]:
    text = unwrap(record.body)
    message = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "text": text}
    once = process_once()
    return once(message=message) if once is not None else _process(message)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    once = process_once()
    if once is not None:
        once.register(context)
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
