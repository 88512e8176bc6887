"""The Glue table spec is a valid Glue TableInput: moto's Glue API accepts it and returns it intact."""

from __future__ import annotations

import pytest

from nexus_core.lake_schema import OBSERVATION_SCHEMA
from nexus_core.query import glue_table_spec
from tests.integration.test_query_support import LakeEnv, lake_env  # noqa: F401

pytestmark = pytest.mark.xdist_group("query_glue")


def test_glue_accepts_the_raw_observations_table(lake_env: LakeEnv) -> None:  # noqa: F811
    # Given a Glue database
    glue = lake_env.client("glue")
    glue.create_database(DatabaseInput={"Name": "nexus_qtest"})
    # When the table spec is created through the Glue API (boto3 validates every field's shape)
    glue.create_table(DatabaseName="nexus_qtest", TableInput=glue_table_spec(lake_env.settings.bucket))
    # Then Glue returns the columns, partition keys and projection parameters as given
    table = glue.get_table(DatabaseName="nexus_qtest", Name="raw_observations")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == OBSERVATION_SCHEMA.names
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month", "day"]
    assert table["Parameters"]["projection.enabled"] == "true"
    assert table["Parameters"]["storage.location.template"].startswith(
        f"s3://{lake_env.settings.bucket}/raw-data/"
    )
    # And no partitions need registering: projection replaces the crawler
    assert glue.get_partitions(DatabaseName="nexus_qtest", TableName="raw_observations")["Partitions"] == []
