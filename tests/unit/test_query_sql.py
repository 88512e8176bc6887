"""The SQL surface as data: Athena statements parse in Trino, Glue table spec, date bounds, output."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import boto3
import pytest
import sqlglot
from botocore.stub import Stubber
from sqlglot import exp

from nexus_core.lake_schema import OBSERVATION_SCHEMA
from nexus_core.query import DayRange, QueryResult, athena_view_ddl, day_range, glue_table_spec, to_athena
from nexus_core.query.athena import AthenaQueryEngine, AthenaQueryFailed
from nexus_core.query.bounds import partition_predicate
from nexus_core.query.result import to_csv, to_json, to_table
from nexus_core.query.settings import QuerySettings

USER_QUERIES = [
    "SELECT * FROM daily_summary WHERE delivery_day = DATE '2024-03-31'",
    "SELECT series_id, arg_max(value, publish_time_utc) FROM raw_observations GROUP BY series_id",
    "SELECT count(*) FROM latest_observations WHERE interval_start_utc >= TIMESTAMP '2024-01-01 00:00:00'",
]


def test_every_athena_view_statement_parses_in_trino() -> None:
    # Given the view DDL generated for Athena
    ddl = athena_view_ddl()
    # Then both views are there, in dependency order, and each parses as one Trino CREATE VIEW
    assert list(ddl) == ["latest_observations", "daily_summary"]
    for name, statement in ddl.items():
        tree = sqlglot.parse_one(statement, read="trino")
        assert isinstance(tree, exp.Create)
        assert tree.this.name == name


def test_the_portable_macro_becomes_trino_with_timezone() -> None:
    # Given the daily_summary DDL for Athena
    statement = athena_view_ddl()["daily_summary"]
    # Then local midnight is built with Trino's with_timezone and nothing DuckDB-only is left
    assert "WITH_TIMEZONE(CAST(delivery_day AS TIMESTAMP), time_zone)" in statement
    assert "LOCAL_MIDNIGHT_UTC" not in statement.upper()
    assert "ISODOW" not in statement.upper()
    assert "DAY_OF_WEEK" in statement


@pytest.mark.parametrize("sql", USER_QUERIES)
def test_user_queries_transpile_to_parseable_trino(sql: str) -> None:
    # Given a user's DuckDB-dialect query
    # When it is transpiled for Athena
    athena = to_athena(sql)
    # Then Trino's parser accepts it
    assert sqlglot.parse_one(athena, read="trino") is not None


def test_arg_max_is_spelled_max_by_for_athena() -> None:
    assert "MAX_BY(value, publish_time_utc)" in to_athena(USER_QUERIES[1])


def test_glue_table_spec_mirrors_the_lake_schema_and_projects_partitions() -> None:
    # Given the Glue table input for a bucket
    spec = glue_table_spec("my-bucket")
    sd = spec["StorageDescriptor"]
    params = spec["Parameters"]
    # Then the columns are exactly OBSERVATION_SCHEMA, typed for Hive
    assert [c["Name"] for c in sd["Columns"]] == OBSERVATION_SCHEMA.names
    types = {c["Name"]: c["Type"] for c in sd["Columns"]}
    assert types["interval_start_utc"] == "timestamp"
    assert types["value"] == "double"
    assert types["series_id"] == "string"
    # And year/month/day partitions are projected (no crawler) over the documented layout
    assert [p["Name"] for p in spec["PartitionKeys"]] == ["year", "month", "day"]
    assert params["projection.enabled"] == "true"
    assert params["projection.month.digits"] == "2"
    assert params["projection.day.range"] == "1,31"
    assert params["storage.location.template"] == (
        "s3://my-bucket/raw-data/year=${year}/month=${month}/day=${day}"
    )
    assert sd["Location"] == "s3://my-bucket/raw-data/"
    assert sd["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM raw_observations", DayRange()),
        (
            "SELECT * FROM raw_observations WHERE interval_start_utc >= '2024-03-01' "
            "AND interval_start_utc < '2024-03-08'",
            DayRange(date(2024, 3, 1), date(2024, 3, 7)),
        ),
        (
            "SELECT * FROM latest_observations WHERE '2024-03-08T12:00:00' > interval_start_utc",
            DayRange(None, date(2024, 3, 8)),
        ),
        (
            "SELECT * FROM daily_summary WHERE delivery_day = DATE '2024-03-31' AND series_id = 'x'",
            DayRange(date(2024, 3, 30), date(2024, 4, 1)),
        ),
        (
            "SELECT * FROM daily_summary WHERE delivery_day BETWEEN '2024-01-01' AND '2024-01-31'",
            DayRange(date(2023, 12, 31), date(2024, 2, 1)),
        ),
        # An OR, a join or a CTE may read other days: no pruning
        (
            "SELECT * FROM raw_observations WHERE interval_start_utc >= '2024-03-01' OR value > 100",
            DayRange(),
        ),
        (
            "WITH a AS (SELECT * FROM raw_observations) SELECT * FROM a WHERE interval_start_utc > '2024-01-01'",
            DayRange(),
        ),
        ("SELECT * FROM raw_observations r JOIN daily_summary d ON true WHERE r.value > 0", DayRange()),
        ("not sql at all (", DayRange()),
    ],
)
def test_day_range_reads_only_safe_bounds(sql: str, expected: DayRange) -> None:
    assert day_range(sql) == expected


def _result() -> QueryResult:
    stamp = datetime(2024, 3, 31, 1, tzinfo=UTC)
    return QueryResult(
        columns=["series_id", "at", "value"], rows=[("a:b:c", stamp, 1.5), ("d,e", stamp, None)]
    )


def test_formatters_print_csv_json_and_table() -> None:
    # Given a two-row result with a comma in a value and a NULL
    result = _result()
    # Then CSV quotes the comma and leaves NULL empty
    assert to_csv(result).splitlines() == [
        "series_id,at,value",
        "a:b:c,2024-03-31T01:00:00+00:00,1.5",
        '"d,e",2024-03-31T01:00:00+00:00,',
    ]
    # And JSON keeps types (timestamps as ISO 8601, NULL as null)
    assert json.loads(to_json(result))[1] == {
        "series_id": "d,e",
        "at": "2024-03-31T01:00:00+00:00",
        "value": None,
    }
    # And the table aligns columns and counts rows
    table = to_table(result).splitlines()
    assert table[0].split() == ["series_id", "at", "value"]
    assert table[-1] == "(2 rows)"
    assert len({line.index("2024") for line in table[2:4]}) == 1


def _athena() -> tuple[AthenaQueryEngine, Stubber]:
    client = boto3.client("athena", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    settings = QuerySettings(env="prod", athena_poll_seconds=0.5, athena_timeout_seconds=2)
    return AthenaQueryEngine(client, settings, sleep=lambda _s: None), Stubber(client)


def _status(state: str) -> dict[str, object]:
    return {"QueryExecution": {"QueryExecutionId": "q1", "Status": {"State": state}}}


def test_athena_engine_builds_the_request_and_reads_results() -> None:
    # Given an Athena client that runs the query in two polls and returns one page
    engine, stub = _athena()
    sql = "SELECT series_id, base FROM daily_summary WHERE delivery_day = DATE '2024-03-31'"
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q1"},
        {
            "QueryString": to_athena(sql),
            "QueryExecutionContext": {"Database": "nexus_prod"},
            "WorkGroup": "nexus-prod",
        },
    )
    stub.add_response("get_query_execution", _status("RUNNING"), {"QueryExecutionId": "q1"})
    stub.add_response("get_query_execution", _status("SUCCEEDED"), {"QueryExecutionId": "q1"})
    header = {"Data": [{"VarCharValue": "series_id"}, {"VarCharValue": "base"}]}
    row = {"Data": [{"VarCharValue": "entsoe:DE_LU:day_ahead_price"}, {}]}
    meta = {"ColumnInfo": [{"Name": "series_id", "Type": "varchar"}, {"Name": "base", "Type": "double"}]}
    stub.add_response(
        "get_query_results",
        {"ResultSet": {"Rows": [header, row], "ResultSetMetadata": meta}},
        {"QueryExecutionId": "q1"},
    )
    # When the query runs
    with stub:
        result = engine.execute(sql)
    # Then the request named the workgroup and database, and the header row was not taken as data
    stub.assert_no_pending_responses()
    assert result.columns == ["series_id", "base"]
    assert result.rows == [("entsoe:DE_LU:day_ahead_price", None)]


def test_athena_engine_raises_on_failure() -> None:
    # Given a query that Athena fails
    engine, stub = _athena()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"})
    failed = {"QueryExecution": {"Status": {"State": "FAILED", "StateChangeReason": "SYNTAX_ERROR"}}}
    stub.add_response("get_query_execution", failed, {"QueryExecutionId": "q1"})
    # Then the engine raises with Athena's reason
    with stub, pytest.raises(AthenaQueryFailed, match="SYNTAX_ERROR"):
        engine.execute("SELECT 1")


def test_partition_predicate_spans_months_day_by_day() -> None:
    # Given a range across a month end, then an open one
    # Then one clause per month bounds the days, and an open range gives nothing
    assert partition_predicate(DayRange(date(2024, 1, 30), date(2024, 3, 2))) == (
        "((year = 2024 AND month = 1 AND day BETWEEN 30 AND 31)"
        " OR (year = 2024 AND month = 2 AND day BETWEEN 1 AND 29)"
        " OR (year = 2024 AND month = 3 AND day BETWEEN 1 AND 2))"
    )
    assert partition_predicate(DayRange(date(2024, 1, 30), None)) is None


def test_athena_requests_repeat_date_bounds_on_partition_columns() -> None:
    # Given a bounded query on raw_observations
    engine, _ = _athena()
    sql = (
        "SELECT avg(value) FROM raw_observations WHERE interval_start_utc >= TIMESTAMP '2024-01-31 00:00:00' "
        "AND interval_start_utc < TIMESTAMP '2024-02-02 00:00:00'"
    )
    # When its Athena request is built
    query = engine.start_request(sql)["QueryString"]
    # Then it still parses in Trino and names the partitions projection must read
    tree = sqlglot.parse_one(query, read="trino")
    assert tree.find(exp.Where) is not None
    compact = " ".join(query.split())
    assert "year = 2024 AND month = 1 AND day BETWEEN 31 AND 31" in compact
    assert "year = 2024 AND month = 2 AND day BETWEEN 1 AND 1" in compact
    # And a view query is left as written
    view = "SELECT * FROM daily_summary WHERE delivery_day = DATE '2024-01-01'"
    assert engine.start_request(view)["QueryString"] == to_athena(view)
