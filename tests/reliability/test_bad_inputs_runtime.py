"""Bad inputs through the local runtime: SNS/SQS, the event-source poller, the validator Lambda.

A handful of corpus messages (whole-message and per-record faults, a DST day with an extra
hour) travel the deployed path; the quarantine then holds each rejection with its rule and
reason, the good records are in the lake, and `nexus quarantine redrive --all` sends the
records back through the pipeline (unfixed, they return to quarantine under the same rules).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from nexus_cli.main import main as nexus
from nexus_core.lake import LakeReader
from nexus_core.settings import get_settings
from nexus_local.runtime import LocalRuntime

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("local-runtime")]

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
CASES = {c["name"]: c for c in json.loads((CORPUS / "manifest.json").read_text())}
VIA_SNS = "many_bad_one_batch"
VIA_QUEUE = (
    "nan_value",
    "duplicate_conflicting",
    "spring_day_extra_hour",
    "truncated_json",
    "unknown_event_type",
    "claim_check_missing",
    "json_null",
)


@pytest.fixture
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    rt = LocalRuntime(state_dir=tmp_path_factory.mktemp("bad-inputs-state"), persist=False)
    rt.start()
    rt.wait_ready()
    try:
        yield rt
    finally:
        rt.stop()


def _quarantine(rt: LocalRuntime) -> list[dict[str, Any]]:
    s3, bucket = rt.client("s3"), rt.environment()["NEXUS_BUCKET"]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="quarantine/")
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    return [json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys]


def _expected_rules() -> Counter[str]:
    expected: Counter[str] = Counter()
    for name in (VIA_SNS, *VIA_QUEUE):
        case = CASES[name]
        expected.update([case["message_rule"]] if "message_rule" in case else case.get("rejected", {}))
    return expected


def test_bad_inputs_travel_the_local_pipeline_and_redrive(
    runtime: LocalRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given one batch published on the observations topic and others already in the validation queue
    env = runtime.environment()
    runtime.client("sns").publish(
        TopicArn=env["NEXUS_OBSERVATIONS_TOPIC_ARN"],
        Message=(CORPUS / CASES[VIA_SNS]["file"]).read_text(),
        MessageAttributes={"event_type": {"DataType": "String", "StringValue": "observations.collected"}},
    )
    sqs = runtime.client("sqs")
    queue = sqs.get_queue_url(QueueName=f"{runtime.prefix}validation")["QueueUrl"]
    for name in VIA_QUEUE:
        sqs.send_message(QueueUrl=queue, MessageBody=(CORPUS / CASES[name]["file"]).read_text())
    # When the runtime has processed everything
    assert runtime.wait_idle(180)
    # Then every rejection is quarantined with its rule and a reason, and nothing is left for retry
    entries = _quarantine(runtime)
    assert Counter(e["rule"] for e in entries) == _expected_rules()
    assert all(e["reason"] for e in entries)
    dlq = sqs.get_queue_url(QueueName=f"{runtime.prefix}validation-dlq")["QueueUrl"]
    assert sqs.receive_message(QueueUrl=dlq).get("Messages") is None
    # And the good records landed: 3 + 3 + 3 of the record cases and the 23 hours of the DST day
    table = LakeReader(get_settings()).read(
        start=date(2024, 3, 30), end=date(2024, 6, 1), source="entsoe", dataset="day_ahead_price"
    )
    assert table.num_rows == 3 * 3 + 23
    # When every entry is redriven without a fix
    assert nexus(["quarantine", "redrive", "--all", "--endpoint", runtime.endpoint]) == 0
    out = capsys.readouterr().out
    assert runtime.wait_idle(180)
    # Then the re-published records come back under the same rules and unreadable bodies stay put,
    # except the DST day's repeated hour: alone in the redrive batch it equals the stored vintage
    assert "3 skipped" in out
    assert Counter(e["rule"] for e in _quarantine(runtime)) == _expected_rules() - Counter(["duplicate_key"])
