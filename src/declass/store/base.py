"""What the store writes (a `Prepared` document, its `PutResult`) and a search returns (`Hit`).

A question that only reads pages loads `declass.store.page` and `declass.store.sql`, not this module."""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from declass.store.page import Page as Page  # (where it was: a question needs the page, not the rest)

if TYPE_CHECKING:  # (the analysis tables' rows load with the writing: a question never makes them)
    from declass.store import tables


@dataclass(frozen=True, slots=True)
class PutResult:
    """What storing one document did: ``added``, ``replaced`` or ``unchanged``."""

    id: str
    status: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One search hit: a block, with a snippet and where its matches are."""

    document: str
    label: str
    kind: str
    page: int | None
    start: int
    end: int
    snippet: str
    score: float
    title: str | None = None
    doc_number: str | None = None
    highlights: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def from_marked(
        cls, document: str, label: str, kind: str, page: int | None, start: int, end: int,
        marked: str, score: float, title: str | None, doc_number: str | None,
        open_mark: str, close_mark: str,
    ) -> Hit:
        """Build a hit from a snippet with inline highlight marks."""
        out: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        i = 0
        opened = -1
        while i < len(marked):
            ch = marked[i]
            if ch == open_mark:
                opened = pos
            elif ch == close_mark and opened >= 0:
                spans.append((opened, pos))
                opened = -1
            else:
                out.append(ch)
                pos += 1
            i += 1
        return cls(document, label, kind, page, start, end, "".join(out), round(score, 4),
                   title, doc_number, spans)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["highlights"] = [list(h) for h in self.highlights]
        return d


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready to store: everything a backend writes, computed
    where the document was parsed (a worker), so the writer only writes."""

    id: str
    sha256: str
    path: str
    summary: dict[str, Any]
    blob: bytes
    blocks: list[tuple[Any, ...]]
    mentions: list[tuple[Any, ...]] = field(default_factory=list)
    rows: tables.Rows = field(default_factory=lambda: _no_rows())
    totals: tables.Aggregates = field(default_factory=lambda: _no_totals())
    words: tuple[str, ...] | None = None
    """Each block's ``tsvector`` for a PostgreSQL archive (`tsvector.tsvector`), when asked for."""


def _no_rows() -> tables.Rows:
    from declass.store import tables

    return tables.Rows()


def _no_totals() -> tables.Aggregates:
    from declass.store import tables

    return tables.aggregates((), ())


def prepare(record: dict[str, Any], *, words: bool = False) -> Prepared:
    """Serialise an export record for storage (zlib-compressed JSON) with its table rows
    (blocks and mentions in `tables.BLOCK_COLUMNS` / `MENTION_COLUMNS` order) and its
    share of the totals: worked out where the document was parsed, the writer only writes.
    ``words``: for a PostgreSQL archive, each block's words for its search too."""
    from declass.store import tables

    blob = compressed_json(record)
    src = record["source"]
    mentions, rows = tables.mention_rows(record), tables.rows(record)
    vectors = None
    if words:  # (the words of a PostgreSQL archive's search, worked out in the worker too)
        from declass.store.tsvector import tsvector

        vectors = tuple(tsvector(b["text"]) for b in record["blocks"])
    summary = summary_fields(record)
    kind, op = tables.EVENT_COLUMNS.index("kind"), tables.EDIT_COLUMNS.index("op")
    entity = tables.EVENT_ENTITY_COLUMNS.index("entity")
    share = tables.totals(mentions, rows.judgments, rows.ranges, rows.redactions,
                          (summary["doc_type"], summary["pages"]), event_kinds=[r[kind] for r in rows.events],
                          edit_ops=[r[op] for r in rows.edits], event_entities=[r[entity] for r in rows.event_entities])
    return Prepared(record["id"], src["sha256"], src["path"], summary, blob, tables.block_rows(record), mentions, rows,
                    share, vectors)


PIECE_ITEMS = 512
"""List items encoded (and handed to the compressor) at a time."""


def compressed_json(record: dict[str, Any]) -> bytes:
    """``zlib.compress`` (level 1) of the record's compact JSON, its lists encoded `PIECE_ITEMS` items
    at a time: the whole JSON of a long document (about seven times its text) is never in memory."""
    from declass.model import jsonio  # (the model loads when writing, not for a store question)

    z = zlib.compressobj(1)
    out = [z.compress(b"{")]
    for i, (key, value) in enumerate(record.items()):
        head = jsonio.dumpb(key) + b":"
        out.append(z.compress(b"," + head if i else head))
        if type(value) is not list or len(value) <= PIECE_ITEMS:
            out.append(z.compress(jsonio.dumpb(value)))
            continue
        for k in range(0, len(value), PIECE_ITEMS):  # "[a,b" "],[c,d" ... each piece's brackets dropped
            piece = jsonio.dumpb(value[k:k + PIECE_ITEMS])
            out.append(z.compress(piece[:-1] if k == 0 else b"," + piece[1:-1]))
        out.append(z.compress(b"]"))
    out.append(z.compress(b"}"))
    out.append(z.flush())
    return b"".join(out)


def with_mentions_marked(hit: Hit, text: str, mention_texts: list[str]) -> Hit:
    """An entity search hit whose snippet is the whole block, the mentions (in order) highlighted."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in mention_texts:
        i = text.find(m, pos)
        if i >= 0:
            spans.append((i, i + len(m)))
            pos = i + len(m)
    return Hit(hit.document, hit.label, hit.kind, hit.page, hit.start, hit.end, text, hit.score, hit.title,
               hit.doc_number, spans)


DOCUMENT_COLUMNS = ("id", "sha256", "path", "media_type", "size", "pages", "blocks", "doc_type", "doc_number", "title",
                    "date", "classification", "archive_id", "released", "ingested_at", "redactions", "withheld",
                    "edits", "numbered", "metadata", "record")
"""The columns of ``documents``; the record (large) goes last, so reading the others never touches it."""


def document_values(doc: Prepared, doc_id: str, ingested_at: str) -> tuple[Any, ...]:
    """The row of ``documents`` for a prepared document, in `DOCUMENT_COLUMNS` order."""
    f = doc.summary
    return (doc_id, doc.sha256, doc.path, f["media_type"], f["size"], f["pages"], f["blocks"], f["doc_type"],
            f["doc_number"], f["title"], f["date"], f["classification"], f["archive_id"], f["released"],
            ingested_at, f["redactions"], f["withheld"], f["edits"], f["numbered"], f["metadata"], doc.blob)


def summary_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The columns a store keeps beside the record, for listing and sorting."""
    from declass.model import field_value  # (the model loads when writing, not for a store question)
    from declass.store import tables

    md = record.get("metadata") or {}

    def val(key: str) -> Any:
        return field_value(md, key)

    return {
        "media_type": record["source"].get("media_type"),
        "size": record["source"].get("size"),
        "pages": len(record.get("pages") or []) or 1,
        "blocks": len(record["blocks"]),
        "doc_type": val("doc_type"),
        "doc_number": val("doc_number"),
        "title": val("title"),
        "date": val("date"),
        "classification": val("classification"),
        "archive_id": val("archive_id"),
        "released": val("released"),
        "redactions": sum(1 for r in record.get("redactions", []) if r.get("kind") == "marker"),
        "withheld": sum(len(r.get("inferred_labels", [])) for r in record.get("redactions", [])
                        if r.get("kind") == "withheld_block"),
        "edits": len(record.get("edits", [])),
        "numbered": sum(1 for b in record["blocks"] if (b.get("attrs") or {}).get("sequence")),
        "metadata": tables.dumps(md),
    }
