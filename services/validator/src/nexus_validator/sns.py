"""Unwrap SQS bodies that carry SNS notifications (raw delivery off) or the envelope itself."""

from __future__ import annotations

import json
from typing import Any


def unwrap(body: str) -> str:
    """The event text inside an SQS body: SNS `Message` when it is a notification, else the body."""
    try:
        data: Any = json.loads(body)
    except (json.JSONDecodeError, TypeError):
        return body
    if isinstance(data, dict) and data.get("Type") == "Notification" and isinstance(data.get("Message"), str):
        return str(data["Message"])
    return body
