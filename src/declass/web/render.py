"""HTML for document text: every character escaped, annotations wrapped.

Block text is annotated with spans — judgments (sentences), entity
mentions and redaction markers inside them — each given as offsets into
the block's text.  Spans must nest; one that would cross a wider span's
edge is dropped rather than produce broken HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def annotate(text: str, spans: list[Span]) -> Markup:
    """``text`` escaped, with ``spans`` wrapped around their characters."""
    spans = sorted((s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: (s.start, -s.end))
    kept: list[Span] = []
    stack: list[Span] = []
    for s in spans:
        while stack and stack[-1].end <= s.start:
            stack.pop()
        if stack and s.end > stack[-1].end:
            continue  # crosses its parent's edge
        kept.append(s)
        stack.append(s)
    events: list[tuple[int, int, int, Span]] = []
    for i, s in enumerate(kept):
        events.append((s.start, 1, i, s))
        events.append((s.end, 0, -i, s))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    out: list[str] = []
    pos = 0
    for at, is_open, _, s in events:
        out.append(escape(text[pos:at]))
        pos = at
        out.append(s.open_tag if is_open else s.close_tag + s.after)
    out.append(escape(text[pos:]))
    return Markup("".join(out))


def entity_href(mention: dict[str, Any]) -> str:
    return f"/entity/{quote(mention['id'], safe='')}"


def probability_bar(rng: list[float] | None) -> str:
    """An inline bar showing a probability range (0-100 %)."""
    if not rng:
        return '<span class="pbar unmapped" title="no probability: the term is unmapped">unmapped</span>'
    lo, hi = rng
    return (f'<span class="pbar" role="img" aria-label="probability {lo:.0%} to {hi:.0%}">'
            f'<span class="pfill" style="margin-left:{lo * 100:.1f}%;width:{max((hi - lo) * 100, 1.5):.1f}%">'
            f'</span></span><span class="pnum">{lo:.0%}–{hi:.0%}</span>')


def block_spans(block: dict[str, Any], record: dict[str, Any], scale: str) -> list[Span]:
    """Judgments, entity mentions and inline markers of one block, as spans."""
    label = block["label"]
    spans: list[Span] = []
    for j in record["judgments"]:
        if j["block"] != label or "in_block" not in j:
            continue
        rng = j["probability"].get(scale)
        dissent = "".join(
            f'<span class="dissent" role="note"><b>Dissent</b> ({escape(d["by"])}): {escape(d["text"][:240])}</span>'
            for d in j["dissent"])
        badge = (f'<span class="jbadge" data-judgment="{escape(j["id"])}"><span class="term">{escape(j["expression"])}'
                 f'</span>{probability_bar(rng)}</span>{dissent}')
        title = f"judgment {j['id']}: {j['term']}, horizon {j['horizon_end'] or j['horizon']['kind']}"
        spans.append(Span(j["in_block"][0], j["in_block"][1],
                          f'<span class="judgment" tabindex="0" title="{escape(title)}" id="j-{escape(j["id"])}">',
                          "</span>", badge))
    for m in record["entities"]:
        if m["block"] != label or "in_block" not in m:
            continue
        if m["id"] is None:
            spans.append(Span(m["in_block"][0], m["in_block"][1], '<span class="unknown" title="not in the gazetteer">',
                              "</span>"))
            continue
        kind = "metonym" if m.get("metonymy") else m["type"]
        title = f"{m['canonical']} ({m['type']}{', as the government' if m.get('metonymy') else ''})"
        spans.append(Span(m["in_block"][0], m["in_block"][1],
                          f'<a class="entity {escape(kind)}" href="{entity_href(m)}" title="{escape(title)}">', "</a>"))
    for r in record["redactions"]:
        if r.get("block") == label and "in_block" in r:
            ex = (r.get("exemption") or {}).get("description") or "withheld"
            spans.append(Span(r["in_block"][0], r["in_block"][1],
                              f'<span class="marker" title="{escape(ex)}">', "</span>"))
    return spans


def redline_html(segments: list[list[str]]) -> Markup:
    tags = {"delete": ("<del>", "</del>"), "insert": ("<ins>", "</ins>"),
            "note": ('<em class="note">', "</em>"), "same": ("", "")}
    return Markup("".join(f"{tags[op][0]}{escape(text)}{tags[op][1]}" for op, text in segments))
