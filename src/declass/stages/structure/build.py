"""Build the block tree from a document's chunks.

One pass over the chunks keeps a stack of open numbered items.  A chunk is
a footnote, a heading, a numbered item, a continuation of an earlier block
(the tail of a paragraph broken by a page, a banner or a footnote), or an
unnumbered paragraph.  Unnumbered paragraph-like chunks inside a numbered
run stay *candidates* until the next number shows whether a number was lost
(then they take it, marked inferred) or not (then they are continuations).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from typing import Any

from declass.model import Chunk
from declass.stages.clean.clean import join_wrapped
from declass.stages.structure.markers import (
    CLOSING,
    FOOTNOTE_START,
    HEADER_FIELD,
    PLACEHOLDER,
    SIGNATURE_LINE,
    SOURCE_NOTE,
    SPECKS_AT_END,
    Marker,
    frus_head,
    heading_level,
    is_closed,
    is_omission,
    misread_number,
    readings,
    words,
)
from declass.stages.structure.notes import NoteMarks
from declass.text import lexicon
from declass.text.textmap import MappedText

BODY_KINDS = frozenset({"paragraph", "sub-paragraph", "point", "section", "article", "item"})
KIND_OF = {"roman": "section", "upper": "point", "number": "paragraph", "lower": "sub-paragraph",
           "pnum": "sub-paragraph", "bullet": "item"}
SHORT = 2  # words: a fragment this short, standing alone, is a margin note


MAX_LETTER_START = 2
"""The latest letter a lettered list may start at: "B." after an "A." OCR lost."""


@dataclass(eq=False)
class Node:
    """A block while the tree is being built (labels are made at the end)."""

    kind: str
    mtype: str | None = None
    value: int | None = None
    token: str | None = None
    parent: Node | None = None
    views: list[MappedText] = field(default_factory=list)
    page: int = 1
    inferred: bool = False
    heading: str | None = None
    level: int = 0
    attrs: dict[str, Any] = field(default_factory=dict)
    candidate: bool = False
    after_break: bool = False
    children: list[Node] = field(default_factory=list)
    seq: int = 0  # order of creation: `Builder.nodes` is always in this order

    @property
    def text(self) -> str:
        return self.views[-1].text if self.views else ""

    def add(self, view: MappedText, *, wrap: bool) -> None:
        """Append ``view``: as the tail of the last paragraph, or as a new one."""
        if not view.text:
            return
        if not self.views:
            self.views.append(view)
        elif wrap:
            self.views[-1] = join_wrapped(self.views[-1], view)
        else:
            self.views.append(view)

    def joined(self) -> MappedText:
        return MappedText.join(self.views, "\n\n") if len(self.views) > 1 else (self.views[0] if self.views else
                                                                                MappedText("", ()))


class Builder:
    """The state of one pass over a document's chunks."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.created = 0  # nodes made so far: the next one's `Node.seq`
        self.container: Node | None = None  # innermost heading, annex or article
        self.annex: Node | None = None
        self.stack: list[Node] = []  # open numbered items, outermost first
        self.last_value: dict[str, int] = {}  # across headings: numbers run on
        self.pending: list[Node] = []  # candidates for a lost number
        self.awaiting: dict[str | None, list[Node]] = {}  # items known to be numbered, number not yet
        # known, by the marker type they take (a gap in that type's numbering claims them)
        self.started = False  # past the front matter
        self.signatures: Node | None = None
        self.subject: Node | None = None  # a SUBJECT line whose subject is on the next line
        self.annex_count = 0
        self.marks = NoteMarks()  # footnote marks printed and not yet claimed

    # -- helpers ---------------------------------------------------------

    def new(self, kind: str, parent: Node | None, chunk: Chunk, view: MappedText, **kw: Any) -> Node:
        self.created += 1
        node = Node(kind, parent=parent, page=chunk.page, after_break=chunk.after_break, seq=self.created, **kw)
        node.add(view, wrap=False)
        if parent is not None:
            parent.children.append(node)
        self.nodes.append(node)
        return node

    def body_nodes(self, last: int | None = None) -> list[Node]:
        """The body nodes so far, in order; with ``last``, only that many of the most recent
        (found from the end, so asking after each chunk does not make the pass quadratic)."""
        if last is None:
            return [n for n in self.nodes if n.kind in BODY_KINDS or n.candidate]
        out: list[Node] = []
        for n in reversed(self.nodes):
            if n.kind in BODY_KINDS or n.candidate:
                out.append(n)
                if len(out) == last:
                    break
        return out[::-1]

    def in_numbered_run(self) -> bool:
        return bool(self.stack) or bool(self.pending)

    # -- the pass ----------------------------------------------------------

    def feed(self, chunk: Chunk, marks: list[Marker] | None = None) -> None:
        """Place one chunk; ``marks``: the readings of its opening marker, when the caller has them."""
        view = chunk.view
        text = view.text
        if marks is None:
            marks = readings(text)
        if not text.strip():
            return
        if FOOTNOTE_START.match(text) or SOURCE_NOTE.match(text):
            m = FOOTNOTE_START.match(text) or SOURCE_NOTE.match(text)
            assert m is not None
            self.marks.note(text)  # a "1 Source: ..." note claims its mark
            self.new("footnote", None, chunk, view.slice(m.end(), len(text)), token=m.group().strip())
            return
        if (note := self.marks.note(text)) is not None:  # "2 Telegram 1203 ...": a mark above was printed
            self.new("footnote", None, chunk, view.slice(note.end(), len(text)), token=note.group(1))
            return
        self.marks.saw(text)
        if is_omission(text):  # an editor's "[Here follows …]": never a numbered point, nor a gap
            self.resolve_pending()
            self.new("omission", self.container, chunk, view)
            return
        if PLACEHOLDER.sub("", text).strip(" .;,") == "":
            self.new("redaction", self.stack[-1] if self.stack else self.container, chunk, view)
            return
        if self.signatures is not None:
            if (heading_level(text) in (1, 2) and not _name_like(text)) or (marks and \
                    marks[0].kind in ("article", "annex")):
                self.signatures = None
            else:
                self.signatures.add(view, wrap=False)
                return
        if CLOSING.match(text):
            self.resolve_pending()
            self.new("closing", self.annex or self.container, chunk, view)
            self.signatures = self.new("signature", self.annex or self.container, chunk, MappedText("", ()))
            return
        if SIGNATURE_LINE.match(text) and self.started:
            self.signatures = self.new("signature", self.annex or self.container, chunk, view)
            return
        if not self.started and (m := frus_head(text, first=not self.nodes)):
            self.new("heading", None, chunk, view, level=1, heading=text, token=m.group(1))
            return
        if (m := HEADER_FIELD.match(text)) and not self.started:
            self.new("header", None, chunk, view, token=m.group(1).lower())
            return
        if not self.started and text.strip().upper() in ("SUBJECT", "SUBJ"):
            self.subject = self.new("header", None, chunk, view, token="subject")
            return
        if self.subject is not None and not self.started:
            self.subject.add(view, wrap=False)
            self.subject = None
            return
        if marks and marks[0].kind == "article":
            self.article(chunk, marks[0])
            return
        if marks and marks[0].kind == "annex":
            self.open_annex(chunk, marks[0], inferred=False)
            return
        mark = self.choose(marks, text)
        if mark is not None and mark.kind != "bullet":
            self.numbered(chunk, mark)
            return
        body = view.slice(mark.end, len(text)) if mark is not None else view
        self.unmarked(chunk, body, bullet=mark is not None)

    def choose(self, marks: list[Marker], text: str) -> Marker | None:
        """Pick the reading that best continues a sequence in progress."""
        if exp := self.expected("number"):
            marks = [self.misread(m, exp) for m in marks]
        marks = [m for m in marks if not ((m.bare or m.guessed) and self.expected(m.kind) != m.value
                                          and not self.second_after_misread_start(m))
                 and not self.initial_not_point(m)]
        if not marks:
            return None
        if len(marks) == 1:
            return marks[0]
        best, best_gap = None, 10**6
        for depth_rank, m in enumerate(marks):
            exp = self.expected(m.kind)
            gap = m.value - exp if exp else m.value - 1
            if gap < 0:
                gap = 50 + depth_rank  # a restart: possible, but unlikely
            in_stack = any(n.mtype == m.kind for n in self.stack)
            score = gap * 2 - (1 if in_stack else 0)
            if best is None or score < best_gap:
                best, best_gap = m, score
        return best

    def misread(self, mark: Marker, exp: int) -> Marker:
        """A paragraph number OCR misread as a look-alike ("16." for 10 after 9) read as the number it
        continues — only when the numbers after it fit on the other side: the next is the number after,
        or a look-alike of it that breaks the order as read ("16." then "ll." after 9), or a chain of
        look-alikes that a number further on confirms ("19.", "44.", then an editor's "[Here follow
        paragraphs 12-66]" after 9).  "19." then "44." alone is no proof: paragraphs may be lost between."""
        if mark.kind != "number" or mark.value == exp or not misread_number(mark.token, exp):
            return mark
        if not _confirmed(self.next_numbers, exp + 1, mark.value):
            return mark
        return replace(mark, value=exp, guessed=True, repaired=True)

    def initial_not_point(self, mark: Marker) -> bool:
        """"J. Graham Parsons" in a memo's participants, "W. Walton Butterworth": a letter deep in
        the alphabet with no lettered list in progress is a name's initial, not point J.  A list
        may start one letter late (OCR lost its "A."), never seven."""
        return mark.kind in ("upper", "lower") and mark.value > MAX_LETTER_START and self.expected(mark.kind) == 0

    def second_after_misread_start(self, mark: Marker) -> bool:
        """"2" right after a first item numbered above 2: OCR misread the first ("4." for "1.");
        `repair_misread_numbers` gives it back its value."""
        if mark.value != 2:
            return False
        open_ = next((n for n in reversed(self.stack) if n.mtype == mark.kind), None)
        if open_ is None or open_.value is None or open_.value <= 2:
            return False
        siblings = open_.parent.children if open_.parent is not None else self.nodes
        return not any(n is not open_ and n.mtype == mark.kind and n.value is not None for n in siblings)

    def expected(self, mtype: str) -> int:
        for n in reversed(self.stack):
            if n.mtype == mtype and n.value:
                return n.value + 1
        if mtype in self.last_value and not any(n.mtype == mtype for n in self.stack):
            return self.last_value[mtype] + 1 if not self.stack else 0
        return 0

    # -- kinds of chunk ------------------------------------------------------

    def heading(self, chunk: Chunk, level: int) -> None:
        self.resolve_pending()
        text = chunk.view.text.strip()
        if level <= 2 and self.started and self.followed_by_article:
            if self.annex is not None and not self.annex.children and not self.annex.text:
                self.annex.add(chunk.view, wrap=False)  # the title of an "ANNEX A" just opened
                self.annex.heading = text
                return
            self.open_annex(chunk, None, inferred=True)
            return
        parent = self.container
        while parent is not None and parent.kind == "heading" and parent.level >= level:
            parent = parent.parent
        if parent is not None and parent.kind == "article":
            parent = parent.parent
        node = self.new("heading", parent, chunk, chunk.view, level=level, heading=text)
        self.container = node
        self.stack = []
        self.started = True

    followed_by_article = False  # set by the driver, which can look ahead
    next_numbers: tuple[tuple[Marker, ...], ...] = ()  # the next numbered chunks' readings: set by the driver

    def open_annex(self, chunk: Chunk, mark: Marker | None, *, inferred: bool) -> None:
        self.resolve_pending()
        self.annex_count += 1
        token = mark.token if mark else chr(64 + self.annex_count)
        if mark and mark.token.isalpha() and len(mark.token) == 1:
            self.annex_count = ord(mark.token) - 64
        title = chunk.view.slice(mark.end, len(chunk.view.text)).strip() if mark else chunk.view
        node = self.new("annex", None, chunk, title, token=token, inferred=inferred,
                        heading=title.text or None)
        self.annex = self.container = node
        self.stack = []
        self.last_value = {}
        self.started = True

    def article(self, chunk: Chunk, mark: Marker) -> None:
        self.resolve_pending()
        parent = self.annex or (self.container if self.container and self.container.kind != "article" else None)
        if parent is not None and parent.kind == "article":
            parent = parent.parent
        rest = chunk.view.slice(mark.end, len(chunk.view.text)).strip()
        node = self.new("article", parent, chunk, rest, mtype="article", value=mark.value, token=mark.token,
                        heading=f"Article {mark.token}")
        self.container = node
        self.stack = []
        self.started = True

    def numbered(self, chunk: Chunk, mark: Marker) -> None:
        self.started = True
        view = chunk.view.slice(mark.end, len(chunk.view.text))
        same = [i for i, n in enumerate(self.stack) if n.mtype == mark.kind]
        if same:
            i = same[-1]
            prev = self.stack[i]
            restart = prev.value is not None and mark.value <= prev.value
            parent_stack = self.stack[:i]
            promoted = self.promote_candidate(i) if restart else None
            if promoted is not None:
                parent_stack = [*self.stack[: i - 1], promoted]
            else:
                self.fill_gap(mark.kind, self.value_before(prev), mark.value, parent_stack)
        else:
            parent_stack = list(self.stack)
            start = self.last_value.get(mark.kind, 0) if not self.stack else 0
            self.fill_gap(mark.kind, start, mark.value, parent_stack)
        parent = parent_stack[-1] if parent_stack else self.container
        kind = KIND_OF.get(mark.kind, "paragraph")
        if mark.kind == "number" and parent_stack and parent_stack[-1].mtype in ("roman", "upper"):
            kind = "point"
        node = self.new(kind, parent, chunk, view, mtype=mark.kind, value=mark.value, token=mark.token)
        if mark.repaired:
            node.inferred = True
            node.attrs["printed"] = mark.token
        self.stack = [*parent_stack, node]
        if len(self.stack) == 1:
            self.last_value[mark.kind] = mark.value

    def promote_candidate(self, level: int) -> Node | None:
        """A sequence restarting ("a." after "d.") under an unnumbered paragraph:
        that paragraph is an item whose number was lost."""
        prev = self.stack[level]
        cands = [c for c in self.pending if c.seq > prev.seq]
        if not cands or level == 0:
            return None
        cand = cands[0]
        self.pending.remove(cand)
        outer = self.stack[level - 1]
        cand.candidate = True
        cand.mtype = outer.mtype
        self.awaiting.setdefault(cand.mtype, []).append(cand)
        cand.kind = outer.kind
        grand = self.stack[level - 2] if level >= 2 else self.container
        self.reparent(cand, grand)
        # later candidates before it stay pending
        return cand

    def reparent(self, node: Node, parent: Node | None) -> None:
        if node.parent is not None and node in node.parent.children:
            node.parent.children.remove(node)
        node.parent = parent
        if parent is not None:
            parent.children.append(node)

    def fill_gap(self, mtype: str, prev: int, value: int, parent_stack: list[Node]) -> None:
        """Give lost numbers ``prev+1 .. value-1`` to the pending candidates, in order."""
        gap = value - prev - 1
        waiting = self.awaiting.pop(mtype, [])
        cands = sorted([*waiting, *self.pending], key=lambda c: c.seq)
        self.pending = []
        if gap > 0 and mtype in ("roman", "upper", "lower"):  # (sets of nodes by identity: one look-up each)
            cands_ok = {id(c) for c in cands if len(words(c.text)) >= 4}
        else:
            cands_ok = {id(c) for c in cands}
        was_waiting = {id(c) for c in waiting}
        n = prev
        for c in cands:
            if gap > 0 and id(c) in cands_ok:
                n += 1
                gap -= 1
                c.candidate = False
                c.mtype, c.value, c.inferred = mtype, n, True
                c.kind = KIND_OF.get(mtype, "paragraph")
                if mtype == "number" and parent_stack and parent_stack[-1].mtype in ("roman", "upper"):
                    c.kind = "point"
                self.reparent(c, parent_stack[-1] if parent_stack else self.container)
                if not parent_stack:
                    self.last_value[mtype] = n
            elif id(c) in was_waiting:
                c.candidate = False  # an item whose number is lost for good
                c.inferred = True
            else:
                self.merge_back(c)

    def value_before(self, node: Node) -> int:
        """The number ``node`` carries, or failing that the last one before it."""
        if node.value is not None:
            return node.value
        siblings = node.parent.children if node.parent is not None else self.nodes
        known = [n.value for n in siblings[: siblings.index(node)] if n.mtype == node.mtype and n.value]
        return known[-1] if known else self.last_value.get(node.mtype or "", 0)

    def resolve_pending(self) -> None:
        """At a boundary: candidates become continuations or plain paragraphs."""
        for group in self.awaiting.values():
            for c in group:
                c.candidate = False  # promoted, number unknown: keep as an unnumbered item
                c.inferred = True
        self.awaiting = {}
        for c in self.pending:
            before = self.previous_body(c)
            if before is not None and (c.after_break or not is_closed(before.text)):
                self.merge_back(c)
            else:
                c.candidate = False
                c.kind = "paragraph"
        self.pending = []

    def place(self, node: Node) -> int:
        """Where ``node`` stands in `nodes` (found by bisection on its creation order)."""
        i = bisect_left(self.nodes, node.seq, key=lambda n: n.seq)
        if i == len(self.nodes) or self.nodes[i] is not node:
            raise ValueError("node not in the tree")
        return i

    def previous_body(self, node: Node) -> Node | None:
        for k in range(self.place(node) - 1, -1, -1):
            n = self.nodes[k]
            if n.kind in BODY_KINDS or n.candidate:
                return n
            if n.kind in ("heading", "annex"):
                return None
        return None

    def merge_back(self, node: Node) -> None:
        """Fold ``node`` into the block before it (it was that block's tail)."""
        target = self.previous_body(node)
        if target is None:
            node.candidate = False
            node.kind = "paragraph"
            return
        for v in node.views:
            target.add(v, wrap=True)
        for child in list(node.children):
            self.reparent(child, target)
        self.remove(node)

    def remove(self, node: Node) -> None:
        if node.parent is not None and node in node.parent.children:
            node.parent.children.remove(node)
        del self.nodes[self.place(node)]
        if node in self.stack:
            self.stack.remove(node)
        if node in self.pending:
            self.pending.remove(node)
        for group in self.awaiting.values():
            if node in group:
                group.remove(node)
                break

    def unmarked(self, chunk: Chunk, view: MappedText, *, bullet: bool) -> None:
        text = view.text.strip()
        if not text:
            return
        first = text.lstrip("\"'(\u201c~*^{[")[:1]
        level = None if bullet else heading_level(text)
        if level is not None and self.started:
            self.heading(chunk, level)
            return
        if not self.started:
            self.new("front_matter", None, chunk, view)
            return
        if first.islower() or (first.isdigit() and not bullet):
            self.continuation(chunk, view)
            return
        n_words = len(words(text))
        if n_words <= SHORT and not is_closed(text) and not bullet:
            self.new("margin_note", self.stack[-1] if self.stack else self.container, chunk, view)
            return
        if self.container is not None and self.container.kind == "article" and not self.stack:
            self.container.add(view, wrap=False)
            return
        if bullet or self.in_numbered_run():
            prev = next(iter(self.body_nodes(1)), None)
            if prev is not None and chunk.after_break and not is_closed(prev.text):
                prev.add(view, wrap=True)
                return
            node = self.new("paragraph", self.container, chunk, view, candidate=True)
            self.pending.append(node)
            return
        prev = next(iter(self.body_nodes(1)), None)
        if prev is not None and chunk.after_break and not is_closed(prev.text) and not bullet:
            prev.add(view, wrap=True)  # a paragraph the page broke mid-sentence goes on
            return
        parent = self.annex if self.container is None else self.container
        if parent is not None and parent.kind == "annex" and not any(c.kind == "article" for c in parent.children):
            self.new("paragraph", parent, chunk, view, attrs={"preamble": True})
            return
        self.new("paragraph", parent, chunk, view)

    def continuation(self, chunk: Chunk, view: MappedText) -> None:
        """A fragment starting in lower case: the tail of an open block."""
        scope = self.body_nodes(6)
        target = None
        for n in reversed(scope):
            if self.accepts(n, view.text):
                target = n
                break
            if n.kind == "section":
                break  # a fragment does not reach back past the start of its section
        if target is None:
            if (len(words(view.text)) <= SHORT and not view.text.rstrip().endswith(".")) or not scope:
                self.new("margin_note", self.stack[-1] if self.stack else self.container, chunk, view)
                return
            target = scope[-1]
            target.attrs.setdefault("joined_fragments", 0)
            target.attrs["joined_fragments"] += 1
        target.add(view, wrap=True)

    @staticmethod
    def accepts(node: Node, fragment: str) -> bool:
        tail = node.text.rstrip()
        if not tail or is_closed(tail):
            return False
        if tail.endswith("-") and tail[-2:-1].isalpha():
            left = words(tail)[-1].rstrip("-") if words(tail) else ""
            right = words(fragment)[0] if words(fragment) else ""
            return bool(left and right and lexicon.is_word(left + right))
        return True


def _name_like(text: str) -> bool:
    ws = text.split()
    return 1 <= len(ws) <= 5 and text.isupper()


def body_start(chunks: tuple[Chunk, ...]) -> int:
    """Index of the chunk where the body begins (the rest before it is cover).

    The first major heading or numbered item; in a document with neither,
    the first chunk of running prose.  A memorandum, telegram or minutes —
    a document headed by a FRUS heading or memo header fields (SUBJECT, TO,
    FROM) — has no cover: its body begins with its first running prose,
    even when numbered points come later.
    """
    first_marked = len(chunks)
    for i, c in enumerate(chunks):
        text = c.view.text
        if FOOTNOTE_START.match(text) or HEADER_FIELD.match(text) or frus_head(text, first=i == 0):
            continue
        if heading_level(text) == 1:
            first_marked = i
            break
        marks = [m for m in readings(text) if m.kind not in ("bullet",) and not m.bare
                 and not (m.kind in ("upper", "lower") and m.value > MAX_LETTER_START)]  # an initial
        if marks and not _name_like(text[marks[0].end :]):
            first_marked = i
            break
    first_prose = len(chunks)
    for i, c in enumerate(chunks):
        text = c.view.text
        if FOOTNOTE_START.match(text) or HEADER_FIELD.match(text) or frus_head(text, first=i == 0):
            continue
        if len(words(text)) >= 12 and (is_closed(SPECKS_AT_END.sub("", text)) or _page_ends_after(chunks, i)):
            first_prose = i  # (a heading's full stop is no full stop when it is a speck standing alone)
            break
    headed = any(frus_head(c.view.text, first=i == 0) or HEADER_FIELD.match(c.view.text)
                 for i, c in enumerate(chunks[:first_prose]))
    if first_marked < len(chunks) and not (headed and first_prose < first_marked):
        return first_marked
    return first_prose


def _page_ends_after(chunks: tuple[Chunk, ...], i: int) -> bool:
    """Whether the page ends after chunk ``i`` (footnotes aside): prose cut there may end mid-sentence.
    A banner typed under a heading on the same page ("SECRET" above a telegram's dateline) is
    furniture but no page end."""
    for c in chunks[i + 1:]:
        if FOOTNOTE_START.match(c.view.text) or SOURCE_NOTE.match(c.view.text):
            continue
        return c.after_break and c.page != chunks[i].page
    return False


def build(chunks: tuple[Chunk, ...]) -> list[Node]:
    """The block nodes of a document, in reading order."""
    b = Builder()
    start = body_start(chunks)
    marks = [readings(c.view.text) for c in chunks]
    follows = _article_follows(marks)
    numbers = _next_numbers(chunks, marks)
    for i, chunk in enumerate(chunks):
        b.followed_by_article = follows[i]
        b.next_numbers = numbers[i]
        if i == start:
            b.started = True
        b.feed(chunk, marks[i])
    b.resolve_pending()
    repair_misread_numbers(b.nodes)
    return b.nodes


SEQUENCED = ("number", "upper", "lower", "roman")


def repair_misread_numbers(nodes: list[Node]) -> None:
    """A number OCR misread inside a run of siblings ("4." for "1." before 2 and 3; "8." between
    2 and 4) takes the value its neighbours leave it, marked inferred, keeping what was printed."""
    runs: dict[tuple[int, str], list[Node]] = {}
    for n in nodes:
        if n.mtype in SEQUENCED and n.value is not None and n.kind != "footnote":
            runs.setdefault((id(n.parent), n.mtype), []).append(n)
    for run in runs.values():
        values = [n.value for n in run]
        for i, n in enumerate(run):
            before = values[i - 1] if i > 0 else None
            after = values[i + 1] if i + 1 < len(run) else None
            if after is None:
                continue
            want = 1 if before is None else before + 1
            if values[i] != want and after == want + 1 and (before is not None or (values[i] or 0) > after):
                n.attrs.setdefault("printed", n.token)
                n.value, n.inferred = want, True
                values[i] = want


LOOK_AHEAD = 3
"""How many numbered chunks ahead a chain of misread numbers may run before a number confirms it."""
_NAMED_PARAGRAPH = re.compile(r"\bparagraphs?\s+(\d{1,3})\b", re.IGNORECASE)


def _confirmed(ahead: tuple[tuple[Marker, ...], ...], want: int, read: int) -> bool:
    """Whether the numbers ahead continue ``want``: the next is ``want``, or a look-alike of it out of
    order with the number ``read`` before it, or a look-alike the numbers after it confirm in turn."""
    if not ahead:
        return False
    return any(n.value == want or (misread_number(n.token, want) and (n.value < read or
                                                                     _confirmed(ahead[1:], want + 1, n.value)))
               for n in ahead[0])


def _next_numbers(chunks: tuple[Chunk, ...], marks: list[list[Marker]]) -> list[tuple[tuple[Marker, ...], ...]]:
    """For each chunk: the number readings of the next chunks that have any (footnotes aside), nearest
    first, up to `LOOK_AHEAD` of them.  An editor's omission that names the paragraphs it leaves out
    ("[Here follow paragraphs 12-66 ...]") reads as the first of them."""
    out: list[tuple[tuple[Marker, ...], ...]] = [()] * len(chunks)
    for i in range(len(chunks) - 2, -1, -1):
        text = chunks[i + 1].view.text
        numbers = tuple(m for m in marks[i + 1] if m.kind == "number")
        if not numbers and is_omission(text) and (named := _NAMED_PARAGRAPH.search(text)):
            numbers = (Marker("number", int(named.group(1)), named.group(1), 0),)
        note = FOOTNOTE_START.match(text) or SOURCE_NOTE.match(text)
        out[i] = (numbers, *out[i + 1])[:LOOK_AHEAD] if numbers and not note else out[i + 1]
    return out


def _article_follows(marks: list[list[Marker]], window: int = 6) -> list[bool]:
    """For each chunk: does an "Article N" follow within ``window`` chunks,
    before any numbered paragraph or annex?"""
    kinds = [next(iter(m), None) for m in marks]
    out: list[bool] = []
    for i in range(len(marks)):
        found = False
        for m in kinds[i + 1 : i + 1 + window]:
            if m is not None and m.kind == "article":
                found = True
                break
            if m is not None and m.kind in ("number", "roman", "annex"):
                break
        out.append(found)
    return out
