"""Publish event envelopes to SNS, with filterable attributes and an S3 claim check for big payloads.

Message attributes repeat `event_type`, `source`, `dataset`, `severity` and `kind` when the
payload has them, so subscriptions filter without reading the body. An envelope whose JSON is
larger than CLAIM_CHECK_THRESHOLD_BYTES keeps its payload in S3 under
`landing/<event_type>/<yyyy-mm-dd>/<event_id>.json` and travels with a `ClaimCheck` instead.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel

from nexus_contracts import ClaimCheck, Envelope
from nexus_contracts.events import CLAIM_CHECK_THRESHOLD_BYTES, PAYLOADS
from nexus_core import aws
from nexus_core.errors import ClaimCheckMissing, ContractViolation
from nexus_core.settings import NexusSettings, get_settings

_ATTRIBUTES = ("source", "dataset", "severity", "kind")
LANDING_PREFIX = "landing"


def landing_key(envelope: Envelope[Any]) -> str:
    """The claim-check key of an envelope's payload (day of `occurred_at`, UTC)."""
    day = f"{envelope.occurred_at:%Y-%m-%d}"
    return f"{LANDING_PREFIX}/{envelope.event_type.value}/{day}/{envelope.event_id}.json"


def message_attributes(envelope: Envelope[Any]) -> dict[str, dict[str, str]]:
    """SNS message attributes of an envelope: event type plus the payload's routing fields."""
    attrs = {"event_type": {"DataType": "String", "StringValue": envelope.event_type.value}}
    for name in _ATTRIBUTES:
        value = getattr(envelope.payload, name, None)
        if value is not None:
            attrs[name] = {"DataType": "String", "StringValue": str(getattr(value, "value", value))}
    return attrs


class EventPublisher:
    """Publishes envelopes to one SNS topic; claim-checks payloads too big for SNS."""

    def __init__(
        self,
        topic_arn: str,
        *,
        settings: NexusSettings | None = None,
        sns: Any = None,
        s3: Any = None,
        threshold_bytes: int = CLAIM_CHECK_THRESHOLD_BYTES,
    ) -> None:
        self.settings = settings or get_settings()
        self.topic_arn = topic_arn
        self._sns = sns or aws.client("sns", self.settings)
        self._s3 = s3 or aws.client("s3", self.settings)
        self.threshold_bytes = threshold_bytes

    def publish(self, envelope: Envelope[Any]) -> str:
        """Publish one envelope; returns the SNS message id."""
        body = envelope.model_dump_json()
        if len(body.encode()) > self.threshold_bytes:
            envelope = self._claim_check(envelope)
            body = envelope.model_dump_json()
        response = self._sns.publish(
            TopicArn=self.topic_arn, Message=body, MessageAttributes=message_attributes(envelope)
        )
        return str(response["MessageId"])

    def _claim_check(self, envelope: Envelope[Any]) -> Envelope[Any]:
        payload: BaseModel = envelope.payload
        if "claim_check" not in type(payload).model_fields:
            raise ContractViolation(f"{envelope.event_type} payload is too big and cannot be claim-checked")
        data = payload.model_dump_json().encode()
        key = landing_key(envelope)
        self._s3.put_object(Bucket=self.settings.bucket, Key=key, Body=data, ContentType="application/json")
        check = ClaimCheck(
            bucket=self.settings.bucket,
            key=key,
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
        )
        inline = "observations" if "observations" in type(payload).model_fields else "items"
        slim = type(payload).model_validate(
            {**payload.model_dump(exclude={inline}), inline: None, "claim_check": check}
        )
        return envelope.model_copy(update={"payload": slim})


def resolve_claim_check(envelope: Envelope[Any], *, s3: Any = None) -> Envelope[Any]:
    """The envelope with its payload loaded back from S3 when it carries a claim check.

    Raises ClaimCheckMissing when the object is gone or its sha256 differs from the reference.
    """
    check: ClaimCheck | None = getattr(envelope.payload, "claim_check", None)
    if check is None:
        return envelope
    s3 = s3 or aws.client("s3")
    # botocore is loaded by the client above; importing it here keeps it out of a cold import.
    from botocore.exceptions import ClientError

    try:
        data = s3.get_object(Bucket=check.bucket, Key=check.key)["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"NoSuchKey", "404", "NoSuchBucket"}:
            raise ClaimCheckMissing(f"claim check s3://{check.bucket}/{check.key} not found") from exc
        raise
    if hashlib.sha256(data).hexdigest() != check.sha256:
        raise ClaimCheckMissing(f"claim check s3://{check.bucket}/{check.key} does not match its sha256")
    payload = PAYLOADS[envelope.event_type].model_validate(json.loads(data))
    return envelope.model_copy(update={"payload": payload})
