"""Link footnotes to the paragraphs they annotate.

OCR rarely keeps the anchor mark, so the anchor is found by the best
evidence available, recorded as the link's ``method``:

* ``reference`` — the note names its paragraph ("paragraph twenty-six");
* ``mark`` — a block before the note carries a surviving anchor mark (²);
* ``overlap`` — a nearby paragraph shares the note's rarer words;
* ``position`` — the paragraph the note interrupts.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from itertools import pairwise

from declass.stages.structure.build import BODY_KINDS, Node
from declass.stages.structure.markers import ANCHOR_MARK
from declass.stages.structure.notes import marks_in, note_number

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_NUM = (
    r"(?:\d{1,3}(?:\.[a-z])?"
    r"|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen)"
)
PARA_REF = re.compile(rf"\bparagraphs?\s+({_NUM}(?:\s*(?:,|and|&)\s*{_NUM})*)", re.IGNORECASE)
_ONE_NUM = re.compile(_NUM, re.IGNORECASE)
_STOP = frozenset(
    (
        "the a an of and or to in on for by with at from as is are was were be been has have had that this these "
        "those it its which who will would may might can could not no see also other such than more most their "
        "there into upon over between under"
    ).split()
)
_TOKEN = re.compile(r"[A-Za-z]{3,}")
SOURCE = re.compile(r"\s*Source:")


def number_value(token: str) -> str:
    """``"twenty-six"`` → ``"26"``; digits (and ``"23.b"``) are kept as they are."""
    t = token.lower().strip()
    if t[0].isdigit():
        return t
    parts = re.split(r"[- ]", t)
    total = 0
    for p in parts:
        total += _TENS.get(p, 0) + _UNITS.get(p, 0)
    return str(total)


def paragraph_references(text: str) -> list[tuple[str, int, int]]:
    """Paragraph numbers a text names, with the span of each mention."""
    out: list[tuple[str, int, int]] = []
    for m in PARA_REF.finditer(text):
        for n in _ONE_NUM.finditer(m.group(1)):
            out.append((number_value(n.group()), m.start(1) + n.start(), m.start(1) + n.end()))
    return out


def _near(nodes: list[Node], body_at: list[int], cut: int, page: int, ordered: bool) -> list[Node]:
    """The last 15 body blocks before place ``cut`` of ``body_at`` on the note's page or
    next to it, read backwards from the note (and no further than its page minus one
    when pages only go forward)."""
    out: list[Node] = []
    for k in range(cut - 1, -1, -1):
        n = nodes[body_at[k]]
        if abs(n.page - page) <= 1:
            out.append(n)
            if len(out) == 15:
                break
        elif ordered and n.page < page - 1:
            break
    return out[::-1]


def _stem(w: str) -> str:
    w = w.lower()
    return w[:-1] if w.endswith("s") and len(w) > 4 else w


def anchor(nodes: list[Node], labels: dict[int, str]) -> None:
    """Set each footnote's ``parent`` to its anchor block, recording the method."""
    if not any(n.kind == "footnote" for n in nodes):
        return
    body = [n for n in nodes if n.kind in BODY_KINDS]
    by_label = {labels[id(n)]: n for n in body}
    bags: dict[int, set[str]] = {}

    def bag(n: Node) -> set[str]:
        if id(n) not in bags:
            bags[id(n)] = set(map(_stem, _TOKEN.findall(n.text))) - _STOP
        return bags[id(n)]

    df: Counter[str] | None = None
    claimed: set[int] = set()
    # indexed once, so a document of thousands of notes is not read again for each note
    marked_at: dict[int, list[int]] = {}  # footnote number -> places of the blocks printing its mark
    body_at: list[int] = []  # places of the body blocks
    for i, n in enumerate(nodes):
        if n.kind in BODY_KINDS:
            body_at.append(i)
        if n.kind != "footnote" and id(n) in labels:
            for k in marks_in(n.text):
                marked_at.setdefault(k, []).append(i)
    pages_ordered = all(nodes[a].page <= nodes[b].page for a, b in pairwise(body_at))
    for i, fn in enumerate(nodes):
        if fn.kind != "footnote":
            continue
        number = note_number(fn.token)
        at = marked_at.get(number, []) if number is not None else []
        j = bisect_left(at, i) - 1
        printed = nodes[at[j]] if j >= 0 else None
        if SOURCE.match(fn.text):
            fn.attrs["anchor_method"] = "source_note"  # annotates the whole document, from its heading's mark
            if printed is not None:
                fn.parent = printed
                fn.attrs["anchor"] = labels[id(printed)]
            continue
        if printed is not None:  # the note's own number is printed as a mark: that block is its anchor
            claimed.add(id(printed))
            fn.parent = printed
            fn.attrs["anchor"] = labels[id(printed)]
            fn.attrs["anchor_method"] = "mark"
            continue
        cut = bisect_left(body_at, i)  # the body blocks before the note are nodes[body_at[:cut]]
        method, target = "position", (nodes[body_at[cut - 1]] if cut else None)
        refs = [by_label[r] for r, _, _ in paragraph_references(fn.text) if r in by_label]
        marked = [nodes[k] for k in reversed(body_at[max(cut - 12, 0) : cut])
                  if ANCHOR_MARK.search(nodes[k].text) and id(nodes[k]) not in claimed]
        if refs:
            method, target = "reference", refs[0]
            fn.attrs["references"] = [labels[id(r)] for r in refs]
        elif marked:
            method, target = "mark", marked[0]
        else:
            if df is None:
                df = Counter(w for n in body for w in bag(n))
            words = bag(fn)
            best, best_score = None, 0.0
            window = _near(nodes, body_at, cut, fn.page, pages_ordered)
            for n in window:
                common = words & bag(n)
                score = sum(math.log(len(body) / df[w]) for w in common if df[w])
                if score > best_score:
                    best, best_score = n, score
            if best is not None and best_score >= 4.0:
                method, target = "overlap", best
        if target is not None:
            claimed.add(id(target))
            fn.parent = target
            fn.attrs["anchor"] = labels[id(target)]
            fn.attrs["anchor_method"] = method
