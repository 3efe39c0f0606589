"""Typed rows the store reads back for what the model has no type of its own:
links between judgments and stored pairs of releases.

Like the model's records they are frozen, and keep the export form's
mapping view (``link["a_doc"]``, `Exported.to_dict`) for code written
against dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from declass.model import Exported, ReleasePair


@dataclass(frozen=True, slots=True)
class Link(Exported):
    """Judgment ``a`` of document ``a_doc`` restated as ``b`` of ``b_doc``: how alike (``score``),
    whether they agree, found how, and what a user made of it (proposed, confirmed, rejected)."""

    KEYS: ClassVar[tuple[str, ...]] = ("a_doc", "a", "b_doc", "b", "score", "agree", "method", "status",
                                       "updated_at")

    a_doc: str
    a: str
    b_doc: str
    b: str
    score: float
    agree: bool | None
    method: str
    status: str
    updated_at: str

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Link:
        return cls(r["a_doc"], r["a"], r["b_doc"], r["b"], float(r["score"]),
                   None if r["agree"] is None else bool(r["agree"]), r["method"], r["status"], r["updated_at"])


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
