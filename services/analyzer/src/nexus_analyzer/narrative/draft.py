"""The structured answer the model must return (validated with pydantic)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NarrativeDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    headline: str = Field(min_length=5, max_length=160)
    summary: str = Field(min_length=10, max_length=2000)
    drivers: tuple[str, ...] = Field(max_length=8)
    risks: tuple[str, ...] = Field(max_length=8)
    outlook: str = Field(max_length=1200)
    caveats: tuple[str, ...] = Field(max_length=8)

    def texts(self) -> list[str]:
        return [self.headline, self.summary, *self.drivers, *self.risks, self.outlook, *self.caveats]
