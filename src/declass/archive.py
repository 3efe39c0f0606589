"""`Archive`: the Python API over a store, for notebooks and scripts.

The CLI and the web UI are thin layers over this class; everything it
returns is plain data (dicts and small dataclasses).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from declass.errors import UsageError
from declass.export import to_record
from declass.ingest import FileResult, IngestReport, ingest
from declass.model import Document
from declass.pipeline import parse
from declass.read import DEFAULT_MAX_BYTES
from declass.redactions import statistics
from declass.store import Hit, PutResult, default_db, open_store


class Archive:
    """An archive of ingested documents in a store (a SQLite file by default)."""

    def __init__(self, db: str | Path | None = None, *, readonly: bool = False) -> None:
        self.db = str(db or default_db())
        self.store = open_store(self.db, readonly=readonly)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def ingest(
        self,
        paths: Iterable[str | Path] | str | Path,
        *,
        workers: int | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        ocr: bool = True,
        on_result: Callable[[FileResult], None] | None = None,
    ) -> IngestReport:
        """Ingest files, folders or globs; returns what became of each file."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        return ingest(self.store, paths, db=self.db, workers=workers, max_bytes=max_bytes,
                      ocr=ocr, on_result=on_result)

    def add(self, doc: Document | str | Path) -> PutResult:
        """Store one document (parsed here if given as a path or text)."""
        if not isinstance(doc, Document):
            doc = parse(doc)
        return self.store.put(to_record(doc))

    def documents(self) -> list[dict[str, Any]]:
        """A summary row per document, ordered by date."""
        return self.store.documents()

    def resolve(self, ref: str) -> str:
        """The id of the document ``ref`` names (id, prefix, SHA-256 prefix, number)."""
        doc_id = self.store.resolve(ref)
        if doc_id is None:
            raise UsageError("E401", f"{ref!r} (try 'declass list')")
        return doc_id

    def get(self, ref: str) -> dict[str, Any]:
        """The export record of one document."""
        record = self.store.get(self.resolve(ref))
        assert record is not None
        return record

    def block(self, ref: str, label: str) -> dict[str, Any]:
        """One block of a document, by label (case-insensitive)."""
        record = self.get(ref)
        for b in record["blocks"]:
            if b["label"].casefold() == label.casefold():
                return b
        raise UsageError("E402", f"{label!r} in {record['id']}")

    def search(self, query: str, *, limit: int = 20, document: str | None = None) -> list[Hit]:
        """Full-text search (FTS5 syntax: words, "phrases", AND/OR/NOT, prefix*)."""
        if not query.strip():
            raise UsageError("E403", "empty query")
        doc_id = self.resolve(document) if document else None
        return self.store.search(query, limit=limit, doc_id=doc_id)

    def redaction_report(self, ref: str | None = None) -> dict[str, Any]:
        """Redactions of one document, or of every document plus corpus totals."""
        records = [self.get(ref)] if ref else self.records()
        docs: list[dict[str, Any]] = []
        totals: Counter[str] = Counter()
        by_exemption: Counter[str] = Counter()
        for rec in records:
            stats = statistics(rec["redactions"], rec["blocks"], len(rec.get("pages") or []) or 1)
            docs.append({"id": rec["id"], "statistics": stats, "redactions": rec["redactions"]})
            totals.update({k: stats[k] for k in ("markers", "withheld_blocks", "pages")})
            by_exemption.update(stats["by_exemption"])
        corpus = {**totals, "documents": len(docs), "by_exemption": dict(sorted(by_exemption.items())),
                  "per_page": round(totals["markers"] / totals["pages"], 3) if totals["pages"] else 0.0}
        return {"documents": docs, "corpus": corpus}

    def records(self) -> Iterator[dict[str, Any]]:
        """Every document's export record, one at a time."""
        return self.store.iter_records()
