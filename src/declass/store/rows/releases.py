"""A pair of releases as stored (`StoredRelease`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from declass.model.release import ReleasePair


@dataclass(frozen=True, slots=True)
class StoredRelease(ReleasePair):
    """A pair of releases as stored: when it was last set, and the earlier release's date and title."""

    KEYS: ClassVar[tuple[str, ...]] = (*ReleasePair.KEYS, "updated_at", "date", "title")

    updated_at: str | None = None
    date: str | None = None
    title: str | None = None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> StoredRelease:
        return cls(r["earlier"], r["later"], r["method"], float(r["score"] or 0.0), r["basis"] or "", r["status"],
                   r["updated_at"], r["date"], r["title"])
