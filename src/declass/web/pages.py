"""The reading room's pages: archive, reader, search, entity, judgments,
timeline, scores.  Each handler gathers plain data; templates render it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from declass.corpus.cite import citation
from declass.errors import UsageError
from declass.stages.judgments.scales import BUILTIN
from declass.web import queries
from declass.web.charts import judgment_strip, redaction_chart, term_bars, timeline_svg
from declass.web.data import MAX_QUERY, Library
from declass.web.geo import Place, frame, place_map
from declass.web.geo import label as geo_label
from declass.web.pager import DEFAULT_LIMIT, CursorText, Limit
from declass.web.queries import expand_any_spelling, facets, names_of, short_name, summary_record
from declass.web.render import in_context, probability_bar

if TYPE_CHECKING:
    from collections.abc import Sequence

    from declass.archive.answers import RedactionTotals
    from declass.store.rows import MentionInBlock, StoredEvent

router = APIRouter()
Text = Annotated[str | None, Query(max_length=MAX_QUERY)]
Day = Annotated[str | None, Query(max_length=10, pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")]
Scale = Annotated[str, Query(pattern=r"^(kent|icd203|phia|survey)$")]


def lib(request: Request) -> Library:
    return request.app.state.library  # type: ignore[no-any-return]


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context)  # type: ignore[no-any-return]


@router.get("/", response_class=HTMLResponse)
def archive(request: Request, type: Text = None, classification: Text = None, date_from: Day = None,
            date_to: Day = None, redacted: str | None = None, entity: Text = None,
            sort: Annotated[str, Query(pattern=r"^-?\w+$")] = "date", limit: Limit = DEFAULT_LIMIT,
            after: CursorText = None, before: CursorText = None) -> HTMLResponse:
    flag = {"yes": True, "no": False}.get(redacted or "")
    where = queries.document_filter(lib(request), type=type, classification=classification, date_from=date_from,
                                    date_to=date_to, redacted=flag, entity=entity)
    docs = queries.documents_page(lib(request), where, sort=sort, limit=limit, after=after, before=before)
    types, classifications = lib(request).memo("choices", lambda: queries.document_choices(lib(request)))
    return page(request, "archive.html", docs=docs, total=queries.document_count(lib(request)), sort=sort,
                types=types, classifications=classifications,
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
    docs = queries.documents_by_id(lib(request), {h.document for h in hits})
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
                names={d: short_name(x) for d, x in docs.items()},
                date_from=date_from or "", date_to=date_to or "")


def entity_map(lib: Library, e: dict[str, Any]) -> Markup | None:
    """A place's map: coastlines and borders, the archive's places in view named as the documents name them."""
    if e.get("lat") is None or e.get("lon") is None:
        return None
    gaz = lib.gazetteer
    west, east, south, north = frame(float(e["lat"]), float(e["lon"]))
    near = [(x, float(x.lat), float(x.lon)) for x in gaz.entities.values()
            if x.type == "place" and x.lat is not None and x.lon is not None
            and west <= float(x.lon) <= east and south <= float(x.lat) <= north]
    used = lib.memo(f"place-forms:{e['id']}",
                    lambda: queries.place_forms(lib, [e["id"], *(x.id for x, _, _ in near)]))
    others = [Place(geo_label(x, used.get(x.id, {})), lat, lon, x.id in used) for x, lat, lon in near]
    ent = gaz.entities.get(e["id"])
    name = geo_label(ent, used.get(e["id"], {})) if ent is not None else e["name"]
    return place_map(Place(name, float(e["lat"]), float(e["lon"]), True), others)


def cited_mentions(mentions: Sequence[MentionInBlock]) -> list[MentionInBlock]:
    """Each mention with its citation (made from the page's own row: its document's summary, its block).
    The mentions are a page the store has just read (`queries.mentions_page`), held by nothing else: each
    is filled in where it stands (``fresh``), not copied."""
    out = []
    for m in mentions:
        block = {"label": m.block, "kind": m.block_kind or "", "parent": m.block_parent,
                 "label_inferred": m.label_inferred}
        out.append(m.cited(citation(summary_record(m.summary()), block if m.block_kind else None), m.doc_number,
                           m.title, fresh=True))
    return out


def mentions_in_context(mentions: Sequence[MentionInBlock]) -> list[dict[str, Any]]:
    """Each mention (cited) with the sentence it stands in (cut from its block's text); the same
    sentence met again (two mentions in it, or a passage repeated) is one line with a count."""
    lines: dict[str, dict[str, Any]] = {}
    for m in cited_mentions(mentions):
        span = queries.in_block(m)
        if span is None or m.block_text is None:
            context = Markup(f"<mark>{Markup.escape(m.text)}</mark>")
        else:
            context = in_context(m.block_text, *span)
        key = " ".join(str(context).replace("<mark>", "").replace("</mark>", "").split())  # the passage, unmarked
        line = lines.setdefault(key, {"context": context, "count": 0, "places": [], "mention": m})
        line["count"] += 1
        place = (m.document, m.block)
        if place not in [(p["document"], p["block"]) for p in line["places"]]:
            line["places"].append({"document": m.document, "block": m.block, "date": m.date})
    return list(lines.values())


@router.get("/entity/{name:path}", response_class=HTMLResponse)
def entity(request: Request, name: str, limit: Limit = DEFAULT_LIMIT, after: CursorText = None,
           before: CursorText = None) -> HTMLResponse:
    gaz = lib(request).gazetteer
    ent = gaz.lookup(name)
    if ent is None:
        raise UsageError("E401", f"no entity called {name!r} in the gazetteer (try 'declass entities')")
    e = ent.to_dict()
    ids = lib(request).archive.entity_ids(name, lib(request).gazetteer_files)
    seen = lib(request).memo(f"names-seen:{chr(31).join(ids)}", lambda: queries.names_seen(lib(request), ids))
    mentions = queries.mentions_page(lib(request), ids, limit=limit, after=after, before=before,
                                     total=seen.mentions)
    amap = entity_map(lib(request), e) if e["type"] == "place" else None
    co = lib(request).memo(f"cooccurring:{e['id']}", lambda: queries.cooccurring(lib(request), e["id"]))
    return page(request, "entity.html", e=e, mentions=mentions, co=co, map=amap,
                names={m.document: short_name(m.summary()) for m in mentions.items}, documents=seen.documents,
                lines=mentions_in_context(mentions.items), forms=seen.names)


@router.get("/judgments", response_class=HTMLResponse)
def judgments(request: Request, scale: Scale = "kent", doc: Text = None, term: Text = None,
              min: Annotated[float, Query(ge=0, le=1)] = 0.0, max: Annotated[float, Query(ge=0, le=1)] = 1.0,
              limit: Limit = DEFAULT_LIMIT, after: CursorText = None) -> HTMLResponse:
    rows = queries.judgments_window(lib(request), doc or None, scale=scale, low=min, high=max, term=term,
                                    limit=limit, after=after)
    outcomes = lib(request).outcome_of(scale)
    items = [(r, outcomes.get((r.document, r.id)), Markup(probability_bar(r.range))) for r in rows.items]
    terms = lib(request).memo(f"terms:{doc or ''}:{scale}",  # an aggregate over every judgment: once per archive state
                              lambda: queries.judgment_terms(lib(request), doc or None, scale))
    on_page = list(dict.fromkeys(r.document for r in rows.items))
    names = queries.names_of(lib(request), on_page)
    cells = lib(request).archive.judgment_cells(on_page, scale=scale)
    strips = [(d, names.get(d, d), judgment_strip(d, cells[d], scale)) for d in on_page]
    return page(request, "judgments.html", rows=rows, items=items, scale=scale, scales=BUILTIN, doc=doc or "",
                term=term or "", terms=sorted(t.term for t in terms), names=names,
                chart=term_bars(terms, scale), strips=strips, min=min, max=max,
                scored=lib(request).outcomes is not None)


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request, entity: Text = None, date_from: Day = None, date_to: Day = None,
             limit: Limit = DEFAULT_LIMIT, after: CursorText = None) -> HTMLResponse:
    rows = queries.events_window(lib(request), entity=entity, start=date_from, end=date_to, limit=limit,
                                 after=after)
    names = queries.names_of(lib(request), (r.document for r in rows.items))
    years: dict[str, list[tuple[StoredEvent, Markup]]] = {}
    for r in rows.items:
        at = r.start - r.sentence_start
        if r.text[at:at + len(r.phrase)] != r.phrase:
            at = r.text.find(r.phrase)
        context = in_context(r.text, at, at + len(r.phrase)) if at >= 0 else in_context(r.text, 0, 0, width=220)
        years.setdefault(r.date[:4], []).append((r, context))
    return page(request, "timeline.html", rows=rows, years=years, names=names, svg=timeline_svg(rows.items, names),
                entity=entity or "", date_from=date_from or "", date_to=date_to or "")


@router.get("/scores", response_class=HTMLResponse)
def scores(request: Request, scale: Scale = "kent",
           by: Annotated[str | None, Query(pattern=r"^(document|term|agency)?$")] = None) -> HTMLResponse:
    result = lib(request).scores(scale, by or None)
    cited = {r.document for r in (*result.scored, *result.ambiguous, *result.no_probability)} if result else set()
    return page(request, "scores.html", result=result, scale=scale, scales=BUILTIN, by=by or "",
                names=names_of(lib(request), cited))


@router.get("/scores/calibration.svg")
def calibration_svg(request: Request, scale: Scale = "kent") -> Response:
    from declass.corpus.score import plot

    result = lib(request).scores(scale)
    if result is None:
        raise UsageError("E401", "no outcomes file: start the server with --outcomes FILE")
    with tempfile.TemporaryDirectory() as tmp:
        svg = plot(result, Path(tmp) / "cal")[1].read_text("utf-8")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=300"})


@router.get("/redactions", response_class=HTMLResponse)
def redactions(request: Request, limit: Limit = DEFAULT_LIMIT, after: CursorText = None) -> HTMLResponse:
    archive = lib(request).archive
    corpus: list[RedactionTotals] = []

    def report_page(limit: int, after: str | None) -> Any:
        rep = archive.redaction_report(limit=limit, after=after, sort="most", redactions=False)  # most withheld first
        corpus.append(rep.corpus)
        return rep.documents

    window = queries.paged(report_page, limit=limit, after=after)
    names = names_of(lib(request), (d.id for d in window.items))
    docs = window.map(lambda d: {"id": d.id, "name": names.get(d.id, d.id), "stats": d.statistics,
                                 "chart": redaction_chart(d.statistics, label=names.get(d.id, d.id))})
    totals = corpus[-1]
    return page(request, "redactions.html", docs=docs, totals=totals, chart=redaction_chart(totals))
