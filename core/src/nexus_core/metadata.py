"""The metadata repository: one DynamoDB table (pk/sk, TTL `expires_at`) for every item family.

Families: partitions `PARTITION#<source>#<dataset>` / `DAY#YYYY-MM-DD` (with the day's per-series
statistics in `daily_stats`, absent on records written before them); source status
`SOURCE#<source>` / `STATUS`; weekly runs `RUN#<YYYY-Www>` / `EXEC#<name>`; alerts
`ALERT#<YYYY-MM-DD>` / `<dedupe_key>` (expire after `ALERT_TTL`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from nexus_contracts import AlertRaised
from nexus_core import aws
from nexus_core.daily_stats import DayStats
from nexus_core.settings import NexusSettings, get_settings

if TYPE_CHECKING:
    from nexus_core.lake import PartitionWrite

ALERT_TTL = timedelta(days=30)


class PartitionRecord(BaseModel):
    """What the lake holds for one (source, dataset, UTC day): where, how much, checksum, quality.

    `daily_stats` maps series_id to that UTC day's statistics of the file's rows; None on records
    written before they existed (or for files with too many series), whose readers use the file.
    """

    model_config = ConfigDict(frozen=True)

    source: str
    dataset: str
    day: date
    s3_key: str
    s3_version_id: str | None = None
    rows: int = Field(ge=0)
    series: int = Field(ge=0)
    sha256: str
    completeness: float = Field(ge=0.0, le=1.0, default=1.0)
    flags: tuple[str, ...] = ()
    updated_at: AwareDatetime
    daily_stats: dict[str, DayStats] | None = None

    @classmethod
    def from_write(
        cls, write: PartitionWrite, now: datetime, completeness: float = 1.0, flags: tuple[str, ...] = ()
    ) -> PartitionRecord:
        """The record of one lake file the writer just merged (observations or news)."""
        return cls(
            source=write.source,
            dataset=write.dataset,
            day=write.day,
            s3_key=write.key,
            s3_version_id=write.version_id,
            rows=write.rows,
            series=write.series,
            sha256=write.sha256,
            completeness=completeness,
            flags=flags,
            updated_at=now,
            daily_stats=write.daily_stats,
        )


class SourceStatus(BaseModel):
    """Health of one source as the collector kit last saw it."""

    model_config = ConfigDict(frozen=True)

    source: str
    configured: bool = True
    last_success: AwareDatetime | None = None
    last_error: str | None = None
    last_error_at: AwareDatetime | None = None
    consecutive_failures: int = Field(ge=0, default=0)


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_to_dynamo(v) for v in value]
    return value


def from_dynamo(value: Any) -> Any:
    """A DynamoDB resource item (Decimals) as plain JSON-able values."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    return value


def _strip_keys(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in from_dynamo(item).items() if k not in {"pk", "sk", "expires_at"}}


def create_table(dynamodb: Any, name: str) -> None:
    """Create the metadata table with its key schema (string `pk` and `sk`), on demand.

    Local provisioning, the sample state, benchmarks and tests use it; in AWS the Pulumi program
    declares the same keys.
    """
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )


def partition_pk(source: str, dataset: str) -> str:
    return f"PARTITION#{source}#{dataset}"


class MetadataRepository:
    """Typed access to the metadata table; the only module that knows its key layout."""

    def __init__(self, settings: NexusSettings | None = None, *, table: Any = None) -> None:
        self.settings = settings or get_settings()
        self.table = table or aws.resource("dynamodb", self.settings).Table(self.settings.table)

    # -- partitions -------------------------------------------------------------------------
    def put_partition(self, record: PartitionRecord) -> None:
        """Upsert one partition record (same content → same item)."""
        item = record.model_dump(mode="json")
        item.update(pk=partition_pk(record.source, record.dataset), sk=f"DAY#{record.day.isoformat()}")
        self.table.put_item(Item=_to_dynamo(item))

    def get_partition(self, source: str, dataset: str, day: date) -> PartitionRecord | None:
        got = self.table.get_item(Key={"pk": partition_pk(source, dataset), "sk": f"DAY#{day.isoformat()}"})
        item = got.get("Item")
        return PartitionRecord.model_validate(_strip_keys(item)) if item else None

    def list_partitions(
        self,
        source: str | None = None,
        dataset: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> list[PartitionRecord]:
        """Partition records, by query when source and dataset are known, else by scan."""
        low = f"DAY#{(start or date.min).isoformat()}"
        high = f"DAY#{(end or date.max).isoformat()}"
        if source is not None and dataset is not None:
            cond = Key("pk").eq(partition_pk(source, dataset)) & Key("sk").between(low, high)
            items = self._query(cond)
        else:
            prefix = f"PARTITION#{source}#" if source is not None else "PARTITION#"
            flt = Attr("pk").begins_with(prefix) & Attr("sk").between(low, high)
            if dataset is not None:
                flt = flt & Attr("dataset").eq(dataset)
            items = self._scan(flt)
        records = [PartitionRecord.model_validate(_strip_keys(i)) for i in items]
        return sorted(records, key=lambda r: (r.source, r.dataset, r.day))

    # -- source status ----------------------------------------------------------------------
    def put_source_status(self, status: SourceStatus) -> None:
        item = status.model_dump(mode="json")
        item.update(pk=f"SOURCE#{status.source}", sk="STATUS")
        self.table.put_item(Item=_to_dynamo(item))

    def get_source_status(self, source: str) -> SourceStatus | None:
        item = self.table.get_item(Key={"pk": f"SOURCE#{source}", "sk": "STATUS"}).get("Item")
        return SourceStatus.model_validate(_strip_keys(item)) if item else None

    def list_source_status(self) -> list[SourceStatus]:
        items = self._scan(Attr("pk").begins_with("SOURCE#") & Attr("sk").eq("STATUS"))
        return sorted((SourceStatus.model_validate(_strip_keys(i)) for i in items), key=lambda s: s.source)

    # -- alerts -----------------------------------------------------------------------------
    def put_alert(self, alert: AlertRaised, day: date, *, now: datetime | None = None) -> bool:
        """Store an alert once per (day, dedupe_key); False when it was already there."""
        now = now or datetime.now(UTC)
        item = alert.model_dump(mode="json")
        item.update(
            pk=f"ALERT#{day.isoformat()}",
            sk=alert.dedupe_key,
            raised_at=now.isoformat(),
            expires_at=int((now + ALERT_TTL).timestamp()),
        )
        try:
            self.table.put_item(Item=_to_dynamo(item), ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def list_alerts(self, day: date) -> list[dict[str, Any]]:
        return [_strip_keys(i) for i in self._query(Key("pk").eq(f"ALERT#{day.isoformat()}"))]

    # -- weekly runs ------------------------------------------------------------------------
    def put_run(self, week: str, execution: str, fields: dict[str, Any]) -> None:
        """Upsert the record of one weekly execution (`week` as YYYY-Www)."""
        item = {
            **fields,
            "week": week,
            "execution": execution,
            "pk": f"RUN#{week}",
            "sk": f"EXEC#{execution}",
        }
        self.table.put_item(Item=_to_dynamo(item))

    def list_runs(self, week: str) -> list[dict[str, Any]]:
        return [_strip_keys(i) for i in self._query(Key("pk").eq(f"RUN#{week}"))]

    # -- paging -----------------------------------------------------------------------------
    def _query(self, condition: Any) -> list[dict[str, Any]]:
        return self._paged(self.table.query, KeyConditionExpression=condition)

    def _scan(self, condition: Any) -> list[dict[str, Any]]:
        return self._paged(self.table.scan, FilterExpression=condition)

    @staticmethod
    def _paged(call: Any, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = call(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
