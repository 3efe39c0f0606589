"""Corpus questions as SQL pages, shared by the SQLite and PostgreSQL stores.

Every method answers one page: rows in a fixed order, at most ``limit`` of
them, starting after a keyset cursor (`cursors.encode_cursor` of the last
row's sort key), plus how many rows match in all.  The SQL is written once
with ``?`` placeholders; a backend's `_rows` adapts them to its driver.
No method reads the compressed records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from declass.errors import UsageError
from declass.store.cursors import decode_cursor, encode_cursor
from declass.store.page import Page

if TYPE_CHECKING:  # the typed rows (the model's records) load with the first question that reads them
    from declass.store.rows import (
        JudgmentCell,
        JudgmentClaim,
        RedactionDocument,
        StoredEdit,
        StoredEvent,
        StoredJudgment,
        StoredMention,
        StoredRedaction,
    )

LIST_INDEXES = """
DROP INDEX IF EXISTS documents_date;
CREATE INDEX documents_list_date ON documents(date, id, doc_type, classification, redactions, withheld);
CREATE INDEX documents_list_type ON documents(doc_type, id, date, classification, redactions, withheld);
CREATE INDEX documents_list_number ON documents(doc_number, id, date, doc_type, classification, redactions, withheld);
CREATE INDEX documents_list_title ON documents(title, id, date, doc_type, classification, redactions, withheld);
CREATE INDEX documents_list_class ON documents(classification, id, date, doc_type, redactions, withheld);
CREATE INDEX documents_list_pages ON documents(pages, id, date, doc_type, classification, redactions, withheld);
CREATE INDEX documents_list_redactions ON documents(redactions, id, date, doc_type, classification, withheld);
CREATE INDEX documents_list_withheld ON documents(withheld, id, date, doc_type, classification, redactions);
CREATE INDEX documents_sort_date ON documents((coalesce(date, '')), id, doc_type, title, doc_number);
CREATE INDEX documents_sort_title ON documents((coalesce(title, '')), id, doc_type, doc_number);
CREATE INDEX documents_sort_number ON documents((coalesce(doc_number, '')), id, doc_type, title);
CREATE INDEX events_spanning ON events(date, doc_id, start, seq, last_date) WHERE last_date > date;
"""
"""The document lists' orders, each an index holding what the lists filter on: a page in any order,
filtered by type, class, date, redactions or text, is a walk of one small index from the cursor on
(the table's rows carry each record, a page or more apiece, so a scan of them reads the archive).
The archive page's orders (``web.queries``: nulls in a range of their own) and `documents_page`'s
(``coalesce``) each have theirs.  And the events that last beyond their first day (a timeline from
a date finds those begun before it there)."""

REPORT_INDEXES = """
CREATE INDEX redactions_kinds ON redactions(kind, exemption, withheld, pages);
CREATE INDEX documents_most_withheld
    ON documents((-(redactions + withheld)), (coalesce(date, '')), id, pages, numbered);
"""
"""The redaction report's: its corpus figures read from an index of the redactions' kinds and
exemptions, not from their rows (each holds its JSON), and its documents most withheld first
walked in order.  Its corpus totals come from the totals kept per kind (`redaction_totals`)."""

TEXT_COUNT_BOUND = 1000
"""How far the documents whose title or number holds a text are counted: past it the page says more
(``Page.capped``).  Counting every match of a common word read the whole list (at 100k pages 24 ms)."""

SPANNING = "e.last_date > e.date"
"""The events that last beyond their first day (`LIST_INDEXES`' partial index ``events_spanning``)."""

DOCUMENT_SORTS = {"date": "coalesce(date, '')", "title": "coalesce(title, '')",
                  "doc_number": "coalesce(doc_number, '')", "pages": "pages", "redactions": "redactions",
                  "withheld": "withheld", "ingested_at": "ingested_at"}
SUMMARY = ("id, path, sha256, media_type, size, pages, blocks, doc_type, doc_number, title, date, classification,"
           " archive_id, released, ingested_at, redactions, withheld, edits")


def marks(values: Sequence[Any]) -> str:
    """The placeholders of an ``IN (...)`` list of ``values``."""
    return ",".join("?" * len(values))


def entity_clause(ids: Sequence[str]) -> tuple[str, list[Any]]:
    """Mentions of any of the entities ``ids``: by the entity, or under its name where the name stands for
    another (`NAME_ONLY`, the partial index's rows), with the clause's parameters."""
    m = marks(ids)
    return f"(m.entity_id IN ({m}) OR (m.named_id IN ({m}) AND {NAME_ONLY}))", [*ids, *ids]


def _redaction_tally() -> dict[str, Any]:
    from collections import Counter

    return {"markers": 0, "by_exemption": Counter(), "withheld_blocks": 0, "exempt_pages": 0, "omissions": 0}


def _tally_redactions(c: dict[str, Any], r: Mapping[str, Any]) -> None:
    """Add one row of redactions counted by ``kind`` and ``exemption`` (``n``, summed ``withheld`` and
    ``pages``: a document's, or the corpus totals kept per kind) to the report's counts ``c``."""
    n = int(r["n"])
    if r["kind"] == "marker":
        c["markers"] += n
        c["by_exemption"][r["exemption"] or None] += n
    elif r["kind"] == "withheld_block":
        c["withheld_blocks"] += int(r["withheld"])
    elif r["kind"] == "exempt_pages":
        c["exempt_pages"] += int(r["pages"])
    elif r["kind"] == "omission":
        c["omissions"] += n


def _like(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


MENTION_SELECT = ('m.doc_id, m.block, m.entity_id, m.canonical, m.type, m.text, m.start, m."end", m.metonymy,'
                  " m.in_deleted, m.method, m.named_id, m.seq, m.page, m.doc_date")


NAME_ONLY = "(m.entity_id IS NULL OR m.entity_id <> m.named_id)"
"""A mention whose name stands for another entity than its own (or it has none): the rows of the
partial index ``mentions_by_name_only``.  A question by name says so (a mention named for its own
entity is found by ``entity_id``), and that index answers: no full index by name is written
(schema 22 / PostgreSQL 16)."""
BY_NAME_ONLY = f"m.named_id = ? AND {NAME_ONLY}"
"""A mention under the name, not already under the entity (Peiping read as the government)."""


def _mention(r: dict[str, Any]) -> StoredMention:
    from declass.store.rows import StoredMention

    return StoredMention.from_row(r)


def _event(r: dict[str, Any]) -> StoredEvent:
    from declass.store.rows import StoredEvent

    return StoredEvent.from_data(r["doc_id"], r["data"])


class PagedQueries:
    """The paged questions; a backend provides `_rows` (``?`` placeholders, dict rows)."""

    backend: str

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _page(self, *, select: str, source: str, where: list[str], params: list[Any], order: Sequence[str],
              key: Callable[[dict[str, Any]], tuple[Any, ...]], limit: int | None, after: str | None,
              descending: bool = False, total: bool = True,
              count: tuple[str, list[Any]] | None = None) -> Page[dict[str, Any]]:
        """One keyset page: ``order`` is the sort key (unique), ``key`` reads it back from a row;
        ``count``: a cheaper ``(source, params)`` counting the same rows."""
        cond = " AND ".join(where) or "1=1"
        csource, cparams = count or (source, params)
        n = self._rows(f"SELECT count(*) AS n FROM {csource} WHERE {cond}", cparams)[0]["n"] if total else 0
        keyset: list[str] = []
        kparams: list[Any] = []
        if after is not None:
            values = decode_cursor(after, len(order))
            # the first key alone as well: an index on an expression (coalesce(date, '')) is
            # sought on a bound of that expression, not on the row value
            keyset.append(f"{order[0]} {'<=' if descending else '>='} ?")
            keyset.append(f"({', '.join(order)}) {'<' if descending else '>'} ({marks(values)})")
            kparams = [values[0], *values]
        direction = " DESC" if descending else ""
        sql = (f"SELECT {select} FROM {source} WHERE {' AND '.join([*where, *keyset]) or '1=1'}"
               f" ORDER BY {', '.join(o + direction for o in order)}")
        if limit is not None:
            sql += " LIMIT ?"
            rows = self._rows(sql, [*params, *kparams, limit + 1])
        else:
            rows = self._rows(sql, [*params, *kparams])
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if limit is not None else rows
        nxt = encode_cursor(key(rows[-1])) if more and rows else None
        return Page(rows, total=int(n) if total else len(rows), next=nxt)

    # -- documents -------------------------------------------------------------

    def documents_page(self, *, limit: int | None = None, after: str | None = None, sort: str = "date",
                       descending: bool = False, doc_type: str | None = None,
                       text: str | None = None) -> Page[dict[str, Any]]:
        """Summary rows of documents, sorted and filtered in SQL."""
        if sort not in DOCUMENT_SORTS:
            raise UsageError("E404", f"sort by {sort!r} (one of {', '.join(DOCUMENT_SORTS)})")
        col = DOCUMENT_SORTS[sort]
        where: list[str] = []
        params: list[Any] = []
        if doc_type:
            where.append("doc_type = ?")
            params.append(doc_type)
        if text:  # SQLite's LIKE ignores ASCII case itself: lower() on each row cost two thirds of a scan
            where.append("(title LIKE ? ESCAPE '\\' OR doc_number LIKE ? ESCAPE '\\')" if self.backend == "sqlite" else
                         "(lower(coalesce(title, '')) LIKE ? ESCAPE '\\' OR lower(coalesce(doc_number, '')) LIKE ?"
                         " ESCAPE '\\')")
            params += [_like(text), _like(text)]
        page = self._page(select=f"{SUMMARY}, {col} AS sort_key", source="documents", where=where, params=params,
                          order=(col, "id"), key=lambda r: (r["sort_key"], r["id"]), limit=limit, after=after,
                          descending=descending, total=False)
        if text:  # a substring of titles and numbers: counted up to a bound (a filter has no total kept)
            found = self._rows(f"SELECT count(*) AS n FROM (SELECT 1 FROM documents WHERE {' AND '.join(where)}"
                               " LIMIT ?) AS x", [*params, TEXT_COUNT_BOUND + 1])[0]["n"]
            page.total, page.capped = min(int(found), TEXT_COUNT_BOUND), int(found) > TEXT_COUNT_BOUND
        else:
            page.total = self._documents_total(doc_type)
        return page.map(lambda r: {k: v for k, v in r.items() if k != "sort_key"})

    def _documents_total(self, doc_type: str | None = None) -> int:
        """How many documents the archive holds (of one type), from the maintained totals."""
        sql, args = "SELECT coalesce(sum(documents), 0) AS n FROM document_totals", []
        if doc_type:
            sql, args = sql + " WHERE doc_type = ?", [doc_type]
        return int(self._rows(sql, args)[0]["n"])

    # -- judgments -------------------------------------------------------------

    def judgments_page(self, *, doc_id: str | None = None, scale: str = "kent", low: float = 0.0,
                       high: float = 1.0, term: str | None = None, limit: int | None = None,
                       after: str | None = None) -> Page[StoredJudgment]:
        """Judgments with their range under a stored ``scale``, kept when the range lies
        in ``[low, high]`` (unmapped ones only when no bound is set); in document order."""
        where: list[str] = []
        params: list[Any] = [scale]
        bounded = low > 0.0 or high < 1.0
        # with bounds, unmapped judgments drop out: the walk is over the scale's ranges, in order
        t = "r" if bounded else "j"
        if doc_id:
            where.append(f"{t}.doc_id = ?")
            params.append(doc_id)
        if term:
            where.append(f"{t}.term = ?")
            params.append(term)
        if bounded:
            where = ["r.scale = ?", *where, "r.low >= ?", "r.high <= ?"]
            params += [low, high]
            source = "judgment_ranges r JOIN judgments j ON j.doc_id = r.doc_id AND j.seq = r.seq"
        else:
            source = "judgments j LEFT JOIN judgment_ranges r ON r.doc_id = j.doc_id AND r.seq = j.seq AND r.scale = ?"
        total = None if doc_id else self._judgment_total(scale, low, high, term, bounded)
        page = self._page(
            select="j.doc_id, j.seq, j.doc_date, j.data, r.low, r.high", source=source,
            where=where, params=params, order=(f"{t}.doc_date", f"{t}.doc_id", f"{t}.seq"),
            key=lambda r: (r["doc_date"], r["doc_id"], r["seq"]), limit=limit, after=after, total=total is None,
            # a judgment has at most one range under a scale: without bounds, count the judgments alone
            count=None if bounded else ("judgments j", params[1:]))
        if total is not None:
            page.total = total
        from declass.store.rows import StoredJudgment

        return page.map(lambda r: StoredJudgment.from_data(r["doc_id"], r["data"], r["doc_date"], scale=scale,
                                                           low=r["low"], high=r["high"]))

    def _judgment_total(self, scale: str, low: float, high: float, term: str | None, bounded: bool) -> int:
        """How many judgments of the archive match, from the totals by term and by band."""
        if bounded:
            sql = "SELECT coalesce(sum(n), 0) AS n FROM range_totals WHERE scale = ? AND low >= ? AND high <= ?"
            args: list[Any] = [scale, low, high]
        else:
            sql, args = "SELECT coalesce(sum(n), 0) AS n FROM term_totals WHERE 1=1", []
        if term:
            sql += " AND term = ?"
            args.append(term)
        return int(self._rows(sql, args)[0]["n"])

    def judgment_terms(self, *, doc_id: str | None = None, scale: str = "kent") -> list[dict[str, Any]]:
        """Per term: how many judgments, and its range under ``scale``, most used first."""
        if not doc_id:
            rows = self._rows(
                "SELECT c.term, c.n, r.low, r.high FROM term_totals c LEFT JOIN (SELECT term, min(low) AS low,"
                " max(high) AS high FROM range_totals WHERE scale = ? GROUP BY term) r ON r.term = c.term"
                " ORDER BY c.n DESC, c.term", [scale])
            return [{"term": r["term"], "count": int(r["n"]), "low": r["low"], "high": r["high"]} for r in rows]
        rows = self._rows(  # each judgment with its range on the scale (the primary key), one document's
            "SELECT j.term, count(*) AS n, min(r.low) AS low, max(r.high) AS high FROM judgments j"
            " LEFT JOIN judgment_ranges r ON r.doc_id = j.doc_id AND r.seq = j.seq AND r.scale = ?"
            " WHERE j.doc_id = ? GROUP BY j.term ORDER BY n DESC, j.term", [scale, doc_id])
        return [{"term": r["term"], "count": int(r["n"]), "low": r["low"], "high": r["high"]} for r in rows]

    def judgment_scan(self, *, doc_id: str | None = None) -> list[tuple[int, StoredJudgment]]:
        """Every judgment (as stored) with its place in its document, in document order:
        for a scale no column holds."""
        from declass.store.rows import StoredJudgment

        where, params = ("WHERE doc_id = ?", [doc_id]) if doc_id else ("", [])
        rows = self._rows(f"SELECT doc_id, seq, doc_date, data FROM judgments {where}"
                          " ORDER BY doc_date, doc_id, seq", params)
        return [(int(r["seq"]), StoredJudgment.from_data(r["doc_id"], r["data"], r["doc_date"])) for r in rows]

    def judgment_count(self) -> int:
        """How many judgments the archive holds (the maintained totals by term)."""
        return int(self._rows("SELECT coalesce(sum(n), 0) AS n FROM term_totals")[0]["n"])

    def judgment_entities(self) -> list[JudgmentClaim]:
        """Every judgment (in document order) with the entities named within it: what linking reads."""
        from declass.store.rows import JudgmentClaim

        ents: dict[tuple[str, int], list[str]] = {}
        for r in self._rows(
                "SELECT j.doc_id, j.seq, m.entity_id FROM judgments j JOIN mentions m ON m.doc_id = j.doc_id"
                " AND m.start >= j.start AND m.start < j.\"end\" WHERE m.entity_id IS NOT NULL"):
            ents.setdefault((r["doc_id"], r["seq"]), []).append(r["entity_id"])
        out: list[JudgmentClaim] = []
        after: str | None = None
        while True:  # a few thousand at a time, keeping only what linking reads
            page = self._page(select="doc_id, seq, doc_date, data", source="judgments", where=[], params=[],
                              order=("doc_date", "doc_id", "seq"), key=lambda r: (r["doc_date"], r["doc_id"], r["seq"]),
                              limit=5000, after=after, total=False)
            for r in page:
                out.append(JudgmentClaim.from_data(r["doc_id"], int(r["seq"]), r["data"],
                                                   tuple(sorted(set(ents.get((r["doc_id"], r["seq"]), []))))))
            if page.next is None:
                return out
            after = page.next

    def entities_in_spans(self, spans: Sequence[tuple[str, int, int]]) -> dict[tuple[str, int, int], list[str]]:
        """The entities named within each ``(document, start, end)`` span."""
        out: dict[tuple[str, int, int], list[str]] = {}
        for doc_id, start, end in spans:
            rows = self._rows('SELECT DISTINCT entity_id FROM mentions WHERE doc_id = ? AND start >= ? AND start < ?'
                              " AND entity_id IS NOT NULL ORDER BY entity_id", [doc_id, start, end])
            out[(doc_id, start, end)] = [r["entity_id"] for r in rows]
        return out

    def judgment_cells(self, doc_ids: Sequence[str], *, scale: str = "kent") -> dict[str, list[JudgmentCell]]:
        """Each document's judgments in reading order as its strip draws them, with their range
        under ``scale``: one read for the documents of a page, no judgment typed in full."""
        from declass.store.rows import JudgmentCell

        out: dict[str, list[JudgmentCell]] = {d: [] for d in doc_ids}
        ids = list(out)
        for i in range(0, len(ids), 200):
            chunk = ids[i:i + 200]
            for r in self._rows(
                    "SELECT j.doc_id, j.block, j.start, j.data, r.low, r.high FROM judgments j"
                    " LEFT JOIN judgment_ranges r ON r.doc_id = j.doc_id AND r.seq = j.seq AND r.scale = ?"
                    f" WHERE j.doc_id IN ({marks(chunk)}) ORDER BY j.doc_id, j.seq", [scale, *chunk]):
                out[r["doc_id"]].append(JudgmentCell.from_data(r["doc_id"], r["block"], int(r["start"]), r["data"],
                                                               r["low"], r["high"]))
        return out

    def judgments_of(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredJudgment]:
        """Given ``(document, judgment id)`` pairs, the judgments, with document date."""
        from declass.store.rows import StoredJudgment

        out: dict[tuple[str, str], StoredJudgment] = {}
        for i in range(0, len(keys), 200):
            chunk = keys[i:i + 200]
            cond = " OR ".join("(doc_id = ? AND jid = ?)" for _ in chunk)
            for r in self._rows(f"SELECT doc_id, doc_date, data FROM judgments WHERE {cond}",
                                [x for k in chunk for x in k]):
                j = StoredJudgment.from_data(r["doc_id"], r["data"], r["doc_date"])
                out[(r["doc_id"], j.id)] = j
        return out

    # -- events ----------------------------------------------------------------

    def events_page(self, *, entity_ids: Sequence[str] = (), start: str | None = None, end: str | None = None,
                    limit: int | None = None, after: str | None = None) -> Page[StoredEvent]:
        """Dated events in date order; only those whose sentence names one of ``entity_ids``
        (walked in the index of events by entity), and only those that overlap ``[start, end]``."""
        if start and not entity_ids:
            return self._events_from(start, end, limit, after)
        where: list[str] = []
        params: list[Any] = []
        t = "x" if entity_ids else "e"
        if start:
            where.append(f"{t}.last_date >= ?")
            params.append(start)
        if end:
            where.append(f"{t}.date <= ?")
            params.append(end + "\uffff")
        join = " JOIN events e ON e.doc_id = x.doc_id AND e.seq = x.seq"
        kept = not where  # every event (of the one entity): counted in the maintained totals, not walked
        if len(entity_ids) == 1:  # one entity: no duplicates to remove, the index walk is in order
            where.insert(0, "x.entity = ?")
            params.insert(0, entity_ids[0])
            source, count_source = "event_entities x" + join, "event_entities x"
        elif entity_ids:
            return self._events_of_entities(entity_ids, where, params, limit, after)
        else:
            source = count_source = "events e"
        page = self._page(select="e.doc_id, e.seq, e.date, e.start, e.data", source=source, where=where,
                          params=params, order=(f"{t}.date", f"{t}.doc_id", f"{t}.start", f"{t}.seq"),
                          key=lambda r: (r["date"], r["doc_id"], r["start"], r["seq"]), limit=limit, after=after,
                          count=(count_source, params), total=not kept)
        if kept:
            page.total = self._kept_total("event_entity_totals", {"entity": entity_ids[0]}) if entity_ids \
                else self._kept_total("event_totals", {})
        return page.map(_event)

    def _kept_total(self, table: str, equal: Mapping[str, str | None]) -> int:
        """How many rows there are in all (or with the columns ``equal`` gives: a None or empty value, any),
        from a table of maintained totals (`tables.V19`, `tables.V20`)."""
        given = {col: val for col, val in equal.items() if val}
        cond = "".join(f" AND {col} = ?" for col in given)
        return int(self._rows(f"SELECT coalesce(sum(n), 0) AS n FROM {table} WHERE 1=1{cond}", list(given.values()))
                   [0]["n"])

    def _events_from(self, start: str, end: str | None, limit: int | None, after: str | None) -> Page[StoredEvent]:
        """Events overlapping ``[start, end]``: those dated in it (a range of the date index) and,
        before them in date order, those dated earlier that last into it, found in the index of
        the events that last beyond their first day (a few in ten), so neither the page nor its
        count walks every event before ``start``."""
        top = [end + "\uffff"] if end else []
        within = "e.date >= ?" + (" AND e.date <= ?" if end else "")
        spanning = f"{SPANNING} AND e.last_date >= ? AND e.date < ?" + (" AND e.date <= ?" if end else "")
        arms = [(spanning, [start, start, *top]), (within, [start, *top])]
        order = "e.date, e.doc_id, e.start, e.seq"
        keyset, kparams = "", []
        if after is not None:
            values = decode_cursor(after, 4)
            keyset, kparams = " AND e.date >= ? AND (e.date, e.doc_id, e.start, e.seq) > (?, ?, ?, ?)", \
                [values[0], *values]
        cap = " LIMIT ?" if limit is not None else ""
        capped = [limit + 1] if limit is not None else []
        sql = " UNION ALL ".join(
            f"SELECT * FROM (SELECT e.doc_id, e.seq, e.date, e.start, e.data FROM events e WHERE {cond}{keyset}"
            f" ORDER BY {order}{cap}) a{i}" for i, (cond, _) in enumerate(arms))
        rows = self._rows(f"SELECT * FROM ({sql}) u ORDER BY date, doc_id, start, seq{cap}",
                          [*(x for _, p in arms for x in (*p, *kparams, *capped)), *capped])
        total = sum(int(self._rows(f"SELECT count(*) AS n FROM events e WHERE {cond}", p)[0]["n"]) for cond, p in arms)
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if limit is not None else rows
        nxt = encode_cursor((rows[-1]["date"], rows[-1]["doc_id"], rows[-1]["start"], rows[-1]["seq"])) \
            if more and rows else None
        return Page(rows, total=total, next=nxt).map(_event)

    def _events_of_entities(self, entity_ids: Sequence[str], where: list[str], params: list[Any],
                            limit: int | None, after: str | None) -> Page[StoredEvent]:
        """Events naming any of several entities: one ordered index walk per entity, merged
        and without repeats (an event naming two of them is one event)."""
        cond = "".join(f" AND {w}" for w in where)
        keyset, kparams = "", []
        if after is not None:
            keyset = " AND (x.date, x.doc_id, x.start, x.seq) > (?, ?, ?, ?)"
            kparams = decode_cursor(after, 4)
        cap = "" if limit is None else " LIMIT ?"
        arms: list[str] = []
        args: list[Any] = []
        for entity in entity_ids:
            arms.append(f"SELECT * FROM (SELECT x.date, x.doc_id, x.start, x.seq FROM event_entities x"
                        f" WHERE x.entity = ?{cond}{keyset} ORDER BY x.date, x.doc_id, x.start, x.seq{cap})"
                        f" a{len(arms)}")
            args += [entity, *params, *kparams, *([limit + 1] if limit is not None else [])]
        rows = self._rows(
            f"SELECT e.doc_id, e.seq, e.date, e.start, e.data FROM ({' UNION '.join(arms)}) k"
            " JOIN events e ON e.doc_id = k.doc_id AND e.seq = k.seq ORDER BY k.date, k.doc_id, k.start, k.seq"
            + cap, [*args, *([limit + 1] if limit is not None else [])])
        # counted without a sort to remove repeats: the most named entity's events (its kept total, or
        # its index range within dates), then of each other entity those not already named by one
        # counted before it
        count = f"SELECT count(*) AS n FROM event_entities x WHERE x.entity = ?{cond}"
        alone = {e: self._kept_total("event_entity_totals", {"entity": e}) if not where
                 else int(self._rows(count, [e, *params])[0]["n"]) for e in entity_ids}  # (a date range: walked)
        ranked = sorted((e for e in alone if alone[e]), key=lambda e: (-alone[e], e))
        total = alone[ranked[0]] if ranked else 0
        for k in range(1, len(ranked)):
            total += int(self._rows(
                f"{count} AND NOT EXISTS (SELECT 1 FROM event_entities y WHERE y.doc_id = x.doc_id AND y.seq = x.seq"
                f" AND y.entity IN ({marks(ranked[:k])}))", [ranked[k], *params, *ranked[:k]])[0]["n"])
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if limit is not None else rows
        nxt = encode_cursor((rows[-1]["date"], rows[-1]["doc_id"], rows[-1]["start"], rows[-1]["seq"])) \
            if more and rows else None
        return Page(rows, total=int(total), next=nxt).map(_event)

    # -- redactions ------------------------------------------------------------

    def redactions_page(self, *, doc_id: str | None = None, exemption: str | None = None, kind: str | None = None,
                        limit: int | None = None, after: str | None = None) -> Page[StoredRedaction]:
        """Redactions in document order, optionally of one document, exemption or kind."""
        from declass.store.rows import StoredRedaction

        page = self._in_document_order("redactions", {"doc_id": doc_id, "exemption": exemption, "kind": kind},
                                       limit, after, kept="redaction_totals")
        return page.map(lambda r: StoredRedaction.from_data(r["doc_id"], r["data"]))

    def _in_document_order(self, source: str, equal: dict[str, str | None], limit: int | None,
                           after: str | None, *, kept: str | None = None) -> Page[dict[str, Any]]:
        """A page of a per-document table's rows (``doc_id, seq, doc_date, data``) by date, document
        and place, those whose columns equal the values ``equal`` gives (a None or empty value: any).
        ``kept``: the table of maintained totals that counts them across documents (by the same columns),
        read instead of counting the rows unless the page is one document's."""
        given = {col: val for col, val in equal.items() if val}
        counted = kept is None or "doc_id" in given
        page = self._page(select="doc_id, seq, doc_date, data", source=source,
                          where=[f"{col} = ?" for col in given], params=list(given.values()),
                          order=("doc_date", "doc_id", "seq"), key=lambda r: (r["doc_date"], r["doc_id"], r["seq"]),
                          limit=limit, after=after, total=counted)
        if not counted and kept is not None:
            page.total = self._kept_total(kept, given)
        return page

    def redaction_documents(self, *, doc_id: str | None = None, sort: str = "date", limit: int | None = None,
                            after: str | None = None, redactions: bool = True) -> Page[RedactionDocument]:
        """Documents with their redactions: the per-document report, by date or
        (``sort="most"``) the most markers and withheld points first.  ``redactions=False``:
        the documents alone (`redaction_counts` counts theirs without reading them)."""
        from declass.model import Redaction
        from declass.store.rows import RedactionDocument, decoded

        where, params = (["d.id = ?"], [doc_id]) if doc_id else ([], [])
        if sort == "date":
            order: tuple[str, ...] = ("coalesce(d.date, '')", "d.id")
        elif sort == "most":
            order = ("-(d.redactions + d.withheld)", "coalesce(d.date, '')", "d.id")
        else:
            raise UsageError("E404", f"sort by {sort!r} (date or most)")
        page = self._page(select=f"d.id, d.pages, d.numbered, {', '.join(f'{o} AS k{i}' for i, o in enumerate(order))}",
                          source="documents d", where=where, params=params, order=order,
                          key=lambda r: tuple(r[f"k{i}"] for i in range(len(order))), limit=limit, after=after,
                          total=bool(doc_id))
        if not doc_id:
            page.total = self._documents_total()
        ids = [r["id"] for r in page]
        found: dict[str, list[Redaction]] = {i: [] for i in ids}
        if ids and redactions:
            for r in self._rows(f"SELECT doc_id, data FROM redactions WHERE doc_id IN ({marks(ids)})"
                                " ORDER BY doc_id, seq", ids):
                found[r["doc_id"]].append(decoded(Redaction, r["doc_id"], r["data"]))
        return page.map(lambda r: RedactionDocument(r["id"], r["pages"] or 1, r["numbered"] or 0,
                                                    tuple(found[r["id"]])))

    def redaction_counts(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each document's redactions counted from their columns, not their records: ``markers``,
        ``by_exemption`` (a `Counter` of `tables.exemption_key`), ``withheld_blocks`` (inferred labels),
        ``exempt_pages`` and ``omissions`` — what `stages.redactions.statistics` counts in the records
        (the most withheld documents of a report page hold thousands of redactions between them)."""
        out = {i: _redaction_tally() for i in ids}
        want = list(out)
        for i in range(0, len(want), 500):
            chunk = want[i:i + 500]
            for r in self._rows("SELECT doc_id, kind, exemption, count(*) AS n, coalesce(sum(withheld), 0) AS withheld,"
                                f" coalesce(sum(pages), 0) AS pages FROM redactions WHERE doc_id IN ({marks(chunk)})"
                                " GROUP BY doc_id, kind, exemption", chunk):
                _tally_redactions(out[r["doc_id"]], r)
        return out

    # -- handwritten edits -----------------------------------------------------

    def edits_page(self, *, doc_id: str | None = None, op: str | None = None, limit: int | None = None,
                   after: str | None = None) -> Page[StoredEdit]:
        """Handwritten edits in document order, optionally of one document or operation."""
        from declass.store.rows import StoredEdit

        page = self._in_document_order("edits", {"doc_id": doc_id, "op": op}, limit, after, kept="edit_totals")
        return page.map(lambda r: StoredEdit.from_data(r["doc_id"], r["data"], r["doc_date"]))

    def redaction_totals(self) -> dict[str, Any]:
        """Corpus totals of the redaction report, from the maintained totals (`tables.V19`): a few
        dozen rows whatever the size of the archive."""
        row = self._rows("SELECT coalesce(sum(documents), 0) AS documents, coalesce(sum(pages), 0) AS pages"
                         " FROM document_totals")[0]
        from declass.model.redaction import by_exemption_sorted, per_page

        c = _redaction_tally()
        for r in self._rows("SELECT kind, exemption, n, withheld, pages FROM redaction_totals"):
            _tally_redactions(c, r)
        markers, pages = c["markers"], int(row["pages"])
        return {"markers": markers, "withheld_blocks": c["withheld_blocks"], "pages": pages,
                "documents": int(row["documents"]), "exempt_pages": c["exempt_pages"],
                "by_exemption": by_exemption_sorted(c["by_exemption"]),
                "per_page": per_page(markers, pages)}

    # -- entities --------------------------------------------------------------

    def mentions_page(self, *, entity_ids: Sequence[str] = (), doc_id: str | None = None,
                      limit: int | None = None, after: str | None = None) -> Page[StoredMention]:
        """Mentions of the entities (by the entity or the name), in document order."""
        if len(entity_ids) == 1 and not doc_id and limit is not None:
            return self._entity_mentions(entity_ids[0], limit, after)
        where: list[str] = []
        params: list[Any] = []
        if entity_ids:
            clause, ids = entity_clause(entity_ids)
            where.append(clause)
            params += ids
        if doc_id:
            where.append("m.doc_id = ?")
            params.append(doc_id)
        page = self._page(
            select=MENTION_SELECT, source="mentions m", where=where, params=params,
            order=("m.doc_date", "m.doc_id", "m.start", "m.seq"),
            key=lambda r: (r["doc_date"], r["doc_id"], r["start"], r["seq"]), limit=limit, after=after)
        return page.map(_mention)

    def _entity_mentions(self, entity: str, limit: int, after: str | None) -> Page[StoredMention]:
        """One entity's mentions a page at a time: two ordered index walks (by the entity, by
        the name) merged, and the total from the maintained counts, so a page costs its size."""
        keyset, kparams = "", []
        if after is not None:
            keyset = " AND (m.doc_date, m.doc_id, m.start, m.seq) > (?, ?, ?, ?)"
            kparams = decode_cursor(after, 4)
        order = "doc_date, doc_id, start, seq"
        arm = f"SELECT {MENTION_SELECT} FROM mentions m WHERE {{cond}}{keyset} ORDER BY {order} LIMIT ?"
        rows = self._rows(
            f"SELECT * FROM ({arm.format(cond='m.entity_id = ?')}) a UNION ALL"
            f" SELECT * FROM ({arm.format(cond=BY_NAME_ONLY)}) b ORDER BY {order} LIMIT ?",
            [entity, *kparams, limit + 1, entity, *kparams, limit + 1, limit + 1])
        total = self._rows("SELECT coalesce(sum(n), 0) AS n FROM entity_names WHERE entity = ?", [entity])[0]["n"]
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = encode_cursor((rows[-1]["doc_date"], rows[-1]["doc_id"], rows[-1]["start"], rows[-1]["seq"])) \
            if more and rows else None
        return Page(rows, total=int(total), next=nxt).map(_mention)

    def mention_forms(self, entity_ids: Sequence[str]) -> tuple[dict[str, int], int]:
        """The names the entities appear under (how often, from the maintained totals), and in
        how many documents (of several entities: the most of any one)."""
        held = marks(entity_ids)
        counted: dict[str, int] = {}
        for r in self._rows(f"SELECT form, sum(n) AS n FROM entity_names WHERE entity IN ({held}) GROUP BY form",
                            list(entity_ids)):
            counted[r["form"]] = int(r["n"])
        docs = self._rows(f"SELECT coalesce(max(documents), 0) AS n FROM entity_documents WHERE entity IN ({held})",
                          list(entity_ids))[0]["n"]
        return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))), int(docs)

    def entity_counts(self, *, doc_id: str | None = None, type_: str | None = None, limit: int | None = None,
                      after: str | None = None) -> Page[dict[str, Any]]:
        """Mentions per canonical entity (unknown names each on their own), most first:
        from the maintained totals, or counted in one document's mentions."""
        where: list[str] = []
        params: list[Any] = []
        if type_:
            where.append("type = ?")
            params.append(type_)
        if doc_id:
            groups = ("SELECT coalesce(entity_id, '') AS eid, coalesce(canonical, text) AS name, min(type) AS type,"
                      " count(*) AS mentions FROM mentions WHERE doc_id = ?"
                      " GROUP BY coalesce(entity_id, ''), coalesce(canonical, text)")
            source, params = f"({groups}) g", [doc_id, *params]
        else:
            source = "entity_totals"
        page = self._page(select="eid, name, type, mentions", source=source, where=where, params=params,
                          order=("-mentions", "name", "eid"), key=lambda r: (-int(r["mentions"]), r["name"], r["eid"]),
                          limit=limit, after=after)
        if not page:
            return page
        keys = [(r["eid"], r["name"]) for r in page]
        forms: dict[tuple[str, str], dict[str, int]] = {k: {} for k in keys}
        for i in range(0, len(keys), 100):
            some = keys[i:i + 100]
            if doc_id:
                cond = " OR ".join("(coalesce(entity_id, '') = ? AND coalesce(canonical, text) = ?)" for _ in some)
                sql = (f"SELECT coalesce(entity_id, '') AS eid, coalesce(canonical, text) AS name, text AS form,"
                       f" count(*) AS n FROM mentions WHERE doc_id = ? AND ({cond}) GROUP BY"
                       " coalesce(entity_id, ''), coalesce(canonical, text), text")
                args = [doc_id, *(x for k in some for x in k)]
            else:
                cond = " OR ".join("(eid = ? AND name = ?)" for _ in some)
                sql, args = f"SELECT eid, name, form, n FROM entity_forms WHERE {cond}", [x for k in some for x in k]
            for r in self._rows(sql, args):
                forms[(r["eid"], r["name"])][r["form"]] = int(r["n"])
        return page.map(lambda r: {
            "id": r["eid"] or None, "name": r["name"], "type": r["type"], "mentions": int(r["mentions"]),
            "forms": dict(sorted(forms[(r["eid"], r["name"])].items(), key=lambda kv: (-kv[1], kv[0])))})

    def cooccurrence_page(self, *, min_weight: int = 1, limit: int | None = None,
                          after: str | None = None) -> Page[dict[str, Any]]:
        """Pairs of entities named in the same blocks (the maintained totals): blocks and documents."""
        page = self._page(select="a AS source, a_name AS source_name, b AS target, b_name AS target_name, weight,"
                                 " documents", source="cooccurrence_totals", where=["weight >= ?"], params=[min_weight],
                          order=("-weight", "a", "b"), key=lambda r: (-int(r["weight"]), r["source"], r["target"]),
                          limit=limit, after=after)
        return page.map(lambda r: {**r, "weight": int(r["weight"]), "documents": int(r["documents"])})

    def cooccurring(self, entity_id: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """The entities most often named in the same blocks as ``entity_id``."""
        rows = self._rows(
            "SELECT other AS id, name, weight, documents FROM ("
            " SELECT b AS other, b_name AS name, weight, documents FROM cooccurrence_totals WHERE a = ?"
            " UNION ALL SELECT a AS other, a_name AS name, weight, documents FROM cooccurrence_totals WHERE b = ?) x"
            " ORDER BY weight DESC, other LIMIT ?", [entity_id, entity_id, limit])
        return [{"id": r["id"], "name": r["name"], "weight": int(r["weight"]), "documents": int(r["documents"])}
                for r in rows]

    # -- links -----------------------------------------------------------------

    def links_page(self, *, include_rejected: bool = False, limit: int | None = None,
                   after: str | None = None) -> Page[dict[str, Any]]:
        """Stored links between judgments, best first."""
        where = [] if include_rejected else ["status <> 'rejected'"]
        page = self._page(select="*", source="links", where=where, params=[],
                          order=("-score", "a_doc", "a", "b_doc", "b"),
                          key=lambda r: (-r["score"], r["a_doc"], r["a"], r["b_doc"], r["b"]), limit=limit, after=after)
        return page.map(lambda r: {**r, "agree": None if r["agree"] is None else bool(r["agree"])})

    def doc_numbers(self, ids: Sequence[str]) -> dict[str, str | None]:
        """Each given document's number (None where it has none)."""
        out: dict[str, str | None] = {}
        for i in range(0, len(ids), 200):
            chunk = list(ids[i:i + 200])
            for r in self._rows(f"SELECT id, doc_number FROM documents WHERE id IN ({marks(chunk)})", chunk):
                out[r["id"]] = r["doc_number"]
        return out

    # -- citations ---------------------------------------------------------------

    def cite_parts(self, pairs: Sequence[tuple[str, str | None]]) -> tuple[dict[str, dict[str, Any]],
                                                                           dict[tuple[str, str], dict[str, Any]]]:
        """What citing the given ``(document, block label)`` pairs needs: each document's id and
        metadata, each block's label, kind, attributes and inferred flag."""
        ids = sorted({d for d, _ in pairs})
        docs: dict[str, dict[str, Any]] = {}
        blocks: dict[tuple[str, str], dict[str, Any]] = {}
        for i in range(0, len(ids), 200):
            chunk = ids[i:i + 200]
            for r in self._rows(f"SELECT id, doc_number, title, metadata FROM documents WHERE id IN ({marks(chunk)})",
                                chunk):
                docs[r["id"]] = {"id": r["id"], "doc_number": r["doc_number"], "title": r["title"],
                                 "metadata": json.loads(r["metadata"]) if r["metadata"] else {}}
        want = sorted({(d, b) for d, b in pairs if b is not None})
        for i in range(0, len(want), 200):
            some = want[i:i + 200]
            cond = " OR ".join("(doc_id = ? AND label = ?)" for _ in some)
            for r in self._rows(f"SELECT doc_id, label, kind, label_inferred, attrs FROM blocks WHERE {cond}",
                                [x for p in some for x in p]):
                blocks.setdefault((r["doc_id"], r["label"]), {
                    "label": r["label"], "kind": r["kind"], "label_inferred": bool(r["label_inferred"]),
                    "attrs": json.loads(r["attrs"]) if r["attrs"] else {}})
        return docs, blocks
