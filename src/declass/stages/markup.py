"""Markup: handwritten edits as explicit operations, and two readings.

Transcriptions render handwriting in light markup: ``~~struck~~``,
``^{inserted}``, ``*handwritten note*`` (the sample briefing), or the forms
other OCR tools use: ``<del>``/``<s>``/``<strike>``, ``<ins>``,
``[handwritten: ...]``, ``[strikethrough: ...]``, and ``[^]`` for a caret.
Each becomes an edit ``{op, text, start, end}`` over the source (``op`` is
delete, insert or note; the caret is ``mark``).

The document then exists in two readings: *as typed* (deletions kept,
insertions and notes dropped) — the text every later stage reads — and
*as amended* (deletions dropped, insertions and notes placed), with a
redline between them.  Unbalanced markup is left as text: nothing is lost.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

from declass.model import Block, Chunk, Document, Edit, EditOp
from declass.text.textmap import MappedText, TextBuilder


@dataclass(frozen=True, slots=True)
class Span:
    """One piece of markup found in a text: where it is and what it holds."""

    op: str
    start: int  # markup start (including delimiters), in the text searched
    end: int
    inner_start: int  # content start
    inner_end: int
    marker: str


_PAIRED = [
    ("delete", re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.DOTALL), "~~"),
    ("delete", re.compile(r"<(del|s|strike)>(.*?)</\1>", re.DOTALL | re.IGNORECASE), "<del>"),
    ("insert", re.compile(r"<ins>(.*?)</ins>", re.DOTALL | re.IGNORECASE), "<ins>"),
    ("note", re.compile(r"\[handwritten:\s*(.*?)\]", re.DOTALL | re.IGNORECASE), "[handwritten:]"),
    ("delete", re.compile(r"\[strikethrough:\s*(.*?)\]", re.DOTALL | re.IGNORECASE), "[strikethrough:]"),
    ("delete", re.compile(r"\[strikethrough\](.*?)\[/strikethrough\]", re.DOTALL | re.IGNORECASE),
     "[strikethrough]"),
    ("note", re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]{1,300}?)(?<=[^\s*\\])\*(?![\w*])"), "*"),
    ("mark", re.compile(r"\[\^\]"), "[^]"),
]


def _braces(text: str) -> list[Span]:
    """``^{...}`` insertions, braces balanced (``^{a {b} c}`` is one insertion)."""
    out: list[Span] = []
    i = 0
    while (i := text.find("^{", i)) >= 0:
        depth, j = 0, i + 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if depth == 0 and j < len(text) and any(c.isalpha() for c in text[i + 2 : j]):
            out.append(Span("insert", i, j + 1, i + 2, j, "^{}"))
            i = j + 1
        else:
            i += 2  # unbalanced: leave it as text
    return out


def find_markup(text: str) -> list[Span]:
    """All markup spans in ``text``, outermost first, never overlapping."""
    found = _braces(text)
    for op, rx, marker in _PAIRED:
        if marker[0] not in text:
            continue  # every match opens with its marker's first character: most text has none of them
        for m in rx.finditer(text):
            g = m.lastindex or 0
            inner_s, inner_e = (m.start(g), m.end(g)) if g else (m.end(), m.end())
            found.append(Span(op, m.start(), m.end(), inner_s, inner_e, marker))
    found.sort(key=lambda s: (s.start, -s.end))
    out: list[Span] = []
    for s in found:
        if out and s.start < out[-1].end:
            continue  # inside or across an earlier span: the outer one wins
        out.append(s)
    return out


def typed_and_edits(view: MappedText, page: int | None = None, document: str = "") -> tuple[MappedText, list[Edit]]:
    """The as-typed view of ``view`` and the edits found in it (on ``page`` of ``document``)."""
    spans = find_markup(view.text)
    if not spans:
        return _plain(view), []
    b = TextBuilder()
    edits: list[Edit] = []
    pos = 0
    for s in spans:
        b.extend(view.slice(pos, s.start))
        inner = view.slice(s.inner_start, s.inner_end)
        if s.op == "delete":
            b.extend(inner)  # struck text was typed: it stays in the typed reading
        src_s, src_e = view.span_to_source(s.inner_start, s.inner_end) if s.inner_end > s.inner_start else \
            view.span_to_source(s.start, s.end)
        edits.append(Edit(op=EditOp(s.op), text=" ".join(inner.text.split()) if s.op != "mark" else "^",
                          start=src_s, end=src_e, marker=s.marker, page=page, block=None, document=document))
        pos = s.end
    b.extend(view.slice(pos, len(view.text)))
    typed = b.build()
    tidy = _tidy(typed)
    return tidy, edits


_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # Markdown's backslash escapes of ASCII punctuation
_MD_QUOTE = re.compile(r"(?m)^>[ \t]?")  # a Markdown block-quote marker opening a line


def _plain(view: MappedText) -> MappedText:
    """A transcription's Markdown escapes (``\\$600``) and block-quote markers are
    how it was typed up, not what the document prints: read them away."""
    if "\\" in view.text:
        view = view.sub(_MD_ESCAPE, r"\1")
    if ">" in view.text:
        view = view.sub(_MD_QUOTE)
    return view


_SPACES = re.compile(r"[ \t]{2,}|(?<=\S) (?=[,;:.])")


def _tidy(view: MappedText) -> MappedText:
    """Collapse the double spaces that removed markup leaves behind."""
    view = _plain(view)
    return view.sub(_SPACES, " ").strip() if _SPACES.search(view.text) else view.strip()


def markup(doc: Document) -> Document:
    """The markup stage: edits found, chunks replaced by their typed reading."""
    chunks: list[Chunk] = []
    edits: list[Edit] = []
    for c in doc.chunks:
        typed, found = typed_and_edits(c.view, c.page, doc.id)
        edits.extend(found)
        chunks.append(c if typed is c.view else Chunk(typed, c.page, c.after_break, c.first_line, c.before))
    return doc.evolve(chunks=tuple(c for c in chunks if c.view.text.strip()), edits=tuple(edits),
                      stages=(*doc.stages, "markup"))


# -- after structure: edits meet blocks ----------------------------------------


def redline(block: Block, edits: list[Edit]) -> list[tuple[str, str]]:
    """The block as ``[(op, text)]`` segments: ``same``, ``delete``, ``insert``,
    ``note``.  Joining all but deletions gives the amended reading."""
    view = block.view
    deletes = sorted((e.start, e.end) for e in edits if e.op == EditOp.DELETE)
    adds = sorted((e.start, e.op.value, e.text) for e in edits if e.op in (EditOp.INSERT, EditOp.NOTE))
    segments: list[tuple[str, str]] = []

    def put(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1][0] == op:
            segments[-1] = (op, segments[-1][1] + text)
        else:
            segments.append((op, text))

    def add(op: str, text: str) -> None:
        lead = "" if not segments or segments[-1][1].endswith((" ", "\n")) else " "
        put(op, f"{lead}{text} ")

    starts = [s for s, _ in deletes]
    k = 0
    text = view.text
    for t0, s0, tl, sl in view.runs:
        i = t0
        while i < t0 + tl:
            # a character-for-character run is taken a stretch at a time: up to
            # the next insertion, or the next start or end of a deletion
            src = s0 + (i - t0) if tl == sl else s0 + min(i - t0, sl)
            while k < len(adds) and adds[k][0] <= src:
                add(adds[k][1], adds[k][2])
                k += 1
            d = bisect_right(starts, src) - 1
            deleted = d >= 0 and src < deletes[d][1]
            j = i + 1
            if tl == sl:
                stop = min(
                    adds[k][0] if k < len(adds) else src + tl,
                    starts[d + 1] if d + 1 < len(starts) else src + tl,
                    deletes[d][1] if deleted else src + tl,
                )
                j = min(t0 + tl, i + max(1, stop - src))
            put("delete" if deleted else "same", text[i:j])
            i = j
    for _, op, text_ in adds[k:]:
        add(op, text_)
    return segments


def amended_text(segments: list[tuple[str, str]]) -> str:
    text = "".join(t for op, t in segments if op != "delete")
    return " ".join(text.split())


def in_deleted_text(doc: Document, start: int, end: int) -> bool:
    """True if source span ``[start, end)`` lies inside struck-through text."""
    if not doc.edits:
        return False
    starts, reach = _deleted_index(doc.edits)
    k = bisect_right(starts, start)  # the deletions starting at or before ``start``...
    return k > 0 and reach[k - 1] >= end  # ...and the furthest any of them reaches


_LAST_INDEX: list[Any] = [None, None]  # (edits, index): asked once per mention, built once per document


def _deleted_index(edits: tuple[Any, ...]) -> tuple[list[int], list[int]]:
    """The starts of the deletions in order, and the furthest end reached by each prefix."""
    if _LAST_INDEX[0] is not edits:
        spans = sorted((e.start, e.end) for e in edits if e.op == EditOp.DELETE)
        starts = [s for s, _ in spans]
        reach = list(accumulate((e for _, e in spans), max))
        _LAST_INDEX[:] = [edits, (starts, reach)]
    return _LAST_INDEX[1]  # type: ignore[no-any-return]


_BARE_ROMAN = re.compile(r"^\s*(?:[IVXLC]{1,7})\s+[A-Z]")
_PLUS = re.compile(r"\s\+\s")


def amend(doc: Document) -> Document:
    """After structure: each edit gets its block; blocks get their amended
    text and the handwritten and deleted flags."""
    by_block: dict[str, list[Edit]] = {}
    edits = []
    block_at = _block_index(doc.blocks)
    for edit in doc.edits:
        block = block_at(edit.start)
        e = replace(edit, block=block.label if block else None)
        edits.append(e)
        if block is not None:
            by_block.setdefault(block.label, []).append(e)
    handwritten = _handwritten_tail(doc)
    blocks = []
    for b in doc.blocks:
        mine = by_block.get(b.label, [])
        segments = redline(b, mine) if mine else []
        amended = amended_text(segments) if mine else b.text
        deleted = bool(b.text.strip()) and not amended.strip() and any(e.op == EditOp.DELETE for e in mine)
        hand = b.label in handwritten or b.kind == "margin_note" or _all_notes(b, mine)
        blocks.append(b.evolve(amended_text=amended, deleted=deleted, handwritten=hand, redline=tuple(segments)))
    return doc.evolve(blocks=tuple(blocks), edits=tuple(edits), stages=(*doc.stages, "amend"))


def _block_index(blocks: tuple[Block, ...], reach: int = 12) -> Callable[[int], Block | None]:
    """``block_at(offset)``: the block an edit at source ``offset`` belongs to: the innermost
    block spanning it, else the nearest within ``reach`` characters (insertions and notes
    sit in the gaps the typed reading leaves; a struck label sits just before its block's
    text).  Blocks are sorted by start once, so each edit looks only at its neighbours."""
    spans = sorted((b.start, b.end, i, b) for i, b in enumerate(blocks)
                   if b.kind not in ("heading", "annex", "front_matter") and b.view.runs)
    starts = [s for s, _, _, _ in spans]
    furthest = list(accumulate((e for _, e, _, _ in spans), max))  # the furthest end of each prefix

    def block_at(offset: int) -> Block | None:
        best: tuple[int, int, int] | None = None
        found: Block | None = None
        j = bisect_right(starts, offset + reach) - 1
        while j >= 0 and furthest[j] + reach >= offset:
            start, end, i, b = spans[j]
            j -= 1
            if end + reach < offset:
                continue
            distance = 0 if start <= offset <= end else min(abs(offset - start), abs(offset - end))
            if distance > reach:
                continue
            key = (distance, end - start, i)
            if best is None or key < best:
                best, found = key, b
        return found

    return block_at


def _all_notes(block: Block, edits: list[Edit]) -> bool:
    notes = sum(len(e.text) for e in edits if e.op == EditOp.NOTE)
    return notes > 0 and notes >= 0.8 * len(block.text)


def _handwritten_tail(doc: Document) -> set[str]:
    """Points added by hand after the typed text ends: the trailing run of
    unpunctuated blocks, when one of them shows a handwriting cue (a roman
    numeral without its stop, "+" for "and")."""
    body = [b for b in doc.blocks if b.kind in ("section", "point", "paragraph", "sub-paragraph", "item")]
    tail: list[Block] = []
    for b in reversed(body):
        if re.search(r"[.!?;:][\"')\]]*$", b.text.rstrip()):
            break
        tail.append(b)
    if not tail:
        return set()
    cue = any(_PLUS.search(b.text) or _BARE_ROMAN.match(doc.text[b.start : b.start + 20]) for b in tail)
    return {b.label for b in tail} if cue else set()


OPS_STYLE = {"same": "", "delete": "strike red", "insert": "underline green", "note": "italic cyan"}
