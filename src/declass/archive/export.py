"""The export record: the public, plain-data form of a `Document`.

This is a contract (``declass export --format jsonl`` writes one record per
line); keys are only ever added, never renamed or removed.  A stage that
has not run yet contributes an empty list.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from declass.model import Document

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


def to_record(doc: Document) -> dict[str, Any]:
    """The export record of one document (JSON-ready)."""
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
        "metadata": dict(doc.metadata),
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
        "redactions": list(doc.redactions),
        "edits": list(doc.edits),
        "entities": list(doc.entities),
        "judgments": list(doc.judgments),
        "events": list(doc.events),
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


def with_releases(records: Iterable[dict[str, Any]], pairs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Records with their ``releases`` key filled from the archive's pairs of releases
    (see `declass.corpus.releases`): each names the other release and whether it is earlier."""
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for p in pairs:
        common = {"method": p["method"], "score": p["score"], "basis": p["basis"], "status": p["status"]}
        by_doc.setdefault(p["earlier"], []).append({"other": p["later"], "this_is": "earlier", **common})
        by_doc.setdefault(p["later"], []).append({"other": p["earlier"], "this_is": "later", **common})
    for rec in records:
        yield {**rec, "releases": by_doc.get(rec["id"], [])}


def dumps(record: dict[str, Any]) -> str:
    """One JSONL line (no trailing newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(records: Iterable[dict[str, Any]], out: io.TextIOBase) -> int:
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


def write_csv(records: Iterable[dict[str, Any]], out: io.TextIOBase) -> int:
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    n = 0
    for row in csv_rows(records):
        w.writerow(row)
        n += 1
    return n
