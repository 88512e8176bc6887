"""Lambda emulation: function names → in-process Python handlers with Lambda's error semantics.

Handlers run in the runtime's process (they share `os.environ`, which the runtime fills with the
working agreement's variables). A handler given as `"module.path:callable"` is imported lazily at
its first invoke; when its package is not installed, the function answers like a missing one.

Each function has one execution environment: its invocations run one at a time, as they would in
a Lambda environment, which never hands a second event to a handler still running. Handlers keep
module-level state (Powertools metrics and batch processors, cached clients) that concurrent
calls in one process would share; different functions still run in parallel.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

Handler = Callable[[Any, Any], Any]


class FunctionNotFoundError(LookupError):
    """No handler is registered for the function, or its package is not installed."""


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    timeout_s: int = 300
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def function_name(ref: str) -> str:
    """The bare function name of a name, `name:qualifier`, or full/partial ARN (URL-encoded too)."""
    ref = unquote(ref)
    parts = ref.split(":")
    if ref.startswith("arn:") and len(parts) >= 7:
        return parts[6]
    if len(parts) >= 3 and parts[1] == "function":  # partial ARN: <account>:function:<name>[:qual]
        return parts[2]
    return parts[0]


def error_payload(exc: BaseException) -> dict[str, Any]:
    """Lambda's body for an unhandled error: errorMessage, errorType, stackTrace."""
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_exception(exc)[-5:],
    }


class LambdaRegistry:
    """Maps logical (`validator`) or physical (`nexus-local-validator`) names to handlers."""

    def __init__(
        self,
        handlers: dict[str, Handler | str],
        prefix: str,
        region: str,
        account: str = "123456789012",
        limits: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        """`limits`: (memory MB, timeout s) per function, reported by the context (not enforced)."""
        self._handlers = dict(handlers)
        self._defaults = dict(handlers)
        self._prefix = prefix
        self._region = region
        self._account = account
        self._limits = dict(limits or {})
        self._lock = threading.Lock()
        self._in_flight = 0
        self._environments: dict[str, threading.Lock] = {}

    def register(self, name: str, handler: Handler | str) -> None:
        """Add or replace the handler of logical function `name` (tests, stand-ins)."""
        with self._lock:
            self._handlers[name] = handler

    def restore_defaults(self) -> None:
        with self._lock:
            self._handlers = dict(self._defaults)

    def logical(self, ref: str) -> str | None:
        """The registered logical name for `ref`, or None when nothing handles it."""
        name = function_name(ref)
        if name.startswith(self._prefix):
            name = name[len(self._prefix) :]
        return name if name in self._handlers else None

    def handler(self, name: str) -> Handler:
        target = self._handlers[name]
        if isinstance(target, str):
            module_name, _, attr = target.partition(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                raise FunctionNotFoundError(f"Function not found: {self._prefix}{name}") from exc
            target = getattr(module, attr)
            with self._lock:
                self._handlers[name] = target
        return target

    def context(self, name: str) -> LambdaContext:
        physical = f"{self._prefix}{name}"
        arn = f"arn:aws:lambda:{self._region}:{self._account}:function:{physical}"
        memory, timeout = self._limits.get(name, (512, 300))
        return LambdaContext(physical, arn, memory_limit_in_mb=memory, timeout_s=timeout)

    def _environment(self, name: str) -> threading.Lock:
        with self._lock:
            return self._environments.setdefault(name, threading.Lock())

    def call(self, name: str, event: Any) -> tuple[bytes, bool]:
        """Run the handler; returns (JSON payload, is_function_error). Raises FunctionNotFoundError.

        Waits while the function's environment is busy with another invocation.
        """
        fn = self.handler(name)
        with self._lock:
            self._in_flight += 1
        try:
            with self._environment(name):
                result = fn(event, self.context(name))
            return json.dumps(result, default=str).encode(), False
        except Exception as exc:
            return json.dumps(error_payload(exc)).encode(), True
        finally:
            with self._lock:
                self._in_flight -= 1

    def call_async(self, name: str, event: Any) -> None:
        """InvocationType=Event: run on a thread; the caller gets 202 at once."""
        self.handler(name)  # a missing function fails the invoke itself, as in AWS
        with self._lock:
            self._in_flight += 1  # counted before the thread starts, so wait_idle never misses it

        def run() -> None:
            try:
                self.call(name, event)
            finally:
                with self._lock:
                    self._in_flight -= 1

        threading.Thread(target=run, daemon=True, name=f"lambda-{name}").start()

    @property
    def in_flight(self) -> int:
        return self._in_flight
