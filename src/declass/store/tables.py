"""The analysis tables: one row per judgment, event, redaction and edit, and
the entity pairs of each document, all derived from the export record.

The compressed record stays the source of truth (``declass export`` reads
it); these rows exist so that every corpus question (judgments in a
probability band, the timeline of an entity, redactions under one
exemption, who is named beside whom) is an indexed query with a ``LIMIT``
instead of a decompression of the whole archive.  Each row keeps its item
as JSON (``data``), so a page of results is the same dicts the record holds.

The schema and the rows are shared by both backends; the few words that
differ (binary and float types) are filled in per dialect.
"""

from __future__ import annotations

import json
import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from declass.store.cursors import decode_cursor as decode_cursor  # (where they were)
from declass.store.cursors import encode_cursor as encode_cursor

Row = tuple[Any, ...]

BLOCK_AND_MENTION_COLUMNS_V9 = """
ALTER TABLE blocks ADD COLUMN attrs TEXT;
ALTER TABLE mentions ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mentions ADD COLUMN page INTEGER;
ALTER TABLE mentions ADD COLUMN doc_date TEXT NOT NULL DEFAULT '';
DROP INDEX mentions_entity;
DROP INDEX mentions_named;
"""
"""Columns blocks and mentions gained in schema 9 (SQLite) / 3 (PostgreSQL), and the indexes
the new mention indexes replace."""

# The DDL of the tables added in schema 9 (SQLite) / 3 (PostgreSQL); {real} per dialect.
EVENT_ENTITIES = """
CREATE TABLE IF NOT EXISTS event_entities (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    entity TEXT NOT NULL,
    date TEXT NOT NULL,
    last_date TEXT NOT NULL,
    start INTEGER NOT NULL,
    PRIMARY KEY (doc_id, seq, entity)
);
CREATE INDEX IF NOT EXISTS event_entities_order ON event_entities(entity, date, doc_id, start, seq);
"""
"""The entities each event names (written with the fresh tables and by migration 12, which
adds them to an older archive: hence ``IF NOT EXISTS``)."""

TABLES = """
CREATE TABLE judgments (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    jid TEXT NOT NULL,
    block TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    page INTEGER,
    doc_date TEXT NOT NULL,
    term TEXT NOT NULL,
    polarity TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE INDEX judgments_order ON judgments(doc_date, doc_id, seq);
CREATE INDEX judgments_term ON judgments(term, doc_date, doc_id, seq);
CREATE INDEX judgments_jid ON judgments(doc_id, jid);
CREATE TABLE judgment_ranges (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    scale TEXT NOT NULL,
    low {real} NOT NULL,
    high {real} NOT NULL,
    doc_date TEXT NOT NULL DEFAULT '',
    term TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (doc_id, seq, scale)
);
CREATE INDEX judgment_ranges_band ON judgment_ranges(scale, low, high);
CREATE TABLE events (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    block TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    page INTEGER,
    date TEXT NOT NULL,
    last_date TEXT NOT NULL,
    kind TEXT,
    sentence_start INTEGER NOT NULL,
    sentence_end INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE INDEX events_date ON events(date, doc_id, start, seq);
CREATE INDEX events_last ON events(last_date);
CREATE TABLE redactions (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    block TEXT,
    start INTEGER,
    "end" INTEGER,
    page INTEGER,
    doc_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    exemption TEXT,
    withheld INTEGER NOT NULL DEFAULT 0,
    pages INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE INDEX redactions_order ON redactions(doc_date, doc_id, seq);
CREATE INDEX redactions_exemption ON redactions(exemption, doc_date, doc_id, seq);
CREATE TABLE edits (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    block TEXT,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    page INTEGER,
    doc_date TEXT NOT NULL,
    op TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE INDEX edits_order ON edits(doc_date, doc_id, seq);
""" + EVENT_ENTITIES + """CREATE TABLE cooccurrence (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    a TEXT NOT NULL,
    a_name TEXT,
    b TEXT NOT NULL,
    b_name TEXT,
    weight INTEGER NOT NULL,
    PRIMARY KEY (doc_id, a, b)
);
CREATE INDEX cooccurrence_a ON cooccurrence(a, b);
CREATE INDEX cooccurrence_b ON cooccurrence(b, a);
"""

# Totals kept up to date as documents come and go (schema 10 / 5): what the entity list, an
# entity's names and the co-occurrence network read instead of aggregating every mention.
AGGREGATES = """
CREATE TABLE entity_totals (
    eid TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT,
    mentions INTEGER NOT NULL,
    documents INTEGER NOT NULL,
    PRIMARY KEY (eid, name)
);
CREATE INDEX entity_totals_rank ON entity_totals((-mentions), name, eid);
CREATE INDEX entity_totals_type ON entity_totals(type, (-mentions), name, eid);
CREATE TABLE entity_forms (
    eid TEXT NOT NULL,
    name TEXT NOT NULL,
    form TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (eid, name, form)
);
CREATE TABLE entity_names (
    entity TEXT NOT NULL,
    form TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (entity, form)
);
CREATE TABLE cooccurrence_totals (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    a_name TEXT,
    b_name TEXT,
    weight INTEGER NOT NULL,
    documents INTEGER NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX cooccurrence_totals_b ON cooccurrence_totals(b, a);
CREATE INDEX cooccurrence_totals_rank ON cooccurrence_totals((-weight), a, b);
CREATE TABLE entity_documents (
    entity TEXT PRIMARY KEY,
    documents INTEGER NOT NULL
);
CREATE INDEX mentions_by_name_only ON mentions(named_id, doc_date, doc_id, start, seq)
    WHERE entity_id IS NULL OR entity_id <> named_id;
DROP INDEX mentions_doc_start;
CREATE INDEX mentions_doc_entity ON mentions(doc_id, entity_id, start);
"""
V12 = """
""" + EVENT_ENTITIES + """INSERT INTO event_entities (doc_id, seq, entity, date, last_date, start)
    SELECT DISTINCT e.doc_id, e.seq, m.entity_id, e.date, e.last_date, e.start FROM events e
    JOIN mentions m ON m.doc_id = e.doc_id AND m.start >= e.sentence_start AND m.start < e.sentence_end
    WHERE m.entity_id IS NOT NULL
    ON CONFLICT DO NOTHING;
CREATE TABLE term_totals (
    term TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);
CREATE TABLE range_totals (
    scale TEXT NOT NULL,
    term TEXT NOT NULL,
    low {real} NOT NULL,
    high {real} NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (scale, term, low, high)
);
INSERT INTO term_totals (term, n) SELECT term, count(*) FROM judgments GROUP BY term;
INSERT INTO range_totals (scale, term, low, high, n)
    SELECT scale, term, low, high, count(*) FROM judgment_ranges GROUP BY scale, term, low, high;
"""
"""Schema 12 / PostgreSQL 7: the entities each event's sentence names (the timeline of an entity
as an index walk), and judgment counts by term and by band (totals of the judgments pages)."""

V11_DROPS = """
DROP INDEX cooccurrence_a;
DROP INDEX cooccurrence_b;
"""
"""Indexes no question reads since the totals (schema 11 / PostgreSQL 6)."""

V13 = """
CREATE INDEX IF NOT EXISTS events_span ON events(date, doc_id, start, seq, last_date);
DROP INDEX IF EXISTS events_date;
"""
"""Events in date order with each one's last date beside it (schema 13 / PostgreSQL 8): a timeline
cut to a date range walks and counts the index alone instead of reading every earlier event's row
(at 100k pages: the count 33 -> 8 ms, a page 72 -> 4 ms)."""

V14 = "DROP TABLE cooccurrence;"
"""Schema 14 / PostgreSQL 9: a document's entity pairs are counted in ``cooccurrence_totals`` only; replacing
a document takes its share away as recounted from its mentions (the writer wrote 55 rows per document there
that no question read)."""

V18 = """
CREATE TABLE name_years (
    eid TEXT NOT NULL,
    named TEXT NOT NULL,
    form TEXT NOT NULL,
    year TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (eid, named, form, year)
);
CREATE INDEX name_years_named ON name_years(named);
INSERT INTO name_years (eid, named, form, year, n)
    SELECT coalesce(entity_id, ''), coalesce(named_id, ''), text, substr(coalesce(doc_date, ''), 1, 4), count(*)
    FROM mentions WHERE entity_id IS NOT NULL OR named_id IS NOT NULL
    GROUP BY coalesce(entity_id, ''), coalesce(named_id, ''), text, substr(coalesce(doc_date, ''), 1, 4);
"""
"""Schema 18 / PostgreSQL 12: mentions counted per (entity, entity named, form, year), kept up to date
per document: the names an entity appears under and their years read a few hundred rows, not every
mention (the entity page's first view at 100k pages counted 367,000 mentions)."""

V19 = """
CREATE TABLE redaction_totals (
    kind TEXT NOT NULL,
    exemption TEXT NOT NULL,
    n INTEGER NOT NULL,
    withheld INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    PRIMARY KEY (kind, exemption)
);
CREATE TABLE document_totals (
    doc_type TEXT PRIMARY KEY,
    documents INTEGER NOT NULL,
    pages INTEGER NOT NULL
);
INSERT INTO redaction_totals (kind, exemption, n, withheld, pages)
    SELECT kind, coalesce(exemption, ''), count(*), coalesce(sum(withheld), 0), coalesce(sum(pages), 0)
    FROM redactions GROUP BY kind, coalesce(exemption, '');
INSERT INTO document_totals (doc_type, documents, pages)
    SELECT coalesce(doc_type, ''), count(*), coalesce(sum(pages), 0) FROM documents GROUP BY coalesce(doc_type, '');
"""
"""Schema 19 / PostgreSQL 13: redactions counted per kind and exemption (with their withheld points and
exempt pages), documents and pages per type, kept up to date per document: the redaction report's corpus
figures and the document counts read a few dozen rows, not every redaction and document (at 100k pages the
report's totals read 1.1 million redactions).  An exemption or type of none is ``''``."""

V20 = """
CREATE TABLE event_totals (
    kind TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);
CREATE TABLE edit_totals (
    op TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);
INSERT INTO event_totals (kind, n) SELECT coalesce(kind, ''), count(*) FROM events GROUP BY coalesce(kind, '');
INSERT INTO edit_totals (op, n) SELECT op, count(*) FROM edits GROUP BY op;
"""
"""Schema 20 / PostgreSQL 14: events counted per kind and edits per operation, kept up to date per
document: the timeline's and the edits list's totals read a few rows, not every event or edit (the
unfiltered timeline counted every event for each page: its p95 at 100k pages was 1.94 times its p95 at
10k, the other lists' at most 1.2).  A kind of none is ``''``."""

V21 = """
CREATE TABLE event_entity_totals (
    entity TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);
INSERT INTO event_entity_totals (entity, n) SELECT entity, count(*) FROM event_entities GROUP BY entity;
"""
"""Schema 21 / PostgreSQL 15: the events that name each entity, counted and kept up to date per
document: an entity's timeline reads its total from one row, not by walking its events in the index
(at 100k pages that count made the page's p95 2.06 times its p95 at 10k, over the 2x every list keeps)."""

RANGE_COLUMNS_V10 = ("doc_date", "term")
"""Columns of ``judgment_ranges`` that archives made at schema 9 (SQLite) / 3 (PostgreSQL) lack."""

# The aggregates of the documents already stored, for the migration that adds them.
AGGREGATES_FILL = """
INSERT INTO entity_totals (eid, name, type, mentions, documents)
    SELECT coalesce(entity_id, ''), coalesce(canonical, text), min(type), count(*), count(DISTINCT doc_id)
    FROM mentions GROUP BY coalesce(entity_id, ''), coalesce(canonical, text);
INSERT INTO entity_forms (eid, name, form, n)
    SELECT coalesce(entity_id, ''), coalesce(canonical, text), text, count(*)
    FROM mentions GROUP BY coalesce(entity_id, ''), coalesce(canonical, text), text;
INSERT INTO entity_names (entity, form, n)
    SELECT entity, text, count(*) FROM (
        SELECT entity_id AS entity, text FROM mentions WHERE entity_id IS NOT NULL
        UNION ALL SELECT named_id AS entity, text FROM mentions
            WHERE named_id IS NOT NULL AND (entity_id IS NULL OR entity_id <> named_id)) x
    GROUP BY entity, text;
INSERT INTO cooccurrence_totals (a, b, a_name, b_name, weight, documents)
    SELECT a, b, min(a_name), min(b_name), sum(weight), count(*) FROM cooccurrence GROUP BY a, b;
INSERT INTO entity_documents (entity, documents)
    SELECT entity, count(DISTINCT doc_id) FROM (
        SELECT entity_id AS entity, doc_id FROM mentions WHERE entity_id IS NOT NULL
        UNION ALL SELECT named_id AS entity, doc_id FROM mentions WHERE named_id IS NOT NULL) x
    GROUP BY entity;
UPDATE judgment_ranges SET doc_date = (SELECT j.doc_date FROM judgments j WHERE j.doc_id = judgment_ranges.doc_id
    AND j.seq = judgment_ranges.seq), term = (SELECT j.term FROM judgments j WHERE j.doc_id = judgment_ranges.doc_id
    AND j.seq = judgment_ranges.seq);
CREATE INDEX judgment_ranges_order ON judgment_ranges(scale, doc_date, doc_id, seq, low, high);
CREATE INDEX judgment_ranges_term ON judgment_ranges(scale, term, low, high);
DROP INDEX judgment_ranges_band;
"""

# Mentions gain their place in the record, page and document date (for keyset pages by entity).
MENTION_INDEXES = """
CREATE INDEX mentions_entity_order ON mentions(entity_id, doc_date, doc_id, start, seq);
CREATE INDEX mentions_named_order ON mentions(named_id, doc_date, doc_id, start, seq);
CREATE INDEX mentions_doc_start ON mentions(doc_id, start);
"""

BLOCK_COLUMNS = ("seq", "label", "kind", "parent", "text", "start", "end", "page", "label_inferred", "attrs")
MENTION_COLUMNS = ("block", "entity_id", "canonical", "type", "text", "start", "end", "metonymy", "in_deleted",
                   "method", "named_id", "seq", "page", "doc_date")
JUDGMENT_COLUMNS = ("seq", "jid", "block", "start", "end", "page", "doc_date", "term", "polarity", "data")
RANGE_COLUMNS = ("seq", "scale", "low", "high", "doc_date", "term")
EVENT_ENTITY_COLUMNS = ("seq", "entity", "date", "last_date", "start")
EVENT_COLUMNS = ("seq", "block", "start", "end", "page", "date", "last_date", "kind", "sentence_start", "sentence_end",
                 "data")
REDACTION_COLUMNS = ("seq", "block", "start", "end", "page", "doc_date", "kind", "exemption", "withheld", "pages",
                     "data")
EDIT_COLUMNS = ("seq", "block", "start", "end", "page", "doc_date", "op", "data")
COOCCURRENCE_COLUMNS = ("a", "a_name", "b", "b_name", "weight")


@dataclass(frozen=True, slots=True)
class Rows:
    """The analysis rows of one document (without its id: the writer adds it)."""

    judgments: tuple[Row, ...] = ()
    ranges: tuple[Row, ...] = ()
    events: tuple[Row, ...] = ()
    redactions: tuple[Row, ...] = ()
    edits: tuple[Row, ...] = ()
    event_entities: tuple[Row, ...] = ()

    def tables(self) -> tuple[tuple[str, tuple[str, ...], tuple[Row, ...]], ...]:
        """``(table, columns, rows)`` for each table, in writing order."""
        return (("judgments", JUDGMENT_COLUMNS, self.judgments), ("judgment_ranges", RANGE_COLUMNS, self.ranges),
                ("events", EVENT_COLUMNS, self.events), ("redactions", REDACTION_COLUMNS, self.redactions),
                ("edits", EDIT_COLUMNS, self.edits), ("event_entities", EVENT_ENTITY_COLUMNS, self.event_entities))


@dataclass(frozen=True, slots=True)
class Aggregates:
    """What documents add to the maintained totals (`AGGREGATES`), rows in `TOTALS` order."""

    entity_totals: tuple[Row, ...]  # (eid, name, type, mentions, documents)
    entity_forms: tuple[Row, ...]  # (eid, name, form, n)
    entity_names: tuple[Row, ...]  # (entity, form, n)
    cooccurrence_totals: tuple[Row, ...]  # (a, b, a_name, b_name, weight, documents)
    entity_documents: tuple[Row, ...]  # (entity, 1)
    term_totals: tuple[Row, ...] = ()  # (term, n)
    range_totals: tuple[Row, ...] = ()  # (scale, term, low, high, n)
    name_years: tuple[Row, ...] = ()  # (eid, named, form, year, n)
    redaction_totals: tuple[Row, ...] = ()  # (kind, exemption, n, withheld, pages)
    document_totals: tuple[Row, ...] = ()  # (doc_type, documents, pages)
    event_totals: tuple[Row, ...] = ()  # (kind, n)
    edit_totals: tuple[Row, ...] = ()  # (op, n)
    event_entity_totals: tuple[Row, ...] = ()  # (entity, n)

    def tables(self) -> tuple[tuple[Row, ...], ...]:
        """The rows of each table of `TOTALS`, in its order."""
        return (self.entity_totals, self.entity_forms, self.entity_names, self.cooccurrence_totals,
                self.entity_documents, self.term_totals, self.range_totals, self.name_years, self.redaction_totals,
                self.document_totals, self.event_totals, self.edit_totals, self.event_entity_totals)


TOTALS: tuple[tuple[str, tuple[str, ...], int, int], ...] = (
    ("entity_totals", ("eid", "name", "type", "mentions", "documents"), 2, 2),
    ("entity_forms", ("eid", "name", "form", "n"), 3, 1),
    ("entity_names", ("entity", "form", "n"), 2, 1),
    ("cooccurrence_totals", ("a", "b", "a_name", "b_name", "weight", "documents"), 2, 2),
    ("entity_documents", ("entity", "documents"), 1, 1),
    ("term_totals", ("term", "n"), 1, 1),
    ("range_totals", ("scale", "term", "low", "high", "n"), 4, 1),
    ("name_years", ("eid", "named", "form", "year", "n"), 4, 1),
    ("redaction_totals", ("kind", "exemption", "n", "withheld", "pages"), 2, 3),
    ("document_totals", ("doc_type", "documents", "pages"), 1, 2),
    ("event_totals", ("kind", "n"), 1, 1),
    ("edit_totals", ("op", "n"), 1, 1),
    ("event_entity_totals", ("entity", "n"), 1, 1),
)
"""The maintained totals: table, columns, how many lead columns are its key, how many trail are counts."""


def merged(parts: Iterable[Aggregates]) -> Aggregates:
    """Several documents' shares of the totals as one (counts summed per key, keys in order):
    a batch of documents updates each total once."""
    shares = [agg.tables() for agg in parts]
    out: list[tuple[Row, ...]] = []
    for t, (_, cols, keys, counts) in enumerate(TOTALS):
        n = len(cols) - counts
        if counts == 1 and n == keys:  # (key..., n): most tables, summed without a list per key
            total: dict[Row, int] = {}
            get = total.get
            for share in shares:
                for r in share[t]:
                    k = r[:keys]
                    total[k] = get(k, 0) + r[keys]
            out.append(tuple([(*k, v) for k, v in sorted(total.items())]))
            continue
        acc: dict[Row, list[Any]] = {}
        for share in shares:
            for r in share[t]:
                have = acc.get(r[:keys])
                if have is None:
                    acc[r[:keys]] = list(r)
                else:
                    for i in range(n, len(cols)):
                        have[i] += r[i]
        out.append(tuple([tuple(v) for _, v in sorted(acc.items())]))
    return Aggregates(*out)


def totals(mentions: Sequence[Row], judgments: Iterable[Row], ranges: Iterable[Row], redactions: Iterable[Row] = (),
           document: tuple[str | None, int | None] | None = None, *, event_kinds: Iterable[str | None] = (),
           edit_ops: Iterable[str | None] = (), event_entities: Iterable[str] = ()) -> Aggregates:
    """One document's share of the totals, from its mention, judgment, range and redaction rows, its
    ``(doc_type, pages)`` (None: no document, only its rows), its events' kinds, its edits' operations
    and the entity of each of its event-entity rows."""
    agg = aggregates(mentions, cooccurrence_rows(mentions), [j[JUDGMENT_COLUMNS.index("term")] for j in judgments],
                     ranges)
    return replace(agg, redaction_totals=redaction_totals(redactions),
                   document_totals=() if document is None else ((document[0] or "", 1, document[1] or 0),),
                   event_totals=_counted(event_kinds), edit_totals=_counted(edit_ops),
                   event_entity_totals=_counted(event_entities))


def _counted(keys: Iterable[str | None]) -> tuple[Row, ...]:
    """``(key, n)`` for each key (None counted as ``''``), in key order."""
    return tuple(sorted(Counter(k or "" for k in keys).items()))


def redaction_totals(redactions: Iterable[Row]) -> tuple[Row, ...]:
    """``(kind, exemption, n, withheld, pages)`` of a document's redaction rows (`REDACTION_COLUMNS`)."""
    kind, exemption, withheld, pages = (REDACTION_COLUMNS.index(c) for c in ("kind", "exemption", "withheld", "pages"))
    sums: dict[tuple[str, str], list[int]] = {}
    for r in redactions:
        acc = sums.setdefault((r[kind], r[exemption] or ""), [0, 0, 0])
        acc[0] += 1
        acc[1] += r[withheld] or 0
        acc[2] += r[pages] or 0
    return tuple((*k, *v) for k, v in sorted(sums.items()))


def aggregates(mentions: Iterable[Row], cooccurrence: Iterable[Row], terms: Iterable[str] = (),
               ranges: Iterable[Row] = ()) -> Aggregates:
    """One document's share of the totals, from its mention rows (`MENTION_COLUMNS`), its
    entity pairs (`COOCCURRENCE_COLUMNS`), its judgments' terms and its ranges (`RANGE_COLUMNS`)."""
    totals: dict[tuple[str, str], list[Any]] = {}
    seen_forms: list[tuple[str, str, str]] = []  # counted at the end, in one C pass each (Counter's += is Python)
    seen_names: list[tuple[str, str]] = []
    seen_years: list[tuple[str, str, str, str]] = []
    for m in mentions:
        eid, canonical, type_, text, named = m[1], m[2], m[3], m[4], m[10]
        key = (eid or "", canonical or text)
        row = totals.get(key)
        if row is None:
            totals[key] = [type_, 1]
        else:
            row[1] += 1
        seen_forms.append((*key, text))
        if eid is not None:
            seen_names.append((eid, text))
        if named is not None and named != eid:
            seen_names.append((named, text))
        if eid or named:
            seen_years.append((eid or "", named or "", text, (m[13] or "")[:4]))
    forms, names, years = Counter(seen_forms), Counter(seen_names), Counter(seen_years)
    return Aggregates(
        tuple((k[0], k[1], t, n, 1) for k, (t, n) in sorted(totals.items())),
        tuple((*k, n) for k, n in sorted(forms.items())),
        tuple((*k, n) for k, n in sorted(names.items())),
        tuple((a, b, an, bn, w, 1) for a, an, b, bn, w in cooccurrence),
        tuple((e, 1) for e in sorted({e for e, _ in names})),
        tuple(sorted(Counter(terms).items())),
        tuple((*k, n) for k, n in sorted(Counter((r[1], r[5], r[2], r[3]) for r in ranges).items())),
        tuple((*k, n) for k, n in sorted(years.items())))


def dumps(item: Any) -> str:
    from declass.model import jsonio  # (the model loads when writing, not for a store question)

    return jsonio.dumps(item)


def doc_date(record: dict[str, Any]) -> str:
    """The document's date for ordering ('' when it has none, so it sorts first on both backends)."""
    from declass.model import field_value  # (the model loads when writing, not for a store question)

    v = field_value(record.get("metadata") or {}, "date")
    return str(v) if v else ""


def block_pages(record: dict[str, Any]) -> dict[str, int | None]:
    return {b["label"]: b.get("page") for b in record["blocks"]}


def block_rows(record: dict[str, Any]) -> list[Row]:
    """Rows of ``blocks``, in `BLOCK_COLUMNS` order."""
    return [(i, b["label"], b["kind"], b["parent"], b["text"], b["start"], b["end"], b["page"],
             int(b.get("label_inferred", False)), dumps(b["attrs"]) if b.get("attrs") else None)
            for i, b in enumerate(record["blocks"])]


def mention_rows(record: dict[str, Any]) -> list[Row]:
    """Rows of ``mentions``, in `MENTION_COLUMNS` order."""
    pages, date = block_pages(record), doc_date(record)
    return [(m["block"], m.get("id"), m.get("canonical"), m["type"], m["text"], m["start"], m["end"],
             int(bool(m.get("metonymy"))), int(bool(m.get("in_deleted_text"))), m.get("method"),
             m.get("as_named") or m.get("id"), i, pages.get(m["block"]), date)
            for i, m in enumerate(record.get("entities", []))]


def rows(record: dict[str, Any]) -> Rows:
    """The analysis rows of one export record."""
    pages, date = block_pages(record), doc_date(record)
    judgments, ranges = [], []
    for i, j in enumerate(record.get("judgments", [])):
        judgments.append((i, j["id"], j["block"], j["start"], j["end"], pages.get(j["block"]), date, j["term"],
                          j.get("polarity"), dumps(j)))
        ranges += [(i, scale, float(rng[0]), float(rng[1]), date, j["term"])
                   for scale, rng in (j.get("probability") or {}).items() if rng is not None]
    events = [(i, e["block"], e["start"], e["end"], e.get("page", pages.get(e["block"])), e["date"],
               e.get("date_end") or e["date"], e.get("kind"), e["sentence_start"], e["sentence_end"], dumps(e))
              for i, e in enumerate(record.get("events", []))]
    redactions = [(i, r.get("block"), r.get("start"), r.get("end"), r.get("page", pages.get(r.get("block") or "")),
                   date, r["kind"], exemption_key(r), len(r.get("inferred_labels") or []),
                   int((r.get("size") or {}).get("pages", 1)) if r["kind"] == "exempt_pages" else 0, dumps(r))
                  for i, r in enumerate(record.get("redactions", []))]
    edits = [(i, e.get("block"), e["start"], e["end"], pages.get(e.get("block") or ""), date, e["op"], dumps(e))
             for i, e in enumerate(record.get("edits", []))]
    named = sorted((m["start"], m["id"]) for m in record.get("entities", []) if m.get("id"))
    starts = [st for st, _ in named]
    event_entities = []
    for i, e in enumerate(record.get("events", [])):
        lo, hi = bisect_left(starts, e["sentence_start"]), bisect_left(starts, e["sentence_end"])
        event_entities += [(i, ent, e["date"], e.get("date_end") or e["date"], e["start"])
                           for ent in sorted({ent for _, ent in named[lo:hi]})]
    return Rows(tuple(judgments), tuple(ranges), tuple(events), tuple(redactions), tuple(edits),
                tuple(event_entities))


def exemption_key(r: dict[str, Any]) -> str | None:
    """What a marker is counted under: its FOIA exemption code, else the marker as printed."""
    if r["kind"] != "marker":
        return None
    return (r.get("exemption") or {}).get("code") or r.get("marker")


def cooccurrence_rows(mentions: Iterable[Row]) -> list[Row]:
    """Pairs of entities named in the same block, ``a < b``: in how many blocks of the document
    whose mention rows (`MENTION_COLUMNS`, in the record's order) are given."""
    by_block: dict[str, dict[str, str | None]] = {}
    for m in mentions:
        if m[1]:
            by_block.setdefault(m[0], {}).setdefault(m[1], m[2])
    weight: Counter[tuple[str, str]] = Counter()
    names: dict[str, str | None] = {}
    for ents in by_block.values():
        names.update(ents)
        weight.update(combinations(sorted(ents), 2))
    return [(a, names[a], b, names[b], n) for (a, b), n in sorted(weight.items())]


DOCUMENT_SCHEMA_V9 = ("id", "sha256", "path", "media_type", "size", "pages", "blocks", "doc_type", "doc_number",
                      "title", "date", "classification", "archive_id", "released", "ingested_at", "redactions",
                      "withheld", "edits", "numbered", "metadata", "record")


def stored_record(blob: bytes) -> dict[str, Any] | None:
    """A stored (compressed) record; None for one that cannot be read."""
    try:
        record = json.loads(zlib.decompress(bytes(blob)))
    except (zlib.error, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("blocks"), list) else None


# -- keyset cursors -----------------------------------------------------------------
