"""Citations the way an archivist writes them.

    National Intelligence Estimate NIE-58, "Relations Between the Chinese
    Communist Regime and the USSR: ...", 10 September 1952, paragraph 23.b.

    NSC Briefing, "Sino-Soviet Relations", 4 November 1953, point V.F.
    CIA-RDP80R01443R000200010007-3, released 8 August 2003.

Works on export records (plain dicts), so the CLI, the web UI and users'
scripts cite identically.
"""

from __future__ import annotations

from typing import Any

from declass.model import field_value
from declass.text.dates import format_date

UNIT = {
    "paragraph": "paragraph", "sub-paragraph": "paragraph", "point": "point", "section": "section",
    "item": "item", "article": "", "annex": "", "footnote": "note", "heading": "section",
    "front_matter": "cover", "header": "header", "closing": "", "signature": "", "margin_note": "margin note",
}


def document_citation(record: dict[str, Any]) -> str:
    """Type and number, title, date: the document part of a citation."""
    md = record.get("metadata") or {}
    doc_type, number = field_value(md, "doc_type"), field_value(md, "doc_number")
    title, when = field_value(md, "title"), field_value(md, "date")
    head = " ".join(x for x in (doc_type, number) if x) or record["id"]
    parts = [head]
    if title:
        parts.append(f"\u201c{title}\u201d")
    if when:
        parts.append(format_date(when))
    return ", ".join(parts)


def block_reference(block: dict[str, Any]) -> str:
    """``paragraph 23.b``, ``point V.F``, ``Annex A / Article 2``, ``note 2 (to paragraph 6)``."""
    kind, label = block["kind"], block["label"]
    if kind == "footnote":
        n = label.removeprefix("fn")
        anchor = (block.get("attrs") or {}).get("anchor")
        return f"note {n} (to paragraph {anchor})" if anchor else f"note {n}"
    if kind == "heading":
        return f"section \u201c{label}\u201d"
    unit = UNIT.get(kind, "")
    return f"{unit} {label}".strip() if unit and not label.startswith(("front.", "margin.")) else label


def frus_citation(record: dict[str, Any], block: dict[str, Any] | None = None) -> str | None:
    """The FRUS way: ``FRUS, 1955–1957, vol. II, doc. 158, “National Intelligence Estimate”, paragraph 3.``"""
    frus = (record.get("metadata") or {}).get("frus")
    if not isinstance(frus, dict) or not frus.get("citation"):
        return None
    md = record.get("metadata") or {}
    title = field_value(md, "title")
    text = str(frus["citation"]) + (f", \u201c{title}\u201d" if title else "")
    when = field_value(md, "date")
    if when:
        text += f", {format_date(when)}"
    if block is not None:
        label = str(block["label"])
        text += f", {block_reference(block)}" if not label.startswith("¶") else f", paragraph {label[1:]}"
    return text + "."


def citation(record: dict[str, Any], block: dict[str, Any] | None = None) -> str:
    """The full citation of a document, or of one block of it."""
    frus = frus_citation(record, block)
    if frus:
        return frus
    md = record.get("metadata") or {}
    text = document_citation(record)
    if block is not None:
        text += f", {block_reference(block)}"
        if block.get("label_inferred"):
            text += " [number inferred]"
    text += "."
    archive_id, released = field_value(md, "archive_id"), field_value(md, "released")
    tail = []
    if archive_id:
        tail.append(archive_id)
    if released:
        tail.append(f"released {format_date(released)}")
    if tail:
        joined = ", ".join(tail)
        text += " " + joined[0].upper() + joined[1:] + "."
    return text
