"""Where page furniture stands: at page edges, repeating from page to page.

A reader that measured each line's place on its page (OCR gives it) says
which lines stand at the edges; without that, a page's first and last lines
do.  A short line repeating at the edges of several pages is a running head
or foot, whatever it says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from declass.stages.clean.furniture import close_spacing, fold

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


def _running_key(text: str) -> str:
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
