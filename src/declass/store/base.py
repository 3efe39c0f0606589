"""The store interface every backend implements, and its result types."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from declass.model import field_value
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


class Page(list[dict[str, Any]]):
    """One page of rows (a list, so callers that want all rows need not care), with
    ``total``, how many rows match in all, and ``next``, the cursor of the next page
    (None on the last)."""

    def __init__(self, rows: Iterable[dict[str, Any]] = (), *, total: int = 0, next: str | None = None) -> None:
        super().__init__(rows)
        self.total = total
        self.next = next

    def map(self, fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Page:
        """The same page with each row replaced by ``fn(row)``."""
        return Page((fn(r) for r in self), total=self.total, next=self.next)


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
    rows: tables.Rows = field(default_factory=tables.Rows)


def prepare(record: dict[str, Any]) -> Prepared:
    """Serialise an export record for storage (zlib-compressed JSON) with its table rows
    (blocks and mentions in `tables.BLOCK_COLUMNS` / `MENTION_COLUMNS` order)."""
    blob = zlib.compress(json.dumps(record, ensure_ascii=False).encode("utf-8"), 1)
    src = record["source"]
    return Prepared(record["id"], src["sha256"], src["path"], summary_fields(record), blob,
                    tables.block_rows(record), tables.mention_rows(record), tables.rows(record))


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


class Store(Protocol):
    """What an archive backend offers (SQLite now, PostgreSQL later)."""

    backend: str

    def has_sha(self, sha256: str) -> bool: ...
    def put(self, record: dict[str, Any]) -> PutResult: ...
    def put_many(self, docs: list[Prepared]) -> list[PutResult]: ...
    def documents(self) -> list[dict[str, Any]]: ...
    def count(self) -> tuple[int, int]: ...
    def get(self, doc_id: str) -> dict[str, Any] | None: ...
    def resolve(self, ref: str) -> str | None: ...
    def iter_records(self) -> Iterator[dict[str, Any]]: ...
    def search(self, query: str | None, *, limit: int = 20, doc_id: str | None = None,
               entity_ids: Sequence[str] = ()) -> list[Hit]: ...
    def mentions(self, *, entity_ids: Sequence[str] = (), doc_id: str | None = None,
                 type_: str | None = None) -> list[dict[str, Any]]: ...
    def cooccurrence(self, *, min_weight: int = 1) -> list[dict[str, Any]]: ...
    def save_links(self, links: list[dict[str, Any]]) -> int: ...
    def set_link_status(self, a_doc: str, a: str, b_doc: str, b: str, status: str) -> bool: ...
    def links(self, *, include_rejected: bool = False) -> list[dict[str, Any]]: ...
    def save_releases(self, pairs: Sequence[tuple[str, str, str, float, str]]) -> int: ...
    def set_release(self, earlier: str, later: str, status: str, basis: str) -> None: ...
    def releases(self, *, include_rejected: bool = False) -> list[dict[str, Any]]: ...
    def time_limit(self, seconds: float) -> AbstractContextManager[None]: ...
    def block_rows(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]: ...
    def mention_counts(self, pairs: Sequence[tuple[str, str]], limit: int = 12) -> list[tuple[str, int]]: ...
    def close(self) -> None: ...
    # the paged questions (declass.store.paged.PagedQueries)
    def documents_page(self, *, limit: int | None = None, after: str | None = None, sort: str = "date",
                       descending: bool = False, doc_type: str | None = None, text: str | None = None) -> Page: ...
    def judgments_page(self, *, doc_id: str | None = None, scale: str = "kent", low: float = 0.0, high: float = 1.0,
                       term: str | None = None, limit: int | None = None, after: str | None = None) -> Page: ...
    def judgment_terms(self, *, doc_id: str | None = None, scale: str = "kent") -> list[dict[str, Any]]: ...
    def judgment_scan(self, *, doc_id: str | None = None) -> list[dict[str, Any]]: ...
    def judgment_count(self) -> int: ...
    def judgment_entities(self) -> list[tuple[dict[str, Any], list[str]]]: ...
    def entities_in_spans(self, spans: Sequence[tuple[str, int, int]]) -> dict[tuple[str, int, int], list[str]]: ...
    def judgment_strips(self, *, scale: str = "kent", limit: int | None = None, after: str | None = None) -> Page: ...
    def judgments_of(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]: ...
    def events_page(self, *, entity_ids: Sequence[str] = (), start: str | None = None, end: str | None = None,
                    limit: int | None = None, after: str | None = None) -> Page: ...
    def redactions_page(self, *, doc_id: str | None = None, exemption: str | None = None, kind: str | None = None,
                        limit: int | None = None, after: str | None = None) -> Page: ...
    def redaction_documents(self, *, doc_id: str | None = None, sort: str = "date", limit: int | None = None,
                            after: str | None = None) -> Page: ...
    def redaction_totals(self) -> dict[str, Any]: ...
    def mentions_page(self, *, entity_ids: Sequence[str] = (), doc_id: str | None = None,
                      limit: int | None = None, after: str | None = None) -> Page: ...
    def mention_forms(self, entity_ids: Sequence[str]) -> tuple[dict[str, int], int]: ...
    def entity_counts(self, *, doc_id: str | None = None, type_: str | None = None, limit: int | None = None,
                      after: str | None = None) -> Page: ...
    def cooccurrence_page(self, *, min_weight: int = 1, limit: int | None = None, after: str | None = None) -> Page: ...
    def cooccurring(self, entity_id: str, *, limit: int = 20) -> list[dict[str, Any]]: ...
    def links_page(self, *, include_rejected: bool = False, limit: int | None = None,
                   after: str | None = None) -> Page: ...
    def doc_numbers(self, ids: Sequence[str]) -> dict[str, str | None]: ...
    def cite_parts(self, pairs: Sequence[tuple[str, str | None]]) -> tuple[dict[str, dict[str, Any]],
                                                                           dict[tuple[str, str], dict[str, Any]]]: ...


def summary_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The columns a store keeps beside the record, for listing and sorting."""
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
