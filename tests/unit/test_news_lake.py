"""News headlines in the lake: merge by story_id, deterministic bytes, pruned reads (real moto S3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from nexus_contracts import NewsItem, Source
from nexus_core.metadata import MetadataRepository
from nexus_core.news_lake import NEWS_SCHEMA, NewsLake, merge_news, news_row, news_rows_to_parquet
from tests.unit import test_core_moto
from tests.unit.test_core_moto import MotoEnv

moto_env = test_core_moto.moto_env

T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
D = 10 * 24 * 60
T1 = T0 + timedelta(minutes=D)


def item(story: str, minutes: int, headline: str | None = None) -> NewsItem:
    return NewsItem(
        source=Source.REUTERS,
        story_id=story,
        headline=headline or f"Power prices move ({story})",
        published_utc=T0 + timedelta(minutes=minutes),
        query="power",
        topics=("ENER", "EU"),
    )


def test_merge_keeps_stored_row_unless_headline_changed_and_newer() -> None:
    # Given a stored story
    stored = [news_row(item("a", 0))]
    # When the same text arrives later, a changed headline arrives later, and one arrives earlier
    same = news_row(item("a", 5))
    earlier_change = news_row(item("a", -5, "Older wording"))
    rows, accepted, revised, stale = merge_news(stored, [same, earlier_change])
    # Then nothing replaces the stored row
    assert (accepted, revised, stale) == (0, 0, 2)
    assert rows == stored
    # And a newer changed headline wins
    newer = news_row(item("a", 10, "Power prices jump"))
    rows, accepted, revised, stale = merge_news(stored, [newer, news_row(item("b", 1))])
    assert (accepted, revised, stale) == (1, 1, 0)
    assert {r["story_id"]: r["headline"] for r in rows} == {
        "a": "Power prices jump",
        "b": item("b", 1).headline,
    }


def test_bytes_depend_only_on_rows() -> None:
    # Given the same rows in two orders
    rows = [news_row(item(s, m)) for s, m in (("c", 3), ("a", 1), ("b", 1))]
    # When written
    one, two = news_rows_to_parquet(rows), news_rows_to_parquet(list(reversed(rows)))
    # Then the bytes are equal and hold the schema's columns
    assert one == two
    assert NEWS_SCHEMA.names == [
        "source",
        "story_id",
        "headline",
        "published_utc",
        "query",
        "topics",
        "language",
        "url",
    ]


def test_merge_write_records_partitions_and_redelivery_changes_nothing(moto_env: MotoEnv) -> None:
    # Given headlines on two UTC days
    repo = MetadataRepository(moto_env.settings)
    lake = NewsLake(moto_env.settings, metadata=repo)
    items = [item("a", 0), item("b", 30), item("c", 24 * 60)]
    # When written twice
    first = lake.merge_write(items)
    second = lake.merge_write(list(reversed(items)))
    # Then one file per day, keyed by the news dataset, and the second write changed nothing
    assert [w.key for w in first] == [
        "raw-news/year=2024/month=03/day=04/reuters__news.parquet",
        "raw-news/year=2024/month=03/day=05/reuters__news.parquet",
    ]
    assert [w.sha256 for w in first] == [w.sha256 for w in second]
    assert [w.written for w in second] == [False, False]
    assert [(w.accepted, w.stale) for w in second] == [(0, 2), (0, 1)]
    records = repo.list_partitions(source="reuters", dataset="news")
    assert [(r.day, r.rows, r.sha256) for r in records] == [
        (date(2024, 3, 4), 2, first[0].sha256),
        (date(2024, 3, 5), 1, first[1].sha256),
    ]
    # And a revised headline replaces its story in place
    revised = lake.merge_write([item("b", 45, "Power prices jump")])
    assert (revised[0].revised, revised[0].rows) == (1, 2)
    assert revised[0].sha256 != first[0].sha256


def test_read_headlines_window_order_limit(moto_env: MotoEnv) -> None:
    # Given headlines over three days (ten days after the other tests' files)
    lake = NewsLake(moto_env.settings)
    lake.merge_write([item("r1", D), item("r2", D + 60), item("r3", D + 24 * 60), item("r4", D + 48 * 60)])
    # When reading a window that ends before the third day
    got = lake.read_headlines(T1, T1 + timedelta(days=1, minutes=1), limit=10)
    # Then only headlines inside [start, end) come back, newest first
    assert [h.story_id for h in got] == ["r3", "r2", "r1"]
    assert got[0] == item("r3", D + 24 * 60)
    # And the limit keeps the newest
    assert [h.story_id for h in lake.read_headlines(T1, T1 + timedelta(days=3), limit=2)] == ["r4", "r3"]
    # And a window over days with no files is empty
    assert lake.read_headlines(T0 - timedelta(days=30), T0 - timedelta(days=29)) == []


def test_the_analyzer_reads_the_weeks_headlines_for_its_narrative(moto_env: MotoEnv) -> None:
    from nexus_analyzer.__main__ import week_headlines

    # Given headlines inside ISO week 2025-W10 (Mon 2025-03-03) and one in the week after
    monday = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    def story(story_id: str, hours: int) -> NewsItem:
        return item(story_id, 0).model_copy(
            update={"published_utc": monday + timedelta(hours=hours), "headline": f"Gas eases ({story_id})"}
        )

    NewsLake(moto_env.settings).merge_write([story("w-1", 0), story("w-2", 30), story("next", 7 * 24)])
    # When the analyzer collects the week's headlines
    headlines = week_headlines("2025-W10", moto_env.settings)
    # Then it gets exactly that week's, newest first
    assert headlines == ["Gas eases (w-2)", "Gas eases (w-1)"]
    # And a week with no news file gives none, not an error
    assert week_headlines("2025-W30", moto_env.settings) == []
