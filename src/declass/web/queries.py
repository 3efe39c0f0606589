"""Queries shared by the pages and the API."""

from __future__ import annotations

from collections import Counter
from typing import Any

from declass.errors import UsageError
from declass.web.data import Library

SORTABLE = ("date", "doc_type", "doc_number", "title", "classification", "pages", "redactions", "withheld", "id")


def documents_filtered(lib: Library, *, type: str | None = None, classification: str | None = None,
                       date_from: str | None = None, date_to: str | None = None, redacted: bool | None = None,
                       entity: str | None = None, sort: str = "date") -> list[dict[str, Any]]:
    docs = lib.archive.documents()
    if type:
        docs = [d for d in docs if (d["doc_type"] or "") == type]
    if classification:
        docs = [d for d in docs if (d["classification"] or "") == classification]
    if date_from:
        docs = [d for d in docs if d["date"] and d["date"] >= date_from]
    if date_to:
        docs = [d for d in docs if d["date"] and d["date"][: len(date_to)] <= date_to]
    if redacted is not None:
        docs = [d for d in docs if bool(d["redactions"] or d["withheld"]) == redacted]
    if entity:
        ids = lib.archive.entity_ids(entity, lib.gazetteer_files)
        having = {m["document"] for m in lib.archive.store.mentions(entity_ids=ids)}
        docs = [d for d in docs if d["id"] in having]
    key = sort.lstrip("-")
    if key not in SORTABLE:
        raise UsageError("E404", f"sort by {key!r} (one of {', '.join(SORTABLE)})")
    docs.sort(key=lambda d: (d[key] is None, d[key] if d[key] is not None else ""), reverse=sort.startswith("-"))
    return docs


def expand_any_spelling(lib: Library, query: str) -> str:
    """A query naming an entity becomes an OR of all its names ("Peking" finds Peiping, Beijing)."""
    ent = lib.gazetteer.lookup(query.strip().strip('"'))
    if ent is None:
        return query
    forms = sorted({f for f in ent.forms if f.strip()}, key=str.lower)
    return " OR ".join('"' + f.replace('"', '""') + '"' for f in forms)


def summary_record(doc: dict[str, Any]) -> dict[str, Any]:
    """Just enough of a document's record to cite it, from its summary row."""
    keys = ("doc_type", "doc_number", "title", "date", "archive_id", "released")
    return {"id": doc["id"], "metadata": {k: {"value": doc[k]} for k in keys if doc.get(k)}}


def facets(lib: Library, hits: list[Any], docs: dict[str, dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    """Counts of search hits by document type, year and entity named."""
    types = Counter((docs.get(h.document) or {}).get("doc_type") or "unknown" for h in hits)
    years = Counter(((docs.get(h.document) or {}).get("date") or "undated")[:4] for h in hits)
    ents = lib.archive.store.mention_counts(sorted({(h.document, h.label) for h in hits}))
    return {"type": types.most_common(), "year": sorted(years.items()), "entity": ents}


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(iso: str | None) -> str:
    """``1953-11-04`` → ``4 Nov 1953`` (month or year alone as given)."""
    parts = (iso or "").split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return iso or ""


def short_name(doc: dict[str, Any]) -> str:
    """What a historian calls a document in a list: its number (NIE-58), else its
    type and date ("NSC Briefing, 4 Nov 1953"), else its title or id, never cut mid-word."""
    if doc.get("doc_number"):
        return str(doc["doc_number"])
    if doc.get("doc_type") and doc.get("date"):
        return f"{doc['doc_type']}, {short_date(doc['date'])}"
    name = str(doc.get("title") or doc.get("id") or "")
    if len(name) <= 48:
        return name
    cut = name[:48].rsplit(" ", 1)[0]
    return cut.rstrip(",;:–- ") + "…"


def short_names(lib: Library) -> dict[str, str]:
    """Every document's short name, by id."""
    return {d["id"]: short_name(d) for d in lib.archive.documents()}
