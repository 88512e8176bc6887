"""EventBridge schedules, played locally: moto stores scheduled rules but never fires them.

`fire(rule)` dispatches a rule's targets now (tests, the demo backfill); `start_clock()` fires
rules when their cron comes due, optionally accelerated by a speed-up factor.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from croniter import croniter

log = logging.getLogger(__name__)
_CRON = re.compile(r"^cron\((?P<expr>[^)]*)\)$")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class ScheduleTargetError(RuntimeError):
    """A fired Lambda target answered with a function error."""


def to_croniter(expression: str) -> str | None:
    """AWS `cron(min hour dom month dow year)` → 5-field cron; None for `rate(...)` and others.

    `?` becomes `*`. AWS's numeric day of week counts 1 = SUN, cron's 0 = SUN, so numbers are
    mapped to day names, which both agree on.
    """
    m = _CRON.match(expression.strip())
    if not m:
        return None
    fields = m["expr"].split()
    if len(fields) != 6:
        raise ValueError(f"AWS cron needs 6 fields: {expression}")
    minute, hour, dom, month, dow, _year = (f.replace("?", "*") for f in fields)
    dow = re.sub(r"\d", lambda d: _DAY_NAMES[(int(d.group()) - 1) % 7], dow)
    return f"{minute} {hour} {dom} {month} {dow}"


class LocalScheduler:
    """Reads rules and targets through the EventBridge API and dispatches them."""

    def __init__(self, endpoint: str, region: str, prefix: str) -> None:
        self._endpoint, self._region = endpoint, region
        self._session = boto3.Session(region_name=region)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._prefix = prefix
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _client(self, service: str) -> Any:
        """Clients are made on first use: each costs tens of milliseconds."""
        with self._lock:
            if service not in self._clients:
                config = Config(read_timeout=900, retries={"total_max_attempts": 1})
                self._clients[service] = self._session.client(  # type: ignore[call-overload]
                    service, endpoint_url=self._endpoint, config=config
                )
            return self._clients[service]

    def rule_name(self, name: str) -> str:
        return name if name.startswith(self._prefix) else f"{self._prefix}{name}"

    def fire(self, rule: str, input: Any = None) -> list[Any]:
        """Dispatch every target of `rule`; returns one result per target.

        Lambda: the handler's result (sync invoke; a function error raises ScheduleTargetError);
        state machine: the execution ARN; SNS/SQS: the message id. `input` overrides the target's.
        """
        targets = self._client("events").list_targets_by_rule(Rule=self.rule_name(rule))["Targets"]
        return [self._dispatch(t, input) for t in targets]

    def _dispatch(self, target: dict[str, Any], input: Any) -> Any:
        if input is not None:
            body = input if isinstance(input, str) else json.dumps(input)
        else:
            body = target.get("Input") or "{}"
        arn: str = target["Arn"]
        service = arn.split(":")[2]
        if service == "lambda":
            resp = self._client("lambda").invoke(FunctionName=arn, Payload=body.encode())
            payload = resp["Payload"].read()
            if resp.get("FunctionError"):
                raise ScheduleTargetError(payload.decode(errors="replace"))
            return json.loads(payload) if payload else None
        if service == "states":
            return self._client("stepfunctions").start_execution(stateMachineArn=arn, input=body)[
                "executionArn"
            ]
        if service == "sns":
            return self._client("sns").publish(TopicArn=arn, Message=body)["MessageId"]
        if service == "sqs":
            url = self._client("sqs").get_queue_url(QueueName=arn.split(":")[5])["QueueUrl"]
            return self._client("sqs").send_message(QueueUrl=url, MessageBody=body)["MessageId"]
        raise ValueError(f"unsupported schedule target: {arn}")

    def start_clock(self, speedup: float = 1.0) -> None:
        """Fire scheduled rules when due; simulated time runs `speedup` times faster than real time."""
        self._thread = threading.Thread(target=self._clock, args=(speedup,), daemon=True, name="scheduler")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _due(self) -> dict[str, croniter]:
        start = datetime.now(UTC)
        due: dict[str, croniter] = {}
        for rule in self._client("events").list_rules(NamePrefix=self._prefix)["Rules"]:
            expr = to_croniter(rule.get("ScheduleExpression", ""))
            if expr and rule.get("State") == "ENABLED":
                due[rule["Name"]] = croniter(expr, start)
        return due

    def _clock(self, speedup: float) -> None:
        real0, sim0 = time.monotonic(), datetime.now(UTC)
        crons = self._due()
        nexts = {name: it.get_next(datetime) for name, it in crons.items()}
        while not self._stop.wait(0.2):
            now = sim0 + timedelta(seconds=(time.monotonic() - real0) * speedup)
            for name, when in list(nexts.items()):
                if when <= now:
                    try:
                        self.fire(name)
                    except Exception:
                        log.exception("scheduled rule %s failed", name)
                    nexts[name] = crons[name].get_next(datetime)
