"""The models every spec file shares: strict mappings and Vietnamese-English pairs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    # A misspelt key must fail loudly rather than be ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Strict):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)
