"""Pictures drawn on the server as SVG: readable without JavaScript, nothing
fetched, every mark a link to the block it comes from.

* `timeline_svg`: a time axis, a lane per document; events as ticks as wide
  as their precision (a year-precise event spans its year), periods and
  durations as bars, deadlines as diamonds.
* `term_chart`: the archive's judgments by estimative term on one scale —
  each term's range, and how many judgments use it.
* `judgment_strip`: one document's judgments in reading order.
* `redaction_chart`: what was withheld, by exemption, with withheld points
  and exempt pages.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup

if TYPE_CHECKING:
    from declass.archive.answers import RedactionStatistics, RedactionTotals, TermCount
    from declass.model import Event
    from declass.store.rows import JudgmentCell

KIND_CLASS = {"event": "ev-event", "period": "ev-period", "duration": "ev-duration", "deadline": "ev-deadline"}


def href(document: str, block: str | None, **query: str) -> str:
    q = "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return f"/doc/{quote(document, safe='')}{'?' + q if q else ''}{'#' + quote(block, safe='') if block else ''}"


# -- dates as positions -------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def year_span(iso: str | None) -> tuple[float, float] | None:
    """The stretch of time a date stands for, in fractional years: ``1952`` is the whole
    year, ``1952-09`` its September, ``1952-09-10`` one day."""
    m = _ISO.match(iso or "")
    if not m:
        return None
    y = int(m.group(1))
    if m.group(2) is None:
        return float(y), y + 1.0
    mo = min(max(int(m.group(2)), 1), 12)
    if m.group(3) is None:
        return y + (mo - 1) / 12, y + mo / 12
    d = min(max(int(m.group(3)), 1), 31)
    start = y + (mo - 1) / 12 + (d - 1) / 365
    return start, start + 1 / 365


@dataclass(frozen=True, slots=True)
class Mark:
    start: float
    end: float
    kind: str
    row: Event


def _pack(marks: list[Mark], gap: float) -> list[list[Mark]]:
    """Marks stacked into as few rows as let none overlap (greedy, by start)."""
    rows: list[list[Mark]] = []
    for m in sorted(marks, key=lambda m: (m.start, -m.end)):
        for r in rows:
            if r[-1].end + gap <= m.start:
                r.append(m)
                break
        else:
            rows.append([m])
    return rows


def fit(text: str, n: int) -> str:
    """``text`` in at most ``n`` characters, cut at a word with an ellipsis."""
    if len(text) <= n:
        return text
    cut = text[: n - 1].rsplit(" ", 1)[0] if " " in text[: n - 1] else text[: n - 1]
    return cut.rstrip(",;:–- ") + "…"


def _tick_step(span: float) -> int:
    for step in (1, 2, 5, 10, 20, 50):
        if span / step <= 16:
            return step
    return 100


GAP_YEARS = 5  # a stretch this long with no date in it is drawn as a break in the axis
BREAK_PX = 30


class Axis:
    """Years to pixels, with long empty stretches cut short: the marks' own dates
    (each end of a bar) decide which years are shown; a break is marked on the axis
    and a bar across it is drawn through it."""

    def __init__(self, marks: list[Mark], left: float, width: float) -> None:
        years = sorted({int(t) for m in marks for t in (m.start, max(m.end - 1e-6, m.start))})
        segs: list[list[int]] = []
        for y in years:
            if segs and y - segs[-1][1] < GAP_YEARS:
                segs[-1][1] = y + 1
            else:
                segs.append([y, y + 1])
        self.segments = [(a, b) for a, b in segs]
        kept = sum(b - a for a, b in self.segments)
        self.per_year = (width - BREAK_PX * (len(self.segments) - 1)) / kept
        self.starts: list[float] = []
        at = left
        for a, b in self.segments:
            self.starts.append(at)
            at += (b - a) * self.per_year + BREAK_PX

    def x(self, t: float) -> float:
        prev_end = self.segments[0][0]
        for (a, b), x0 in zip(self.segments, self.starts, strict=True):
            if t <= b:
                if t >= a:
                    return x0 + (t - a) * self.per_year
                return x0 - BREAK_PX * (a - t) / max(a - prev_end, 1e-9)  # inside the break before this segment
            prev_end = b
        a, b = self.segments[-1]
        return self.starts[-1] + (b - a) * self.per_year

    def ticks(self) -> list[int]:
        step = _tick_step(sum(b - a for a, b in self.segments))
        out: list[int] = []
        for i, (a, b) in enumerate(self.segments):
            last = b if i == len(self.segments) - 1 else b - 1  # a segment's end is the break: no label there
            here = [y for y in range(a, last + 1) if y % step == 0]
            out += here if here else [a]
        return sorted(set(out))

    def breaks(self) -> list[tuple[int, int, float]]:
        """(last year before, first year after, x of the break's middle)."""
        return [(b0, a1, x1 - BREAK_PX / 2)
                for (_, b0), (a1, _), x1 in zip(self.segments, self.segments[1:], self.starts[1:], strict=False)]


def timeline_svg(rows: Sequence[Event], names: dict[str, str], width: int = 1000) -> Markup | None:
    """The events as a picture: years across, a lane per document."""
    lanes: dict[str, list[Mark]] = defaultdict(list)
    for r in rows:
        a = year_span(r.date)
        if a is None:
            continue
        b = year_span(r.date_end) if r.date_end else None
        end = max(a[1], b[1]) if b else a[1]
        lanes[r.document].append(Mark(a[0], end, r.kind, r))
    if not lanes:
        return None
    left, right, top, row_h, lane_gap = 196, 16, 28, 14, 14
    axis = Axis([m for ms in lanes.values() for m in ms], left, width - left - right)
    lo, hi = axis.segments[0][0], axis.segments[-1][1]
    pixels = {doc: [Mark(axis.x(m.start), axis.x(m.end), m.kind, m.row) for m in ms] for doc, ms in lanes.items()}
    packed = {doc: _pack(ms, gap=6) for doc, ms in pixels.items()}
    height = top + sum(len(p) * row_h + lane_gap * 2 for p in packed.values()) + 24
    out = [f'<svg viewBox="0 0 {width} {height}" class="chart timeline-chart" role="group" '
           f'aria-label="Timeline, {lo} to {hi}: {len(rows)} events in {len(lanes)} documents">']
    for year in axis.ticks():
        x = axis.x(year)
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 20}" class="grid"/>'
                   f'<text x="{x:.1f}" y="{top - 10}" class="axis" text-anchor="middle">{year}</text>'
                   f'<text x="{x:.1f}" y="{height - 6}" class="axis" text-anchor="middle">{year}</text>')
    y = top
    for doc in sorted(packed, key=lambda d: (min(m.start for m in pixels[d]), d)):
        lane_h = len(packed[doc]) * row_h + lane_gap
        out.append(f'<rect x="0" y="{y}" width="{width}" height="{lane_h + lane_gap - 4}" class="lane"/>'
                   f'<a href="{escape(href(doc, None))}"><text x="8" y="{y + 16}" class="lane-label">'
                   f'{escape(fit(names.get(doc, doc), 26))}</text></a>')
        for i, row in enumerate(packed[doc]):
            cy = y + lane_gap / 2 + i * row_h + row_h / 2
            for m in row:
                out.append(_mark(m, lambda t: t, cy, names))
        y += lane_h + lane_gap
    for before, after, xm in axis.breaks():
        note = f"nothing dated from {before} to {after - 1}: the axis is cut short here"
        out.append(f'<g class="break"><title>{note}</title>'
                   f'<rect x="{xm - 5:.1f}" y="{top - 4}" width="10" height="{height - top - 16}" class="break-band"/>'
                   f'<path d="M{xm - 7:.1f} {top - 2} l6 -8 M{xm + 1:.1f} {top - 2} l6 -8" class="break-mark"/></g>')
    out.append("</svg>")
    return Markup("".join(out))


def _mark(m: Mark, x: Any, cy: float, names: dict[str, str]) -> str:
    r = m.row
    when = r.date + (f" to {r.date_end}" if r.date_end else "")
    label = f"{when}, {r.kind}: {r.phrase} ({names.get(r.document, r.document)}, {r.block})"
    link = escape(href(r.document, r.block or ""))
    cls = KIND_CLASS.get(m.kind, "ev-event")
    if m.kind == "deadline":
        cx = x(m.start)
        shape = (f'<path d="M{cx:.1f} {cy - 6:.1f} L{cx + 6:.1f} {cy:.1f} L{cx:.1f} {cy + 6:.1f} '
                 f'L{cx - 6:.1f} {cy:.1f} Z" class="{cls}"/>')
    else:
        x0, x1 = x(m.start), x(m.end)
        w = max(x1 - x0, 4.0)
        h = 10 if m.kind in ("period", "duration") else 8
        shape = f'<rect x="{x0:.1f}" y="{cy - h / 2:.1f}" width="{w:.1f}" height="{h}" rx="2" class="{cls}"/>'
    return f'<a href="{link}" aria-label="{escape(label)}"><title>{escape(label)}</title>{shape}</a>'


# -- judgments --------------------------------------------------------------------------------


def term_chart(judgments: Iterable[dict[str, Any]], scale: str, width: int = 720) -> Markup | None:
    """Each estimative term's range on ``scale`` and how many judgments use it,
    terms ordered by where their ranges sit."""
    count: Counter[str] = Counter()
    rng: dict[str, list[float] | None] = {}
    for j in judgments:
        count[j["term"]] += 1
        rng.setdefault(j["term"], j.get("range"))
    from declass.archive.answers import TermCount

    return term_bars([TermCount(t, n, *(rng[t] or (None, None))) for t, n in count.items()], scale, width)


def term_bars(terms_seen: Iterable[TermCount], scale: str, width: int = 720) -> Markup | None:
    """The term chart from counts already made: each term's judgments and range on ``scale``."""
    count: dict[str, int] = {}
    rng: dict[str, tuple[float, float] | None] = {}
    for seen in terms_seen:
        count[seen.term] = seen.count
        rng[seen.term] = seen.range
    if not count:
        return None
    terms = sorted(count, key=lambda t: (rng[t] is None, sum(rng[t] or [2, 2]) / 2, t))
    left, right, top, row_h = 150, 60, 30, 22
    plot = width - left - right
    height = top + row_h * len(terms) + 10
    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="chart term-chart" '
           'role="img" '
           f'aria-label="Judgments by term on the {escape(scale)} scale">']
    for p in range(0, 101, 10):
        xx = left + plot * p / 100
        out.append(f'<line x1="{xx:.1f}" y1="{top - 4}" x2="{xx:.1f}" y2="{height - 6}" class="grid"/>'
                   f'<text x="{xx:.1f}" y="{top - 10}" class="axis" text-anchor="middle">{p}%</text>')
    for i, t in enumerate(terms):
        cy = top + i * row_h + row_h / 2
        out.append(f'<text x="{left - 8}" y="{cy + 4:.1f}" class="axis" text-anchor="end">{escape(t)}</text>')
        r = rng[t]
        n = count[t]
        if r is None:
            out.append(f'<text x="{left + 4}" y="{cy + 4:.1f}" class="muted">no probability (unmapped)</text>')
        else:
            x0 = left + plot * r[0]
            w = max(plot * (r[1] - r[0]), 3.0)
            out.append(f'<rect x="{x0:.1f}" y="{cy - 6:.1f}" width="{w:.1f}" height="12" rx="2" class="bar">'
                       f'<title>{escape(t)}: {r[0]:.0%} to {r[1]:.0%}, {n} judgment{"s" if n != 1 else ""}</title>'
                       "</rect>")
        out.append(f'<text x="{width - right + 8}" y="{cy + 4:.1f}" class="value">{n}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def judgment_strip(document: str, judgments: Sequence[JudgmentCell], scale: str) -> Markup:
    """A document's judgments in reading order, each a cell whose height is its
    probability under ``scale`` (the range drawn as a band), linked to its block."""
    cell, gap, h = 10, 2, 36
    width = max(len(judgments) * (cell + gap), cell)
    out = [f'<svg viewBox="0 0 {width} {h}" width="{width}" height="{h}" preserveAspectRatio="none" class="strip" '
           'role="group" '
           f'aria-label="{len(judgments)} judgments in reading order">']
    for i, j in enumerate(sorted(judgments, key=lambda j: j.start)):
        x0 = i * (cell + gap)
        r = j.range
        label = f"{j.block}: {j.expression}" + (f", {r[0]:.0%} to {r[1]:.0%}" if r else ", unmapped")
        if r:
            y0, y1 = h - r[1] * h, h - r[0] * h
            shape = (f'<rect x="{x0}" y="0" width="{cell}" height="{h}" class="strip-bg"/>'
                     f'<rect x="{x0}" y="{y0:.1f}" width="{cell}" height="{max(y1 - y0, 2):.1f}" class="bar"/>')
        else:
            shape = f'<rect x="{x0}" y="0" width="{cell}" height="{h}" class="strip-none"/>'
        out.append(f'<a href="{escape(href(document, j.block or "", scale=scale, layer="judgments"))}" '
                   f'aria-label="{escape(label)}"><title>{escape(label)}</title>{shape}</a>')
    out.append("</svg>")
    return Markup("".join(out))


# -- redactions -------------------------------------------------------------------------------


def redaction_chart(stats: RedactionStatistics | RedactionTotals, width: int = 520,
                    label: str = "the archive") -> Markup | None:
    """Horizontal bars: markers by exemption, then withheld points and exempt pages."""
    bars = sorted(((str(k), int(v)) for k, v in stats.by_exemption.items()), key=lambda kv: (-kv[1], kv[0]))
    bars += [("withheld points", stats.withheld_blocks), ("exempt pages", stats.exempt_pages)]
    if not any(v for _, v in bars):
        return None
    top_n = max(v for _, v in bars) or 1
    left, right, row_h = 130, 44, 22
    plot = width - left - right
    height = row_h * len(bars) + 8
    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="chart redaction-chart" '
           'role="img" '
           f'aria-label="What {escape(label)} withholds: '
           f'{escape(", ".join(f"{k} {v}" for k, v in bars))}">']
    for i, (k, v) in enumerate(bars):
        cy = 4 + i * row_h + row_h / 2
        cls = "bar" if i < len(bars) - 2 else "bar alt"
        out.append(f'<text x="{left - 8}" y="{cy + 4:.1f}" class="axis" text-anchor="end">{escape(k)}</text>'
                   f'<rect x="{left}" y="{cy - 7:.1f}" width="{max(plot * v / top_n, 1 if v else 0):.1f}" height="14" '
                   f'rx="2" class="{cls}"/><text x="{left + plot * v / top_n + 6:.1f}" y="{cy + 4:.1f}" '
                   f'class="value">{v}</text>')
    out.append("</svg>")
    return Markup("".join(out))
