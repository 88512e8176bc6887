"""The Lambda handler with API Gateway-shaped events (claims placed by the JWT authorizer),
its committed OpenAPI document, and a property-based run of every GET operation of that document.
"""

from __future__ import annotations

import importlib
import itertools
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexus_core.settings import get_settings
from tests.integration.test_api_http import stack

pytestmark = pytest.mark.xdist_group("api-stack")
OPENAPI = Path(__file__).resolve().parents[2] / "services" / "api" / "openapi.json"


@cache
def _handler() -> Any:
    """The Lambda entry point, cold-started against the seeded emulator's environment."""
    with stack().env():
        get_settings.cache_clear()
        module = importlib.reload(importlib.import_module("nexus_api.handler"))
    get_settings.cache_clear()  # do not leak this environment's settings to other suites
    return module.handler


def invoke(request: dict[str, Any]) -> dict[str, Any]:
    with stack().env():
        response: dict[str, Any] = _handler()(request, Context())
    return response


def event(method: str, path: str, query: dict[str, str] | None = None, claims: Any = None) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"accept": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "requestId": "test-request",
            "stage": "prod",
            "path": path,
            "httpMethod": method,
            "authorizer": {"claims": claims} if claims else None,
        },
    }


class Context:
    function_name = "nexus-local-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:nexus-local-api"
    aws_request_id = "test-request"


# API Gateway's Cognito authorizer flattens the groups list to a string.
ANALYST = {"sub": "a-1", "cognito:username": "events-analyst", "cognito:groups": "analysts"}
ADMIN = {"sub": "a-2", "cognito:username": "events-admin", "cognito:groups": "[analysts admins]"}
FUZZ_USERS = itertools.count()


def test_committed_openapi_document_matches_the_code():
    # Given the routes in code / When the document is generated / Then it equals the committed file
    from nexus_api.openapi import document

    assert OPENAPI.read_text() == document(), "run: python -m nexus_api.openapi services/api/openapi.json"


def test_sample_analysis_document_satisfies_the_analysis_contract():
    # Given the sample state's weekly document / Then the analyzer's contract accepts it as is
    from nexus_contracts.analysis import AnalysisDocument

    week = stack().state.week
    doc = invoke(event("GET", f"/analyses/{week}", claims=ANALYST))
    assert doc["statusCode"] == 200
    parsed = AnalysisDocument.model_validate_json(doc["body"])
    assert parsed.simulated is True
    assert {r.area for r in parsed.regressions} == set(stack().state.areas)


def test_requests_without_authorizer_claims_get_401():
    # Given an event without claims (authorizer misconfigured) / Then the handler itself refuses
    response = invoke(event("GET", "/series"))
    assert response["statusCode"] == 401
    assert json.loads(response["body"])["title"] == "Unauthorized"


def test_flattened_group_claims_are_understood():
    # Given analyst claims as API Gateway passes them / When rerun is called / Then 403
    week = stack().state.week
    response = invoke(event("POST", f"/analyses/{week}/rerun", claims=ANALYST))
    assert response["statusCode"] == 403
    # And an admin's "[analysts admins]" passes the group check
    response = invoke(event("POST", f"/analyses/{week}/rerun", claims=ADMIN))
    assert response["statusCode"] == 202
    assert json.loads(response["body"])["execution"].startswith(f"weekly-{week}-r")


def test_empty_lists_stay_json_arrays():
    # Given a repository with no alerts / When alerts are listed / Then the body is [] (not {})
    with stack().env():
        from nexus_api.adapters.aws import AwsRepository
        from nexus_api.app import build_app
        from nexus_api.settings import ApiSettings

        class NoAlerts(AwsRepository):
            def alerts(self, days: list[Any]) -> list[dict[str, Any]]:
                return []

        app = build_app(NoAlerts(stack().settings(), endpoint_url=stack().endpoint), ApiSettings())
    response = app.resolve(event("GET", "/alerts", claims=ANALYST), Context())  # type: ignore[arg-type]
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == []


def test_catalog_lists_the_seeded_series_with_their_span():
    # When /series is called through the handler / Then each sim series spans the seeded days
    response = invoke(event("GET", "/series", claims=ANALYST))
    assert response["statusCode"] == 200
    catalog = {s["series_id"]: s for s in json.loads(response["body"])}
    state = stack().state
    assert {state.series_id(a) for a in state.areas} <= set(catalog)
    first = catalog[state.series_id("DE_LU")]
    assert first["first_interval_utc"].startswith(str(state.start))
    assert first["last_interval_utc"].startswith(f"{state.end}T23:00")


def _operations() -> list[tuple[str, dict[str, Any]]]:
    doc = json.loads(OPENAPI.read_text())
    return [(path, op["get"]) for path, op in sorted(doc["paths"].items()) if "get" in op]


def _strategy(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    options = schema.get("anyOf", [schema])
    kinds = []
    for option in options:
        if "$ref" in option:
            kinds.append(st.sampled_from(["raw", "PT1H", "P1D", "P1W", "bogus"]))
        elif option.get("format") == "date":
            kinds.append(st.dates().map(str))
        elif option.get("type") == "integer":
            kinds.append(st.integers(-5, 20_000).map(str))
        elif option.get("type") == "boolean":
            kinds.append(st.sampled_from(["true", "false", "maybe"]))
        elif "pattern" in option:
            kinds.append(st.from_regex(re.compile(option["pattern"]), fullmatch=True))
        elif option.get("type") == "string":
            kinds.append(st.text(st.characters(min_codepoint=48, max_codepoint=122), max_size=12))
    return st.one_of(*kinds, st.text(max_size=6))


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    path, op = draw(st.sampled_from(_operations()))
    query: dict[str, str] = {}
    for param in op.get("parameters", []):
        value = draw(_strategy(param["schema"]))
        if param["in"] == "path":
            known = {"series_id": "sim:DE_LU:day_ahead_price", "area": "DE_LU"}.get(param["name"])
            value = draw(st.sampled_from([known, value] if known else [value]))
            path = path.replace("{" + param["name"] + "}", value or "x")
        elif draw(st.booleans()):
            query[param["name"]] = value
    return path, query


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_no_generated_request_gets_a_server_error(request: tuple[str, dict[str, str]]):
    # Given any request the OpenAPI document allows (and many it does not)
    path, query = request
    # When the handler answers / Then never 5xx, and every error is a problem body
    response = invoke(
        event("GET", path, query, claims=ADMIN | {"cognito:username": f"fuzz-{next(FUZZ_USERS)}"})
    )
    assert response["statusCode"] < 500, (path, query, response["body"])
    if response["statusCode"] >= 400:
        assert response["multiValueHeaders"].get("Content-Type", [""])[0].startswith(
            "application/problem+json"
        ) or (response["headers"].get("Content-Type", "").startswith("application/problem+json"))
