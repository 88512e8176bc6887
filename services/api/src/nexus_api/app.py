"""The REST resolver: routes, auth and rate-limit middleware, ETags, and problem-body errors.

`build_app(repo, settings)` wires one resolver; the Lambda handler and the local HTTP front both
use it, so the same code answers in AWS and on a laptop.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from nexus_api.adapters.repository import ApiRepository
from nexus_api.errors import ApiProblem, BadRequest, Forbidden, NotFound, TooManyRequests, Unauthorized
from nexus_api.logic import views
from nexus_api.logic.claims import Caller, caller_from_claims
from nexus_api.logic.ratelimit import SlidingWindowLimiter
from nexus_api.logic.resample import Resolution
from nexus_api.logic.weeks import WEEK_PATTERN, is_week, next_rerun_name
from nexus_api.models import (
    Alert,
    AnalysisInfo,
    CorrelationView,
    Health,
    MarketSummary,
    ObservationSeries,
    ReportInfo,
    ReportLink,
    RerunStarted,
    SeriesInfo,
    SourcesStatus,
)
from nexus_api.settings import ApiSettings

logger = Logger(service="api")
PUBLIC_PATHS = {"/health"}
PROBLEM_JSON = "application/problem+json"
Week = Annotated[str, Path(pattern=WEEK_PATTERN, description="ISO week, e.g. 2024-W03")]
# The hard cap on points per response; ApiSettings.max_points may lower it per deployment.
POINTS_CAP = 10_000
Limit = Annotated[int, Query(ge=1, le=POINTS_CAP, description="most points to return (400 above)")]
OptionalWeek = Annotated[str | None, Query(pattern=WEEK_PATTERN, description="ISO week; latest if absent")]


def problem(
    status: int, title: str, detail: str, path: str, headers: dict[str, str] | None = None
) -> Response:
    """An RFC 7807 body; every error of the API goes through here."""
    body: dict[str, object] = {"type": f"urn:nexus:problem:{title.lower().replace(' ', '-')}", "title": title}
    body |= {"status": status, "detail": detail, "instance": path}
    return Response(
        status, PROBLEM_JSON, json.dumps(body), headers={"Cache-Control": "no-store", **(headers or {})}
    )


def _claims(app: APIGatewayRestResolver) -> dict[str, Any] | None:
    # REST API Cognito authorizer: authorizer.claims; HTTP API JWT authorizer: authorizer.jwt.claims.
    authorizer = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    claims = authorizer.get("claims") or (authorizer.get("jwt") or {}).get("claims")
    return claims if isinstance(claims, dict) else None


def build_app(repo: ApiRepository, settings: ApiSettings) -> APIGatewayRestResolver:
    """The resolver. Powertools keeps the request being resolved on the resolver class, so a
    process resolves one request at a time (as a Lambda execution environment does)."""
    app = APIGatewayRestResolver(enable_validation=True)
    limiter = SlidingWindowLimiter(settings.rate_limit_per_minute)

    def caller() -> Caller:
        found: Caller = app.context["caller"]
        return found

    def auth_and_limit(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
        if app.current_event.path not in PUBLIC_PATHS:
            who = caller_from_claims(_claims(app))
            if who is None:
                raise Unauthorized("a valid bearer token is required")
            wait = limiter.check(who.user)
            if wait:
                raise TooManyRequests(
                    f"more than {limiter.limit} requests per minute", headers={"Retry-After": str(wait)}
                )
            app.append_context(caller=who)
        return next_middleware(app)

    def etag(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
        response = next_middleware(app)
        if app.current_event.http_method != "GET" or response.status_code != 200:
            return response
        body = response.body
        if not isinstance(body, str | bytes):
            body = app._serializer(body)  # type: ignore[arg-type] # lists too; [] stays "[]"
        response.body = body
        raw = body.encode() if isinstance(body, str) else body
        tag = f'"{hashlib.sha256(raw).hexdigest()[:32]}"'
        response.headers.setdefault("Cache-Control", f"private, max-age={settings.cache_seconds}")
        response.headers["ETag"] = tag
        if (app.current_event.headers or {}).get("if-none-match") == tag or (
            app.current_event.headers or {}
        ).get("If-None-Match") == tag:
            return Response(
                304, None, "", headers={"ETag": tag, "Cache-Control": response.headers["Cache-Control"]}
            )
        return response

    app.use(middlewares=[auth_and_limit, etag])

    @app.exception_handler(ApiProblem)
    def _problem(exc: ApiProblem) -> Response:
        return problem(exc.status, exc.title, exc.detail, app.current_event.path, exc.headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response:
        detail = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors())
        return problem(400, "Bad request", detail, app.current_event.path)

    @app.exception_handler(NotFoundError)
    def _no_route(exc: NotFoundError) -> Response:
        return problem(404, "Not found", "no such route", app.current_event.path)

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return problem(500, "Internal error", "the request failed; it was logged", app.current_event.path)

    @app.get("/health", summary="Liveness (public)", tags=["meta"])
    def health() -> Health:
        return Health(status="ok", time=datetime.now(UTC))

    @app.get("/series", summary="Series catalog", tags=["data"])
    def series() -> list[SeriesInfo]:
        return repo.series_catalog()

    @app.get(
        "/series/<series_id>/observations", summary="Resampled observations of one series", tags=["data"]
    )
    def series_observations(
        series_id: Annotated[str, Path(description="e.g. sim:DE_LU:day_ahead_price")],
        from_: Annotated[date | None, Query(alias="from", description="first UTC day")] = None,
        to: Annotated[date | None, Query(description="last UTC day (inclusive)")] = None,
        resolution: Annotated[Resolution, Query()] = Resolution.HOUR,
        limit: Limit = POINTS_CAP,
    ) -> ObservationSeries:
        cap = min(limit, settings.max_points)
        return views.observations(repo, unquote(series_id), from_, to, resolution, cap, settings.max_days)

    @app.get("/markets/<area>/summary", summary="One market's weekly figures", tags=["analysis"])
    def market_summary(area: Annotated[str, Path(max_length=32)], week: OptionalWeek = None) -> MarketSummary:
        return views.market_summary(views.analysis_doc(repo, week), area)

    @app.get("/analyses", summary="Weekly analyses, newest first", tags=["analysis"])
    def analyses() -> list[AnalysisInfo]:
        docs = (repo.analysis(week) for week in reversed(repo.analysis_weeks()))
        return [views.analysis_info(doc) for doc in docs if doc is not None]

    @app.get("/analyses/<week>", summary="The full analysis document of a week", tags=["analysis"])
    def analysis(week: Week) -> dict[str, Any]:
        return views.analysis_doc(repo, week)

    @app.get("/correlations", summary="Correlation matrices of a week", tags=["analysis"])
    def correlations(week: OptionalWeek = None) -> CorrelationView:
        return views.correlations(views.analysis_doc(repo, week))

    @app.get("/reports", summary="PDF report archive", tags=["reports"])
    def reports() -> list[ReportInfo]:
        return list(reversed(repo.reports()))

    @app.get(
        "/reports/<week>/pdf",
        summary="Download a report (302 to a short-lived presigned URL)",
        tags=["reports"],
        responses={
            302: {"description": "redirect to the PDF"},
            200: {"description": "the link as JSON", "content": {"application/json": {"model": ReportLink}}},
        },
    )
    def report_pdf(
        week: Week,
        redirect: Annotated[bool, Query(description="false: return the link as JSON")] = True,
    ):  # no return annotation: a 302 has no body to validate; the responses above document both

        url = repo.report_url(week, settings.presign_seconds)
        if url is None:
            raise NotFound(f"no PDF report for week {week}")
        if not redirect:
            link = ReportLink(week=week, url=url, expires_in_s=settings.presign_seconds)
            return Response(
                200, "application/json", link.model_dump_json(), headers={"Cache-Control": "no-store"}
            )
        return Response(302, None, "", headers={"Location": url, "Cache-Control": "no-store"})

    @app.get("/sources/status", summary="Freshness, completeness and quarantine per source", tags=["health"])
    def sources_status() -> SourcesStatus:
        return views.sources_status(repo, datetime.now(UTC))

    @app.get("/alerts", summary="Alerts of the last days, newest first", tags=["health"])
    def alerts(days: Annotated[int, Query(ge=1, le=30)] = 7) -> list[Alert]:
        return views.recent_alerts(repo, datetime.now(UTC).date(), days)

    @app.post(
        "/analyses/<week>/rerun",
        summary="Rerun a week's analysis (admins)",
        tags=["analysis"],
        responses={
            202: {
                "description": "execution started",
                "content": {"application/json": {"model": RerunStarted}},
            }
        },
    )
    def rerun(week: Week):  # 202 with RerunStarted, documented in `responses`
        if not caller().is_admin:
            raise Forbidden("only members of 'admins' may rerun an analysis")
        if not is_week(week):
            raise BadRequest(f"{week!r} is not an ISO week")
        name = next_rerun_name(week, repo.execution_names())
        stored = repo.execution_input(f"weekly-{week}")
        arn = repo.start_execution(name, stored or json.dumps({"week": week}))
        body = RerunStarted(week=week, execution=name, execution_arn=arn)
        return Response(
            202, "application/json", body.model_dump_json(), headers={"Cache-Control": "no-store"}
        )

    return app
