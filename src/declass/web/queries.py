"""Queries shared by the pages and the API."""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException

from declass.archive.answers import Cooccurring, DocumentSummary, TermCount
from declass.errors import UsageError
from declass.store.paged import NAME_ONLY, entity_clause, marks
from declass.store.rows import MentionInBlock
from declass.web.data import Library
from declass.web.pager import Cursor, Window, decode, encode, from_rows, keyset

if TYPE_CHECKING:
    from declass.store.rows import StoredEvent, StoredJudgment

SORTABLE = ("date", "doc_type", "doc_number", "title", "classification", "pages", "redactions", "withheld", "id")
NUMERIC = ("pages", "redactions", "withheld")


def sql(lib: Library, text: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows of a read-only query written with ``?`` marks, on either backend."""
    store = lib.archive.store
    if store.backend == "postgresql":
        text = text.replace("?", "%s")
    return [dict(r) for r in store._read(text, tuple(params))]


@dataclass(frozen=True, slots=True)
class DocumentFilter:
    """What the archive page and ``/api/documents`` filter on."""

    type: str | None = None
    classification: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    redacted: bool | None = None
    entity_ids: tuple[str, ...] = ()

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.type:
            clauses.append("d.doc_type = ?")
            params.append(self.type)
        if self.classification:
            clauses.append("d.classification = ?")
            params.append(self.classification)
        if self.date_from:
            clauses.append("d.date >= ?")
            params.append(self.date_from)
        if self.date_to:  # a date to the day, month or year: "1953" keeps all of 1953
            clauses.append("substr(d.date, 1, ?) <= ?")
            params += [len(self.date_to), self.date_to]
        if self.redacted is not None:
            some = "(coalesce(d.redactions, 0) + coalesce(d.withheld, 0) > 0)"
            clauses.append(some if self.redacted else f"NOT {some}")
        if self.entity_ids:  # a seek per document in the mentions' (entity, date, document) indexes
            m = marks(self.entity_ids)
            clauses.append(" OR ".join(
                f"EXISTS (SELECT 1 FROM mentions m WHERE m.{col} IN ({m}){only} AND m.doc_date = coalesce(d.date, '')"
                " AND m.doc_id = d.id)" for col, only in (("entity_id", ""), ("named_id", f" AND {NAME_ONLY}"))
            ).join("()"))
            params += [*self.entity_ids, *self.entity_ids]
        return " AND ".join(clauses) or "1 = 1", params


def document_filter(lib: Library, *, type: str | None = None, classification: str | None = None,
                    date_from: str | None = None, date_to: str | None = None, redacted: bool | None = None,
                    entity: str | None = None) -> DocumentFilter:
    ids = tuple(lib.archive.entity_ids(entity, lib.gazetteer_files)) if entity else ()
    return DocumentFilter(type or None, classification or None, date_from or None, date_to or None, redacted, ids)


LIST_COLUMNS = ("id, path, sha256, media_type, size, pages, blocks, doc_type, doc_number, title, date,"
                " classification, archive_id, released, ingested_at, redactions, withheld, edits")


def _order(sort: str) -> list[tuple[str, bool]]:
    """The keyset order of a sort: nulls last whichever the direction, the id breaking ties."""
    key = sort.lstrip("-")
    if key not in SORTABLE:
        raise UsageError("E404", f"sort by {key!r} (one of {', '.join(SORTABLE)})")
    asc = not sort.startswith("-")
    if key == "id":
        return [("d.id", asc)]
    empty = "0" if key in NUMERIC else "''"
    return [(f"(CASE WHEN d.{key} IS NULL THEN 1 ELSE 0 END)", True), (f"coalesce(d.{key}, {empty})", asc),
            ("d.id", asc)]


def documents_page(lib: Library, where: DocumentFilter, *, sort: str = "date", limit: int = 50,
                   after: str | None = None, before: str | None = None) -> Window[DocumentSummary]:
    """One page of the documents matching ``where``, sorted and cut in SQL.  The rows with a value
    and the rows without one (listed last) are read as two ordered ranges, so a sort on an indexed
    column (the date) reads one page of the index from the cursor on, not the whole table."""
    order = _order(sort)
    cond, params = where.where()
    total = lib.memo(f"documents:{cond}:{params!r}",  # the same filter in any order, on any page: counted once
                     lambda: int(sql(lib, f"SELECT count(*) AS n FROM documents d WHERE {cond}", params)[0]["n"]))
    a, b = decode(after, len(order)), decode(before, len(order), "before")
    edge = b or a
    forward = b is None
    if len(order) == 1:  # by id: never null
        cols = [("d.id", order[0][1] == forward)]
        if edge is not None:
            more, extra = keyset(cols, edge.key)
            cond, params = f"{cond} AND {more}", [*params, *extra]
        rows = sql(lib, f"SELECT {LIST_COLUMNS}, 0 AS k0, d.id AS k1 FROM documents d WHERE {cond}"
                        f" ORDER BY d.id {'ASC' if cols[0][1] else 'DESC'} LIMIT ?", [*params, limit + 1])
        return _without_keys(from_rows(rows, key=lambda r: (r["k1"],), total=total, limit=limit, after=a, before=b))
    key = sort.lstrip("-")
    col, empty = f"d.{key}", ("0" if key in NUMERIC else "''")
    up = order[1][1] == forward  # the direction of values and ids in this read
    way = "ASC" if up else "DESC"
    flag = edge.key[0] if edge is not None else None
    arms: list[str] = []
    arm_params: list[Any] = []
    if flag is None or flag == 0 or (not forward and flag == 1):  # the rows with a value
        w, p = f"{cond} AND {col} IS NOT NULL", list(params)
        if flag == 0:
            more, extra = keyset([(col, up), ("d.id", up)], edge.key[1:])  # type: ignore[union-attr]
            w, p = f"{w} AND {more}", [*p, *extra]
        arms.append(f"SELECT {LIST_COLUMNS}, 0 AS k0, {col} AS k1, d.id AS k2 FROM documents d WHERE {w}"
                    f" ORDER BY {col} {way}, d.id {way} LIMIT ?")
        arm_params += [*p, limit + 1]
    if flag is None or flag == 1 or (forward and flag == 0):  # the rows without, last in reading order
        w, p = f"{cond} AND {col} IS NULL", list(params)
        if flag == 1:
            more, extra = keyset([("d.id", up)], edge.key[2:])  # type: ignore[union-attr]
            w, p = f"{w} AND {more}", [*p, *extra]
        arms.append(f"SELECT {LIST_COLUMNS}, 1 AS k0, {empty} AS k1, d.id AS k2 FROM documents d WHERE {w}"
                    f" ORDER BY d.id {way} LIMIT ?")
        arm_params += [*p, limit + 1]
    union = " UNION ALL ".join(f"SELECT * FROM ({arm}) AS arm{i}" for i, arm in enumerate(arms))
    rows = sql(lib, f"SELECT * FROM ({union}) AS u ORDER BY k0 {'ASC' if forward else 'DESC'}, k1 {way}, k2 {way}"
                    " LIMIT ?", [*arm_params, limit + 1])
    return _without_keys(from_rows(rows, key=lambda r: (r["k0"], r["k1"], r["k2"]), total=total, limit=limit,
                                   after=a, before=b))


def _without_keys(window: Window[dict[str, Any]]) -> Window[DocumentSummary]:
    """The summaries of a window's rows (the keyset's columns left behind)."""
    return window.map(DocumentSummary.from_row)


def document_choices(lib: Library) -> tuple[list[str], list[str]]:
    """The types and classifications in the archive (for the filter's menus)."""
    types = [r["v"] for r in sql(lib, "SELECT DISTINCT doc_type AS v FROM documents WHERE doc_type IS NOT NULL"
                                      " ORDER BY v")]
    classes = [r["v"] for r in sql(lib, "SELECT DISTINCT classification AS v FROM documents"
                                        " WHERE classification IS NOT NULL ORDER BY v")]
    return types, classes


def document_count(lib: Library) -> int:
    return int(sql(lib, "SELECT count(*) AS n FROM documents")[0]["n"])


def documents_by_id(lib: Library, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The summary rows of the documents ``ids`` (those a page shows), by id."""
    want = sorted(set(ids))
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(want), 500):
        chunk = want[i:i + 500]
        for r in sql(lib, f"SELECT {LIST_COLUMNS} FROM documents WHERE id IN ({marks(chunk)})", chunk):
            out[r["id"]] = r
    return out


def names_of(lib: Library, ids: Iterable[str]) -> dict[str, str]:
    """The short names of the documents ``ids`` (for the lists that name them)."""
    want = sorted(set(ids))
    out: dict[str, str] = {}
    for i in range(0, len(want), 500):
        chunk = want[i:i + 500]
        for r in sql(lib, f"SELECT id, doc_type, doc_number, title, date FROM documents WHERE id IN ({marks(chunk)})",
                     chunk):
            out[r["id"]] = short_name(r)
    return out


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


def paged(method: Callable[..., Any], *args: Any, limit: int, after: str | None, **kw: Any) -> Window[Any]:
    """A window of a list method: its own keyset paging when it takes ``limit`` and ``after``
    (an Archive method: its cursor wrapped in ours, which adds the row offset), else a slice
    of the whole list it returns (a list the archive keeps small, such as release pairs)."""
    cursor = decode(after, 1)
    offset = cursor.offset if cursor else 0
    if "limit" in inspect.signature(method).parameters:
        inner = cursor.key[0] if cursor else None
        if cursor is not None and not isinstance(inner, str):
            raise HTTPException(400, "after: not a cursor of this list (start again from the first page)")
        got = method(*args, limit=limit, after=inner, **kw)
        rows = list(got)
        nxt = getattr(got, "next", None)
        total = getattr(got, "total", None)
        total = offset + len(rows) + (1 if nxt else 0) if total is None else int(total)
    else:
        every = method(*args, **kw)
        total = len(every)
        rows = every[offset:offset + limit]
        nxt = "" if offset + limit < total else None
    cur = encode(Cursor(offset + len(rows), (nxt,))) if nxt is not None and rows else None
    return Window(rows, total, offset, limit, cur, None)


# -- an entity's page -------------------------------------------------------------

MENTION_ORDER = [("m.doc_date", True), ("m.doc_id", True), ("m.start", True), ("m.seq", True)]
MENTION_COLUMNS = ('m.doc_id, m.block, m.entity_id, m.canonical, m.type, m.text, m.start, m."end", m.metonymy,'
                   " m.in_deleted, m.method, m.named_id, m.page, m.seq, m.doc_date")


def mentions_page(lib: Library, ids: Sequence[str], *, limit: int = 50, after: str | None = None,
                  before: str | None = None, total: int | None = None) -> Window[MentionInBlock]:
    """One page of the mentions of an entity (``ids``: it and what stands for it), in date order,
    each with its block's text and start (to cut the line it stands in).  Each id is read from
    its index in order (entity, document date, document, position) from the cursor on, so a page
    costs the same at the first mention and the ten-thousandth; only the page's blocks are read."""
    if total is None:  # (the pages pass the count they already hold)
        cond, params = entity_clause(ids)
        total = int(sql(lib, f"SELECT count(*) AS n FROM mentions m WHERE {cond}", params)[0]["n"])
    a, b = decode(after, len(MENTION_ORDER)), decode(before, len(MENTION_ORDER), "before")
    edge = b or a
    cols = [(e, asc if b is None else not asc) for e, asc in MENTION_ORDER]
    by = ", ".join(f"{e} {'ASC' if asc else 'DESC'}" for e, asc in cols)
    arms: list[str] = []
    arm_params: list[Any] = []
    for column, only in (("entity_id", ""), ("named_id", f" AND {NAME_ONLY}")):
        for one in ids:
            where, extra = f"m.{column} = ?{only}", [one]
            if edge is not None:
                more, values = keyset(cols, edge.key)
                where, extra = f"{where} AND {more}", [*extra, *values]
            arms.append(f"SELECT * FROM (SELECT {MENTION_COLUMNS} FROM mentions m WHERE {where}"
                        f" ORDER BY {by} LIMIT ?) AS arm{len(arms)}")
            arm_params += [*extra, limit + 1]
    outer = ", ".join(f"c.{e.split('.')[1]} {'ASC' if asc else 'DESC'}" for e, asc in cols)
    rows = sql(lib, "SELECT c.doc_id, c.block, c.entity_id, c.canonical, c.type, c.text, c.start, c.\"end\","
                    " c.metonymy, c.in_deleted, c.method, c.named_id, c.page, c.seq, c.doc_date, d.doc_type,"
                    " d.doc_number, d.title, b.text AS block_text, b.start AS block_start, b.kind AS block_kind,"
                    f" b.parent AS block_parent, b.label_inferred FROM (SELECT * FROM ({' UNION '.join(arms)}) AS u"
                    f" ORDER BY {outer.replace('c.', 'u.')} LIMIT ?) AS c JOIN documents d ON d.id = c.doc_id"
                    f" LEFT JOIN blocks b ON b.doc_id = c.doc_id AND b.label = c.block ORDER BY {outer}",
               [*arm_params, limit + 1])
    return from_rows([MentionInBlock.from_row(r) for r in rows], key=lambda m: (m.date or "", m.document, m.start,
                     m.seq), total=total, limit=limit, after=a, before=b)


@dataclass(frozen=True, slots=True)
class NamesSeen:
    """How the archive names an entity: each name with its count and its documents' years, and
    how many documents name it at all."""

    names: list[tuple[str, int, str]]
    documents: int

    @property
    def mentions(self) -> int:
        return sum(n for _, n, _ in self.names)


def names_seen(lib: Library, ids: Sequence[str]) -> NamesSeen:
    """The names an entity appears under in the whole archive (most used first), with the years of
    their documents; and how many documents name it."""
    m = marks(ids)
    rows = sql(lib, "SELECT form AS text, sum(n) AS n, min(nullif(year, '')) AS y0, max(nullif(year, '')) AS y1"
                    f" FROM name_years WHERE eid IN ({m}) OR named IN ({m}) GROUP BY form ORDER BY n DESC, form",
               [*ids, *ids])  # (kept up to date per document: each mention counted once)
    out = []
    for r in rows:
        period = "" if not r["y0"] else r["y0"] if r["y0"] == r["y1"] else f"{r['y0']}–{r['y1']}"
        out.append((r["text"], int(r["n"]), period))
    if len(ids) == 1:  # its documents are kept up to date per document (as the entity or the entity named)
        got = sql(lib, "SELECT documents FROM entity_documents WHERE entity = ?", list(ids))
        return NamesSeen(out, int(got[0]["documents"]) if got else 0)
    cond, params = entity_clause(ids)  # several ids: a document naming two of them counts once
    docs = sql(lib, f"SELECT count(DISTINCT m.doc_id) AS n FROM mentions m WHERE {cond}", params)[0]["n"]
    return NamesSeen(out, int(docs))


def cooccurring(lib: Library, entity_id: str, limit: int = 20) -> list[Cooccurring]:
    """The entities named in the same blocks as ``entity_id``, most first, from the archive's
    maintained co-occurrence table."""
    return lib.archive.cooccurring(entity_id, limit=limit)


def place_forms(lib: Library, ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Of the places ``ids`` (those on one map), the ones the archive names, each with the names
    it uses for it and how often (for the map's labels)."""
    out: dict[str, dict[str, int]] = {}
    want = sorted(set(ids))
    for i in range(0, len(want), 500):
        chunk = want[i:i + 500]
        for r in sql(lib, f"SELECT entity_id AS id, text, count(*) AS n FROM mentions WHERE entity_id IN"
                          f" ({marks(chunk)}) GROUP BY entity_id, text", chunk):
            out.setdefault(r["id"], {})[r["text"]] = int(r["n"])
    return out


def in_block(m: MentionInBlock) -> tuple[int, int] | None:
    """Where a mention stands in its block's text: the occurrence of its exact text nearest to
    where its source offset puts it (the mentions table keeps no offsets within the block)."""
    text, name = m.block_text, m.text
    if not text or not name:
        return None
    guess = m.start - (m.block_start or 0)
    best, at = None, text.find(name)
    while at >= 0:
        if best is None or abs(at - guess) < abs(best - guess):
            best = at
        at = text.find(name, at + 1)
    return None if best is None else (best, best + len(name))


# -- judgments and events ---------------------------------------------------------


def judgments_window(lib: Library, doc: str | None, *, scale: str, low: float, high: float, term: str | None,
                     limit: int, after: str | None) -> Window[StoredJudgment]:
    """One page of the judgments (in document date order, then reading order)."""
    return paged(lib.archive.judgments, doc, scale=scale, low=low, high=high, term=term or None, limit=limit,
                 after=after)


def judgment_terms(lib: Library, doc: str | None, scale: str) -> list[TermCount]:
    """Each term the judgments use: how many, and its range on ``scale`` (most used first)."""
    return lib.archive.judgment_terms(doc, scale=scale)


def events_window(lib: Library, *, entity: str | None, start: str | None, end: str | None, limit: int,
                  after: str | None) -> Window[StoredEvent]:
    """One page of the timeline (date, document, position order)."""
    return paged(lib.archive.timeline, entity=entity or None, start=start or None, end=end or None,
                 gazetteer=lib.gazetteer_files, limit=limit, after=after)
