"""News headlines (Reuters via LSEG): text, not numbers, stored as their own lake dataset."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nexus_contracts.registries.datasets import Source
from nexus_contracts.types import FROZEN, UtcDatetime


class NewsItem(BaseModel):
    """One headline; `story_id` is the source's stable id and the dedupe key."""

    model_config = FROZEN

    source: Source
    story_id: str = Field(min_length=1, max_length=300)
    headline: str = Field(min_length=1, max_length=1000)
    published_utc: UtcDatetime
    query: str = Field(max_length=300)
    topics: tuple[str, ...] = ()
    language: str = "en"
    url: str | None = None
