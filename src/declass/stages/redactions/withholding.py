"""The grammar of withholding: what a printed placeholder says was withheld, and how much.

Releases say it in many ways — FRUS's ``[1½ lines of source text not
declassified]``, ``[2 paragraphs (14 lines of source text) not
declassified]``, ``[names deleted]``; CREST's ``Next 2 Page(s) In Document
Exempt`` and ``Page Denied``; FOIA's ``(b)(3)``; a transcription's
``[REDACTED]`` or a run of █.  `parse` reads one into a `Withholding`: its
kind, what was withheld and its size in lines, paragraphs, pages, words or
names, fractions kept as numbers (1½ → 1.5).  `find_damaged` finds the
placeholders an OCR'd scan printed with damaged words and brackets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from declass.datafile import load_yaml
from declass.stages.structure.markers import BLACKOUT, COUNT, EXEMPT_PAGES, PLACEHOLDER

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "a": 1, "an": 1}
VULGAR = {"\u00bd": Fraction(1, 2), "\u00bc": Fraction(1, 4), "\u00be": Fraction(3, 4)}
_NUMBER = rf"(?:{COUNT}|an?)"
UNITS = {"line": "lines", "paragraph": "paragraphs", "page": "pages", "word": "words", "name": "names",
         "sentence": "sentences", "codeword": "words"}
SIZE = re.compile(rf"(?P<less>less\s+than\s+)?(?<![A-Za-z\d])(?P<n>{_NUMBER})\s+"
                  r"(?P<unit>line|paragraph|page|word|name|sentence)s?(?:\s*\(s\))?\b", re.IGNORECASE)
_BARE = re.compile(r"\[\s*(?P<what>[a-z]+(?:\s+[a-z]+)?)\s+(?:not\s+declassified|deleted|withheld|excised|redacted)",
                   re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Withholding:
    """One printed statement that something was withheld.

    ``kind``: ``not_declassified`` (FRUS), ``deleted`` (``[name deleted]``),
    ``redacted`` (``[REDACTED]`` and the like), ``exempt_pages`` (CREST slip
    sheets), ``blackout`` (█ or X runs).  ``size`` maps a unit to a count;
    ``bound`` is ``less_than`` ("less than 1 line") or ``at_least``
    ("[names deleted]": two or more) when the count is not exact."""

    kind: str
    what: str | None = None
    size: dict[str, float | int] = field(default_factory=dict)
    bound: str | None = None

    def size_record(self) -> dict[str, float | int | bool] | None:
        """The record's ``size``: ``{"lines": 1.5}``, with the bound as a flag."""
        if not self.size:
            return None
        return {**self.size, **({self.bound: True} if self.bound else {})}


def number(text: str) -> float | int | None:
    """``"1½"`` → 1.5, ``"1-1/2"`` → 1.5, ``"½"`` → 0.5, ``"three"`` → 3; None if not a count."""
    t = text.strip().lower()
    if t in WORDS:
        return WORDS[t]
    total = Fraction(0)
    m = re.fullmatch(r"(\d+)?\s*(?:[-\u2013]\s*|\s)?(?:(\d)/(\d)|([\u00bd\u00bc\u00be]))?", t)
    if not m or not any(m.groups()):
        return None
    if m.group(1):
        total += int(m.group(1))
    if m.group(2):
        if int(m.group(3)) == 0:
            return None
        total += Fraction(int(m.group(2)), int(m.group(3)))
    if m.group(4):
        total += VULGAR[m.group(4)]
    return int(total) if total.denominator == 1 else float(total)


def sizes(text: str) -> tuple[dict[str, float | int], str | None]:
    """Every ``N unit`` in ``text`` (the first of each unit), and a ``less_than`` bound."""
    out: dict[str, float | int] = {}
    bound = None
    for m in SIZE.finditer(text):
        n = number(m.group("n"))
        if n is None:
            continue
        out.setdefault(UNITS[m.group("unit").lower()], n)
        if m.group("less"):
            bound = "less_than"
    return out, bound


def parse(text: str) -> Withholding | None:
    """The withholding a placeholder, slip sheet or blackout states; None if ``text`` is none."""
    t = " ".join(text.split())
    if (m := EXEMPT_PAGES.fullmatch(t)) or (m := EXEMPT_PAGES.search(t) if t.startswith("Next") else None):
        n = m.group("pages") or (m.group("pages2") or "").strip() or "1"
        return Withholding("exempt_pages", "pages", {"pages": int(n)})
    if BLACKOUT.fullmatch(t.replace(" ", "")) or BLACKOUT.fullmatch(t):
        return Withholding("blackout", "text")
    if not PLACEHOLDER.fullmatch(t):
        return None
    low = t.lower()
    kind = "not_declassified" if "not declassified" in low else "deleted" if "deleted" in low else "redacted"
    size, bound = sizes(t)
    what = None
    if b := _BARE.match(t):
        what = b.group("what").lower()
        if what.split()[0] in WORDS or what[:1].isdigit():
            what = None
    if what in ("name", "names", "codeword", "codewords") and not size:
        size = {"names" if what.startswith("name") else "words": 2 if what.endswith("s") else 1}
        bound = "at_least" if what.endswith("s") else None
    if what is None and size:
        what = "source text" if "source text" in low else None
    if low.startswith("[footnote"):
        what = "footnote"
    return Withholding(kind, what, size, bound)


@lru_cache(maxsize=1)
def placeholder_forms() -> tuple[str, ...]:
    raw = resources.files("declass.data").joinpath("exemptions.yaml").read_text("utf-8")
    return tuple(load_yaml(raw)["placeholder_forms"])


_SPAN = re.compile(r"[\[({|/](?<!\d/)(?P<body>(?:[^\[\]/(){}|]|(?<=\d)/(?=\d)|\([^()\[\]]{1,30}\)){4,170}?)"
                   r"(?:[\]})|]|/(?!\d))")
_COUNTS = re.compile(r"(?<![A-Za-z\d])(?:\d+(?:\s*[-\u2013]\s*\d/\d|\s*[\u00bd\u00bc\u00be])?|[\u00bd\u00bc\u00be])"
                     r"(?![A-Za-z])")


def read_placeholder(body: str) -> str | None:
    """The known form (`placeholder_forms`) a placeholder's words stand for, its
    counts put back, bracketed; None if no form is within a few edits."""
    body = " ".join(body.split())
    if len(body) < 8:
        return None
    counts = _COUNTS.findall(body)
    best = process.extractOne(_COUNTS.sub("#", body.lower()), placeholder_forms(), scorer=fuzz.ratio)
    if best is None:
        return None
    form, score = best[0], best[1]
    if form.startswith("less than #") and not counts:
        counts = ["1"]  # "less than line": the one count a bound needs, lost to the scan
    if score < (78 if len(form) >= 30 else 82) or form.count("#") != len(counts):
        return None
    for c in counts:
        form = form.replace("#", c, 1)
    return f"[{form}]"


def find_damaged(text: str) -> Iterator[tuple[int, int, str]]:
    """Placeholders an OCR'd scan printed damaged: ``(start, end, read_as)`` for
    each bracketed span (brackets may be read as ``/``, ``(`` or ``|``) whose
    words are within a few edits of a known form."""
    for m in _SPAN.finditer(text):
        if PLACEHOLDER.fullmatch(m.group()):
            continue  # read as printed (the caller repairs its words if need be)
        if read_as := read_placeholder(m.group("body")):
            yield m.start(), m.end(), read_as


__all__ = ["Withholding", "find_damaged", "number", "parse", "placeholder_forms", "read_placeholder", "sizes"]
