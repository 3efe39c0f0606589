"""A handwritten edit as stored (`StoredEdit`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from declass.model.edit import Edit
from declass.store.rows.common import CITED, Cited, _set, decoded


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredEdit(Cited, Edit):
    """A handwritten edit as stored, with its document's date."""

    KEYS: ClassVar[tuple[str, ...]] = ("document", *Edit.KEYS, "date", *CITED)
    OPTIONAL: ClassVar[frozenset[str]] = frozenset(CITED)

    date: str | None = None
    citation: str | None = None
    doc_number: str | None = None
    title: str | None = None

    @classmethod
    def from_data(cls, doc_id: str, data: str, date: str | None) -> StoredEdit:
        return _set(decoded(cls, doc_id, data), date=date or None)
