"""WSGI middleware in front of moto: Lambda Invoke, ECS RunTask/DescribeTasks, SFN default names.

Everything else (and every function or family nothing is registered for) falls through to moto.
"""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from nexus_local.lambdas import FunctionNotFoundError, LambdaRegistry
from nexus_local.tasks import TaskRunner

log = logging.getLogger(__name__)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
LAMBDA_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<fn>[^/]+)/invocations/?$")
ECS_TARGET = "AmazonEC2ContainerServiceV20141113."
SFN_START = "AWSStepFunctions.StartExecution"


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back so the next app can read it again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def replace_body(environ: dict[str, Any], body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def respond(start_response: Callable[..., Any], status: str, body: bytes, headers: list[Any]) -> list[bytes]:
    base = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response(status, base + headers)
    return [body]


class Interceptor:
    """The local runtime's front door; `app` is moto's DomainDispatcherApplication."""

    def __init__(self, app: WsgiApp, lambdas: LambdaRegistry, tasks: TaskRunner) -> None:
        self.app = app
        self.lambdas = lambdas
        self.tasks = tasks

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        invoke = LAMBDA_INVOKE.match(environ.get("PATH_INFO", ""))
        if invoke and environ.get("REQUEST_METHOD") == "POST":
            name = self.lambdas.logical(invoke["fn"])
            if name is not None:
                return self._invoke(name, environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target == SFN_START:
            self._default_execution_name(environ)
        elif target == ECS_TARGET + "RunTask":
            return self._run_task(environ, start_response)
        elif target == ECS_TARGET + "DescribeTasks":
            return self._describe_tasks(environ, start_response)
        return self.app(environ, start_response)

    def _invoke(self, name: str, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raw = read_body(environ)
        event = json.loads(raw) if raw.strip() else {}
        try:
            if environ.get("HTTP_X_AMZ_INVOCATION_TYPE") == "Event":
                self.lambdas.call_async(name, event)
                return respond(start_response, "202 Accepted", b"", [])
            payload, failed = self.lambdas.call(name, event)
        except FunctionNotFoundError as exc:
            body = json.dumps({"Type": "User", "Message": str(exc)}).encode()
            return respond(
                start_response, "404 Not Found", body, [("x-amzn-ErrorType", "ResourceNotFoundException")]
            )
        headers = [("X-Amz-Executed-Version", "$LATEST")]
        if failed:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        return respond(start_response, "200 OK", payload, headers)

    @staticmethod
    def _default_execution_name(environ: dict[str, Any]) -> None:
        """AWS names an unnamed execution with a UUID; moto would use `None` (and collide)."""
        body = json.loads(read_body(environ) or b"{}")
        if not body.get("name"):
            body["name"] = str(uuid.uuid4())
            replace_body(environ, json.dumps(body).encode())

    def _call_app(self, environ: dict[str, Any]) -> tuple[str, list[Any], bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[Any], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return captured["status"], captured["headers"], body

    def _replay(
        self, start_response: Callable[..., Any], status: str, headers: list[Any], body: bytes
    ) -> list[bytes]:
        kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*kept, ("Content-Length", str(len(body)))])
        return [body]

    def _run_task(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        request = json.loads(read_body(environ) or b"{}")
        status, headers, body = self._call_app(environ)  # moto validates cluster, definition, network
        family = self.tasks.logical(request.get("taskDefinition", ""))
        if status.startswith("200") and family is not None:
            response = json.loads(body)
            for task in response.get("tasks", []):
                provider = task.get("capacityProviderName") or "FARGATE"
                self.tasks.start(task["taskArn"], family, request.get("overrides") or {}, provider)
                self.tasks.rewrite_description(task)
            body = json.dumps(response).encode()
        return self._replay(start_response, status, headers, body)

    def _describe_tasks(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        status, headers, body = self._call_app(environ)
        if status.startswith("200"):
            response = json.loads(body)
            for task in response.get("tasks", []):
                self.tasks.rewrite_description(task)
            body = json.dumps(response).encode()
        return self._replay(start_response, status, headers, body)
