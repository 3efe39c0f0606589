"""What a later release revealed: spans, what withheld each, and what is in them.

From an `Alignment` of two `ReleaseText`s this builds the comparison a
historian reads: each revealed span with its citation (the later release's
blocks), the earlier release's marker it fills (an exempt-page notice, a
``25X1``, a withheld point, or a silent gap), its scope (whole pages, whole
items, sentences, or words inside a sentence), the entities, numbers and
sources-and-methods vocabulary in it; the removed text; and the OCR noise
set aside as not revealed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

from declass.corpus.releases.align import Alignment, _runs
from declass.corpus.releases.text import Evidence, ReleaseText
from declass.datafile import load_yaml

PAGE_MIN_WORDS = 20  # a page with fewer words cannot make a span "whole pages"
EVIDENCE_RANK = {"exempt_pages": 0, "marker": 1, "withheld_block": 2}
MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")


@dataclass(frozen=True, slots=True)
class Piece:
    """The part of a span inside one block of the later release (offsets in the block's text)."""

    block: str
    start: int
    end: int
    page: int


@dataclass(frozen=True, slots=True)
class WithheldBy:
    """What hid a revealed span in the earlier release.

    ``kind``: ``exempt_pages``, ``marker``, ``withheld_block`` or ``silent_gap``;
    ``block``/``page``: where in the earlier release (its block after the gap);
    ``page_break``: the gap falls at a page break of the earlier release.
    """

    kind: str
    text: str | None
    block: str | None
    page: int | None
    code: str | None = None
    pages: int | None = None
    page_break: bool = False
    evidence: int | None = None  # index into the earlier release's evidence


@dataclass(frozen=True, slots=True)
class EntityRef:
    text: str
    type: str
    id: str | None
    canonical: str | None


@dataclass(frozen=True, slots=True)
class MethodTerm:
    category: str
    term: str


@dataclass(frozen=True, slots=True)
class RevealedSpan:
    """Text only the later release prints, characterised."""

    index: int
    text: str
    words: int
    chars: int
    scope: str  # pages | items | sentences | words
    pieces: tuple[Piece, ...]
    withheld_by: WithheldBy
    entities: tuple[EntityRef, ...]
    numbers: tuple[str, ...]
    sources_methods: tuple[MethodTerm, ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RemovedSpan:
    """Text only the earlier release prints (rare: kept visible, never dropped)."""

    text: str
    words: int
    block: str
    page: int


@dataclass(frozen=True, slots=True)
class OcrDifference:
    """One word the two releases read differently: noise, not revealed text."""

    earlier: str
    later: str
    block: str


# -- vocabulary -----------------------------------------------------------


@lru_cache(maxsize=1)
def method_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """``(category, pattern)`` for every sources-and-methods term in the data file."""
    raw = resources.files("declass.data").joinpath("sources_methods.yaml").read_text("utf-8")
    out = []
    for category, entry in load_yaml(raw)["categories"].items():
        for term in entry["terms"]:
            t = str(term)
            body = re.escape(t.rstrip("*")).replace(r"\ ", r"\s+")
            pat = rf"(?<![\w-]){body}\w*" if t.endswith("*") else rf"(?<![\w-]){body}(?![\w-])"
            out.append((str(category), re.compile(pat, re.IGNORECASE)))
    return tuple(out)


@lru_cache(maxsize=1)
def number_pattern() -> re.Pattern[str]:
    raw = resources.files("declass.data").joinpath("units.yaml").read_text("utf-8")
    units = sorted({str(u) for group in load_yaml(raw)["units"].values() for u in group}, key=len, reverse=True)
    unit = "|".join(re.escape(u).replace(r"\ ", r"\s+") for u in units)
    return re.compile(
        rf"(?P<num>\$\s?\d[\d,]*(?:\.\d+)?(?:\s+(?:million|billion))?"
        rf"|\d[\d,]*(?:\.\d+)?(?:\s+(?:million|billion))?)"
        rf"(?:(?:-|\s+)(?:\w+\s+){{0,2}}?(?P<unit>(?:{unit})(?:e?s)?)\b)?"
        rf"(?P<pct>\s?%)?",
        re.IGNORECASE,
    )


def methods_in(text: str) -> tuple[MethodTerm, ...]:
    seen: dict[tuple[str, str], None] = {}
    for category, pat in method_patterns():
        for m in pat.finditer(text):
            seen.setdefault((category, " ".join(m.group().lower().split())), None)
    return tuple(MethodTerm(c, t) for c, t in seen)


def numbers_in(text: str) -> tuple[str, ...]:
    """Numbers with their units, leaving out dates, years and page references."""
    out: list[str] = []
    for m in number_pattern().finditer(text):
        num = m.group("num")
        before = text[max(0, m.start() - 12):m.start()].lower()
        after = text[m.end("num"):m.end("num") + 16].lower()
        if re.search(r"(page|para|no\.|copy)\s*$", before):
            continue
        if not m.group("unit") and not m.group("pct") and not num.startswith("$") and _date_part(num, before, after):
            continue
        out.append(" ".join(m.group().split()))
    return tuple(dict.fromkeys(out))


def _date_part(num: str, before: str, after: str) -> bool:
    """A year, or a day of a date ("21 July", "18-20 July", "July 21")."""
    plain = num.replace(",", "")
    return bool(re.fullmatch(r"(1[89]|20)\d\d", plain)
                or re.match(rf"\s*(?:-\s*\d+\s*)?({MONTHS})\b", after)
                or re.search(rf"({MONTHS})\.?\s*$", before)
                or (re.search(r"\d\s*-\s*$", before) and re.match(rf"\s*({MONTHS})\b", after)))


# -- spans ----------------------------------------------------------------


def revealed_spans(earlier: ReleaseText, later: ReleaseText, al: Alignment,
                   entities: list[dict[str, Any]]) -> tuple[RevealedSpan, ...]:
    out: list[RevealedSpan] = []
    for j1, j2 in (piece for run in _runs(list(al.later), "revealed") for piece in _split(later, *run)):
        pieces = _pieces(later, j1, j2)
        texts = {b.label: b.text for b in later.blocks}
        text = " ".join(texts[p.block][p.start:p.end] for p in pieces)
        ents = _entities_in(later, pieces, entities)
        nums = numbers_in(text)
        meth = methods_in(text)
        scope = _scope(later, j1, j2)
        kinds = _kinds(scope, ents, nums, meth)
        out.append(RevealedSpan(len(out), text, j2 - j1, later.chars(j1, j2), scope, pieces,
                                _withheld_by(earlier, al, j1, j2), ents, nums, meth, kinds))
    return tuple(out)


def _split(rt: ReleaseText, j1: int, j2: int) -> list[tuple[int, int]]:
    """A run that ends one block and goes on into the next is two spans (or three):
    the words finishing a block the earlier release printed in part, the whole
    blocks after them, and the words starting a block it printed in part."""
    words = rt.words
    cuts = [j1]
    if j1 > 0 and words[j1 - 1].block == words[j1].block:  # starts inside a block
        k = next((j for j in range(j1 + 1, j2) if words[j].block != words[j1].block), None)
        if k is not None:
            cuts.append(k)
    if j2 < len(words) and words[j2].block == words[j2 - 1].block:  # ends inside a block
        k = next((j for j in range(j2 - 1, cuts[-1], -1) if words[j - 1].block != words[j2 - 1].block), None)
        if k is not None and k > cuts[-1]:
            cuts.append(k)
    cuts.append(j2)
    return [(a, b) for a, b in pairwise(cuts) if a < b]


def removed_spans(earlier: ReleaseText, al: Alignment) -> tuple[RemovedSpan, ...]:
    out = []
    for i1, i2 in _runs(list(al.earlier), "removed"):
        b = earlier.blocks[earlier.words[i1].block]
        out.append(RemovedSpan(earlier.span_text(i1, i2), i2 - i1, b.label, b.page))
    return tuple(out)


def ocr_differences(earlier: ReleaseText, later: ReleaseText, al: Alignment) -> tuple[OcrDifference, ...]:
    out = []
    for i, j in al.ocr_pairs():
        we, wl = earlier.words[i], later.words[j]
        out.append(OcrDifference(earlier.blocks[we.block].text[we.start:we.end],
                                 later.blocks[wl.block].text[wl.start:wl.end], later.blocks[wl.block].label))
    return tuple(out)


def _pieces(rt: ReleaseText, j1: int, j2: int) -> tuple[Piece, ...]:
    out: list[Piece] = []
    for blk, first, last in rt.block_runs(j1, j2):
        start = first.start
        if start and blk.text[start - 1] in "(\"'“‘[":  # an opening bracket or quote goes with its words
            start -= 1
        out.append(Piece(blk.label, start, _end_with_punct(blk.text, last.end), blk.page))
    return tuple(out)


def _end_with_punct(text: str, end: int) -> int:
    """A span that ends a sentence keeps its full stop (and a closing quote)."""
    m = re.match(r"[.!?:;,]?[\"'”’)]?", text[end:])
    return end + (m.end() if m else 0)


def _scope(rt: ReleaseText, j1: int, j2: int) -> str:
    words = rt.words
    pages: dict[int, list[int]] = {}
    for k, w in enumerate(words):
        pages.setdefault(rt.blocks[w.block].page, []).append(k)
    for ks in pages.values():
        if len(ks) >= PAGE_MIN_WORDS and j1 <= ks[0] and ks[-1] < j2 and len(ks) < len(words):
            return "pages"
    first, last = words[j1], words[j2 - 1]
    fb, lb = rt.blocks[first.block], rt.blocks[last.block]
    starts_item = (j1 == 0 or words[j1 - 1].block != first.block
                   or any(first.start == p or fb.text[p:first.start].strip() == "" for p in fb.paragraph_starts
                          if p <= first.start))
    ends_item = (j2 == len(words) or words[j2].block != last.block
                 or re.match(r"[^\w]*\n[ \t]*\n", lb.text[last.end:]) is not None)
    if starts_item and ends_item:
        return "items"
    before = fb.text[:first.start].rstrip(" \t\n\"'“‘(")
    starts_sentence = starts_item or before == "" or before[-1] in ".!?:;"
    ends_sentence = ends_item or re.match(r"[\"'”’)]?[.!?:;]", lb.text[last.end:]) is not None
    return "sentences" if starts_sentence and ends_sentence else "words"


def _entities_in(rt: ReleaseText, pieces: tuple[Piece, ...], entities: list[dict[str, Any]]) -> tuple[EntityRef, ...]:
    by_block: dict[str, list[dict[str, Any]]] = {}
    for e in entities:
        by_block.setdefault(str(e.get("block")), []).append(e)
    texts = {b.label: b.text for b in rt.blocks}
    found: dict[tuple[str, str], EntityRef] = {}
    for p in pieces:
        inside = texts.get(p.block, "")[p.start:p.end]
        for e in by_block.get(p.block, []):
            name = str(e.get("text") or "")
            if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", inside):
                key = (str(e.get("id") or name), str(e.get("type")))
                found.setdefault(key, EntityRef(name, str(e.get("type")), e.get("id"), e.get("canonical")))
    return tuple(found.values())


def _kinds(scope: str, ents: tuple[EntityRef, ...], nums: tuple[str, ...],
           meth: tuple[MethodTerm, ...]) -> tuple[str, ...]:
    kinds = [f"scope:{scope}"]
    kinds += sorted({f"entity:{e.type}" for e in ents if e.type in ("person", "place", "organisation")})
    if nums:
        kinds.append("numbers")
    kinds += sorted({f"method:{m.category}" for m in meth})
    return tuple(kinds)


def _withheld_by(earlier: ReleaseText, al: Alignment, j1: int, j2: int) -> WithheldBy:
    """The earlier release's evidence in the gap where the span belongs, else a silent gap."""
    lo = next((al.match[j] + 1 for j in range(j1 - 1, -1, -1) if al.match[j] >= 0), 0)
    hi = next((al.match[j] for j in range(j2, len(al.match)) if al.match[j] >= 0), len(earlier.words))
    lo, hi = min(lo, hi), max(lo, hi)
    found = [(k, e) for k, e in enumerate(earlier.evidence) if lo <= e.at <= hi]
    words = earlier.words
    page_break = 0 < lo <= len(words) and lo < len(words) and \
        earlier.blocks[words[lo - 1].block].page != earlier.blocks[words[lo].block].page
    if found:
        k, e = min(found, key=lambda ke: (EVIDENCE_RANK.get(ke[1].kind, 9), abs(ke[1].at - lo)))
        return _from_evidence(e, k, page_break)
    at = words[lo] if lo < len(words) else (words[-1] if words else None)
    blk = earlier.blocks[at.block] if at is not None else None
    return WithheldBy("silent_gap", None, blk.label if blk else None, blk.page if blk else None,
                      page_break=page_break)


def _from_evidence(e: Evidence, k: int, page_break: bool) -> WithheldBy:
    return WithheldBy(e.kind, e.text, e.block, e.page, e.code, e.pages, page_break, k)


def as_dict(obj: Any) -> Any:
    """A dataclass (or tuple of them) as plain JSON-ready data."""
    if isinstance(obj, tuple):
        return [as_dict(x) for x in obj]
    return asdict(obj)
