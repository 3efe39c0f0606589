"""The JSON API: the same data as the pages, under ``/api``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from declass.web.data import MAX_QUERY, Library
from declass.web.paging import part_of
from declass.web.queries import documents_filtered, expand_any_spelling

router = APIRouter(prefix="/api", tags=["api"])

Limit = Annotated[int, Query(ge=1, le=200)]
Text = Annotated[str | None, Query(max_length=MAX_QUERY)]
Day = Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
Scale = Annotated[str, Query(pattern=r"^(kent|icd203|phia|survey)$")]


def lib(request: Request) -> Library:
    return request.app.state.library  # type: ignore[no-any-return]


@router.get("/documents")
def documents(
    request: Request, type: Text = None, classification: Text = None, date_from: Day = None, date_to: Day = None,
    redacted: bool | None = None, entity: Text = None, sort: Annotated[str, Query(pattern=r"^-?\w+$")] = "date",
) -> list[dict[str, Any]]:
    """Documents with type, number, date, classification, pages and redaction counts."""
    return documents_filtered(lib(request), type=type, classification=classification, date_from=date_from,
                              date_to=date_to, redacted=redacted, entity=entity, sort=sort)


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
def entities(request: Request, doc: Text = None, type: Text = None) -> list[dict[str, Any]]:
    """Mentions per canonical entity."""
    return lib(request).archive.entities(doc, type_=type)


@router.get("/entities/{name:path}")
def entity(request: Request, name: str) -> dict[str, Any]:
    """An entity: canonical record, names seen, every mention with its citation."""
    return lib(request).archive.entity(name, gazetteer=lib(request).gazetteer_files)


@router.get("/judgments")
def judgments(request: Request, doc: Text = None, scale: Scale = "kent",
              min: Annotated[float, Query(ge=0, le=1)] = 0.0,
              max: Annotated[float, Query(ge=0, le=1)] = 1.0) -> list[dict[str, Any]]:
    """Judgments with their range under a scale."""
    return lib(request).archive.judgments(doc, scale=scale, low=min, high=max)


@router.get("/events")
def events(request: Request, entity: Text = None, date_from: Day = None, date_to: Day = None) -> list[dict[str, Any]]:
    """The timeline: dated events, deadlines, durations, cited."""
    return lib(request).archive.timeline(entity=entity, start=date_from, end=date_to,
                                         gazetteer=lib(request).gazetteer_files)


@router.get("/scores")
def scores(request: Request, scale: Scale = "kent",
           by: Annotated[str | None, Query(pattern=r"^(document|term|agency)$")] = None) -> dict[str, Any]:
    """Brier and log scores and calibration, when the server has an outcomes file."""
    s = lib(request).scores(scale, by)
    if s is None:
        return {"available": False, "detail": "no outcomes file: start the server with --outcomes FILE"}
    return {"available": True, **s}
