"""The weekly workflow through the local runtime: the real ASL in moto's interpreter, PlanWeek and
reporter Lambdas in-process, the analyzer container as a subprocess, S3/DynamoDB/SNS in the emulator.

One runtime serves the module (starting it and running the analyzer subprocess dominate the cost).
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from nexus_analyzer.analysis import lookback_start
from nexus_analyzer.synthetic import synthetic_market
from nexus_contracts.analysis import AnalysisDocument, week_bounds
from nexus_contracts.events import parse_event
from nexus_core.lake_schema import raw_key
from nexus_core.metadata import MetadataRepository, PartitionRecord

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("weekly-runtime"), pytest.mark.timeout(1500)]
WEEK = "2024-W13"
EMPTY_WEEK = "2023-W40"
LOOKBACK_DAYS = 42


def seed_lake(runtime: Any, table: pa.Table) -> None:
    """One Parquet file and one partition record per (source, dataset, UTC day), as the validator writes them."""
    s3, bucket = runtime.client("s3"), runtime.resources.bucket
    repo = MetadataRepository(table=_table(runtime))
    days = pc.cast(pc.cast(table.column("interval_start_utc"), pa.timestamp("s", tz="UTC")), pa.date32())
    table = table.append_column("day", days)
    groups = table.select(["source", "dataset", "day"]).group_by(["source", "dataset", "day"]).aggregate([])
    for key in groups.to_pylist():
        same = [pc.equal(table[c], key[c]) for c in ("source", "dataset", "day")]
        part = table.filter(pc.and_(pc.and_(same[0], same[1]), same[2])).drop_columns(["day"])
        part = part.sort_by([("series_id", "ascending"), ("interval_start_utc", "ascending")])
        buf = io.BytesIO()
        pq.write_table(part, buf)
        object_key = raw_key(key["source"], key["dataset"], key["day"])
        s3.put_object(Bucket=bucket, Key=object_key, Body=buf.getvalue())
        record = PartitionRecord(
            source=key["source"],
            dataset=key["dataset"],
            day=key["day"],
            s3_key=object_key,
            rows=part.num_rows,
            series=len(set(part["series_id"].to_pylist())),
            sha256="0" * 64,
            updated_at=datetime.now(UTC),
        )
        repo.put_partition(record)


def _table(runtime: Any) -> Any:
    dynamo = runtime.session().resource("dynamodb", endpoint_url=runtime.endpoint)
    return dynamo.Table(runtime.resources.table)


def run_execution(
    runtime: Any, name: str, week: str, timeout: float = 900.0, machine: str | None = None
) -> dict[str, Any]:
    sfn = runtime.client("stepfunctions")
    machine = machine or runtime.resources.state_machines["weekly-analysis"]
    arn = sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps({"week": week}))[
        "executionArn"
    ]
    deadline = time.monotonic() + timeout
    desc = sfn.describe_execution(executionArn=arn)
    while desc["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.5)
        desc = sfn.describe_execution(executionArn=arn)
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    states = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    return {"status": desc["status"], "states": states, "events": events}


def drain(runtime: Any, queue_url: str) -> list[dict[str, Any]]:
    sqs, out = runtime.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        msgs = got.get("Messages", [])
        if not msgs:
            return out
        for m in msgs:
            out.append(json.loads(json.loads(m["Body"])["Message"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from nexus_local.runtime import LocalRuntime

    saved = os.environ.get("NEXUS_ANALYSIS_LOOKBACK_DAYS")
    os.environ["NEXUS_ANALYSIS_LOOKBACK_DAYS"] = str(LOOKBACK_DAYS)
    with LocalRuntime(state_dir=tmp_path_factory.mktemp("state"), persist=False) as rt:
        rt.wait_ready(300)
        sqs, sns = rt.client("sqs"), rt.client("sns")
        rt.test_queues = {}
        for topic in ("reports", "alerts"):
            url = sqs.create_queue(QueueName=f"weekly-test-{topic}")["QueueUrl"]
            q_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            sns.subscribe(TopicArn=rt.resources.topics[topic], Protocol="sqs", Endpoint=q_arn)
            rt.test_queues[topic] = url
        start, end = lookback_start(WEEK, LOOKBACK_DAYS), week_bounds(WEEK)[1]
        seed_lake(rt, synthetic_market(["DE_LU", "FR"], start, end))
        yield rt
    if saved is None:
        os.environ.pop("NEXUS_ANALYSIS_LOOKBACK_DAYS", None)
    else:
        os.environ["NEXUS_ANALYSIS_LOOKBACK_DAYS"] = saved


@pytest.fixture(autouse=True)
def _defaults(runtime: Any) -> Iterator[None]:
    yield
    runtime.lambdas.restore_defaults()
    runtime.tasks.restore_defaults()


def _get(runtime: Any, key: str) -> bytes:
    return runtime.client("s3").get_object(Bucket=runtime.resources.bucket, Key=key)["Body"].read()


def test_execution_writes_outputs_and_a_rerun_rewrites_the_same_keys_and_content(runtime: Any) -> None:
    # Given a lake holding the week and its lookback
    s3, bucket = runtime.client("s3"), runtime.resources.bucket
    # When the weekly execution runs
    first = run_execution(runtime, f"weekly-{WEEK}", WEEK)
    # Then every state ran, in order, and the execution succeeded
    assert first["status"] == "SUCCEEDED"
    assert first["states"] == [
        "PlanWeek",
        "EnoughData",
        "RunAnalysis",
        "GenerateReport",
        "PublishReport",
        "Published",
    ]
    keys1 = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="processed-data/")["Contents"]}
    keys1 |= {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="reports/")["Contents"]}
    assert keys1 == {
        f"processed-data/weekly-aggregates/week={WEEK}/weekly_stats.parquet",
        f"processed-data/correlation-matrices/week={WEEK}/correlations.parquet",
        f"reports/json/{WEEK}.json",
        f"reports/pdf/{WEEK}.pdf",
    }
    doc1 = AnalysisDocument.model_validate_json(_get(runtime, f"reports/json/{WEEK}.json"))
    assert doc1.simulated
    assert {s.area for s in doc1.stats} == {"DE_LU", "FR"}
    pdf = _get(runtime, f"reports/pdf/{WEEK}.pdf")
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 4
    # and report.published carries a presigned link; the run is recorded
    published = [parse_event(m) for m in drain(runtime, runtime.test_queues["reports"])]
    assert [p.payload.week for p in published] == [WEEK]
    assert "X-Amz-Expires=604800" in published[0].payload.pdf_url
    assert published[0].payload.pages >= 4
    runs = MetadataRepository(table=_table(runtime)).list_runs(WEEK)
    assert [r["execution"] for r in runs] == [f"weekly-{WEEK}"]
    assert runs[0]["status"] == "REPORTED"
    # When an operator reruns the same week with the same input
    second = run_execution(runtime, f"weekly-{WEEK}-r1", WEEK)
    # Then the same keys hold the same analysis content; only the generation time differs
    assert second["status"] == "SUCCEEDED"
    keys2 = {
        o["Key"]
        for p in ("processed-data/", "reports/")
        for o in s3.list_objects_v2(Bucket=bucket, Prefix=p)["Contents"]
    }
    assert keys2 == keys1
    doc2 = AnalysisDocument.model_validate_json(_get(runtime, f"reports/json/{WEEK}.json"))
    assert doc2.generated_at > doc1.generated_at
    assert doc2.model_dump(exclude={"generated_at"}) == doc1.model_dump(exclude={"generated_at"})
    drain(runtime, runtime.test_queues["reports"])


def test_container_exit_non_zero_ends_in_notify_failure(runtime: Any) -> None:
    # Given an analyzer container that exits with code 3
    runtime.tasks.register("analyzer", lambda command, env: 3)
    drain(runtime, runtime.test_queues["alerts"])
    # When the execution runs
    out = run_execution(runtime, f"weekly-{WEEK}-exit3", WEEK)
    # Then the Catch path notified and the execution failed, without a rerun: it was no Spot interruption
    assert out["status"] == "FAILED"
    assert out["states"][-5:] == [
        "RunAnalysis",
        "SpotInterrupted",
        "BuildFailureAlert",
        "NotifyFailure",
        "Failed",
    ]
    assert "GenerateReport" not in out["states"]
    assert "RunAnalysisOnDemand" not in out["states"]
    alerts = [parse_event(m).payload for m in drain(runtime, runtime.test_queues["alerts"])]
    assert [(a.kind.value, a.severity.value) for a in alerts] == [("analysis_failed", "critical")]
    assert alerts[0].context["week"] == WEEK


def test_transient_reporter_error_is_retried_and_succeeds(runtime: Any) -> None:
    # Given a reporter that fails twice with TransientError, then works, and the real analyzer
    # (it writes the analysis document the reporter reads; no other test's output is relied on)
    from nexus_reporter.errors import TransientError
    from nexus_reporter.handler import handler as real

    calls = {"n": 0}

    def flaky(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise TransientError("S3 SlowDown")
        return real(event, context)

    runtime.lambdas.register("reporter", flaky)
    # When the execution runs
    out = run_execution(runtime, f"weekly-{WEEK}-flaky", WEEK)
    # Then GenerateReport was retried and the execution succeeded
    assert out["status"] == "SUCCEEDED"
    assert calls["n"] == 3
    failed = [e for e in out["events"] if e["type"] == "TaskFailed"]
    assert len(failed) == 2
    assert all(e["taskFailedEventDetails"]["error"] == "TransientError" for e in failed)
    drain(runtime, runtime.test_queues["reports"])


def test_week_without_data_takes_the_insufficient_data_branch(runtime: Any) -> None:
    # Given a week with no partitions at all
    s3, bucket = runtime.client("s3"), runtime.resources.bucket
    drain(runtime, runtime.test_queues["alerts"])
    # When the execution runs
    out = run_execution(runtime, f"weekly-{EMPTY_WEEK}", EMPTY_WEEK)
    # Then it ends cleanly on the warning branch, without running the analysis or writing a report
    assert out["status"] == "SUCCEEDED"
    assert out["states"] == [
        "PlanWeek",
        "EnoughData",
        "BuildInsufficientDataAlert",
        "NotifyInsufficientData",
        "NoData",
    ]
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix=f"reports/json/{EMPTY_WEEK}")
    alerts = [parse_event(m).payload for m in drain(runtime, runtime.test_queues["alerts"])]
    assert [(a.kind.value, a.severity.value) for a in alerts] == [("insufficient_data", "warning")]


def _spot_machine(runtime: Any) -> str:
    """The repository's ASL rendered as `fargate_spot` deploys it, next to the default machine."""
    from nexus_contracts.asl import SPOT, render_asl
    from nexus_local.provision import Provisioner
    from nexus_local.provision_weekly import find_asl

    asl = find_asl()
    assert asl is not None
    values = Provisioner(
        runtime.session(), runtime.endpoint, runtime.env, capacity_provider=SPOT
    ).placeholders(runtime.resources)
    role = "arn:aws:iam::123456789012:role/nexus-local-sfn-role"
    created = runtime.client("stepfunctions").create_state_machine(
        name="weekly-analysis-spot", definition=render_asl(asl.read_text(), values), roleArn=role
    )
    return str(created["stateMachineArn"])


def _task_events(out: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    details = "taskFailedEventDetails" if kind == "TaskFailed" else "taskSucceededEventDetails"
    return [
        json.loads(e[details]["cause" if kind == "TaskFailed" else "output"])
        for e in out["events"]
        if e["type"] == kind
    ]


def test_spot_interruption_reruns_the_analysis_on_demand(runtime: Any) -> None:
    # Given the Spot variant of the workflow and a Spot task that AWS reclaims
    machine = _spot_machine(runtime)
    runtime.tasks.interrupt_spot(1)
    # When the execution runs
    out = run_execution(runtime, f"weekly-{WEEK}-spot", WEEK, machine=machine)
    # Then the interrupted task was run again on on-demand Fargate and the week was reported
    assert out["status"] == "SUCCEEDED"
    assert out["states"] == [
        "PlanWeek",
        "EnoughData",
        "RunAnalysis",
        "SpotInterrupted",
        "RunAnalysisOnDemand",
        "GenerateReport",
        "PublishReport",
        "Published",
    ]
    ecs_failed = [c for c in _task_events(out, "TaskFailed") if "StopCode" in c]
    assert [(c["CapacityProviderName"], c["StopCode"]) for c in ecs_failed] == [
        ("FARGATE_SPOT", "SpotInterruption")
    ]
    ecs_done = [o for o in _task_events(out, "TaskSucceeded") if isinstance(o, dict) and "StopCode" in o]
    assert [(o["CapacityProviderName"], o["Containers"][0]["ExitCode"]) for o in ecs_done] == [("FARGATE", 0)]
    drain(runtime, runtime.test_queues["reports"])
