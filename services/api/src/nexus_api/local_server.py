"""The local HTTP front: the dashboard, `/api/*` through the same resolver, `/cognito/` proxied.

It plays API Gateway on a laptop: verifies the Cognito ID token (JWKS URL, issuer and audience
as separate settings), turns the request into a REST API event with the verified claims in
`requestContext.authorizer.claims`, and returns the resolver's response. `/cognito/` forwards
the cognito-idp JSON API (InitiateAuth) to the emulator so the dashboard logs in the same way it
does against AWS.
"""

from __future__ import annotations

import json
import mimetypes
import os
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from nexus_api.adapters.aws import AwsRepository
from nexus_api.app import PUBLIC_PATHS, build_app
from nexus_api.errors import ApiProblem
from nexus_api.local_auth import DEMO_PASSWORD, DEMO_USERS, LocalAuth, provision
from nexus_api.settings import ApiSettings, AuthSettings
from nexus_api.verify import TokenVerifier
from nexus_core.settings import NexusSettings

DEFAULT_DIST = Path(__file__).resolve().parents[4] / "dashboard" / "dist"


class Runtime(Protocol):
    endpoint: str

    def environment(self) -> dict[str, str]: ...


@contextmanager
def patched_environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block only (other code in this process keeps its own)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@dataclass
class LocalServer:
    url: str
    auth: LocalAuth
    httpd: ThreadingHTTPServer
    thread: threading.Thread

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _event(
    method: str, path: str, query: str, headers: dict[str, str], body: bytes, claims: Any
) -> dict[str, Any]:
    params = parse_qs(query, keep_blank_values=True)
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in params.items()} or None,
        "multiValueQueryStringParameters": params or None,
        "pathParameters": None,
        "body": body.decode() if body else None,
        "isBase64Encoded": False,
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "stage": "local",
            "httpMethod": method,
            "path": path,
            "resourcePath": path,
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"claims": claims} if claims else None,
        },
    }


class SerialResolver:
    """The resolver behind the threaded front, one request at a time.

    Powertools keeps the request being resolved on the resolver class itself
    (`BaseRouter.current_event` is assigned on the class in `resolve`), so two requests resolved at
    once, even by two resolver instances, can read each other's route and claims. Lambda never does
    that (one event per execution environment); the front does the same with a lock. Token checks,
    static files and the Cognito proxy stay concurrent.
    """

    def __init__(self, app: APIGatewayRestResolver) -> None:
        self._app = app
        self._lock = threading.Lock()

    def resolve(self, event: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return self._app.resolve(event, None)  # type: ignore[arg-type]


def _handler_class(resolver: SerialResolver, verifier: TokenVerifier, auth: LocalAuth, dist: Path) -> type:
    config = json.dumps({"apiBase": "/api", "cognitoUrl": "/cognito/", "clientId": auth.client_id}).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the resolver logs requests as JSON."""

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _api(self) -> None:
            url = urlsplit(self.path)
            path = url.path.removeprefix("/api") or "/"
            headers = {k.lower(): v for k, v in self.headers.items()}
            body = self._body()
            claims = None
            if path not in PUBLIC_PATHS:
                try:
                    claims = verifier.claims(headers.get("authorization"))
                except ApiProblem as exc:
                    problem = {
                        "title": exc.title,
                        "status": exc.status,
                        "detail": exc.detail,
                        "instance": path,
                    }
                    self._send(
                        exc.status, json.dumps(problem).encode(), {"Content-Type": "application/problem+json"}
                    )
                    return
            result = resolver.resolve(_event(self.command, path, url.query, headers, body, claims))
            out_headers = dict(result.get("headers") or {})
            for name, values in (result.get("multiValueHeaders") or {}).items():
                out_headers[name] = ", ".join(values)
            self._send(result["statusCode"], (result.get("body") or "").encode(), out_headers)

        def _cognito(self) -> None:
            target = self.headers.get("X-Amz-Target", "")
            if not target.startswith("AWSCognitoIdentityProviderService."):
                self._send(400, b'{"message":"unsupported target"}', {"Content-Type": "application/json"})
                return
            request = urllib.request.Request(  # noqa: S310 - the emulator's own http endpoint
                auth.endpoint,
                data=self._body(),
                headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
                    status, data = resp.status, resp.read()
            except urllib.error.HTTPError as exc:
                status, data = exc.code, exc.read()
            self._send(status, data, {"Content-Type": "application/x-amz-json-1.1"})

        def _static(self) -> None:
            path = urlsplit(self.path).path
            if path == "/config.json":
                self._send(200, config, {"Content-Type": "application/json", "Cache-Control": "no-store"})
                return
            target = (dist / path.lstrip("/")).resolve()
            if not target.is_file() or dist.resolve() not in target.parents:
                target = dist / "index.html"
            if not target.is_file():
                page = b"<h1>NEXUS_ENA</h1><p>The dashboard is not built: run make dashboard-build.</p>"
                self._send(200, page, {"Content-Type": "text/html"})
                return
            cache = "public, max-age=31536000, immutable" if "/assets/" in path else "no-cache"
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(200, target.read_bytes(), {"Content-Type": kind, "Cache-Control": cache})

        def _route(self) -> None:
            path = urlsplit(self.path).path
            if path == "/api" or path.startswith("/api/"):
                self._api()
            elif path == "/cognito/" and self.command == "POST":
                self._cognito()
            else:
                self._static()

        def do_GET(self) -> None:
            self._route()

        def do_HEAD(self) -> None:
            self._route()

        def do_POST(self) -> None:
            self._route()

    return Handler


def start_server(
    endpoint: str,
    port: int = 8000,
    *,
    host: str = "127.0.0.1",
    dist: Path | None = None,
    settings: NexusSettings | None = None,
) -> LocalServer:
    """Provision Cognito on `endpoint`, then serve API and dashboard on a daemon thread.

    Every AWS client is pinned to `endpoint`; `settings` defaults to the environment's.
    """
    settings = settings or NexusSettings()
    auth = provision(endpoint, settings.region)
    env_auth = AuthSettings()
    verifier = TokenVerifier(
        AuthSettings(
            jwks_url=env_auth.jwks_url or auth.jwks_url,
            issuer=env_auth.issuer or auth.issuer,
            audience=env_auth.audience or auth.client_id,
            leeway_seconds=env_auth.leeway_seconds,
        )
    )
    resolver = SerialResolver(build_app(AwsRepository(settings, endpoint_url=endpoint), ApiSettings()))
    folder = dist or Path(os.environ.get("NEXUS_DASHBOARD_DIST", DEFAULT_DIST))
    httpd = ThreadingHTTPServer((host, port), _handler_class(resolver, verifier, auth, folder))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="nexus-api-http", daemon=True)
    thread.start()
    return LocalServer(f"http://{host}:{httpd.server_address[1]}", auth, httpd, thread)


def serve(runtime: Runtime, port: int = 8000) -> LocalServer:
    """`nexus up`'s entry: serve API + dashboard over the runtime's state; returns at once."""
    with patched_environ(runtime.environment()):
        server = start_server(runtime.endpoint, port, settings=NexusSettings())
    print(f"dashboard and API: {server.url}  (API under {server.url}/api)")
    for username, groups in DEMO_USERS.items():
        print(f"  demo user {username} / {DEMO_PASSWORD}  groups: {', '.join(groups)}")
    return server
