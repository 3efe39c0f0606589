"""A very large document served a part at a time.

A 50 MB transcript is a record of hundreds of megabytes; sent whole it is a
page no browser renders and a JSON body no client wants.  A document is cut
into *parts* of whole printed pages, each holding at most `PART_CHARS`
characters of text (a page longer than that is a part of its own); the reader
and the API serve one part, with the numbers of the others.  A document of one
part is served exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from declass.errors import UsageError

PART_CHARS = 400_000
"""Characters of text per part: a few hundred typed pages, a page that renders in a moment."""

SLICED = ("blocks", "furniture", "redactions", "edits", "entities", "judgments", "events", "corrections")


@dataclass(frozen=True, slots=True)
class Part:
    number: int
    first_page: int
    last_page: int
    start: int  # characters of the document's text, end exclusive
    end: int


def parts(rec: dict[str, Any], size: int | None = None) -> list[Part]:
    """The parts of a record: consecutive whole pages of at most ``size`` characters."""
    size = size or PART_CHARS
    pages = rec.get("pages") or []
    if not pages:
        return [Part(1, 1, 1, 0, 2**63)]
    out: list[Part] = []
    first = pages[0]
    for prev, page in pairwise(pages):
        if page["end"] - first["start"] > size:
            out.append(Part(len(out) + 1, first["number"], prev["number"], first["start"], page["start"]))
            first = page
    out.append(Part(len(out) + 1, first["number"], pages[-1]["number"], first["start"], 2**63))
    out[0] = Part(1, out[0].first_page, out[0].last_page, 0, out[0].end)
    return out


def part_of(rec: dict[str, Any], number: int = 1, size: int | None = None) -> dict[str, Any]:
    """The record with only what lies in part ``number`` (items placed by where they start,
    or by the block they name); a record of one part is returned unchanged."""
    cut = parts(rec, size)
    if len(cut) == 1 and number == 1:
        return rec
    if not 1 <= number <= len(cut):
        raise UsageError("E404", f"part {number}: the document has {len(cut)} part{'s' if len(cut) > 1 else ''}")
    part = cut[number - 1]
    blocks = [b for b in rec["blocks"] if part.start <= b["start"] < part.end]
    labels = {b["label"] for b in blocks}

    def inside(item: Any) -> bool:
        if not isinstance(item, dict):
            return True
        if isinstance(item.get("start"), int):
            return bool(part.start <= item["start"] < part.end)
        if isinstance(item.get("block"), str):
            return item["block"] in labels
        return True  # about the whole document

    out = {**rec, **{key: [x for x in rec.get(key) or [] if inside(x)] for key in SLICED if key in rec}}
    out["blocks"] = blocks
    out["part"] = {"number": number, "of": len(cut), "pages": [part.first_page, part.last_page],
                   "parts": [{"number": p.number, "pages": [p.first_page, p.last_page]} for p in cut]}
    return out
