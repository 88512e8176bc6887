"""Reporter Lambda: render the week's PDF from its analysis document, record the run, build the
report.published message (sent by the state machine's PublishReport state)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

from nexus_core import aws
from nexus_core.metadata import MetadataRepository
from nexus_core.settings import get_settings
from nexus_reporter.report import publish_report


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings = get_settings()
    return publish_report(
        week=str(event["week"]),
        execution=str(event.get("execution") or f"weekly-{event['week']}"),
        s3=aws.client("s3", settings),
        bucket=settings.bucket,
        repo=MetadataRepository(settings),
        now=datetime.now(UTC),
        presigner=boto3.client("s3", region_name=settings.region, config=Config(signature_version="s3v4")),
    )
