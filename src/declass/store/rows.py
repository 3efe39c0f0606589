"""Typed rows the store reads back: the model's records as stored, and what the
model has no type of its own for (links between judgments, stored pairs of releases).

A judgment, event, redaction or edit row is the model's record (`declass.model`:
a `Span` with its document, block label, offsets and page) read from the row's
JSON, plus what the row adds beside it: the document's date, a judgment's range
under the scale asked for, and — once the archive has cited it — the citation,
number and title of its document.  A mention row is a `Span` of its own: the
mentions table keeps what the questions about entities read, not the whole
export record.

Each row's export form (`Exported.to_dict`: the keys of the API's and the CLI's
JSON, in their order) is fixed by its ``KEYS``; `plain` turns any answer that
holds rows into JSON data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from declass.model.records import Edit, Event, Exported, Judgment, Redaction, ReleasePair, Span, plain

__all__ = ["CITED", "Cited", "JudgmentCell", "JudgmentClaim", "Link", "MentionInBlock", "RedactionDocument",
           "StoredEdit", "StoredEvent", "StoredJudgment", "StoredMention", "StoredRedaction", "StoredRelease",
           "decoded", "plain"]

CITED = ("citation", "doc_number", "title")
"""The keys a cited row adds (always written once cited, None or not)."""

R = TypeVar("R", bound="Cited")
S = TypeVar("S", bound=Span)
T = TypeVar("T")


def _set(row: T, **values: Any) -> T:
    """Fill fields of a row just built here, before anyone else holds it (a frozen
    dataclass's ``replace`` would build it a second time, for every row of a page)."""
    for k, v in values.items():
        object.__setattr__(row, k, v)
    return row


if TYPE_CHECKING:
    import msgspec

_DECODERS: dict[type, msgspec.json.Decoder[Any]] = {}


def decoded_as(cls: type[T], data: str | bytes) -> T:
    """JSON read straight into ``cls`` (a decoder made once per type)."""
    import msgspec  # (on the first row read: a question that only names the types does not load it)

    dec = _DECODERS.get(cls)
    if dec is None:
        dec = _DECODERS[cls] = msgspec.json.Decoder(cls)
    out: T = dec.decode(data)
    return out


def decoded(cls: type[S], doc_id: str, data: str | bytes) -> S:
    """A row's JSON (its ``data`` column) read straight into its type, of document ``doc_id``:
    msgspec builds the record from the text, three to four times faster than ``json.loads`` and
    `from_dict` and to the same values (checked on every row of a 10k-page archive and 60,000 of
    each kind of a 100k-page one).  JSON an older release wrote without some key goes through
    `from_dict`, which fills what it lacks."""
    import msgspec

    try:
        row = decoded_as(cls, data)
    except msgspec.ValidationError:
        return cls.from_dict(json.loads(data), doc_id)
    object.__setattr__(row, "document", doc_id)
    return row


_FIELDS: dict[type, tuple[str, ...]] = {}


def _copy(row: T) -> T:
    """A copy of a frozen row, field by field (``copy.copy`` goes through pickling's protocol and
    ``dataclasses.replace`` through ``__init__``: several times slower, for every row of a page)."""
    cls = type(row)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    new = object.__new__(cls)
    for name in names:
        object.__setattr__(new, name, getattr(row, name))
    return new


class Cited:
    """A row the archive cites: ``citation``, ``doc_number`` and ``title`` of its document
    (None until cited; written in the export form only once cited).  Each row type declares the
    three fields itself: a slotted dataclass cannot take fields from two slotted bases."""

    __slots__ = ()
    document: str
    block: str | None
    citation: str | None
    doc_number: str | None
    title: str | None

    def cited(self: R, citation: str, doc_number: str | None, title: str | None, *, fresh: bool = False) -> R:
        """This row with its citation: a copy (rows are frozen), or, ``fresh``, this row itself,
        filled in (a row the store has just read, that nothing else holds yet)."""
        return _set(self if fresh else _copy(self), citation=citation, doc_number=doc_number, title=title)

    def keeps_cited(self, key: str) -> bool:
        return key in CITED and self.citation is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredJudgment(Judgment):
    """A judgment as stored, with its document's ``date``; on a judgments page also its
    ``range`` under the page's ``scale`` (None: the scale has no band for its term)."""

    KEYS: ClassVar[tuple[str, ...]] = ("document", *Judgment.KEYS, "range", "scale", "date")
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"range", "scale", "date"})

    date: str | None = None
    range: tuple[float, float] | None = None
    scale: str | None = None

    def keeps_none(self, key: str) -> bool:
        return self.scale is not None  # a page on a scale always says the range and the date

    @classmethod
    def from_data(cls, doc_id: str, data: str, date: str | None, *, scale: str | None = None,
                  low: float | None = None, high: float | None = None) -> StoredJudgment:
        """A row of ``judgments`` (its JSON ``data``), with a range read beside it."""
        return _set(decoded(cls, doc_id, data), date=date or None, scale=scale,
                    range=None if low is None or high is None else (float(low), float(high)))


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredEvent(Cited, Event):
    """A dated event as stored (the timeline's row)."""

    KEYS: ClassVar[tuple[str, ...]] = ("document", *Event.KEYS, *CITED)
    OPTIONAL: ClassVar[frozenset[str]] = Event.OPTIONAL | set(CITED)

    citation: str | None = None
    doc_number: str | None = None
    title: str | None = None

    def keeps_none(self, key: str) -> bool:
        return self.keeps_cited(key)

    @classmethod
    def from_data(cls, doc_id: str, data: str) -> StoredEvent:
        return decoded(cls, doc_id, data)


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


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredEdit(Cited, Edit):
    """A handwritten edit as stored, with its document's date."""

    KEYS: ClassVar[tuple[str, ...]] = ("document", *Edit.KEYS, "date", *CITED)
    OPTIONAL: ClassVar[frozenset[str]] = frozenset(CITED)

    date: str | None = None
    citation: str | None = None
    doc_number: str | None = None
    title: str | None = None

    def keeps_none(self, key: str) -> bool:
        return self.keeps_cited(key)

    @classmethod
    def from_data(cls, doc_id: str, data: str, date: str | None) -> StoredEdit:
        return _set(decoded(cls, doc_id, data), date=date or None)


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

    def keeps_none(self, key: str) -> bool:
        return self.keeps_cited(key)

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


@dataclass(frozen=True, slots=True)
class RedactionDocument(Exported):
    """A document of the redaction report: its pages, numbered blocks and redactions in order."""

    KEYS: ClassVar[tuple[str, ...]] = ("id", "pages", "numbered", "redactions")

    id: str
    pages: int
    numbered: int
    redactions: tuple[Redaction, ...]


@dataclass(frozen=True, slots=True)
class JudgmentCell:
    """A judgment as its document's strip draws it: where it is, its words, its range under one scale."""

    document: str
    block: str | None
    start: int
    expression: str
    range: tuple[float, float] | None

    @classmethod
    def from_data(cls, doc_id: str, block: str | None, start: int, data: str | bytes, low: float | None,
                  high: float | None) -> JudgmentCell:
        """From a judgment's row: its JSON read for the expression alone."""
        return cls(doc_id, block, start, decoded_as(_Expression, data).expression,
                   None if low is None or high is None else (float(low), float(high)))


@dataclass(frozen=True, slots=True)
class _Expression:
    expression: str



@dataclass(frozen=True, slots=True)
class JudgmentClaim:
    """What linking reads of a judgment: where it is, its claim and polarity, the entities it names."""

    document: str
    seq: int
    id: str
    claim: str
    polarity: str
    entities: tuple[str, ...]

    @classmethod
    def from_data(cls, doc_id: str, seq: int, data: str | bytes, entities: tuple[str, ...]) -> JudgmentClaim:
        """From a judgment's row: its JSON read for the id, claim and polarity alone."""
        c = decoded_as(_Claim, data)
        return cls(doc_id, seq, c.id, c.claim, c.polarity, entities)


@dataclass(frozen=True, slots=True)
class _Claim:
    id: str
    claim: str
    polarity: str = "positive"


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
