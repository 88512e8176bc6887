"""Writes the OpenAPI document: `python -m nexus_api.openapi services/api/openapi.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from nexus_api.app import build_app
from nexus_api.settings import ApiSettings


class _NoData:
    """A repository stand-in: generating the document reads no data."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("no data while generating the OpenAPI document")


def document() -> str:
    app = build_app(_NoData(), ApiSettings())  # type: ignore[arg-type]
    text = app.get_openapi_json_schema(
        title="NEXUS_ENA API",
        version="1.0.0",
        description="Read-only views over the lake catalog, weekly analyses and reports; Cognito JWT bearer.",
        security_schemes={"cognito": HTTPBearer(bearerFormat="JWT")},
        security=[{"cognito": []}],
    )
    return json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("services/api/openapi.json")
    target.write_text(document())


if __name__ == "__main__":
    main()
