"""HTML for document text: every character escaped, annotations wrapped.

Block text is annotated with spans — judgments (sentences), entity
mentions, redaction markers and struck passages inside them — each given
as offsets into the block's text.  A span that crosses a wider span's edge
is split in two at that edge, so the HTML always nests and nothing is lost.
The amended and redline readings are drawn from the same typed text and
spans, with the redline's deletions and insertions woven in: a block with
edits keeps its entity links, judgment marks and markers in every reading.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape
from typing import Any
from urllib.parse import quote

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    open_tag: str  # already-escaped HTML
    close_tag: str
    after: str = ""  # HTML placed right after the closing tag (a badge)
    open_again: str | None = None  # the opening tag of a continuation piece (no id)


def _nested(spans: list[Span]) -> list[Span]:
    """``spans`` with every one crossing an enclosing span's edge split at that edge."""
    heap = [(s.start, -s.end, i, s) for i, s in enumerate(spans)]
    heapq.heapify(heap)
    seq = len(spans)
    kept: list[Span] = []
    stack: list[Span] = []
    while heap:
        _, _, _, s = heapq.heappop(heap)
        while stack and stack[-1].end <= s.start:
            stack.pop()
        if stack and s.end > stack[-1].end:
            edge = stack[-1].end
            rest = replace(s, start=edge, open_tag=s.open_again or s.open_tag)
            heapq.heappush(heap, (rest.start, -rest.end, seq, rest))
            seq += 1
            s = replace(s, end=edge, after="")
        kept.append(s)
        stack.append(s)
    return kept


def annotate(text: str, spans: list[Span], inserts: Sequence[tuple[int, str]] = ()) -> Markup:
    """``text`` escaped, with ``spans`` wrapped around their characters and
    ``inserts`` (offset, HTML) placed between them."""
    kept = _nested([s for s in spans if 0 <= s.start < s.end <= len(text)])
    events: list[tuple[int, int, int, str]] = []
    for i, s in enumerate(kept):
        events.append((s.start, 2, i, s.open_tag))
        events.append((s.end, 0, -i, s.close_tag + s.after))
    for k, (at, html) in enumerate(inserts):
        events.append((min(max(at, 0), len(text)), 1, k, html))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    out: list[str] = []
    pos = 0
    for at, _, _, html in events:
        out.append(escape(text[pos:at]))
        pos = at
        out.append(html)
    out.append(escape(text[pos:]))
    return Markup("".join(out))


def entity_href(mention: dict[str, Any]) -> str:
    return f"/entity/{quote(mention['id'], safe='')}"


def percent(rng: list[float]) -> str:
    lo, hi = rng
    return f"{lo:.0%}" if f"{lo:.0%}" == f"{hi:.0%}" else f"{lo:.0%}–{hi:.0%}"


def probability_bar(rng: Sequence[float] | None) -> str:
    """An inline bar showing a probability range (0-100 %); a point range is drawn as a tick."""
    if not rng:
        return '<span class="pbar unmapped" title="no probability: the term is unmapped">unmapped</span>'
    lo, hi = (min(max(x, 0.0), 1.0) for x in rng)
    width = max((hi - lo) * 100, 3.0)
    left = min(lo * 100, 100 - width)
    return (f'<span class="pbar" role="img" aria-label="probability {percent([lo, hi])}">'
            f'<span class="pfill" style="margin-left:{left:.1f}%;width:{width:.1f}%"></span></span>'
            f'<span class="pnum">{percent([lo, hi])}</span>')


def judgment_spans(block: dict[str, Any], record: dict[str, Any], scale: str) -> list[Span]:
    label = block["label"]
    spans: list[Span] = []
    for j in record["judgments"]:
        if j["block"] != label or "in_block" not in j:
            continue
        rng = j["probability"].get(scale)
        badge = (f'<span class="jbadge" data-judgment="{escape(j["id"])}"><span class="term">{escape(j["expression"])}'
                 f'</span>{probability_bar(rng)}</span>')
        horizon = j["horizon_end"] or j["horizon"]["kind"]
        title = f"judgment {j['id']}: {j['term']}, horizon {horizon}"
        tag = f'<span class="judgment" title="{escape(title)}"'
        spans.append(Span(j["in_block"][0], j["in_block"][1], f'{tag} id="j-{escape(j["id"])}">', "</span>", badge,
                          f"{tag}>"))
    return spans


def block_dissents(block: dict[str, Any], record: dict[str, Any]) -> list[tuple[str, list[dict[str, str]]]]:
    """The reservations on this block's judgments: each dissenter once, with each
    of its notes (the cover's, the footnote's) once and whole."""
    seen: dict[str, dict[str, dict[str, str]]] = {}
    for j in record["judgments"]:
        if j["block"] == block["label"]:
            for d in j["dissent"]:
                seen.setdefault(d["by"], {}).setdefault(" ".join(d["text"].split()), d)
    return [(by, list(notes.values())) for by, notes in seen.items()]


def block_spans(block: dict[str, Any], record: dict[str, Any], scale: str, *, links: bool = True) -> list[Span]:
    """Judgments, entity mentions and inline markers of one block, as spans
    (``links``: entity mentions as links, else as plain spans out of the tab order)."""
    label = block["label"]
    spans = judgment_spans(block, record, scale)
    for m in record["entities"]:
        if m["block"] != label or "in_block" not in m:
            continue
        if m["id"] is None:
            spans.append(Span(m["in_block"][0], m["in_block"][1], '<span class="unknown" title="not in the gazetteer">',
                              "</span>"))
            continue
        kind = "metonym" if m.get("metonymy") else m["type"]
        title = f"{m['canonical']} ({m['type']}{', as the government' if m.get('metonymy') else ''})"
        focus = "" if links else ' tabindex="-1"'
        spans.append(Span(m["in_block"][0], m["in_block"][1],
                          f'<a class="entity {escape(kind)}" href="{entity_href(m)}" title="{escape(title)}"{focus}>',
                          "</a>"))
    for r in record["redactions"]:
        if r.get("block") == label and "in_block" in r:
            ex = (r.get("exemption") or {}).get("description") or "withheld"
            spans.append(Span(r["in_block"][0], r["in_block"][1],
                              f'<span class="marker" title="{escape(ex)}">', "</span>"))
    return spans


def struck_spans(segments: list[list[str]]) -> list[Span]:
    """The typed text a hand struck through, as spans over the typed text."""
    out: list[Span] = []
    pos = 0
    for op, text in segments:
        if op == "delete":
            out.append(Span(pos, pos + len(text), '<span class="struck" title="struck through by hand">', "</span>"))
        if op in ("same", "delete"):
            pos += len(text)
    return out


def edited_html(text: str, spans: list[Span], segments: list[list[str]]) -> Markup:
    """The redline of a block, annotated like its typed text: deletions in ``<del>``,
    insertions and notes placed where the hand put them."""
    if "".join(t for op, t in segments if op in ("same", "delete")) != text:
        return redline_html(segments)  # the segments do not retrace the text: draw them bare
    marks: list[Span] = []
    inserts: list[tuple[int, str]] = []
    pos = 0
    for op, t in segments:
        if op == "delete":
            marks.append(Span(pos, pos + len(t), "<del>", "</del>"))
            pos += len(t)
        elif op == "same":
            pos += len(t)
        elif op == "insert":
            inserts.append((pos, f"<ins>{escape(t)}</ins>"))
        else:
            inserts.append((pos, f'<em class="note">{escape(t)}</em>'))
    plain = [replace(s, open_tag=s.open_again or s.open_tag) for s in spans]  # ids belong to the typed text
    return annotate(text, [*plain, *marks], inserts)


def redline_html(segments: list[list[str]]) -> Markup:
    tags = {"delete": ("<del>", "</del>"), "insert": ("<ins>", "</ins>"),
            "note": ('<em class="note">', "</em>"), "same": ("", "")}
    return Markup("".join(f"{tags[op][0]}{escape(text)}{tags[op][1]}" for op, text in segments))


_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'“(\[]?[A-Z0-9])")


def in_context(text: str, start: int, end: int, width: int = 110) -> Markup:
    """The sentence around ``text[start:end]`` with those words marked (keyword in
    context), cut at a word with an ellipsis beyond ``width`` characters a side."""
    s = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        s = m.end()
    stop = _SENTENCE_END.search(text, end)
    e = stop.start() if stop else len(text)
    before, after = " ".join(text[s:start].split()), " ".join(text[end:e].split())
    if text[s:start][-1:].isspace():
        before += " "
    if text[end:e][:1].isspace():
        after = " " + after
    if len(before) > width:
        before = "…" + before[-width:].split(" ", 1)[-1]
    if len(after) > width:
        after = after[:width].rsplit(" ", 1)[0] + "…"
    return Markup(f"{escape(before)}<mark>{escape(text[start:end])}</mark>{escape(after)}")
