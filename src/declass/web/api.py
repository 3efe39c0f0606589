"""The JSON API: the same data as the pages, under ``/api``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from declass.errors import UsageError
from declass.store.rows import plain
from declass.web import queries
from declass.web.data import MAX_QUERY, Library
from declass.web.pager import DEFAULT_LIMIT, CursorText, Limit
from declass.web.paging import part_of
from declass.web.queries import expand_any_spelling

router = APIRouter(prefix="/api", tags=["api"])

Text = Annotated[str | None, Query(max_length=MAX_QUERY)]
Day = Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
Scale = Annotated[str, Query(pattern=r"^(kent|icd203|phia|survey)$")]


def as_json(answer: object) -> JSONResponse:
    """An answer holding the store's typed rows as JSON: each row serialised once, by `plain`, and
    the plain data written as it is (FastAPI's encoder would walk every value of it again)."""
    return JSONResponse(plain(answer))


def lib(request: Request) -> Library:
    return request.app.state.library  # type: ignore[no-any-return]


@router.get("/documents")
def documents(
    request: Request, type: Text = None, classification: Text = None, date_from: Day = None, date_to: Day = None,
    redacted: bool | None = None, entity: Text = None, sort: Annotated[str, Query(pattern=r"^-?\w+$")] = "date",
    limit: Limit = DEFAULT_LIMIT, after: CursorText = None, before: CursorText = None,
) -> JSONResponse:
    """Documents with type, number, date, classification, pages and redaction counts, a page at a time:
    ``{"total", "offset", "limit", "items", "next", "prev"}``; pass ``next`` back as ``after``."""
    where = queries.document_filter(lib(request), type=type, classification=classification, date_from=date_from,
                                    date_to=date_to, redacted=redacted, entity=entity)
    return as_json(queries.documents_page(lib(request), where, sort=sort, limit=limit, after=after,
                                          before=before).envelope())


@router.get("/documents/{doc_id}")
def document(request: Request, doc_id: str, part: Annotated[int, Query(ge=1)] = 1) -> dict[str, Any]:
    """A document's full export record; a very long document's a part at a time (``part``)."""
    return part_of(lib(request).record(doc_id), part)


@router.get("/documents/{doc_id}/blocks/{label:path}")
def block(request: Request, doc_id: str, label: str) -> dict[str, Any]:
    """One block, with its citation."""
    from declass.corpus.cite import citation

    rec = lib(request).record(doc_id)
    b = lib(request).archive.block(rec["id"], label)
    return {"document": rec["id"], "citation": citation(rec, b), **b}


@router.get("/search")
def search(request: Request, q: Text = None, entity: Text = None, any_spelling: bool = False,
           doc: Text = None, limit: Limit = 20) -> list[dict[str, Any]]:
    """Full-text search (FTS5 syntax), optionally every spelling of an entity."""
    query = expand_any_spelling(lib(request), q) if any_spelling and q else q
    hits = lib(request).search(query, limit=limit, document=doc, entity=entity)
    return [h.to_dict() for h in hits]


@router.get("/entities")
def entities(request: Request, doc: Text = None, type: Text = None, limit: Limit = DEFAULT_LIMIT,
             after: CursorText = None) -> JSONResponse:
    """Mentions per canonical entity, the most mentioned first, a page at a time."""
    return as_json(queries.paged(lib(request).archive.entities, doc, type_=type, limit=limit, after=after).envelope())


@router.get("/entities/{name:path}")
def entity(request: Request, name: str, limit: Limit = DEFAULT_LIMIT, after: CursorText = None,
           before: CursorText = None) -> JSONResponse:
    """An entity: its canonical record, the names it is seen under (with counts and years), how
    many documents name it, and its mentions a page at a time, each cited (``items``)."""
    from declass.web.pages import cited_mentions

    ent = lib(request).gazetteer.lookup(name)
    if ent is None:
        raise UsageError("E401", f"no entity called {name!r} in the gazetteer (try 'declass entities')")
    ids = lib(request).archive.entity_ids(name, lib(request).gazetteer_files)
    seen = lib(request).memo(f"names-seen:{chr(31).join(ids)}", lambda: queries.names_seen(lib(request), ids))
    window = queries.mentions_page(lib(request), ids, limit=limit, after=after, before=before, total=seen.mentions)
    keep = ("document", "block", "id", "canonical", "type", "text", "start", "end", "metonymy", "in_deleted_text",
            "date", "doc_number", "title", "citation")
    items = [{k: d[k] for k in keep} for d in (m.to_dict() for m in cited_mentions(window.items))]
    return as_json({"entity": ent.to_dict(), "forms_seen": {n: c for n, c, _ in seen.names},
                    "document_count": seen.documents, **window.envelope(items)})


@router.get("/judgments")
def judgments(request: Request, doc: Text = None, scale: Scale = "kent", term: Text = None,
              min: Annotated[float, Query(ge=0, le=1)] = 0.0,
              max: Annotated[float, Query(ge=0, le=1)] = 1.0, limit: Limit = DEFAULT_LIMIT,
              after: CursorText = None) -> JSONResponse:
    """Judgments with their range under a scale, in document date and reading order, a page at a time."""
    return as_json(queries.judgments_window(lib(request), doc, scale=scale, low=min, high=max, term=term, limit=limit,
                                          after=after).envelope())


@router.get("/events")
def events(request: Request, entity: Text = None, date_from: Day = None, date_to: Day = None,
           limit: Limit = DEFAULT_LIMIT, after: CursorText = None) -> JSONResponse:
    """The timeline: dated events, deadlines, durations, cited, in date order, a page at a time."""
    return as_json(queries.events_window(lib(request), entity=entity, start=date_from, end=date_to, limit=limit,
                                       after=after).envelope())


@router.get("/scores")
def scores(request: Request, scale: Scale = "kent",
           by: Annotated[str | None, Query(pattern=r"^(document|term|agency)$")] = None) -> JSONResponse:
    """Brier and log scores and calibration, when the server has an outcomes file."""
    s = lib(request).scores(scale, by)
    if s is None:
        return as_json({"available": False, "detail": "no outcomes file: start the server with --outcomes FILE"})
    return as_json({"available": True, **s.to_dict()})
