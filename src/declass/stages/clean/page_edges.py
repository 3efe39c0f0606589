"""Where page furniture stands: at page edges, repeating from page to page.

A reader that measured each line's place on its page (OCR gives it) says
which lines stand at the edges; without that, a page's first and last lines
do.  A short line repeating at the edges of several pages is a running head
or foot, whatever it says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from declass.stages.clean.furniture import close_spacing, fold, skeleton

EDGE_LINES = 3
"""Without measured positions, a page's first and last this many non-blank
lines are its edges."""
EDGE_BAND = 0.12
"""With measured positions (0 = top of the page, 1 = bottom), the band at
either edge where furniture stands."""


def edge_flags(pages: Sequence[int], positions: Sequence[float | None] | None = None) -> list[bool]:
    """For each non-blank line (given its page): does it stand at a page edge?
    ``positions`` (vertical place on the page, when the reader measured it)
    decide where given; otherwise the first/last `EDGE_LINES` lines of a page."""
    out = [False] * len(pages)
    by_page: dict[int, list[int]] = {}
    for i, p in enumerate(pages):
        by_page.setdefault(p, []).append(i)
    for idx in by_page.values():
        for k, i in enumerate(idx):
            y = positions[i] if positions is not None else None
            if y is not None:
                out[i] = y <= EDGE_BAND or y >= 1 - EDGE_BAND
            else:
                out[i] = k < EDGE_LINES or k >= len(idx) - EDGE_LINES
    return out


_ITEM = re.compile(r"\(?(?:\d{1,3}|[A-Za-z]|[IVXLC]{1,6})[.)]\s")


@lru_cache(maxsize=8192)
def _running_key(text: str) -> str:
    """A line's text for comparing furniture: letters and digits, numbers as ``#``.  Remembered:
    the same stamps, banners and heads are keyed at every page edge, twice (as running-head
    candidates and against the document's furniture)."""
    return re.sub(r"\d+", "#", re.sub(r"[^A-Z0-9]", "", fold(close_spacing(text)).upper()))


def repeated_edge_lines(lines: Sequence[tuple[str, int, bool]], *, min_pages: int = 3) -> set[int]:
    """Indexes of running heads and feet: short lines at page edges whose text
    (fuzzily, numbers aside) repeats at the edges of ``min_pages`` or more
    pages.  ``lines`` are ``(text, page, at_edge)`` of candidate body lines;
    occurrences on the first page stay body (a cover carries title and date)."""
    keyed: list[tuple[int, str, int]] = []
    for i, (text, page, at_edge) in enumerate(lines):
        t = text.strip()
        if not at_edge or len(t) > 70 or len(t.split()) > 8 or _ITEM.match(t):
            continue
        if len(t.split()) > 4 and t[-1] in ".!?;:":
            continue  # a sentence, not a running head
        key = _running_key(t)
        if len(key) >= 4:
            keyed.append((i, key, page))
    clusters: list[tuple[str, set[int], list[int]]] = []
    for i, key, page in keyed:
        for rep, pages, members in clusters:
            if key == rep or (len(key) >= 6 and fuzz.ratio(key, rep) >= 85):
                pages.add(page)
                members.append(i)
                break
        else:
            clusters.append((key, {page}, [i]))
    first_page = min((p for _, p, _ in lines), default=1)
    out: set[int] = set()
    for _, pages, members in clusters:
        if len(pages) >= min_pages:
            out.update(i for i in members if lines[i][1] != first_page)
    return out


ECHO_SIMILARITY = 80
"""How close (rapidfuzz ratio of running keys, 0-100) a line at a page edge must come to
furniture the same document prints at its edges to be a damaged copy of it."""
SLOT_TOLERANCE = 0.02
"""How far (fraction of the page height) a damaged page number may stand from where the
document's readable page numbers stand."""
_FRAME = r"\-=~_\u2013\u2014"
_PAGE_NUMBER_SHAPE = re.compile(rf"[{_FRAME}.,:;'\"\s]*[{_FRAME}][{_FRAME}.,:;'\"\s]*"
                                rf"[^\s{_FRAME}]{{1,3}}[{_FRAME}.,:;'\"\s]*")
"""A typed page number ("- 5 -") whose number OCR lost or changed ("-A.", "-§-", "- a -"):
framed by dashes, at most three characters within."""


def damaged_furniture(
    lines: Sequence[tuple[str, int, float | None, bool]],
    found: Sequence[tuple[str, str, int, float | None]],
) -> dict[int, tuple[str, dict[str, str]]]:
    """Lines at page edges that are damaged copies of the document's own furniture.

    ``lines`` are ``(text, page, vertical place or None, at_edge)`` of body lines;
    ``found`` are ``(kind, text, page, vertical place or None)`` of the furniture
    already recognised.  Two shapes, both told by what the document prints elsewhere:

    * a line within `ECHO_SIMILARITY` of a stamp, banner or running head found at
      the edges of other pages ("ee For Release 2010/09/16 : CIA- ROP79T...");
    * a dash-framed mark of at most three characters standing where the document's
      readable page numbers stand (within `SLOT_TOLERANCE` of one on another page), or,
      holding a digit, as the first or last body line of its page ("= 5 =" typed just
      below a short page's text).
    """
    known: dict[tuple[str, str], set[int]] = {}  # (kind, key) -> pages: a stamp repeats, compared once
    for kind, text, page, _ in found:
        if kind != "page_number" and len(key := _running_key(text)) >= 8:
            known.setdefault((kind, key), set()).add(page)
    echoes = _Echoes(known)
    slots = [(y, page) for kind, _, page, y in found if kind == "page_number" and y is not None]
    first_page = min((p for _, p, _, _ in lines), default=1)
    pages = [p for _, p, _, _ in lines]
    outer = {i for i, p in enumerate(pages)  # a page's first and last body lines
             if i == 0 or i == len(pages) - 1 or pages[i - 1] != p or pages[i + 1] != p}
    per_page: dict[int, int] = {}
    for p in pages:
        per_page[p] = per_page.get(p, 0) + 1
    out: dict[int, tuple[str, dict[str, str]]] = {}
    for i, (text, page, y, at_edge) in enumerate(lines):
        t = text.strip()
        if not t:
            continue
        if per_page[page] == 1 and (slip := _slip(t)):
            out[i] = ("exempt_pages", slip)
            continue
        if _PAGE_NUMBER_SHAPE.fullmatch(t) and not re.search(r"[A-Za-z]{2}", t):
            in_slot = y is not None and at_edge and any(p != page and abs(y - sy) <= SLOT_TOLERANCE for sy, p in slots)
            if in_slot or (i in outer and any(c.isdigit() for c in t) and len(set(pages)) > 1):
                out[i] = ("page_number", {"damaged": "1", "printed": t})
                continue
        if not at_edge:
            continue
        if len(t) > 160 or len(key := _running_key(t)) < 8:
            continue
        if (echoed := _echoed(key, page, echoes, first_page)) is not None:
            out[i] = (echoed, {"damaged": "1", "echoes": "1"})
    return out


class _Echoes:
    """The document's furniture keys, compared with a line's key in one pass of
    rapidfuzz (a long document's heads and stamps are many: a Python loop over
    them a line made the stage quadratic)."""

    def __init__(self, known: dict[tuple[str, str], set[int]]) -> None:
        self.kinds = [kind for kind, _ in known]
        self.keys = [key for _, key in known]
        self.alone = [next(iter(on)) if len(on) == 1 else None for on in known.values()]  # its one page


def _echoed(key: str, page: int, echoes: _Echoes, first_page: int) -> str | None:
    """The kind of the first furniture (in the document's order) ``key`` is a damaged copy of, printed
    on another page: a length within a third of the other's and a ratio of `ECHO_SIMILARITY` or more."""
    hits = process.extract(key, echoes.keys, scorer=fuzz.ratio, score_cutoff=ECHO_SIMILARITY, limit=None)
    for j in sorted(hit[2] for hit in hits):
        kind, other = echoes.kinds[j], echoes.keys[j]
        if kind == "running_head" and page == first_page:
            continue  # a cover carries its title where later pages carry it as a running head
        if echoes.alone[j] != page and abs(len(other) - len(key)) <= len(other) // 3:
            return kind
    return None


_COUNT_DIGITS = str.maketrans({"i": "1", "l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "S": "5", "Z": "2"})
SLIP_SIMILARITY = 65
"""How close (rapidfuzz ratio of the letters, 0-100) the one line of a page must come to CREST's slip
sheet ("Next 1 Page(s) In Document Exempt") to be one: a page holding nothing else is a slip sheet's
shape, so a line this damaged ("Nex i Faye(sj i: Pocum nt «empt") is read as one there, and only there."""


def _slip(line: str) -> dict[str, str] | None:
    """A damaged slip sheet standing alone on its page, with its page count where the second word folds to one."""
    tokens = line.split()
    if not 4 <= len(tokens) <= 9 or len(line) > 60:
        return None
    if fuzz.ratio(skeleton(tokens[0]).lower(), "next") < 60:
        return None
    letters = skeleton(re.sub(r"[\d]", "", line)).lower()
    if fuzz.ratio(letters, "nextpagesindocumentexempt") < SLIP_SIMILARITY and \
            fuzz.ratio(letters, "nextpagesindocumentdenied") < SLIP_SIMILARITY:
        return None
    count = tokens[1].strip(".,:;'").translate(_COUNT_DIGITS)
    fields = {"damaged": "1", "printed": line}
    if count.isdigit() and 0 < int(count) < 1000:
        fields["pages"] = str(int(count))
    return fields
