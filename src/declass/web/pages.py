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

from declass.corpus.cite import citation
from declass.errors import UsageError
from declass.stages.judgments.scales import BUILTIN
from declass.web.charts import judgment_strip, redaction_chart, term_chart, timeline_svg
from declass.web.data import MAX_QUERY, Library
from declass.web.geo import Place, place_map
from declass.web.geo import label as geo_label
from declass.web.queries import (
    documents_filtered,
    expand_any_spelling,
    facets,
    short_name,
    short_names,
    summary_record,
)
from declass.web.render import in_context, probability_bar

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
                names={d: short_name(x) for d, x in docs.items()},
                date_from=date_from or "", date_to=date_to or "")


def entity_map(lib: Library, e: dict[str, Any]) -> Markup | None:
    """A place's map: coastlines and borders, the archive's places in view named as the documents name them."""
    if e.get("lat") is None or e.get("lon") is None:
        return None
    gaz = lib.gazetteer
    used = {r["id"]: r["forms"] for r in lib.archive.entities(type_="place") if r["id"]}
    others = [Place(geo_label(x, used.get(x.id, {})), float(x.lat), float(x.lon), x.id in used)
              for x in gaz.entities.values() if x.type == "place" and x.lat is not None and x.lon is not None]
    ent = gaz.entities.get(e["id"])
    name = geo_label(ent, used.get(e["id"], {})) if ent is not None else e["name"]
    return place_map(Place(name, float(e["lat"]), float(e["lon"]), True), others)


def mentions_in_context(lib: Library, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every mention with the sentence it stands in; the same sentence met again
    (two mentions in it, or a passage repeated) is one line with a count."""
    lines: dict[str, dict[str, Any]] = {}
    for m in mentions:
        rec = lib.record(m["document"])
        found = next((x for x in rec["entities"] if x["block"] == m["block"] and x["start"] == m["start"]), None)
        block = next((b for b in rec["blocks"] if b["label"] == m["block"]), None)
        if found is None or block is None or "in_block" not in found:
            context = Markup(f"<mark>{Markup.escape(m['text'])}</mark>")
        else:
            context = in_context(block["text"], *found["in_block"])
        key = " ".join(str(context).replace("<mark>", "").replace("</mark>", "").split())  # the passage, unmarked
        line = lines.setdefault(key, {"context": context, "count": 0, "places": [], "mention": m})
        line["count"] += 1
        place = (m["document"], m["block"])
        if place not in [(p["document"], p["block"]) for p in line["places"]]:
            line["places"].append({"document": m["document"], "block": m["block"], "date": m.get("date")})
    return list(lines.values())


def names_with_periods(mentions: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """The names an entity appears under, each with its count and the span of its documents' dates."""
    seen: dict[str, list[str]] = {}
    count: dict[str, int] = {}
    for m in mentions:
        count[m["text"]] = count.get(m["text"], 0) + 1
        if m.get("date"):
            seen.setdefault(m["text"], []).append(m["date"][:4])
    out = []
    for name in sorted(count, key=lambda n: -count[n]):
        years = sorted(seen.get(name, []))
        period = "" if not years else years[0] if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
        out.append((name, count[name], period))
    return out


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
    amap = entity_map(lib(request), e) if e["type"] == "place" else None
    return page(request, "entity.html", e=e, found=found, co=co[:20], map=amap, names=short_names(lib(request)),
                lines=mentions_in_context(lib(request), found["mentions"]),
                forms=names_with_periods(found["mentions"]))


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
    every = lib(request).archive.judgments(doc or None, scale=scale)
    terms = sorted({r["term"] for r in every})
    names = short_names(lib(request))
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in every:
        by_doc.setdefault(r["document"], []).append(r)
    strips = [(d, names.get(d, d), judgment_strip(d, js, scale)) for d, js in by_doc.items()]
    return page(request, "judgments.html", rows=rows, scale=scale, scales=BUILTIN, doc=doc or "", term=term or "",
                terms=terms, names=names, chart=term_chart(every, scale), strips=strips, min=min, max=max, sort=sort,
                scored=lib(request).outcomes is not None)


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request, entity: Text = None, date_from: Day = None, date_to: Day = None) -> HTMLResponse:
    rows = lib(request).archive.timeline(entity=entity or None, start=date_from or None, end=date_to or None,
                                         gazetteer=lib(request).gazetteer_files)
    names = short_names(lib(request))
    years: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        at = r["start"] - r.get("sentence_start", r["start"])
        if r["text"][at:at + len(r["phrase"])] != r["phrase"]:
            at = r["text"].find(r["phrase"])
        r["context"] = in_context(r["text"], at, at + len(r["phrase"])) if at >= 0 else \
            in_context(r["text"], 0, 0, width=220)
        years.setdefault(r["date"][:4], []).append(r)
    return page(request, "timeline.html", rows=rows, years=years, names=names, svg=timeline_svg(rows, names),
                entity=entity or "", date_from=date_from or "", date_to=date_to or "")


@router.get("/scores", response_class=HTMLResponse)
def scores(request: Request, scale: Scale = "kent",
           by: Annotated[str | None, Query(pattern=r"^(document|term|agency)?$")] = None) -> HTMLResponse:
    result = lib(request).scores(scale, by or None)
    return page(request, "scores.html", result=result, scale=scale, scales=BUILTIN, by=by or "",
                names=short_names(lib(request)))


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
def redactions(request: Request) -> HTMLResponse:
    report = lib(request).archive.redaction_report()
    names = short_names(lib(request))
    docs = [{"id": d["id"], "name": names.get(d["id"], d["id"]), "stats": d["statistics"],
             "chart": redaction_chart(d["statistics"], label=names.get(d["id"], d["id"]))}
            for d in report["documents"]]
    docs.sort(key=lambda d: -(d["stats"]["markers"] + d["stats"]["withheld_blocks"] + d["stats"]["exempt_pages"]))
    totals = {**report["corpus"], "exempt_pages": sum(d["stats"].get("exempt_pages") or 0 for d in docs)}
    return page(request, "redactions.html", docs=docs, totals=totals, chart=redaction_chart(totals))
