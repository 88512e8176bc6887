"""Skip exact redeliveries with Powertools idempotency records in the metadata table.

The key is the sha256 of the event text (inside its SNS wrapper), not the event id alone, so an
operator who fixes a quarantined event and sends it again under the same id is not ignored.
The lake merge is idempotent on its own; this saves the repeated quarantine entries, events
and alerts a redelivery would otherwise produce. Records expire after a week (`expires_at`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from nexus_core import aws
from nexus_core.settings import NexusSettings

EXPIRES_AFTER_S = 7 * 24 * 3600

MessageFn = Callable[..., dict[str, Any]]


class OncePerMessage:
    """`fn(message=...)` run at most once per distinct `message["sha256"]` (a failed run is retried)."""

    def __init__(self, settings: NexusSettings, fn: MessageFn) -> None:
        store = DynamoDBPersistenceLayer(
            table_name=settings.table,
            key_attr="pk",
            sort_key_attr="sk",
            static_pk_value=f"IDEMPOTENCY#{settings.env}-validator",
            expiry_attr="expires_at",
            boto3_client=aws.client("dynamodb", settings),
        )
        self.config = IdempotencyConfig(
            event_key_jmespath="sha256", expires_after_seconds=EXPIRES_AFTER_S, use_local_cache=False
        )
        self._call: MessageFn = idempotent_function(
            fn, data_keyword_argument="message", persistence_store=store, config=self.config
        )

    def register(self, context: Any) -> None:
        """Let in-progress records expire with the invocation (needs a Lambda context)."""
        if callable(getattr(context, "get_remaining_time_in_millis", None)):
            self.config.register_lambda_context(context)

    def __call__(self, *, message: dict[str, Any]) -> dict[str, Any]:
        return self._call(message=message)
