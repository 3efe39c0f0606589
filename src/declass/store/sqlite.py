"""The embedded store: one SQLite file, WAL mode, FTS5 over block text.

All writes go through one connection and one ``BEGIN IMMEDIATE``
transaction per document, so a crash (even ``kill -9``) leaves either the
whole document or none of it.  Documents are keyed by the SHA-256 of their
bytes: putting the same content twice is a no-op; a new version of a file
already in the archive (same path, new content) replaces the old one.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from declass.errors import StoreError, UsageError
from declass.store import migrations, tables
from declass.store import query as query_mod
from declass.store.base import (
    DOCUMENT_COLUMNS,
    Hit,
    Prepared,
    PutResult,
    document_values,
    prepare,
    with_mentions_marked,
)
from declass.store.paged import PagedQueries
from declass.store.textindex import BlockIndex

log = logging.getLogger("declass")

SYNC_BLOCKS = 50_000  # blocks written before the search index catches up mid-ingest
SYNC_SECONDS = 30.0

HIGHLIGHT_OPEN = "\x02"
HIGHLIGHT_CLOSE = "\x03"


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL archive on read-only media cannot create its shared-memory
            # file; nobody can be writing it there, so read it as immutable.
            db.close()
            db = sqlite3.connect(
                f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None, check_same_thread=False
            )
    else:
        db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    db.row_factory = sqlite3.Row
    return db


class SQLiteStore(PagedQueries):
    """The archive in one SQLite file."""

    backend = "sqlite"

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if not readonly and self.path.exists() and not os.access(self.path, os.W_OK):
            raise StoreError("E301", "open it read-only, or fix its permissions", path=self.path)
        if not readonly and not self.path.exists() and not os.access(self.path.parent or ".", os.W_OK):
            raise StoreError("E301", "its folder is not writable", path=self.path)
        if readonly and not self.path.exists():
            raise StoreError("E303", "no such file (ingest documents first)", path=self.path)
        try:
            self.db = _connect(self.path, readonly=readonly)
            self.db.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                migrations.apply(self.db)
            version = migrations.current_version(self.db) if not readonly else self._version_ro()
        except sqlite3.DatabaseError as exc:
            if hasattr(self, "db"):
                self.db.close()
            raise self._error(exc) from None
        self.schema = version
        if version > migrations.LATEST:
            self.db.close()
            raise StoreError("E304", f"schema {version} > {migrations.LATEST}", path=self.path)
        self.index = BlockIndex(self.db, self.path, readonly=readonly or version < 6)
        # an archive whose index is missing (new, migrated, copied without it) gets one when closed
        self._unindexed = 0 if readonly or self.index.usable() is not None else self._has_blocks()
        self._synced_at = time.monotonic()

    def _has_blocks(self) -> int:
        return 1 if self.db.execute("SELECT 1 FROM blocks LIMIT 1").fetchone() else 0

    def _version_ro(self) -> int:
        row = self.db.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return row[0] or 0

    def _error(self, exc: sqlite3.Error) -> StoreError:
        msg = str(exc)
        if "readonly" in msg or "read-only" in msg:
            return StoreError("E301", msg, path=self.path)
        if ("no such table" in msg or "no such column" in msg) and getattr(self, "schema", migrations.LATEST) \
                < migrations.LATEST:
            return StoreError("E302", f"{msg}: this archive is from an older release (schema {self.schema} <"
                              f" {migrations.LATEST}); open it once without --readonly to upgrade it", path=self.path)
        if "not a database" in msg or "malformed" in msg or "no such table" in msg:
            return StoreError("E302", msg, path=self.path)
        return StoreError("E303", msg, path=self.path)

    def close(self) -> None:
        try:
            if self._unindexed:
                self._sync_quietly()
        finally:
            self.db.close()

    def _sync_quietly(self) -> None:
        """Update the index as a side effect of writing: a failure is a warning,
        never a failed ingest (the blocks are stored; FTS5 answers meanwhile)."""
        try:
            self.sync_index()
        except (OSError, ValueError, StoreError) as exc:
            self._synced_at = time.monotonic()
            log.warning("%s: the search index could not be updated (%s); searches use FTS5 until it is "
                        "(declass reindex)", self.path, " ".join(str(exc).split()))

    def sync_index(self, *, rebuild: bool = False) -> int:
        """Bring the tantivy index up to date with the blocks (``rebuild``: from scratch)."""
        try:
            n = self.index.rebuild() if rebuild else self.index.sync()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        self._unindexed = 0
        self._synced_at = time.monotonic()
        return n

    @contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        """Abort any query that runs longer than ``seconds`` (StoreError E305)."""
        deadline = time.monotonic() + seconds
        self.db.set_progress_handler(lambda: int(time.monotonic() > deadline), 2000)
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise StoreError("E305", f"over {seconds:g} s") from None
            raise
        finally:
            self.db.set_progress_handler(None, 0)

    # -- writing ---------------------------------------------------------

    def has_sha(self, sha256: str) -> bool:
        row = self.db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row is not None

    def put(self, record: dict[str, Any]) -> PutResult:
        """Store one export record in one transaction."""
        return self.put_many([prepare(record)])[0]

    def put_many(self, docs: list[Prepared]) -> list[PutResult]:
        """Store prepared documents in one transaction: all of them or none."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                results = [self._put(d) for d in docs]
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        self._unindexed += sum(len(d.blocks) for d, r in zip(docs, results, strict=True) if r.status != "unchanged")
        if self._unindexed >= SYNC_BLOCKS or (
                self._unindexed and time.monotonic() - self._synced_at > SYNC_SECONDS):
            self._sync_quietly()
        return results

    def _put(self, doc: Prepared) -> PutResult:
        row = self.db.execute("SELECT id FROM documents WHERE sha256 = ?", (doc.sha256,)).fetchone()
        if row:
            return PutResult(row["id"], "unchanged")
        status = "added"
        doc_id = doc.id
        old = self.db.execute("SELECT id FROM documents WHERE path = ?", (doc.path,)).fetchone()
        if old:
            doc_id, status = old["id"], "replaced"
            self._add_totals(self._stored_totals(doc_id), -1)
            self._delete(doc_id)
        elif self.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone():
            doc_id = f"{doc_id}-{doc.sha256[:8]}"
        self.db.execute(
            f"INSERT INTO documents ({', '.join(DOCUMENT_COLUMNS)}) VALUES ({','.join('?' * len(DOCUMENT_COLUMNS))})",
            document_values(doc, doc_id, datetime.now(UTC).isoformat(timespec="seconds")),
        )
        self.db.executemany(tables.insert_sql("blocks", tables.BLOCK_COLUMNS), ((doc_id, *row) for row in doc.blocks))
        self.db.executemany(tables.insert_sql("mentions", tables.MENTION_COLUMNS),
                            ((doc_id, *row) for row in doc.mentions))
        for table, columns, rows in doc.rows.tables():
            if rows:
                self.db.executemany(tables.insert_sql(table, columns), ((doc_id, *r) for r in rows))
        self._add_totals(tables.aggregates(doc.mentions, doc.rows.cooccurrence, [j[7] for j in doc.rows.judgments],
                                           doc.rows.ranges), 1)
        return PutResult(doc_id, status)

    def _delete(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM blocks WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    # -- reading ---------------------------------------------------------

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(sql, tuple(params))]

    def _write(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.db.executemany(sql, rows)

    def documents(self) -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT id, path, sha256, media_type, size, pages, blocks, doc_type, doc_number, title,"
            " date, classification, archive_id, released, ingested_at, redactions, withheld, edits"
            " FROM documents ORDER BY date, id"
        )
        return [dict(r) for r in rows]

    def count(self) -> tuple[int, int]:
        row = self._read("SELECT count(*), coalesce(sum(blocks), 0) FROM documents")[0]
        return row[0], row[1]

    def get(self, doc_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT id, record FROM documents WHERE id = ?", (doc_id,))
        if not rows:
            return None
        record: dict[str, Any] = json.loads(zlib.decompress(rows[0]["record"]))
        record["id"] = rows[0]["id"]
        return record

    def resolve(self, ref: str) -> str | None:
        """A document id from an id, a unique id prefix, a SHA-256 prefix or a doc number."""
        # each an index lookup: a prefix is the range [ref, ref + the last code point)
        for sql, args in (
            ("SELECT id FROM documents WHERE id = ?", (ref,)),
            ("SELECT id FROM documents WHERE lower(doc_number) = lower(?)", (ref,)),
            ("SELECT id FROM documents WHERE id >= ? AND id < ?", (ref, ref + "\U0010ffff")),
            ("SELECT id FROM documents WHERE sha256 >= ? AND sha256 < ?", (ref.lower(), ref.lower() + "\U0010ffff")),
        ):
            rows = self._read(sql + " LIMIT 2", args)
            if len(rows) == 1:
                return str(rows[0]["id"])
        return None

    def iter_records(self) -> Iterator[dict[str, Any]]:
        ids = [r["id"] for r in self._read("SELECT id FROM documents ORDER BY date, id")]
        for doc_id in ids:
            rec = self.get(doc_id)
            if rec is not None:
                yield rec

    def search(self, query: str | None, *, limit: int = 20, doc_id: str | None = None,
               entity_ids: Sequence[str] = (), engine: str = "auto") -> list[Hit]:
        """Blocks matching ``query`` (the language of `store.query`) and/or
        mentioning any of ``entity_ids``.  The tantivy index answers when it is
        current; FTS5 answers otherwise, and for NEAR and entity filters.
        ``engine="fts5"`` asks FTS5 whatever the index's state."""
        node = query_mod.parse(query) if query else None
        if engine != "fts5" and node is not None and not entity_ids and not query_mod.fts5_only(node):
            index = self.index.usable()
            if index is not None:
                return self._search_index(index, node, limit, doc_id)
        return self._search_fts(node, limit, doc_id, entity_ids)

    def search_engine(self) -> str:
        """Which engine answers a plain query now: ``tantivy`` or ``fts5``."""
        return "tantivy" if self.index.usable() is not None else "fts5"

    def _search_index(self, index: Any, node: query_mod.Node, limit: int, doc_id: str | None) -> list[Hit]:
        found = self.index.search(index, node, limit=limit, doc_id=doc_id)
        if not found:
            return []
        score = {f.rowid: f.score for f in found}
        rows = self._read(
            'SELECT b.rowid AS rowid, b.doc_id, b.label, b.kind, b.page, b.start, b."end", b.seq, b.text,'
            " d.title, d.doc_number, d.date FROM blocks b JOIN documents d ON d.id = b.doc_id"
            f" WHERE b.rowid IN ({','.join('?' * len(score))})",
            tuple(score),
        )
        rows.sort(key=lambda r: (-score[r["rowid"]], r["date"] or "", r["doc_id"], r["seq"]))
        snippets = self.index.snippets(index, node, [r["text"] for r in rows])
        return [
            Hit(r["doc_id"], r["label"], r["kind"], r["page"], r["start"], r["end"], snip,
                round(score[r["rowid"]], 4), r["title"], r["doc_number"], spans)
            for r, (snip, spans) in zip(rows, snippets, strict=True)
        ]

    def _search_fts(self, node: query_mod.Node | None, limit: int, doc_id: str | None,
                    entity_ids: Sequence[str]) -> list[Hit]:
        where: list[str] = []
        params: list[Any] = []
        if node is not None:
            source = "blocks_fts JOIN blocks b ON b.rowid = blocks_fts.rowid"
            snip = f"snippet(blocks_fts, 0, '{HIGHLIGHT_OPEN}', '{HIGHLIGHT_CLOSE}', '…', 16)"
            rank = "bm25(blocks_fts)"
            where.append("blocks_fts MATCH ?")
            params.append(query_mod.to_fts5(node))
        else:
            source = "blocks b"
            snip, rank = "substr(b.text, 1, 200)", "0"
        if doc_id:
            where.append("b.doc_id = ?")
            params.append(doc_id)
        if entity_ids:
            marks = ",".join("?" * len(entity_ids))
            where.append(f"EXISTS (SELECT 1 FROM mentions m WHERE m.doc_id = b.doc_id AND m.block = b.label"
                         f" AND (m.entity_id IN ({marks}) OR m.named_id IN ({marks})))")
            params.extend([*entity_ids, *entity_ids])
        sql = (f"SELECT b.doc_id, b.label, b.kind, b.page, b.start, b.\"end\", d.title, d.doc_number,"
               f" {snip} AS snip, {rank} AS rank FROM {source} JOIN documents d ON d.id = b.doc_id"
               f" WHERE {' AND '.join(where) or '1'} ORDER BY rank, d.date, b.doc_id, b.seq LIMIT ?")
        params.append(limit)
        try:
            rows = self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise
            if any(w in str(exc) for w in ("fts5", "syntax", "no such column", "unterminated", "unknown special")):
                raise UsageError("E403", f"{params[0]!r}: {exc}") from None
            raise self._error(exc) from None
        hits = [
            Hit.from_marked(
                r["doc_id"], r["label"], r["kind"], r["page"], r["start"], r["end"], r["snip"],
                -r["rank"], r["title"], r["doc_number"], HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE,
            )
            for r in rows
        ]
        if entity_ids and node is None:
            hits = [self._highlight_mentions(h, entity_ids) for h in hits]
        return hits

    def _highlight_mentions(self, hit: Hit, entity_ids: Sequence[str]) -> Hit:
        """For an entity-only search: the snippet is the block, its mentions highlighted."""
        row = self.db.execute('SELECT text, start FROM blocks WHERE doc_id = ? AND label = ?',
                              (hit.document, hit.label)).fetchone()
        text = row["text"] if row else hit.snippet
        marks = ",".join("?" * len(entity_ids))
        found = self.db.execute(
            f"SELECT text FROM mentions WHERE doc_id = ? AND block = ? AND (entity_id IN ({marks})"
            f" OR named_id IN ({marks})) ORDER BY start",
            (hit.document, hit.label, *entity_ids, *entity_ids),
        ).fetchall()
        return with_mentions_marked(hit, text, [m["text"] for m in found])

    def mentions(self, *, entity_ids: Sequence[str] = (), doc_id: str | None = None,
                 type_: str | None = None) -> list[dict[str, Any]]:
        where, params = [], []
        if entity_ids:
            marks = ",".join("?" * len(entity_ids))
            where.append(f"(m.entity_id IN ({marks}) OR m.named_id IN ({marks}))")
            params.extend([*entity_ids, *entity_ids])
        if doc_id:
            where.append("m.doc_id = ?")
            params.append(doc_id)
        if type_:
            where.append("m.type = ?")
            params.append(type_)
        rows = self._read(
            'SELECT m.doc_id AS document, m.block, m.entity_id AS id, m.canonical, m.type, m.text, m.start,'
            ' m."end", m.metonymy, m.in_deleted AS in_deleted_text, m.method, m.named_id, d.date, d.doc_number,'
            ' d.title'
            " FROM mentions m JOIN documents d ON d.id = m.doc_id"
            f" WHERE {' AND '.join(where) or '1'} ORDER BY d.date, m.doc_id, m.start",
            tuple(params),
        )
        return [{**dict(r), "metonymy": bool(r["metonymy"]), "in_deleted_text": bool(r["in_deleted_text"])}
                for r in rows]

    def save_links(self, links: list[dict[str, Any]]) -> int:
        """Store proposed links; a link a user confirmed or rejected keeps its status."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM links WHERE status = 'proposed'")
            self.db.executemany(
                "INSERT INTO links (a_doc, a, b_doc, b, score, agree, method, status, updated_at)"
                " VALUES (?,?,?,?,?,?,?, 'proposed', ?) ON CONFLICT (a_doc, a, b_doc, b) DO UPDATE SET"
                " score = excluded.score, agree = excluded.agree, method = excluded.method",
                [(x["a_doc"], x["a"], x["b_doc"], x["b"], x["score"],
                  None if x["agree"] is None else int(x["agree"]), x["method"], now) for x in links],
            )
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.db.execute("ROLLBACK")
            raise self._error(exc) from None
        return len(links)

    def set_link_status(self, a_doc: str, a: str, b_doc: str, b: str, status: str) -> bool:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        pairs = ((a_doc, a, b_doc, b), (b_doc, b, a_doc, a))
        try:
            self.db.execute("BEGIN IMMEDIATE")
            done = 0
            for p in pairs:
                done += self.db.execute("UPDATE links SET status = ?, updated_at = ? WHERE a_doc = ? AND a = ?"
                                        " AND b_doc = ? AND b = ?", (status, now, *p)).rowcount
            if not done:  # a link the user asserts that the linker did not propose
                self.db.execute("INSERT INTO links VALUES (?,?,?,?, 0, NULL, 'user', ?, ?)", (*pairs[0], status, now))
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.db.execute("ROLLBACK")
            raise self._error(exc) from None
        return True

    def links(self, *, include_rejected: bool = False) -> list[dict[str, Any]]:
        where = "" if include_rejected else " WHERE status != 'rejected'"
        rows = self._read(f"SELECT * FROM links{where} ORDER BY score DESC")
        return [{**dict(r), "agree": None if r["agree"] is None else bool(r["agree"])} for r in rows]

    # -- releases of one document (declass.corpus.releases) ----------------------

    def save_releases(self, pairs: Sequence[tuple[str, str, str, float, str]]) -> int:
        """Store found pairs ``(earlier, later, method, score, basis)``; a pair a user
        confirmed or rejected keeps its status and order."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM releases WHERE status = 'proposed'")
            for e, later, method, score, basis in pairs:
                if self.db.execute("SELECT 1 FROM releases WHERE (earlier = ? AND later = ?) OR (earlier = ? AND"
                                   " later = ?)", (e, later, later, e)).fetchone():
                    continue
                self.db.execute("INSERT INTO releases VALUES (?,?,?,?,?, 'proposed', ?)",
                                (e, later, method, score, basis, now))
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.db.execute("ROLLBACK")
            raise self._error(exc) from None
        return len(pairs)

    def set_release(self, earlier: str, later: str, status: str, basis: str) -> None:
        """A user's pairing (``confirmed``) or unpairing (``rejected``) of two documents."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM releases WHERE (earlier = ? AND later = ?) OR (earlier = ? AND later = ?)",
                            (earlier, later, later, earlier))
            self.db.execute("INSERT INTO releases VALUES (?,?, 'user', 1.0, ?, ?, ?)",
                            (earlier, later, basis, status, now))
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.db.execute("ROLLBACK")
            raise self._error(exc) from None

    def releases(self, *, include_rejected: bool = False) -> list[dict[str, Any]]:
        """Stored pairs of documents both still in the archive, by the earlier one's date."""
        where = "" if include_rejected else " WHERE r.status != 'rejected'"
        rows = self._read(
            "SELECT r.*, a.date AS date, a.title AS title FROM releases r JOIN documents a ON a.id = r.earlier"
            f" JOIN documents b ON b.id = r.later{where} ORDER BY a.date, r.earlier, r.later")
        return [dict(r) for r in rows]

    def block_rows(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Label, kind and inferred flag of the given ``(document, label)`` blocks."""
        if not pairs:
            return {}
        values = ",".join("(?,?)" * 1 for _ in pairs)
        rows = self._read(
            f"WITH want(d, l) AS (VALUES {values}) SELECT b.doc_id, b.label, b.kind, b.label_inferred, b.parent"
            " FROM blocks b JOIN want ON b.doc_id = want.d AND b.label = want.l",
            tuple(x for p in pairs for x in p),
        )
        return {(r["doc_id"], r["label"]): {"label": r["label"], "kind": r["kind"], "parent": r["parent"],
                                            "label_inferred": bool(r["label_inferred"])} for r in rows}

    def mention_counts(self, pairs: Sequence[tuple[str, str]], limit: int = 12) -> list[tuple[str, int]]:
        """Entities named in the given ``(document, label)`` blocks, most named first."""
        if not pairs:
            return []
        values = ",".join("(?,?)" for _ in pairs)
        rows = self._read(
            f"WITH want(d, l) AS (VALUES {values}) SELECT m.canonical, count(*) AS n FROM mentions m"
            " JOIN want ON m.doc_id = want.d AND m.block = want.l WHERE m.canonical IS NOT NULL"
            " GROUP BY m.canonical ORDER BY n DESC, m.canonical LIMIT ?",
            (*(x for p in pairs for x in p), limit),
        )
        return [(r["canonical"], r["n"]) for r in rows]

    def cooccurrence(self, *, min_weight: int = 1) -> list[dict[str, Any]]:
        """Pairs of entities mentioned in the same block: how many blocks, and documents."""
        rows = self._read(
            "WITH e AS (SELECT DISTINCT doc_id, block, entity_id, canonical FROM mentions"
            " WHERE entity_id IS NOT NULL)"
            " SELECT a.entity_id AS source, a.canonical AS source_name, b.entity_id AS target,"
            " b.canonical AS target_name, count(*) AS weight, count(DISTINCT a.doc_id) AS documents"
            " FROM e a JOIN e b ON a.doc_id = b.doc_id AND a.block = b.block AND a.entity_id < b.entity_id"
            " GROUP BY a.entity_id, b.entity_id HAVING count(*) >= ? ORDER BY weight DESC, source, target",
            (min_weight,),
        )
        return [dict(r) for r in rows]
