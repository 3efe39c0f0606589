"""The reading room's pages: archive, reader, search, entity, judgments,
timeline, scores.  Each handler gathers plain data; templates render it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from declass.cite import citation
from declass.errors import UsageError
from declass.scales import BUILTIN
from declass.web.data import MAX_QUERY, Library
from declass.web.queries import documents_filtered, expand_any_spelling, facets, short_names, summary_record
from declass.web.render import probability_bar

router = APIRouter()
Text = Annotated[str | None, Query(max_length=MAX_QUERY)]
Day = Annotated[str | None, Query(max_length=10, pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")]
Scale = Annotated[str, Query(pattern=r"^(kent|icd203|phia|survey)$")]


def lib(request: Request) -> Library:
    return request.app.state.library  # type: ignore[no-any-return]


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context)  # type: ignore[no-any-return]


def value(md: dict[str, Any], key: str) -> Any:
    v = md.get(key)
    return v.get("value") if isinstance(v, dict) else v


@router.get("/", response_class=HTMLResponse)
def archive(request: Request, type: Text = None, classification: Text = None, date_from: Day = None,
            date_to: Day = None, redacted: str | None = None, entity: Text = None,
            sort: Annotated[str, Query(pattern=r"^-?\w+$")] = "date") -> HTMLResponse:
    everything = lib(request).archive.documents()
    flag = {"yes": True, "no": False}.get(redacted or "")
    docs = documents_filtered(lib(request), type=type, classification=classification, date_from=date_from or None,
                              date_to=date_to or None, redacted=flag, entity=entity or None, sort=sort)
    return page(request, "archive.html", docs=docs, total=len(everything), sort=sort,
                types=sorted({d["doc_type"] for d in everything if d["doc_type"]}),
                classifications=sorted({d["classification"] for d in everything if d["classification"]}),
                q={"type": type or "", "classification": classification or "", "date_from": date_from or "",
                   "date_to": date_to or "", "redacted": redacted or "", "entity": entity or ""})


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: Text = None, entity: Text = None, any_spelling: bool = False,
           type: Text = None, date_from: Day = None, date_to: Day = None) -> HTMLResponse:
    hits: list[Any] = []
    error = None
    query = (q or "").strip()
    if query or entity:
        try:
            expanded = expand_any_spelling(lib(request), query) if any_spelling and query else query
            hits = lib(request).search(expanded or None, limit=50, entity=entity or None)
        except UsageError as exc:
            error = exc.message
    docs = {d["id"]: d for d in lib(request).archive.documents()}
    if type:
        hits = [h for h in hits if (docs.get(h.document) or {}).get("doc_type") == type]
    if date_from:
        hits = [h for h in hits if ((docs.get(h.document) or {}).get("date") or "") >= date_from]
    if date_to:
        hits = [h for h in hits if ((docs.get(h.document) or {}).get("date") or "9999")[: len(date_to)] <= date_to]
    rows = []
    blocks = lib(request).archive.store.block_rows([(h.document, h.label) for h in hits])
    for h in hits:
        rec = summary_record(docs.get(h.document) or {"id": h.document})
        block = blocks.get((h.document, h.label))
        spans = sorted(h.highlights)
        out, pos = [], 0
        for s, e in spans:
            out.append(str(Markup.escape(h.snippet[pos:s])) + "<mark>" + str(Markup.escape(h.snippet[s:e])) + "</mark>")
            pos = e
        out.append(str(Markup.escape(h.snippet[pos:])))
        rows.append({"hit": h, "snippet": Markup("".join(out)), "citation": citation(rec, block),
                     "href": f"/doc/{quote(h.document)}#{quote(h.label)}"})
    return page(request, "search.html", q=query, entity=entity or "", any_spelling=any_spelling, rows=rows,
                error=error, facets=facets(lib(request), hits, docs) if hits else None, type=type or "",
                date_from=date_from or "", date_to=date_to or "")


def world_map(lib: Library, lat: float | None, lon: float | None, name: str) -> Markup:
    """An equirectangular sketch: graticule, every gazetteer place as a faint dot, this place marked."""
    w, h = 720, 360

    def xy(la: float, lo: float) -> tuple[float, float]:
        return (lo + 180) * 2, (90 - la) * 2

    parts = [f'<svg viewBox="0 0 {w} {h}" class="map" role="img" aria-label="map: {Markup.escape(name)}">',
             f'<rect width="{w}" height="{h}" class="sea"/>']
    for lo in range(-180, 181, 30):
        parts.append(f'<line x1="{(lo + 180) * 2}" y1="0" x2="{(lo + 180) * 2}" y2="{h}" class="grid"/>')
    for la in range(-90, 91, 30):
        parts.append(f'<line x1="0" y1="{(90 - la) * 2}" x2="{w}" y2="{(90 - la) * 2}" class="grid"/>')
    for e in lib.gazetteer.entities.values():
        if e.lat is not None and e.lon is not None:
            x, y = xy(float(e.lat), float(e.lon))
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6" class="place"><title>{Markup.escape(e.name)}'
                         "</title></circle>")
    if lat is not None and lon is not None:
        x, y = xy(float(lat), float(lon))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" class="here"/>'
                     f'<text x="{x + 9:.1f}" y="{y + 4:.1f}" class="here-label">{Markup.escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@router.get("/entity/{name:path}", response_class=HTMLResponse)
def entity(request: Request, name: str) -> HTMLResponse:
    found = lib(request).archive.entity(name, gazetteer=lib(request).gazetteer_files)
    e = found["entity"]
    edges = lib(request).archive.cooccurrence()
    co = []
    for x in edges:
        if x["source"] == e["id"]:
            co.append((x["target"], x["target_name"], x["weight"]))
        elif x["target"] == e["id"]:
            co.append((x["source"], x["source_name"], x["weight"]))
    co.sort(key=lambda t: -t[2])
    amap = world_map(lib(request), e.get("lat"), e.get("lon"), e["name"]) if e["type"] == "place" else None
    return page(request, "entity.html", e=e, found=found, co=co[:20], map=amap)


@router.get("/judgments", response_class=HTMLResponse)
def judgments(request: Request, scale: Scale = "kent", doc: Text = None, term: Text = None,
              min: Annotated[float, Query(ge=0, le=1)] = 0.0, max: Annotated[float, Query(ge=0, le=1)] = 1.0,
              sort: Annotated[str, Query(pattern=r"^-?(document|block|term|low|horizon)$")] = "document"
              ) -> HTMLResponse:
    rows = lib(request).archive.judgments(doc or None, scale=scale, low=min, high=max)
    if term:
        rows = [r for r in rows if r["term"] == term]
    outcomes = lib(request).outcome_of(scale)
    for r in rows:
        r["outcome"] = outcomes.get((r["document"], r["id"]))
        r["bar"] = Markup(probability_bar(r["range"]))
    key = sort.lstrip("-")
    getters = {"block": lambda r: r["block"], "term": lambda r: r["term"],
               "low": lambda r: (r["range"] or [2])[0], "horizon": lambda r: r["horizon_end"] or "9999"}
    if key != "document":
        rows.sort(key=getters[key], reverse=sort.startswith("-"))
    terms = sorted({r["term"] for r in lib(request).archive.judgments(doc or None, scale=scale)})
    return page(request, "judgments.html", rows=rows, scale=scale, scales=BUILTIN, doc=doc or "", term=term or "",
                terms=terms, names=short_names(lib(request)), min=min, max=max, sort=sort,
                scored=lib(request).outcomes is not None)


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request, entity: Text = None, date_from: Day = None, date_to: Day = None) -> HTMLResponse:
    rows = lib(request).archive.timeline(entity=entity or None, start=date_from or None, end=date_to or None,
                                         gazetteer=lib(request).gazetteer_files)
    return page(request, "timeline.html", rows=rows, entity=entity or "", date_from=date_from or "",
                date_to=date_to or "")


@router.get("/scores", response_class=HTMLResponse)
def scores(request: Request, scale: Scale = "kent",
           by: Annotated[str | None, Query(pattern=r"^(document|term|agency)?$")] = None) -> HTMLResponse:
    result = lib(request).scores(scale, by or None)
    return page(request, "scores.html", result=result, scale=scale, scales=BUILTIN, by=by or "")


@router.get("/scores/calibration.svg")
def calibration_svg(request: Request, scale: Scale = "kent") -> Response:
    from declass.score import plot

    result = lib(request).scores(scale)
    if result is None:
        raise UsageError("E401", "no outcomes file: start the server with --outcomes FILE")
    with tempfile.TemporaryDirectory() as tmp:
        svg = plot(result, Path(tmp) / "cal")[1].read_text("utf-8")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=300"})
