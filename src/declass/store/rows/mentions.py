"""A mention as the mentions table keeps it (`StoredMention`), and as an entity's page shows it (`MentionInBlock`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from declass.model.records import Span
from declass.store.rows.common import CITED, Cited


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredMention(Cited, Span):
    """A mention as the mentions table keeps it: the entity it names (``id``, ``canonical``),
    the entity the name stands for (``named_id``: the place when ``metonymy``), and its
    document's ``date``."""

    KEYS: ClassVar[tuple[str, ...]] = ("document", "block", "id", "canonical", "type", "text", "start", "end",
                                       "metonymy", "in_deleted_text", "method", "named_id", "page", "date", *CITED)
    OPTIONAL: ClassVar[frozenset[str]] = frozenset(CITED)

    id: str | None
    canonical: str | None
    type: str
    text: str
    metonymy: bool = False
    in_deleted_text: bool = False
    method: str | None = None
    named_id: str | None = None
    date: str | None = None
    citation: str | None = None
    doc_number: str | None = None
    title: str | None = None

    @classmethod
    def from_row(cls, r: Mapping[str, Any], document: str | None = None) -> StoredMention:
        """From a row of ``mentions`` (`declass.store.paged.MENTION_SELECT`)."""
        return cls(document=r["doc_id"], block=r["block"], start=int(r["start"]), end=int(r["end"]),
                   page=r["page"], id=r["entity_id"], canonical=r["canonical"], type=r["type"], text=r["text"],
                   metonymy=bool(r["metonymy"]), in_deleted_text=bool(r["in_deleted"]), method=r["method"],
                   named_id=r["named_id"], date=r["doc_date"] or None)


@dataclass(frozen=True, slots=True, kw_only=True)
class MentionInBlock(StoredMention):
    """A mention with what an entity's page shows beside it: its block's text, start, kind,
    parent and inferred label, its document's type, and its place in the document's mentions
    (``seq``: the page's keyset).  Its export form is the mention's."""

    seq: int = 0
    doc_type: str | None = None
    block_text: str | None = None
    block_start: int | None = None
    block_kind: str | None = None
    block_parent: str | None = None
    label_inferred: bool = False

    @classmethod
    def from_row(cls, r: Mapping[str, Any], document: str | None = None) -> MentionInBlock:
        """From a row of the entity page's query (`declass.web.queries.mentions_page`)."""
        return cls(document=r["doc_id"], block=r["block"], start=int(r["start"]), end=int(r["end"]),
                   page=r["page"], id=r["entity_id"], canonical=r["canonical"], type=r["type"], text=r["text"],
                   metonymy=bool(r["metonymy"]), in_deleted_text=bool(r["in_deleted"]), method=r["method"],
                   named_id=r["named_id"], date=r["doc_date"] or None, doc_number=r["doc_number"],
                   title=r["title"], seq=int(r["seq"]), doc_type=r["doc_type"], block_text=r["block_text"],
                   block_start=r["block_start"], block_kind=r["block_kind"], block_parent=r["block_parent"],
                   label_inferred=bool(r["label_inferred"]))

    def summary(self) -> dict[str, Any]:
        """Its document as a summary row holds it (what short names and citations are made from)."""
        return {"id": self.document, "doc_type": self.doc_type, "doc_number": self.doc_number, "title": self.title,
                "date": self.date}
