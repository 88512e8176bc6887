"""Lambda entry point behind API Gateway (its JWT authorizer has verified the token already)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from nexus_api.adapters.aws import AwsRepository
from nexus_api.app import build_app, logger
from nexus_api.settings import get_api_settings
from nexus_core.settings import get_settings

app = build_app(AwsRepository(get_settings()), get_api_settings())


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
