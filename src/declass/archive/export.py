"""The export record: the public, plain-data form of a `Document`.

This is a contract (``declass export --format jsonl`` writes one record per
line); keys are only ever added, never renamed or removed.  A stage that
has not run yet contributes an empty list.  The typed records write their
own parts (`declass.model.Exported.to_dict`): this is the one serialiser,
and ``tests/test_export.py`` pins its output on the samples.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from declass.model import Document, Exported, ReleasePair

RECORD_KEYS = (
    "id",
    "source",
    "metadata",
    "blocks",
    "furniture",
    "redactions",
    "edits",
    "entities",
    "judgments",
    "events",
)

CSV_COLUMNS = ("document", "label", "kind", "parent", "page", "start", "end", "label_inferred", "text")


def _plain(x: Any) -> Any:
    """A typed record's export form; a plain dict (a document built by hand) as it is."""
    return x.to_dict() if isinstance(x, Exported) else dict(x) if isinstance(x, dict) else x


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector held off while a record is built: a record is plain dicts and lists
    made from the document, no cycles for it to find, yet as many new objects as the document
    holds set off full collections that walk every object of the document (a 4 MB document's
    record 0.17 -> 0.04 CPU-s per MB)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def to_record(doc: Document) -> dict[str, Any]:
    """The export record of one document (JSON-ready)."""
    with _collector_paused():
        return _record(doc)


def _record(doc: Document) -> dict[str, Any]:
    src = doc.source
    return {
        "id": doc.id,
        "source": {
            "path": src.path,
            "sha256": src.sha256,
            "media_type": src.media_type,
            "size": src.size,
            "encoding": src.encoding,
            "ocr": src.ocr,
        },
        "metadata": {k: [_plain(x) for x in v] if isinstance(v, list) else _plain(v)
                     for k, v in doc.metadata.items()},
        "blocks": [
            {
                "label": b.label,
                "kind": b.kind,
                "parent": b.parent,
                "text": b.text,
                "start": b.start,
                "end": b.end,
                "page": b.page,
                "label_inferred": b.label_inferred,
                "segments": [list(s) for s in b.segments],
                "attrs": dict(b.attrs),
                "amended_text": b.amended_text if b.amended_text is not None else b.text,
                "handwritten": b.handwritten,
                "deleted": b.deleted,
                "redline": [list(seg) for seg in b.redline],
            }
            for b in doc.blocks
        ],
        "furniture": [
            {
                "kind": f.kind,
                "text": f.text,
                "start": f.start,
                "end": f.end,
                "page": f.page,
                **({"fields": dict(f.fields)} if f.fields else {}),
            }
            for f in doc.furniture
        ],
        "redactions": [_plain(r) for r in doc.redactions],
        "edits": [_plain(e) for e in doc.edits],
        "entities": [_plain(m) for m in doc.entities],
        "judgments": [_plain(j) for j in doc.judgments],
        "events": [_plain(e) for e in doc.events],
        "pages": [
            {"number": p.number, "start": p.start, "end": p.end, "inferred": p.inferred}
            for p in doc.pages
        ],
        "corrections": [
            {"original": c.original, "corrected": c.corrected, "start": c.start, "end": c.end, "rule": c.rule}
            for c in doc.corrections
        ],
        "warnings": list(doc.warnings),
        "releases": [],  # other releases of this document: filled from the archive's pairs on export
    }


def with_releases(records: Iterable[dict[str, Any]],
                  pairs: Iterable[dict[str, Any] | ReleasePair]) -> Iterator[dict[str, Any]]:
    """Records with their ``releases`` key filled from the archive's pairs of releases
    (see `declass.corpus.releases`): each names the other release and whether it is earlier."""
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for pair in pairs:
        p = pair.to_dict() if isinstance(pair, ReleasePair) else pair
        common = {"method": p["method"], "score": p["score"], "basis": p["basis"], "status": p.get("status")}
        by_doc.setdefault(p["earlier"], []).append({"other": p["later"], "this_is": "earlier", **common})
        by_doc.setdefault(p["later"], []).append({"other": p["earlier"], "this_is": "later", **common})
    for rec in records:
        yield {**rec, "releases": by_doc.get(rec["id"], [])}


def dumps(record: dict[str, Any]) -> str:
    """One JSONL line (no trailing newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class Writer(Protocol):
    """Where an export goes: anything with ``write(str)`` (a file, ``sys.stdout``, a ``StringIO``)."""

    def write(self, text: str, /) -> object: ...


def write_jsonl(records: Iterable[dict[str, Any]], out: Writer) -> int:
    n = 0
    for rec in records:
        out.write(dumps(rec) + "\n")
        n += 1
    return n


def csv_rows(records: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """One CSV row per block: the flat view spreadsheet users want."""
    for rec in records:
        for b in rec["blocks"]:
            yield [rec["id"], b["label"], b["kind"], b["parent"] or "", b["page"], b["start"], b["end"],
                   int(b.get("label_inferred", False)), b["text"]]


def write_csv(records: Iterable[dict[str, Any]], out: Writer) -> int:
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    n = 0
    for row in csv_rows(records):
        w.writerow(row)
        n += 1
    return n
