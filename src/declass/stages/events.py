"""Events: dates, deadlines and durations, as ISO dates with a precision.

Forms handled, in the documents' own words:

* dates: "10 September 1952", "February 14, 1950", "February 1950",
  "in 1952", "since 1945", "from 1948 to mid-1951", "summer 1953",
  "mid-1951", "this year" (the document's own year);
* deadlines: "not later than the end of 1952" → 1952-12-31;
* durations from an anchor: "valid for thirty years" (from the agreement's
  date), "within three months after the present agreement becomes
  effective", "one year before the expiration of this term".

The anchor of a treaty's relative dates is the date it was done ("Done in
Moscow on February 14, 1950"), stated in the same annex.  Each event keeps
the sentence and its exact source span.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from declass.model import Block, Document, Event, field_value
from declass.text import dates
from declass.text.sentences import sentences

SKIP = frozenset({"front_matter", "header", "heading", "signature", "margin_note", "redaction", "annex"})
NUM = r"(?P<n>\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty)"
UNIT = r"(?P<unit>years?|months?|weeks?|days?)"
SEASONS = {"spring": ("03-01", "05-31"), "summer": ("06-01", "08-31"), "autumn": ("09-01", "11-30"),
           "fall": ("09-01", "11-30"), "winter": ("12-01", "02-28")}

YEAR = r"(?P<year>1[89]\d\d|20\d\d)"
DEADLINE = re.compile(rf"\b(?:not later than|no later than|by)\s+(?:the\s+)?end\s+of\s+{YEAR}\b", re.I)
SEASON = re.compile(rf"\b(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?{YEAR}\b", re.I)
PART_YEAR = re.compile(rf"\b(?P<part>mid|early|late|end of|beginning of|the end of)[- ]?{YEAR}\b", re.I)
RANGE = re.compile(r"\bfrom\s+(?P<a>(?:mid-?)?(?:1[89]\d\d|20\d\d))\s+(?:to|until|through)\s+"
                   r"(?P<b>(?:mid-?)?(?:1[89]\d\d|20\d\d))\b", re.I)
SINCE = re.compile(r"\bsince\s+(?P<part>mid-?|early\s+|late\s+)?(?P<year>1[89]\d\d|20\d\d)\b", re.I)
IN_YEAR = re.compile(r"\b(?:in|during|of|by|until|before|after|in the course of)\s+(?P<year>1[89]\d\d|20\d\d)\b", re.I)
BARE_YEAR = re.compile(r"(?<![\d/-])(?P<year>1[89]\d\d|20\d\d)(?![\d/-])")
THIS_YEAR = re.compile(r"\bthis year\b", re.I)
VALID_FOR = re.compile(rf"\b(?:valid|in force|remain in force)\s+for\s+(?:another\s+)?{NUM}\s+{UNIT}", re.I)
WITHIN_AFTER = re.compile(
    rf"\bwithin\s+{NUM}\s+{UNIT}\s+after\s+(?P<what>[\w\s]{{3,60}}?(?:effective|into effect|into force|"
    r"ratification|signature|signed))", re.I,
)
BEFORE_EXPIRY = re.compile(rf"\b{NUM}\s+{UNIT}\s+before\s+the\s+expiration\b", re.I)
DONE_ON = re.compile(r"\b(?:Done|Signed|Concluded)\s+(?:in|at)\s+[A-Z][a-z]+\s+on\s+", re.I)
DATELIKE = re.compile(r"\d|\bthis year\b", re.IGNORECASE)
"""Absolute dates all contain a digit; durations in words need a treaty's date to count from."""
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50}


def _n(raw: str) -> int:
    return int(raw) if raw.isdigit() else WORDS[raw.lower()]


def _delta(n: int, unit: str) -> relativedelta:
    unit = unit.lower().rstrip("s")
    amount: dict[str, Any] = {f"{unit}s": n}
    return relativedelta(**amount)


def _part(part: str | None, year: int) -> tuple[str, str | None, str]:
    """ISO start, end and precision of "mid-1951", "early 1952", "end of 1952"."""
    p = (part or "").strip().lower().rstrip("- ")
    if p == "mid":
        return f"{year}-04-01", f"{year}-09-30", "mid-year"
    if p == "early":
        return f"{year}-01-01", f"{year}-04-30", "early-year"
    if p == "late":
        return f"{year}-09-01", f"{year}-12-31", "late-year"
    if p in ("end of", "the end of"):
        return f"{year}-12-31", None, "day"
    if p == "beginning of":
        return f"{year}-01-01", None, "day"
    return str(year), None, "year"


def annex_map(doc: Document) -> dict[str, str]:
    """Block label → the label of the annex it sits in (blocks outside annexes are absent)."""
    parents = {b.label: b.parent for b in doc.blocks}
    kinds = {b.label: b.kind for b in doc.blocks}
    out: dict[str, str] = {}
    for b in doc.blocks:
        label: str | None = b.label
        for _ in range(10):
            if label is None:
                break
            if kinds.get(label) == "annex":
                out[b.label] = label
                break
            label = parents.get(label)
    return out


def treaty_anchors(doc: Document, annexes: dict[str, str]) -> dict[str, str]:
    """Annex label → the date its treaty or agreement was done ("Done in ... on ...")."""
    out: dict[str, str] = {}
    for b in doc.blocks:
        annex = annexes.get(b.label)
        if annex is None or annex in out or b.kind != "closing":
            continue
        m = DONE_ON.search(b.text)
        d = dates.first_date(b.text[m.end() :], precision="day") if m else None
        if d:
            out[annex] = d.iso
    return out


class _Sentence:
    """Collects the events of one sentence, never two on overlapping words."""

    def __init__(self, block: Block, text: str, start: int, end: int, document: str = "") -> None:
        self.block, self.sent, self.s, self.e = block, text[start:end], start, end
        self.document = document
        self.taken: list[tuple[int, int]] = []
        self.found: list[Event] = []

    def add(self, span: tuple[int, int], iso: str, precision: str, kind: str, *, end_iso: str | None = None,
            open_end: bool | None = None, relative_to: str | None = None, anchor: str | None = None) -> None:
        a, b = span
        if any(not (b <= x or a >= y) for x, y in self.taken):
            return
        self.taken.append((a, b))
        view = self.block.view
        src_s, src_e = view.span_to_source(self.s + a, self.s + b)
        sent_s, sent_e = view.span_to_source(self.s, self.e)
        self.found.append(Event(
            document=self.document, date=iso, date_end=end_iso, precision=precision, kind=kind,
            phrase=self.sent[a:b], text=" ".join(self.sent.split()), block=self.block.label,
            in_block=(self.s + a, self.s + b), start=src_s, end=src_e, sentence_start=sent_s, sentence_end=sent_e,
            page=self.block.page, open_end=open_end, relative_to=relative_to, anchor=anchor))


def _relative(c: _Sentence, anchor: str, first_term: re.Match[str] | None) -> None:
    """Durations and deadlines counted from a treaty's date (``first_term``: the treaty's term)."""
    base = date.fromisoformat(anchor)
    low = c.sent.lower()
    if "valid" not in low and "force" not in low and "within" not in low and "before" not in low:
        return
    for m in VALID_FOR.finditer(c.sent):
        start = base
        if "another" in m.group().lower() and first_term is not None:
            start = base + _delta(_n(first_term.group("n")), first_term.group("unit"))
        end = start + _delta(_n(m.group("n")), m.group("unit"))
        c.add(m.span(), start.isoformat(), "day", "duration", end_iso=end.isoformat(),
              relative_to="the agreement's date" if start == base else "the end of the first term", anchor=anchor)
    for m in WITHIN_AFTER.finditer(c.sent):
        end = base + _delta(_n(m.group("n")), m.group("unit"))
        c.add(m.span(), end.isoformat(), "day", "deadline", relative_to=m.group("what").strip(), anchor=anchor)
    for m in BEFORE_EXPIRY.finditer(c.sent):
        if first_term:
            expiry = base + _delta(_n(first_term.group("n")), first_term.group("unit"))
            when = expiry - _delta(_n(m.group("n")), m.group("unit"))
            c.add(m.span(), when.isoformat(), "day", "deadline", relative_to="the expiration of the term",
                  anchor=anchor)


def _absolute(c: _Sentence, doc_year: int | None) -> None:
    """Dates, seasons, parts of years, ranges, and "this year"."""
    low = c.sent.lower()
    if dates.ANY_YEAR.search(c.sent):  # most sentences name no year: skip those patterns
        _years(c, low)
    if doc_year and "this year" in low:
        for m in THIS_YEAR.finditer(c.sent):
            c.add(m.span(), str(doc_year), "year", "event", relative_to="the document's date")


def _years(c: _Sentence, low: str) -> None:
    """Everything that names a year: deadlines, dates, ranges, seasons, periods."""
    sent = c.sent
    if "end of" in low:
        for m in DEADLINE.finditer(sent):
            c.add(m.span(), f"{m.group('year')}-12-31", "day", "deadline")
    for d in dates.find_dates(sent):
        c.add((d.start, d.end), d.iso, d.precision, "event")
    if "from" in low:
        _ranges(c, sent)
    if any(w in low for w in ("spring", "summer", "autumn", "fall", "winter")):
        for m in SEASON.finditer(sent):
            y = int(m.group("year"))
            a, b = SEASONS[m.group("season").lower()]
            end_year = y + 1 if m.group("season").lower() == "winter" else y
            c.add(m.span(), f"{y}-{a}", "season", "event", end_iso=f"{end_year}-{b}")
    if "since" in low:
        for m in SINCE.finditer(sent):
            iso, _, prec = _part(m.group("part"), int(m.group("year")))
            c.add(m.span(), iso, prec, "period", open_end=True)
    if any(w in low for w in ("mid", "early", "late", "end of", "beginning of")):
        for m in PART_YEAR.finditer(sent):
            iso, end_iso, prec = _part(m.group("part"), int(m.group("year")))
            c.add(m.span(), iso, prec, "event", end_iso=end_iso)
    for rx in (IN_YEAR, BARE_YEAR):
        for m in rx.finditer(sent):
            c.add(m.span(), m.group("year"), "year", "event")


def _ranges(c: _Sentence, sent: str) -> None:
    for m in RANGE.finditer(sent):
        a0, _, pa = _part("mid" if m.group("a").lower().startswith("mid") else None, int(m.group("a")[-4:]))
        b0, b1, _ = _part("mid" if m.group("b").lower().startswith("mid") else None, int(m.group("b")[-4:]))
        c.add(m.span(), a0, pa, "period", end_iso=b1 or b0)


def events_in_block(block: Block, doc_year: int | None, anchor: str | None, document: str = "") -> list[Event]:
    out: list[Event] = []
    if not anchor and not DATELIKE.search(block.text):
        return out
    first_term = None
    if anchor:
        first_term = next((t for t in VALID_FOR.finditer(block.text) if "another" not in t.group().lower()), None)
    for s, e in sentences(block.text):
        if not anchor and not DATELIKE.search(block.text, s, e):
            continue
        c = _Sentence(block, block.text, s, e, document)
        if anchor:
            _relative(c, anchor, first_term)
        _absolute(c, doc_year)
        out.extend(c.found)
    return out


def events(doc: Document) -> Document:
    """The events stage."""
    iso = field_value(doc.metadata, "date")
    year = int(iso[:4]) if iso else None
    annexes = annex_map(doc)
    anchors = treaty_anchors(doc, annexes)
    found: list[Event] = []
    for b in doc.blocks:
        if b.kind in SKIP:
            continue
        found.extend(events_in_block(b, year, anchors.get(annexes.get(b.label, "")), doc.id))
    found.sort(key=lambda ev: ev.start)
    return doc.evolve(events=tuple(found), stages=(*doc.stages, "events"))
