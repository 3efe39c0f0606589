"""Measures: how a pipeline reading of one document compares with its gold.

Every measure is a `Tally` (hits out of a total) per document, so figures
add up over a genre or the whole set; each also keeps the first difference
it saw, so a failing document can be named with what went wrong.  Gold
spans are in the gold text's coordinates; ``to_pred`` maps them into the
read document's text (the identity for clean text, an alignment for scans).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from declass.evaluate.gold import Gold, surname
from declass.model import Block, Document, MetadataField, field_part, field_value

Mapper = Callable[[int], int]
TITLE_SIMILARITY = 90
"""A title counts as read when it is this similar (0-100, normalised) to gold: one or two OCR slips pass."""
FURNITURE_SIMILARITY = 85
BOUNDARY_SLACK = 6
"""A block starts at a gold paragraph when within this many characters (a label such as "12. " lies between)."""
_LABEL_PREFIX = re.compile(r"\(?\d{1,3}[.)]?\s*")
_NORMAL = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Tally:
    hits: float
    total: float

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.hits + other.hits, self.total + other.total)

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None


@dataclass(slots=True)
class DocScore:
    """One document's measures, in one reading (clean text or scan)."""

    id: str
    genre: str
    variant: str
    tallies: dict[str, Tally] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    misses: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def add(self, measure: str, hits: float, total: float, miss: str | None = None) -> None:
        if total:
            self.tallies[measure] = Tally(hits, total)
        if miss and hits < total and measure not in self.misses:
            self.misses[measure] = miss

    def count(self, measure: str, n: int, miss: str | None = None) -> None:
        self.counts[measure] = n
        if n and miss:
            self.misses.setdefault(measure, miss)


def normal(text: str) -> str:
    return _NORMAL.sub(" ", text.casefold()).strip()


def compact(text: str) -> str:
    """Letters and digits only: "S E C R E T" and "SECRET" are one banner."""
    return normal(text).replace(" ", "")


class Blocks:
    """The read document's blocks, found by source offset."""

    def __init__(self, doc: Document) -> None:
        segs: list[tuple[int, int, Block]] = []
        for b in doc.blocks:
            if b.kind == "footnote":
                continue
            segs.extend((s, e, b) for s, e in b.segments)
        segs.sort(key=lambda t: t[0])
        self.segs = segs
        self.starts = [s for s, _, _ in segs]
        self.by_label = {b.label: b for b in doc.blocks}

    def at(self, offset: int) -> Block | None:
        i = bisect_right(self.starts, offset) - 1
        for j in range(i, max(i - 4, -1), -1):
            s, e, b = self.segs[j]
            if s <= offset < e:
                return b
        return None


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _span(to_pred: Mapper, start: int, end: int) -> tuple[int, int]:
    s = to_pred(start)
    e = to_pred(max(end - 1, start)) + 1
    return s, max(e, s + 1)


def score(doc: Document, gold: Gold, variant: str, to_pred: Mapper = lambda x: x) -> DocScore:
    """Every measure that ``gold`` supports, for one read document."""
    out = DocScore(gold.id, gold.genre, variant)
    blocks = Blocks(doc)
    _metadata(out, doc, gold)
    _paragraphs(out, doc, gold, blocks, to_pred)
    _labels(out, doc, gold, blocks, to_pred)
    _footnotes(out, doc, gold, blocks, to_pred)
    _persons(out, doc, gold, to_pred)
    _redactions(out, doc, gold, to_pred)
    _dates(out, doc, gold, to_pred)
    _furniture(out, doc, gold)
    return out


def _metadata(out: DocScore, doc: Document, gold: Gold) -> None:
    md = doc.metadata
    if gold.doc_type:
        got = field_value(md, "doc_type")
        out.add("type", got == gold.doc_type, 1, f"type {got!r}, gold {gold.doc_type!r}")
    if gold.title:
        got = field_value(md, "title") or ""
        ok = fuzz.ratio(normal(str(got)), normal(gold.title)) >= TITLE_SIMILARITY
        out.add("title", ok, 1, f"title {str(got)[:70]!r}, gold {gold.title[:70]!r}")
    if gold.date:
        got = field_value(md, "date")
        out.add("date", str(got or "") == gold.date, 1, f"date {got!r}, gold {gold.date!r}")
    if gold.classification:
        got = field_value(md, "classification")
        out.add("classification", str(got or "").upper() == gold.classification, 1,
                f"classification {got!r}, gold {gold.classification!r}")


def _paragraphs(out: DocScore, doc: Document, gold: Gold, blocks: Blocks, to_pred: Mapper) -> None:
    """Paragraph boundaries: gold paragraph starts against the starts of the read blocks (one to one)."""
    if not gold.paragraphs:
        return
    pred = sorted(b.segments[0][0] for b in doc.blocks if b.kind != "footnote" and b.segments)
    used = [False] * len(pred)
    hits = 0
    first_miss = None
    for p in gold.paragraphs:
        g = to_pred(p.start)
        i = bisect_right(pred, g - 2)
        found = False
        for j in range(max(i - 1, 0), min(i + 3, len(pred))):
            if not used[j] and -2 <= pred[j] - g <= BOUNDARY_SLACK:
                used[j] = found = True
                break
        hits += found
        if not found and first_miss is None:
            first_miss = f"no block starts at {gold.text[p.start:p.start + 50]!r}"
    out.add("paragraphs.recall", hits, len(gold.paragraphs), first_miss)
    extra = next((b for b, u in zip(sorted((b for b in doc.blocks if b.kind != "footnote" and b.segments),
                                           key=lambda b: b.segments[0][0]), used, strict=False) if not u), None)
    out.add("paragraphs.precision", sum(used), len(pred),
            f"block {extra.label!r} starts no gold paragraph: {extra.text[:50]!r}" if extra else None)


def _labels(out: DocScore, doc: Document, gold: Gold, blocks: Blocks, to_pred: Mapper) -> None:
    numbered = [p for p in gold.paragraphs if p.label]
    if not numbered or not gold.numbered:
        return
    hits = 0
    miss = None
    for p in numbered:
        if p.body_start is not None:
            first_word = p.body_start
        else:
            head = _LABEL_PREFIX.match(gold.text, p.start)
            first_word = head.end() if head else p.start
        b = blocks.at(to_pred(first_word))
        got = (b.label if gold.source == "sample" else _last_component(b.label)) if b else None
        ok = got == p.label
        hits += ok
        if not ok and miss is None:
            miss = f"paragraph {p.label} read as {b.label if b else None!r}"
    out.add("labels", hits, len(numbered), miss)


def _last_component(label: str) -> str:
    return re.split(r"[.\s/]+", label.strip())[-1]


def _footnotes(out: DocScore, doc: Document, gold: Gold, blocks: Blocks, to_pred: Mapper) -> None:
    if not gold.notes:
        return
    notes = [b for b in doc.blocks if b.kind == "footnote"]
    found = linked = 0
    miss_found = miss_link = None
    for n in gold.notes:
        span = _span(to_pred, n.start, n.end)
        best = max(notes, key=lambda b: sum(_overlap(span, s) for s in b.segments), default=None)
        if best is None or sum(_overlap(span, s) for s in best.segments) < 0.5 * (span[1] - span[0]):
            miss_found = miss_found or f"footnote not found: {gold.text[n.start:n.start + 50]!r}"
            continue
        found += 1
        parent = blocks.by_label.get(best.parent) if best.parent else None
        anchor = to_pred(n.anchor)
        ok = parent is not None and any(s - 2 <= anchor <= e + 2 for s, e in parent.segments)
        linked += ok
        if not ok and miss_link is None:
            at = blocks.at(anchor)
            miss_link = f"footnote {best.label} linked to {best.parent!r}, its mark is in " \
                        f"{(at.label if at else None)!r}"
    out.add("footnotes.found", found, len(gold.notes), miss_found)
    out.add("footnotes.linked", linked, found, miss_link)


def _entity_key(m: Mapping[str, Any]) -> str:
    return str(m.get("id") or m.get("cluster") or m.get("canonical") or normal(str(m.get("text", ""))))


def _persons(out: DocScore, doc: Document, gold: Gold, to_pred: Mapper) -> None:
    if not gold.persons:
        return
    people = [m.to_dict() for m in doc.entities if m.type == "person"]
    spans = [(int(m["start"]), int(m["end"])) for m in people]
    gold_spans = [_span(to_pred, g.start, g.end) for g in gold.persons]
    matched: dict[int, int] = {}
    for gi, gs in enumerate(gold_spans):
        for pi, ps in enumerate(spans):
            if _overlap(gs, ps):
                matched[gi] = pi
                break
    for measure, corrected in (("persons.recall", True), ("persons.recall_markup", False)):
        counted = [gi for gi, g in enumerate(gold.persons) if not (corrected and g.text.casefold() in gold.not_people)]
        miss = next((f"person not found: {gold.persons[gi].text!r}" for gi in counted if gi not in matched), None)
        out.add(measure, sum(1 for gi in counted if gi in matched), len(counted), miss)
    others = [_span(to_pred, s, e) for s, e in gold.other_names]

    def is_person(i: int, *, checked: bool) -> bool:
        """Tagged a person here; or tagged nothing here and a surname the markup tags as a person elsewhere
        (or, ``checked``, a person the markup leaves untagged here, by the hand-checked list)."""
        ps = spans[i]
        if any(_overlap(ps, gs) for gs in gold_spans):
            return True
        if any(_overlap(ps, o) for o in others):
            return False
        text = str(people[i].get("text", ""))
        if checked and text.casefold() in gold.untagged_people:
            return True
        return surname(text) in gold.person_forms

    for measure, checked in (("persons.precision", True), ("persons.precision_markup", False)):
        verdicts = [is_person(i, checked=checked) for i in range(len(spans))]
        wrong = next((people[i].get("text") for i, ok in enumerate(verdicts) if not ok), None)
        out.add(measure, sum(verdicts), len(spans), f"not a gold person: {wrong!r}" if wrong else None)
    by_ref: dict[str, list[str]] = {}
    for gi, pi in matched.items():
        ref = gold.persons[gi].ref
        if ref:
            by_ref.setdefault(ref, []).append(_entity_key(people[pi]))
    pairs = same = 0
    split = None
    for ref, keys in by_ref.items():
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                pairs += 1
                same += keys[i] == keys[j]
                if keys[i] != keys[j] and split is None:
                    split = f"{ref}: {keys[i]!r} and {keys[j]!r}"
    out.add("persons.same_entity", same, pairs, split)


def _size_ok(record: Mapping[str, Any], size: tuple[tuple[str, float], ...], less: bool) -> bool:
    got = record.get("size") or {}
    if not isinstance(got, Mapping):
        return False
    if less:
        lines = got.get("lines")
        return lines is None or (isinstance(lines, int | float) and lines < 1) or bool(got.get("less_than"))
    return all(isinstance(got.get(unit), int | float) and abs(float(got[unit]) - value) < 1e-6 for unit, value in size)


def _redactions(out: DocScore, doc: Document, gold: Gold, to_pred: Mapper) -> None:
    recs = [r.to_dict() for r in doc.redactions]
    if gold.source == "frus":
        markers = [r for r in recs if r.get("kind") not in ("withheld_block", "omission")]
        found = sized = 0
        miss = miss_size = None
        for w in gold.withheld:
            span = _span(to_pred, w.start, w.end)
            rec = next((r for r in markers if _overlap(span, (int(r["start"]), int(r["end"])))), None)
            if rec is None:
                miss = miss or f"not found: {w.text!r}"
                continue
            found += 1
            ok = _size_ok(rec, w.size, w.less_than_one)
            sized += ok
            if not ok and miss_size is None:
                miss_size = f"{w.text!r} sized {rec.get('size')!r}"
        if gold.withheld:
            out.add("withheld.found", found, len(gold.withheld), miss)
            out.add("withheld.size", sized, len(gold.withheld), miss_size)
        omitted = [r for r in recs if r.get("kind") == "omission"]
        if gold.omissions:
            hits = sum(1 for s, e in gold.omissions
                       if any(_overlap(_span(to_pred, s, e), (int(r["start"]), int(r["end"]))) for r in omitted))
            out.add("omissions.found", hits, len(gold.omissions), "an editorial omission was not recorded")
        invented = [r for r in recs if r.get("kind") == "withheld_block"]
        out.count("invented_withheld", len(invented),
                  f"withheld block {invented[0].get('inferred_labels')!r}" if invented else None)
    if gold.exempt or gold.source == "crest":
        hits = 0
        miss = None
        for x in gold.exempt:
            span = _span(to_pred, x.start, x.end)
            rec = next((r for r in recs if _overlap(span, (int(r["start"]), int(r["end"])))), None)
            pages = _pages_of(rec) if rec else None
            ok = pages == x.pages
            hits += ok
            if not ok and miss is None:
                miss = f"{gold.text[x.start:x.end].strip()!r} read as {rec.get('kind') if rec else None!r}, " \
                       f"pages {pages!r}"
        out.add("exempt_pages", hits, len(gold.exempt), miss)


def _pages_of(rec: Mapping[str, Any]) -> int | None:
    for value in (rec.get("pages"), (rec.get("size") or {}).get("pages") if isinstance(rec.get("size"), Mapping)
                  else None):
        if isinstance(value, int | float):
            return int(value)
    return None


def _dates(out: DocScore, doc: Document, gold: Gold, to_pred: Mapper) -> None:
    if not gold.dates:
        return
    events = [(e.start, e.end, e.date or "") for e in doc.events]
    dated = doc.metadata.get("date")
    if isinstance(dated, MetadataField | Mapping) and field_part(dated, "value") and \
            field_part(dated, "start") is not None:  # the dateline, read as the date
        events.append((int(field_part(dated, "start")), int(field_part(dated, "end")), str(field_part(dated, "value"))))
    hits = 0
    miss = None
    for d in gold.dates:
        span = _span(to_pred, d.start, d.end)
        ok = any(_overlap(span, (s, e)) and date and (d.when.startswith(date) or date.startswith(d.when))
                 for s, e, date in events)
        hits += ok
        if not ok and miss is None:
            miss = f"date {gold.text[d.start:d.end]!r} ({d.when}) not read"
    out.add("dates", hits, len(gold.dates), miss)


def _furniture(out: DocScore, doc: Document, gold: Gold) -> None:
    """Page furniture read as a block or a title: counted, never tolerated."""
    forms = [compact(f) for f in gold.furniture if compact(f)]
    if not forms:
        return

    def is_furniture(text: str) -> bool:
        t = compact(text)
        return bool(t) and any(fuzz.ratio(t, f) >= FURNITURE_SIMILARITY for f in forms)

    leaked = [b for b in doc.blocks if b.kind != "footnote" and is_furniture(b.text)]
    first = f"block {leaked[0].label!r}: {leaked[0].text[:60]!r}" if leaked else None
    out.count("furniture_blocks", len(leaked), first)
    title = field_value(doc.metadata, "title")
    bad = bool(title) and is_furniture(str(title))
    out.count("furniture_titles", int(bad), f"title {title!r}" if bad else None)


def total(scores: Iterable[DocScore], measure: str) -> Tally:
    t = Tally(0, 0)
    for s in scores:
        if measure in s.tallies:
            t = t + s.tallies[measure]
    return t
