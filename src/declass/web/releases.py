"""The reading room's releases: a "release" reading of a document that has a
later release (revealed text marked, each linked to the mark it fills in the
earlier release), and the Releases page with the archive's figures as
server-drawn SVG charts (nothing loaded from outside)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup, escape

from declass.corpus.cite import block_reference, document_citation
from declass.errors import UsageError
from declass.store.rows import plain
from declass.web.pager import DEFAULT_LIMIT, CursorText, Limit
from declass.web.queries import paged

if TYPE_CHECKING:
    from declass.corpus.releases.characterise import RevealedSpan
    from declass.corpus.releases.compare import Comparison
    from declass.corpus.releases.stats import ReleaseStats
    from declass.store.rows import StoredRelease


def as_json(answer: object) -> JSONResponse:
    """An answer holding typed rows as JSON, each written once by `plain` (as `declass.web.api` does)."""
    return JSONResponse(plain(answer))

router = APIRouter()


def _lib(request: Request) -> Any:
    return request.app.state.library


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    page: HTMLResponse = request.app.state.templates.TemplateResponse(request, name, context)
    return page


def bar_chart(rows: list[tuple[str, float]], *, label: str, percent: bool = False, width: int = 560) -> Markup:
    """Horizontal bars, one a row, drawn as SVG (labels and values as text)."""
    if not rows:
        return Markup('<p class="count">nothing to chart</p>')
    top = max(v for _, v in rows) or 1.0
    bar_h, gap, left, right = 18, 8, 200, 80
    h = len(rows) * (bar_h + gap) + gap
    parts = [f'<svg class="chart" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" '
             f'aria-label="{escape(label)}"><title>{escape(label)}</title>']
    for i, (name, v) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = (width - left - right) * (v / top)
        shown = f"{v:.1%}" if percent else f"{v:,.0f}"
        parts.append(f'<text x="{left - 6}" y="{y + bar_h - 5}" text-anchor="end" class="axis">{escape(name)}</text>'
                     f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" class="bar"><title>{escape(name)}: '
                     f'{shown}</title></rect><text x="{left + w + 5:.1f}" y="{y + bar_h - 5}" class="value">{shown}'
                     "</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


@router.get("/releases", response_class=HTMLResponse)
def releases_page(request: Request, limit: Limit = DEFAULT_LIMIT, after: CursorText = None) -> HTMLResponse:
    data = _lib(request).archive.release_stats()
    a = data.archive
    charts = [
        ("Share of the text withheld in the earlier release, by year of document",
         bar_chart([(y, v["withheld_share"]) for y, v in a.by_year.items()], label="withheld share by year",
                   percent=True)),
        ("Revealed letters by what withheld them in the earlier release",
         bar_chart([(k.replace("_", " "), v) for k, v in a.by_withheld.items()], label="by what withheld them")),
        ("Revealed letters by scope", bar_chart([(k, v) for k, v in a.by_scope.items()], label="by scope")),
        ("Revealed letters by content", bar_chart([(k.replace("method:", "method: ").replace(
            "entity:", "names a ").replace("_", " "), v) for k, v in a.by_kind.items()], label="by content")),
    ]
    pairs = paged(lambda: data.pairs, limit=limit, after=after)  # the archive's figures above count every pair
    return _page(request, "releases.html", stats=a, pairs=pairs, charts=charts)


def _marked(text: str, pieces: list[tuple[int, int, RevealedSpan]]) -> Markup:
    """A block's text with the revealed pieces wrapped in links to what hid them."""
    out, pos = [], 0
    for s, e, span in sorted(pieces, key=lambda p: p[0]):
        if s < pos:
            continue
        out.append(str(escape(text[pos:s])))
        out.append(f'<mark class="revealed" id="rev-{span.index + 1}" data-scope="{escape(span.scope)}">'
                   f'{escape(text[s:e])}<a class="fills" href="#fills-{span.index + 1}" '
                   f'title="what hid it in the earlier release">[{span.index + 1}]</a></mark>')
        pos = e
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _pair_of(archive: Any, doc_id: str, other: str | None) -> StoredRelease:
    """The release pair of ``doc_id`` (with ``other``, if named); E401 when there is none."""
    pairs = archive.releases_of(doc_id)
    if other:
        want = archive.resolve(other)
        pairs = [p for p in pairs if want in (p.earlier, p.later)]
    if not pairs:
        raise UsageError("E401", f"{doc_id!r} has no other release paired with it (see /releases)")
    first: StoredRelease = pairs[0]
    return first


@router.get("/doc/{doc_id}/release", response_class=HTMLResponse)
def release_reading(request: Request, doc_id: str, other: str | None = None) -> HTMLResponse:
    archive = _lib(request).archive
    p = _pair_of(archive, doc_id, other)
    comparison: Comparison = archive.compare(p.earlier, p.later)
    earlier, later = archive.get(p.earlier), archive.get(p.later)
    by_block: dict[str, list[tuple[int, int, RevealedSpan]]] = {}
    for span in comparison.revealed:
        for piece in span.pieces:
            by_block.setdefault(piece.block, []).append((piece.start, piece.end, span))
    blocks = [{"block": b, "html": _marked(b["text"], by_block.get(b["label"], [])),
               "revealed": b["label"] in by_block} for b in sorted(later["blocks"], key=lambda b: b["start"])]
    earlier_refs = {b["label"]: block_reference(b) for b in earlier["blocks"]}
    notes = []
    for span in comparison.revealed:
        w = span.withheld_by
        notes.append({"span": span, "w": w, "ref": earlier_refs.get(w.block or "", w.block),
                      "href": f"/doc/{quote(earlier['id'])}#{quote(w.block)}" if w.block else None})
    return _page(request, "release.html", c=comparison, blocks=blocks, notes=notes, pair=p,
                 earlier=earlier, later=later, earlier_cite=document_citation(earlier),
                 later_cite=document_citation(later), others=archive.releases_of(doc_id))


@router.get("/api/releases", tags=["api"])
def api_releases(request: Request, limit: Limit = DEFAULT_LIMIT, after: CursorText = None) -> JSONResponse:
    """Pairs of releases of one document, earlier first (how each was found and ordered), a page at a time."""
    pairs: list[StoredRelease] = _lib(request).archive.releases()
    return as_json(paged(lambda: pairs, limit=limit, after=after).envelope())


@router.get("/api/releases/stats", tags=["api"])
def api_release_stats(request: Request) -> JSONResponse:
    """Each pair's figures and the archive's: share withheld, by year, by what withheld it, by scope, by content."""
    stats: ReleaseStats = _lib(request).archive.release_stats()
    return as_json(stats)


@router.get("/api/documents/{doc_id}/release", tags=["api"])
def api_release(request: Request, doc_id: str, other: str | None = None) -> dict[str, Any]:
    """What the later release of a pair revealed: spans cited in both releases, OCR noise, removed text."""
    archive = _lib(request).archive
    p = _pair_of(archive, doc_id, other)
    compared: dict[str, Any] = archive.compare(p.earlier, p.later).to_dict()
    return compared
