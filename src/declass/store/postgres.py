"""The shared store: PostgreSQL (psycopg 3), for an archive a group uses.

Same concepts as the SQLite store: documents keyed by SHA-256 (the same
content twice is a no-op, a new version of a path replaces the old one),
one transaction per batch of documents, recorded migrations.  Full text is
a ``tsvector`` column (the store writes it: the words as the embedded
engines read them) with a GIN index, searched in the same query language
as SQLite (`store.pgsearch`); blocks and mentions are bulk-loaded with
``COPY``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from declass.errors import StoreError, UsageError
from declass.store import pgsearch, tables
from declass.store.base import (
    DOCUMENT_COLUMNS,
    Hit,
    Prepared,
    PutResult,
    document_values,
    prepare,
    with_mentions_marked,
)
from declass.store.migrations import RELEASES_TABLE
from declass.store.paged import PagedQueries
from declass.store.query import parse

OPEN, CLOSE = "\x02", "\x03"

MIGRATIONS: tuple[tuple[int, str, str], ...] = ((1, "initial schema", """
CREATE TABLE documents (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, path TEXT NOT NULL, media_type TEXT, size BIGINT,
    pages INTEGER, blocks INTEGER, doc_type TEXT, doc_number TEXT, title TEXT, date TEXT, classification TEXT,
    archive_id TEXT, released TEXT, ingested_at TEXT NOT NULL, record BYTEA NOT NULL,
    redactions INTEGER NOT NULL DEFAULT 0, withheld INTEGER NOT NULL DEFAULT 0, edits INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX documents_path ON documents(path);
CREATE INDEX documents_number ON documents(lower(doc_number));
CREATE TABLE blocks (
    rowid BIGSERIAL PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, label TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT, text TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, page INTEGER, label_inferred BOOLEAN NOT NULL DEFAULT FALSE,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    UNIQUE (doc_id, seq)
);
CREATE INDEX blocks_tsv ON blocks USING GIN (tsv);
CREATE INDEX blocks_doc_label ON blocks(doc_id, label);
CREATE TABLE mentions (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE, block TEXT NOT NULL, entity_id TEXT,
    canonical TEXT, type TEXT NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    metonymy BOOLEAN NOT NULL DEFAULT FALSE, in_deleted BOOLEAN NOT NULL DEFAULT FALSE, method TEXT, named_id TEXT
);
CREATE INDEX mentions_entity ON mentions(entity_id);
CREATE INDEX mentions_named ON mentions(named_id);
CREATE INDEX mentions_doc_block ON mentions(doc_id, block);
CREATE TABLE links (
    a_doc TEXT NOT NULL, a TEXT NOT NULL, b_doc TEXT NOT NULL, b TEXT NOT NULL, score DOUBLE PRECISION NOT NULL,
    agree BOOLEAN, method TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed', 'rejected')),
    updated_at TEXT NOT NULL, PRIMARY KEY (a_doc, a, b_doc, b)
);
"""), (2, "releases of one document", RELEASES_TABLE), (3, "tables of judgments, events, redactions, edits and"
   " entity pairs", tables.TABLES.format(real="DOUBLE PRECISION") + """
ALTER TABLE documents ADD COLUMN numbered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN metadata TEXT;
CREATE INDEX documents_id_prefix ON documents(id text_pattern_ops);
CREATE INDEX documents_sha_prefix ON documents(sha256 text_pattern_ops);
CREATE INDEX documents_date ON documents(date, id);
""" + tables.BLOCK_AND_MENTION_COLUMNS_V9 + tables.MENTION_INDEXES),
    (4, "search reads words as the embedded engines do (store.pgsearch)", pgsearch.SCHEMA),
    (5, "entity and co-occurrence totals", "".join(
        f"ALTER TABLE judgment_ranges ADD COLUMN IF NOT EXISTS {c} TEXT NOT NULL DEFAULT '';\n"
        for c in tables.RANGE_COLUMNS_V10) + tables.AGGREGATES + tables.AGGREGATES_FILL),
    (6, "fewer indexes to write", tables.V11_DROPS),
    (7, "entities of events; judgments by term and band", tables.V12.format(real="DOUBLE PRECISION")),
    (8, "events' last dates in their date index", tables.V13))
LATEST = MIGRATIONS[-1][0]
# ``record`` is not moved to the end of its row as in SQLite: PostgreSQL keeps a large value
# out of line (TOAST), so reading the other columns never reads it.


BOOLEAN_COLUMNS = frozenset({"label_inferred", "metonymy", "in_deleted"})


class PostgresStore(PagedQueries):
    """The archive in a PostgreSQL database (``postgresql://...``)."""

    backend = "postgresql"

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        import psycopg
        from psycopg.rows import dict_row

        self.url, self.readonly = url, readonly
        self._psycopg = psycopg
        try:
            self.db = psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError("E303", _first_line(exc), path=_safe(url)) from None
        try:
            self.db.execute(pgsearch.SESSION)
            if not readonly:
                self._migrate()
            version = self._version()
            if readonly:
                self.db.execute("SET default_transaction_read_only = on")
        except psycopg.Error as exc:
            self.db.close()
            raise StoreError("E302", _first_line(exc), path=_safe(url)) from None
        if version > LATEST:
            self.db.close()
            raise StoreError("E304", f"schema {version} > {LATEST}", path=_safe(url))
        if version == 0:
            self.db.close()
            raise StoreError("E302", "no declass schema in this database (ingest documents first)", path=_safe(url))

    def _version(self) -> int:
        row = self.db.execute("SELECT to_regclass('schema_migrations') AS t").fetchone()
        if not row or row["t"] is None:
            return 0
        found = self.db.execute("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").fetchone()
        return int(found["v"]) if found else 0

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        for version, name, sql in MIGRATIONS:
            with self.db.transaction():
                self.db.execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
                if self._version() >= version:
                    continue
                self.db.execute(sql)
                if version == 4:
                    pgsearch.backfill(self.db)
                if version == 3:
                    self._backfill_tables()
                self.db.execute("INSERT INTO schema_migrations VALUES (%s, %s, %s)",
                                (version, name, datetime.now(UTC).isoformat(timespec="seconds")))

    def _backfill_tables(self) -> None:
        """Fill the tables of migration 3 from the records already stored."""
        for doc_id in [r["id"] for r in self.db.execute("SELECT id FROM documents").fetchall()]:
            row = self.db.execute("SELECT record FROM documents WHERE id = %s", (doc_id,)).fetchone()
            fill = tables.backfill(row["record"]) if row else None
            if fill is None:
                continue
            self.db.execute("UPDATE documents SET numbered = %s, metadata = %s WHERE id = %s", (*fill.document, doc_id))
            with self.db.cursor() as cur:
                cur.executemany("UPDATE blocks SET attrs = %s WHERE doc_id = %s AND seq = %s",
                                [(attrs, doc_id, seq) for seq, attrs in fill.attrs])
            self.db.execute("DELETE FROM mentions WHERE doc_id = %s", (doc_id,))
            for table, columns, rows in fill.tables():
                self._copy(table, columns, doc_id, rows)

    def _copy(self, table: str, columns: tuple[str, ...], doc_id: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Bulk-load rows of ``table`` for one document (``COPY``)."""
        if not rows:
            return
        cols = ", ".join(f'"{c}"' if c == "end" else c for c in ("doc_id", *columns))
        flags = {i for i, c in enumerate(columns) if c in BOOLEAN_COLUMNS}
        with self.db.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((doc_id, *(bool(v) if i in flags else v for i, v in enumerate(r))))

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self._read(sql.replace("?", "%s"), list(params))

    def _write(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.db.cursor() as cur:
            cur.executemany(sql.replace("?", "%s"), rows)

    def close(self) -> None:
        self.db.close()

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            return self.db.execute(sql, params).fetchall()
        except self._psycopg.errors.QueryCanceled:
            raise StoreError("E305", "statement timeout", path=_safe(self.url)) from None
        except self._psycopg.Error as exc:
            raise StoreError("E303", _first_line(exc), path=_safe(self.url)) from None

    @contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        """Cancel any statement that runs longer than ``seconds`` (StoreError E305)."""
        self.db.execute(f"SET statement_timeout = {max(int(seconds * 1000), 1)}")
        try:
            yield
        finally:
            self.db.execute("SET statement_timeout = 0")

    # -- writing ---------------------------------------------------------

    def has_sha(self, sha256: str) -> bool:
        return bool(self._read("SELECT 1 FROM documents WHERE sha256 = %s", (sha256,)))

    def put(self, record: dict[str, Any]) -> PutResult:
        return self.put_many([prepare(record)])[0]

    def put_many(self, docs: list[Prepared]) -> list[PutResult]:
        """Store prepared documents in one transaction: all of them or none."""
        if self.readonly:
            raise StoreError("E301", "opened read-only", path=_safe(self.url))
        try:
            with self.db.transaction():
                return [self._put(d) for d in docs]
        except self._psycopg.errors.ReadOnlySqlTransaction as exc:
            raise StoreError("E301", _first_line(exc), path=_safe(self.url)) from None
        except self._psycopg.Error as exc:
            raise StoreError("E303", _first_line(exc), path=_safe(self.url)) from None

    def _put(self, doc: Prepared) -> PutResult:
        row = self.db.execute("SELECT id FROM documents WHERE sha256 = %s", (doc.sha256,)).fetchone()
        if row:
            return PutResult(row["id"], "unchanged")
        status, doc_id = "added", doc.id
        old = self.db.execute("SELECT id FROM documents WHERE path = %s", (doc.path,)).fetchone()
        if old:
            doc_id, status = old["id"], "replaced"
            self._add_totals(self._stored_totals(doc_id), -1)
            self.db.execute("DELETE FROM documents WHERE id = %s", (doc_id,))
        elif self.db.execute("SELECT 1 FROM documents WHERE id = %s", (doc_id,)).fetchone():
            doc_id = f"{doc_id}-{doc.sha256[:8]}"
        self.db.execute(
            f"INSERT INTO documents ({', '.join(DOCUMENT_COLUMNS)})"
            f" VALUES ({', '.join(['%s'] * len(DOCUMENT_COLUMNS))})",
            document_values(doc, doc_id, datetime.now(UTC).isoformat(timespec="seconds")),
        )
        self._copy("blocks", (*tables.BLOCK_COLUMNS, "tsv"), doc_id,  # tsv: the words as pgsearch reads them
                   pgsearch.with_tsvectors(doc.blocks, tables.BLOCK_COLUMNS.index("text")))
        self._copy("mentions", tables.MENTION_COLUMNS, doc_id, doc.mentions)
        for table, columns, rows in doc.rows.tables():
            self._copy(table, columns, doc_id, rows)
        self._add_totals(tables.aggregates(doc.mentions, doc.rows.cooccurrence, [j[7] for j in doc.rows.judgments],
                                           doc.rows.ranges), 1)
        return PutResult(doc_id, status)

    # -- reading ---------------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        return self._read(
            "SELECT id, path, sha256, media_type, size, pages, blocks, doc_type, doc_number, title, date,"
            " classification, archive_id, released, ingested_at, redactions, withheld, edits FROM documents"
            " ORDER BY date NULLS FIRST, id")

    def count(self) -> tuple[int, int]:
        row = self._read("SELECT count(*) AS n, coalesce(sum(blocks), 0) AS b FROM documents")[0]
        return int(row["n"]), int(row["b"])

    def get(self, doc_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT id, record FROM documents WHERE id = %s", (doc_id,))
        if not rows:
            return None
        record: dict[str, Any] = json.loads(zlib.decompress(bytes(rows[0]["record"])))
        record["id"] = rows[0]["id"]
        return record

    def resolve(self, ref: str) -> str | None:
        like = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for sql, arg in (("SELECT id FROM documents WHERE id = %s", ref),
                         ("SELECT id FROM documents WHERE lower(doc_number) = lower(%s)", ref),
                         ("SELECT id FROM documents WHERE id LIKE %s", like),
                         ("SELECT id FROM documents WHERE sha256 LIKE %s", like.lower())):
            rows = self._read(sql + " LIMIT 2", (arg,))
            if len(rows) == 1:
                return str(rows[0]["id"])
        return None

    def iter_records(self) -> Iterator[dict[str, Any]]:
        for r in self._read("SELECT id FROM documents ORDER BY date NULLS FIRST, id"):
            rec = self.get(r["id"])
            if rec is not None:
                yield rec

    def search(self, query: str | None, *, limit: int = 20, doc_id: str | None = None,
               entity_ids: Sequence[str] = ()) -> list[Hit]:
        if query:  # the query language, read as FTS5 reads it (store.pgsearch)
            return pgsearch.search(self._read, parse(query), limit=limit, doc_id=doc_id, entity_ids=entity_ids)
        source, snip = "blocks b JOIN documents d ON d.id = b.doc_id", "substr(b.text, 1, 200)"
        rank, order = "0.0", "d.date NULLS FIRST, b.doc_id, b.seq"
        where, params = pgsearch.block_filters(doc_id, entity_ids)
        params.append(limit)
        rows = self._read(
            f"SELECT b.doc_id, b.label, b.kind, b.page, b.start, b.\"end\", d.title, d.doc_number, {snip} AS snip,"
            f" {rank} AS rank FROM {source} WHERE {' AND '.join(where) or 'TRUE'} ORDER BY {order} LIMIT %s",
            params)
        hits = [Hit.from_marked(r["doc_id"], r["label"], r["kind"], r["page"], r["start"], r["end"], r["snip"],
                                float(r["rank"]), r["title"], r["doc_number"], OPEN, CLOSE) for r in rows]
        if entity_ids:
            hits = [self._highlight_mentions(h, entity_ids) for h in hits]
        return hits

    def _highlight_mentions(self, hit: Hit, entity_ids: Sequence[str]) -> Hit:
        """For an entity-only search: the snippet is the block, its mentions highlighted."""
        rows = self._read("SELECT text FROM blocks WHERE doc_id = %s AND label = %s", (hit.document, hit.label))
        text = rows[0]["text"] if rows else hit.snippet
        found = self._read(
            "SELECT text FROM mentions WHERE doc_id = %s AND block = %s AND (entity_id = ANY(%s) OR named_id = ANY(%s))"
            " ORDER BY start", (hit.document, hit.label, list(entity_ids), list(entity_ids)))
        return with_mentions_marked(hit, text, [m["text"] for m in found])

    def mentions(self, *, entity_ids: Sequence[str] = (), doc_id: str | None = None,
                 type_: str | None = None) -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[Any] = []
        if entity_ids:
            where.append("(m.entity_id = ANY(%s) OR m.named_id = ANY(%s))")
            params += [list(entity_ids), list(entity_ids)]
        if doc_id:
            where.append("m.doc_id = %s")
            params.append(doc_id)
        if type_:
            where.append("m.type = %s")
            params.append(type_)
        return self._read(
            'SELECT m.doc_id AS document, m.block, m.entity_id AS id, m.canonical, m.type, m.text, m.start,'
            ' m."end", m.metonymy, m.in_deleted AS in_deleted_text, m.method, m.named_id, d.date, d.doc_number,'
            " d.title FROM mentions m JOIN documents d ON d.id = m.doc_id"
            f" WHERE {' AND '.join(where) or 'TRUE'} ORDER BY d.date NULLS FIRST, m.doc_id, m.start", params)

    def cooccurrence(self, *, min_weight: int = 1) -> list[dict[str, Any]]:
        return self._read(
            "WITH e AS (SELECT DISTINCT doc_id, block, entity_id, canonical FROM mentions"
            " WHERE entity_id IS NOT NULL)"
            " SELECT a.entity_id AS source, min(a.canonical) AS source_name, b.entity_id AS target,"
            " min(b.canonical) AS target_name, count(*) AS weight, count(DISTINCT a.doc_id) AS documents"
            " FROM e a JOIN e b ON a.doc_id = b.doc_id AND a.block = b.block AND a.entity_id < b.entity_id"
            " GROUP BY a.entity_id, b.entity_id HAVING count(*) >= %s ORDER BY weight DESC, source, target",
            (min_weight,))

    def block_rows(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        if not pairs:
            return {}
        rows = self._read(
            "SELECT b.doc_id, b.label, b.kind, b.parent, b.label_inferred FROM blocks b"
            " JOIN unnest(%s::text[], %s::text[]) AS w(d, l) ON b.doc_id = w.d AND b.label = w.l",
            ([p[0] for p in pairs], [p[1] for p in pairs]))
        return {(r["doc_id"], r["label"]): {"label": r["label"], "kind": r["kind"], "parent": r["parent"],
                                            "label_inferred": r["label_inferred"]} for r in rows}

    def mention_counts(self, pairs: Sequence[tuple[str, str]], limit: int = 12) -> list[tuple[str, int]]:
        if not pairs:
            return []
        rows = self._read(
            "SELECT m.canonical, count(*) AS n FROM mentions m"
            " JOIN unnest(%s::text[], %s::text[]) AS w(d, l) ON m.doc_id = w.d AND m.block = w.l"
            " WHERE m.canonical IS NOT NULL GROUP BY m.canonical ORDER BY n DESC, m.canonical LIMIT %s",
            ([p[0] for p in pairs], [p[1] for p in pairs], limit))
        return [(r["canonical"], int(r["n"])) for r in rows]

    # -- releases of one document (declass.corpus.releases) ----------------------

    def save_releases(self, pairs: Sequence[tuple[str, str, str, float, str]]) -> int:
        """Store found pairs ``(earlier, later, method, score, basis)``; a pair a user
        confirmed or rejected keeps its status and order."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.transaction():
            self.db.execute("DELETE FROM releases WHERE status = 'proposed'")
            for e, later, method, score, basis in pairs:
                if self.db.execute("SELECT 1 FROM releases WHERE (earlier = %s AND later = %s) OR"
                                   " (earlier = %s AND later = %s)", (e, later, later, e)).fetchone():
                    continue
                self.db.execute("INSERT INTO releases VALUES (%s,%s,%s,%s,%s,'proposed',%s)",
                                (e, later, method, score, basis, now))
        return len(pairs)

    def set_release(self, earlier: str, later: str, status: str, basis: str) -> None:
        """A user's pairing (``confirmed``) or unpairing (``rejected``) of two documents."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.transaction():
            self.db.execute("DELETE FROM releases WHERE (earlier = %s AND later = %s) OR (earlier = %s AND"
                            " later = %s)", (earlier, later, later, earlier))
            self.db.execute("INSERT INTO releases VALUES (%s,%s,'user',1.0,%s,%s,%s)",
                            (earlier, later, basis, status, now))

    def releases(self, *, include_rejected: bool = False) -> list[dict[str, Any]]:
        """Stored pairs of documents both still in the archive, by the earlier one's date."""
        where = "" if include_rejected else " WHERE r.status <> 'rejected'"
        return self._read(
            "SELECT r.*, a.date AS date, a.title AS title FROM releases r JOIN documents a ON a.id = r.earlier"
            f" JOIN documents b ON b.id = r.later{where} ORDER BY a.date NULLS FIRST, r.earlier, r.later")

    # -- links -------------------------------------------------------------

    def save_links(self, links: list[dict[str, Any]]) -> int:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.transaction():
            self.db.execute("DELETE FROM links WHERE status = 'proposed'")
            with self.db.cursor() as cur:
                cur.executemany(
                    "INSERT INTO links (a_doc, a, b_doc, b, score, agree, method, status, updated_at)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,'proposed',%s) ON CONFLICT (a_doc, a, b_doc, b) DO UPDATE SET"
                    " score = excluded.score, agree = excluded.agree, method = excluded.method",
                    [(x["a_doc"], x["a"], x["b_doc"], x["b"], x["score"], x["agree"], x["method"], now)
                     for x in links])
        return len(links)

    def set_link_status(self, a_doc: str, a: str, b_doc: str, b: str, status: str) -> bool:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.transaction():
            done = 0
            for p in ((a_doc, a, b_doc, b), (b_doc, b, a_doc, a)):
                done += self.db.execute("UPDATE links SET status = %s, updated_at = %s WHERE a_doc = %s AND a = %s"
                                        " AND b_doc = %s AND b = %s", (status, now, *p)).rowcount
            if not done:
                self.db.execute("INSERT INTO links VALUES (%s,%s,%s,%s,0,NULL,'user',%s,%s)",
                                (a_doc, a, b_doc, b, status, now))
        return True

    def links(self, *, include_rejected: bool = False) -> list[dict[str, Any]]:
        where = "" if include_rejected else " WHERE status <> 'rejected'"
        return self._read(f"SELECT * FROM links{where} ORDER BY score DESC")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}@{host}"
    return url


__all__ = ["PostgresStore", "UsageError"]
