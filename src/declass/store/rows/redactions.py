"""A redaction as stored (`StoredRedaction`), and a document of the redaction report (`RedactionDocument`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from declass.model.records import Exported
from declass.model.redaction import Redaction
from declass.store.rows.common import CITED, Cited, decoded


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredRedaction(Cited, Redaction):
    """A redaction as stored (one row of the redactions list)."""

    KEYS: ClassVar[tuple[str, ...]] = ("document", *Redaction.KEYS, *CITED)
    OPTIONAL: ClassVar[frozenset[str]] = Redaction.OPTIONAL | set(CITED)

    citation: str | None = None
    doc_number: str | None = None
    title: str | None = None

    def keeps_none(self, key: str) -> bool:
        return Redaction.keeps_none(self, key) or self.keeps_cited(key)

    @classmethod
    def from_data(cls, doc_id: str, data: str) -> StoredRedaction:
        return decoded(cls, doc_id, data)


@dataclass(frozen=True, slots=True)
class RedactionDocument(Exported):
    """A document of the redaction report: its pages, numbered blocks and redactions in order."""

    id: str
    pages: int
    numbered: int
    redactions: tuple[Redaction, ...]
