"""Lambda entry point of the validator (`nexus_validator.handler:handler`).

SQS batches from the validation queue: each record is processed on its own; a record that
raises (a transient S3/DynamoDB/SNS failure) is reported in `batchItemFailures` and retried by
the queue, its batch-mates are not. Bad data never raises: it is quarantined.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from nexus_core.observability import logger
from nexus_core.settings import get_settings
from nexus_validator.pipeline import ValidatorServices, process_message

processor = BatchProcessor(event_type=EventType.SQS)


@lru_cache(maxsize=1)
def services() -> ValidatorServices:
    """Adapters built once per cold start."""
    return ValidatorServices.from_settings(get_settings())


def record_handler(record: SQSRecord) -> dict[str, Any]:
    outcome = process_message(record.body, services())
    return {"event_id": outcome.event_id, "accepted": outcome.accepted, "quarantined": outcome.quarantined}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
