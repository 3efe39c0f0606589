"""Redactions: what a release withholds, marked or inferred, and what an editor omitted.

Four kinds of record:

* ``marker`` — an exemption code or a placeholder printed where text was
  withheld: ``25X1``, ``(b)(3)``, ``[redacted]``, FRUS's ``[1½ lines of
  source text not declassified]``, ``[name deleted]``, a run of █ ... each
  with its exemption, the block it sits in (or after), and its size (read
  by `declass.stages.redactions.withholding`);
* ``exempt_pages`` — a CREST slip sheet for withheld pages ("Next 2
  Page(s) In Document Exempt", "Page Denied"), with its page count;
* ``omission`` — an editor's omission (``[Here follows …]``, a line of
  dots): text left out of the edition, not withheld by a declassifier;
* ``withheld_block`` — numbered points missing from one list at one level
  (section II of the 1953 briefing runs A, B, C, D, F: point E is
  withheld), with the evidence beside the gap and a confidence.  Complete
  sequences, lists that restart, and gaps across a heading or an omission
  yield none.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

from declass.datafile import load_yaml
from declass.model import Block, Document, Evidence, Exemption, Redaction, RedactionKind
from declass.model.redaction import by_exemption_sorted, per_page, withheld_share
from declass.stages.redactions.withholding import find_damaged, read_placeholder, sizes
from declass.stages.redactions.withholding import parse as parse_withholding
from declass.stages.structure.markers import BLACKOUT, EXEMPT_PAGES, PLACEHOLDER, letter_token

INLINE = re.compile(
    # the lookahead names every character a marker can begin with, so a position that cannot
    # begin one fails at once instead of trying each alternative (the engine cannot skip ahead
    # by class under IGNORECASE; measured, a quarter of the time of the bare alternation)
    r"(?=[(\[NnPp\d\u2588\u25a0Xx])(?:"
    r"(?P<code>\b25\s?X\s?[1-9](?:[A-Z](?:\d[A-Z]?\d?)?)?\b)|(?P<foia>\(b\)\s?\(\d\)(?:\s?\([A-Za-z]\))?)"
    rf"|(?P<bracket>{PLACEHOLDER.pattern})|(?P<exempt>{EXEMPT_PAGES.pattern})|(?P<blackout>{BLACKOUT.pattern}))",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def exemptions() -> dict[str, str]:
    raw = resources.files("declass.data").joinpath("exemptions.yaml").read_text("utf-8")
    return {str(k): str(v) for k, v in load_yaml(raw)["codes"].items()}


def exemption_of(marker: str) -> dict[str, str] | None:
    """``{code, description}`` for ``25X1``, ``(b)(3)``, ...; None for placeholders."""
    code = re.sub(r"\s+", "", marker).upper().replace("(B)", "(b)")
    m = re.match(r"(25X[1-9])", code) or re.match(r"(\(b\)\(\d\))", code)
    if not m:
        return None
    base = m.group(1)
    return {"code": code, "description": exemptions().get(base, "")}


def size_of(text: str) -> dict[str, float | int]:
    """``{"lines": 14, "paragraphs": 2}`` from a placeholder; fractions as numbers
    (``1½``, ``1-1/2`` → 1.5).  A bound ("less than 1 line") is in `declass.stages.redactions.withholding`."""
    return sizes(text)[0]


def redactions(doc: Document) -> Document:
    """The redactions stage."""
    records = find_markers(doc) + find_omissions(doc) + find_withheld(doc)
    records.sort(key=lambda r: (r.start, r.kind))
    return doc.evolve(redactions=tuple(records), stages=(*doc.stages, "redactions"))


def _locator(doc: Document) -> Callable[[int], tuple[Block | None, str]]:
    """``locate(offset)``: the block a marker sits in, else the last block before it.
    Each block's source segments are worked out once per document, and an offset is
    found by bisection (a document of thousands of markers and blocks stays linear);
    blocks out of order or overlapping fall back to a scan, with the same answer."""
    spans = [(b, b.segments, b.start) for b in doc.blocks
             if b.kind not in ("heading", "annex", "margin_note", "footnote", "redaction")]
    segs = sorted((s, e, k) for k, (_, segments, _) in enumerate(spans) for s, e in segments)
    seg_starts = [s for s, _, _ in segs]
    starts = [start for _, _, start in spans]
    ordered = all(a <= b for a, b in pairwise(starts)) and all(
        a[1] <= b[0] for a, b in pairwise(segs))

    def scan(offset: int) -> tuple[Block | None, str]:
        before = None
        for b, segments, start in spans:
            if any(s <= offset < e for s, e in segments):
                return b, "in"
            if start <= offset:
                before = b
        return before, "after"

    def locate(offset: int) -> tuple[Block | None, str]:
        if not ordered:
            return scan(offset)
        i = bisect_right(seg_starts, offset) - 1
        if i >= 0 and segs[i][0] <= offset < segs[i][1]:
            return spans[segs[i][2]][0], "in"
        k = bisect_right(starts, offset) - 1
        return (spans[k][0] if k >= 0 else None), "after"

    return locate


def _marker_record(locate: Callable[[int], tuple[Block | None, str]], marker: str, start: int, end: int,
                   page: int, document: str = "") -> Redaction:
    block, where = locate(start)
    w = parse_withholding(marker)
    kind = RedactionKind.EXEMPT_PAGES if w is not None and w.kind == "exempt_pages" else RedactionKind.MARKER
    ex = exemption_of(marker)
    return Redaction(
        document=document, kind=kind, marker=marker, exemption=None if ex is None else Exemption.from_dict(ex),
        block=block.label if block else None, position=where, start=start, end=end, page=page,
        withholding=w.kind if w is not None else None, what=(w.what or None) if w is not None else None,
        size=w.size_record() if w is not None else None,
    )


MARKER_FURNITURE = frozenset({"exemption_marker", "exempt_pages"})


def find_markers(doc: Document) -> list[Redaction]:
    """Exemption codes, placeholders and slip sheets: on lines of their own
    (furniture) and inside the text of blocks."""
    locate = _locator(doc)
    out = []
    for f in doc.furniture:
        if f.kind not in MARKER_FURNITURE:
            continue
        rec = _marker_record(locate, f.text, f.start, f.end, f.page, doc.id)
        if f.kind == "exempt_pages" and rec.kind != RedactionKind.EXEMPT_PAGES:  # a slip sheet the scan damaged
            pages = int(f.fields.get("pages") or 1)
            rec = replace(rec, kind=RedactionKind.EXEMPT_PAGES, withholding="exempt_pages", what="pages",
                          size={"pages": pages})
        out.append(rec)
    for b in doc.blocks:
        taken: list[tuple[int, int]] = []
        for m in INLINE.finditer(b.text):
            taken.append((m.start(), m.end()))
            marker = " ".join(m.group().split())
            read_as = read_placeholder(marker[1:-1]) if m.group("bracket") else None  # damaged words inside
            out.append(_in_block(locate, b, m.start(), m.end(), marker, doc.id,
                                 read_as=read_as if read_as and read_as.lower() != marker.lower() else None))
        for i, j, read_as in find_damaged(b.text):  # a placeholder the OCR damaged
            if not any(i < e and s < j for s, e in taken):
                out.append(_in_block(locate, b, i, j, " ".join(b.text[i:j].split()), doc.id, read_as=read_as))
    return out


def _in_block(locate: Callable[[int], tuple[Block | None, str]], b: Block, i: int, j: int, marker: str,
              document: str = "", read_as: str | None = None) -> Redaction:
    s, e = b.view.span_to_source(i, j)
    rec = _marker_record(locate, read_as or marker, s, e, b.page, document)
    changes: dict[str, Any] = {}
    if read_as is not None:
        changes.update(marker=marker, read_as=read_as)
    if b.kind not in ("redaction", "omission"):  # a placeholder standing alone is "after" the block before
        changes.update(block=b.label, position="in", in_block=(i, j))
    return replace(rec, **changes) if changes else rec


def find_omissions(doc: Document) -> list[Redaction]:
    """An editor's omissions: each ``omission`` block the structure stage set apart."""
    locate = _locator(doc)
    out = []
    for b in doc.blocks:
        if b.kind != "omission":
            continue
        before, _ = locate(b.start)
        out.append(Redaction(document=doc.id, kind=RedactionKind.OMISSION, marker=" ".join(b.text.split()),
                             block=before.label if before else None, position="after", start=b.start, end=b.end,
                             page=b.page, label=b.label))
    return out


def _sequence_key(b: Block, parents: dict[str, Block]) -> tuple[str, str] | None:
    seq = b.attrs.get("sequence")
    if not seq:
        return None
    parent = parents.get(b.parent or "")
    numbered_parent = parent is not None and parent.attrs.get("sequence")
    return (seq, b.parent if numbered_parent else "__top__")  # type: ignore[return-value]


def find_withheld(doc: Document) -> list[Redaction]:
    """Gaps in numbered sequences, with the evidence between their neighbours.

    In a document read by OCR a gap counts only with a marker beside it (an exemption
    marker, a placeholder, a slip sheet): OCR loses and misreads paragraph numbers far
    more often than a declassifier withholds a paragraph without marking it, and a page
    break is beside every gap that spans one (development set scans, 2026-11-27: all
    four gaps inferred from numbering alone were numbers the OCR lost)."""
    ocr = doc.source.ocr
    parents = {b.label: b for b in doc.blocks}
    groups: dict[tuple[str, str], list[Block]] = {}
    for b in doc.blocks:
        key = _sequence_key(b, parents)
        if key and b.attrs.get("value"):
            groups.setdefault(key, []).append(b)
    order = {b.label: i for i, b in enumerate(doc.blocks)}
    breaks = [i for i, b in enumerate(doc.blocks) if b.kind in ("heading", "omission", "annex")]
    out: list[Redaction] = []
    evidence = _evidence_index(doc) if groups else _no_evidence
    starts_of: dict[str, int] = {}  # a parent's end, where its first point may begin
    for blk in doc.blocks:
        starts_of.setdefault(blk.label.casefold(), blk.end)
    for (seq, parent), items in groups.items():
        prev_value, prev = 0 if parent != "__top__" else None, None
        for k, b in enumerate(items):
            value = int(b.attrs["value"])
            lo = order[prev.label] if prev is not None else order.get(parent, -1)
            nb = bisect_right(breaks, lo)  # the first heading or omission after ``lo`` (breaks are in order)
            crossed = nb < len(breaks) and breaks[nb] < order[b.label]
            if prev_value is not None and value > prev_value + 1 and not crossed:
                missing = list(range(prev_value + 1, value))
                rec = _withheld(evidence, starts_of, seq, missing, prev, b, parent, doc.id)
                nxt = int(items[k + 1].attrs["value"]) if k + 1 < len(items) else None
                marked = rec.reason == "exemption marker beside the gap"
                if marked or (not ocr and (rec.reason != "gap in the numbering only"
                                           or not _misread(seq, prev_value, value, nxt))):
                    out.append(rec)
            prev_value, prev = value, b
    return out


DIGIT_CONFUSIONS = {"0": "89", "8": "036", "9": "0", "3": "8", "1": "74", "7": "1", "4": "1", "5": "63", "6": "58"}
"""Digits a typewritten number is misread as under OCR (0/8, 3/8, 1/7 ...)."""


def _misread(seq: str, prev: int, value: int, nxt: int | None) -> bool:
    """True if a number after a gap (with no marker or page break beside it) is
    likelier an OCR misreading than a sign of withheld items: the list goes on
    from before it (9, 18, 11), a nested list opens far from its start (``S.``
    for ``5.``), or one misread digit makes it the number expected (10 as 18)."""
    if nxt is not None and prev < nxt < value:
        return True  # the list goes on from before it
    if prev == 0 and value > 4:
        return True  # a list opening with its first four points withheld and no marker: a misread opening
    if seq not in ("number", "pnum"):
        return False
    want, got = str(prev + 1), str(value)
    return len(want) == len(got) and sum(a != b for a, b in zip(want, got, strict=True)) == 1 and all(
        a == b or b in DIGIT_CONFUSIONS.get(a, "") for a, b in zip(want, got, strict=True))


EVIDENCE_FURNITURE = ("exemption_marker", "release_stamp", "page_number", "classification")


def _no_evidence(lo: int, hi: int) -> list[Evidence]:
    return []


def _window(items: list[tuple[int, Evidence]]) -> Callable[[int, int], list[Evidence]]:
    """``within(lo, hi)``: the items starting in ``[lo, hi)``, in their order; found by
    bisection when they are in order of start (a list of thousands of gaps stays linear)."""
    starts = [s for s, _ in items]
    if all(a <= b for a, b in pairwise(starts)):
        return lambda lo, hi: [x for _, x in items[bisect_left(starts, lo) : bisect_left(starts, hi)]]
    return lambda lo, hi: [x for s, x in items if lo <= s < hi]


def _evidence_index(doc: Document) -> Callable[[int, int], list[Evidence]]:
    """``evidence(lo, hi)``: what stands between two numbered points: furniture, placeholders, slip sheets."""
    furniture = _window([(f.start, Evidence(f.kind, f.text, f.start, f.end))
                         for f in doc.furniture if f.kind in EVIDENCE_FURNITURE])
    placeholders = _window([(b.start, Evidence("placeholder", b.text, b.start, b.end))
                            for b in doc.blocks if b.kind == "redaction"])
    slips = _window([(f.start, Evidence("exempt_pages", f.text, f.start, f.end))
                     for f in doc.furniture if f.kind == "exempt_pages"])
    return lambda lo, hi: [*furniture(lo, hi), *placeholders(lo, hi), *slips(lo, hi)]


def _withheld(evidence_in: Callable[[int, int], list[Evidence]], starts_of: dict[str, int], seq: str,
              missing: list[int], prev: Block | None, nxt: Block, parent: str, document: str = "") -> Redaction:
    lo = prev.end if prev else starts_of.get(parent.casefold(), 0)
    hi = nxt.start
    evidence = evidence_in(lo, hi)
    has_marker = any(e.kind in ("exemption_marker", "placeholder", "exempt_pages") for e in evidence)
    page_break = any(e.kind in ("page_number", "classification", "release_stamp") for e in evidence)
    confidence = 0.9 if has_marker else 0.7 if page_break else 0.5
    prefix = f"{parent}." if parent != "__top__" else ""
    return Redaction(
        document=document, kind=RedactionKind.WITHHELD_BLOCK,
        inferred_labels=tuple(prefix + letter_token(seq, v) for v in missing),
        block=prev.label if prev else parent, after=prev.label if prev else None, before=nxt.label,
        start=lo, end=hi, page=nxt.page, evidence=tuple(evidence), confidence=confidence,
        reason=("exemption marker beside the gap" if has_marker else
                "page break beside the gap" if page_break else "gap in the numbering only"),
    )


def statistics(records: Sequence[Redaction | Mapping[str, Any]], blocks: list[dict[str, Any]],
               pages: int) -> dict[str, Any]:
    """Counts for one document (or, summed by the caller, a corpus): of its redactions,
    typed or as its export record holds them."""
    typed = [r if isinstance(r, Redaction) else Redaction.from_dict(r) for r in records]
    markers = [r for r in typed if r.kind == RedactionKind.MARKER]
    withheld = [r for r in typed if r.kind == RedactionKind.WITHHELD_BLOCK]
    exempt = [r for r in typed if r.kind == RedactionKind.EXEMPT_PAGES]
    by_exemption = Counter((r.exemption.code if r.exemption else None) or r.marker for r in markers)
    withheld_labels = sum(len(r.inferred_labels or ()) for r in withheld)
    numbered = sum(1 for b in blocks if (b.get("attrs") or {}).get("sequence"))
    return {
        "markers": len(markers),
        "by_exemption": by_exemption_sorted(by_exemption),
        "withheld_blocks": withheld_labels,
        "withheld_share": withheld_share(withheld_labels, numbered),
        "exempt_pages": sum(int((r.size or {}).get("pages", 1)) for r in exempt),
        "omissions": sum(1 for r in typed if r.kind == RedactionKind.OMISSION),
        "pages": pages,
        "per_page": per_page(len(markers), pages),
    }


__all__ = ["exemption_of", "redactions", "statistics"]
