"""The embedded store: one SQLite file, WAL mode, FTS5 over block text,
and a tantivy index beside it (`store.textindex`) that answers most searches.

Everything but connecting and searching is `SQLStore`'s, shared with
PostgreSQL; a batch of documents is one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declass.errors import StoreError, UsageError
from declass.store import schema
from declass.store.dialect import SQLiteDialect, connect_sqlite, sqlite_error
from declass.store.sql import SQLStore

if TYPE_CHECKING:  # the search index (tantivy) and the query language load with the first search or write
    from declass.store import query as query_mod
    from declass.store.base import Hit, Prepared
    from declass.store.textindex import BlockIndex

SYNC_BLOCKS = 50_000  # blocks written before the search index catches up mid-ingest
SYNC_SECONDS = 30.0
CACHE_KIB = 16_384
"""Page cache of a writing connection (KiB): a batch's index updates stay in memory until it commits.
On 10k generated pages the writer's CPU was 15.2 s with SQLite's 2 MB, 12.5 s with 16 MB and 13.8 s
with 64 MB, its peak heap 34, 48 and 103 MB: past 16 MB the cache buys memory, not speed."""
WAL_PAGES = 8192
"""Pages the write-ahead log grows to before they are copied into the file (SQLite's default 1,000 made
every batch pay for a checkpoint: -8% of the writer's time).  Durability is the same: the log is the journal."""

HIGHLIGHT_OPEN = "\x02"
HIGHLIGHT_CLOSE = "\x03"


class SQLiteStore(SQLStore):
    """The archive in one SQLite file."""

    backend = "sqlite"

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = self.where = Path(path)
        if not readonly and self.path.exists() and not os.access(self.path, os.W_OK):
            raise StoreError("E301", "open it read-only, or fix its permissions", path=self.path)
        if not readonly and not self.path.exists() and not os.access(self.path.parent or ".", os.W_OK):
            raise StoreError("E301", "its folder is not writable", path=self.path)
        if readonly and not self.path.exists():
            raise StoreError("E303", "no such file (ingest documents first)", path=self.path)
        d: SQLiteDialect | None = None
        try:
            d = SQLiteDialect(connect_sqlite(self.path, readonly=readonly), self.path)
            d.latest = schema.LATEST["sqlite"]
            d.db.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                d.db.execute("PRAGMA journal_mode = WAL")
                d.db.execute("PRAGMA synchronous = NORMAL")
                d.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
                d.db.execute(f"PRAGMA wal_autocheckpoint = {WAL_PAGES}")
            self.schema = d.schema = self._open(d, readonly=readonly)
        except sqlite3.DatabaseError as exc:
            if d is not None:
                d.close()
            raise sqlite_error(exc, self.path) from None
        self._index: BlockIndex | None = None
        self._index_readonly = readonly or self.schema < 6
        # an archive whose index is missing (new, migrated, copied without it) gets one when closed
        self._unindexed = 0 if readonly or self.index.usable() is not None else self._has_blocks()
        self._synced_at = time.monotonic()
        self._deferred = 0

    @property
    def index(self) -> BlockIndex:
        """The tantivy index beside the file, opened when first needed (a read-only question
        that searches nothing never loads tantivy)."""
        if self._index is None:
            from declass.store.textindex import BlockIndex

            self._index = BlockIndex(self.d.db, self.path, readonly=self._index_readonly)
        return self._index

    def _has_blocks(self) -> int:
        return 1 if self.db.execute("SELECT 1 FROM blocks LIMIT 1").fetchone() else 0

    def close(self) -> None:
        try:
            if self._unindexed or self._log_pending():
                self._sync_quietly()
        finally:
            self.d.close()

    def _log_pending(self) -> bool:
        """Whether blocks wait in the index's change log: a batch committed just before an
        interrupt (Ctrl-C, SIGTERM) was never counted in ``_unindexed``, yet must be indexed."""
        if self.readonly or self.schema < 6:
            return False
        try:
            return self.db.execute("SELECT 1 FROM search_log LIMIT 1").fetchone() is not None
        except sqlite3.DatabaseError:
            return False

    @contextmanager
    def index_deferred(self) -> Iterator[None]:
        """Write blocks without the search index catching up until the end (an ingest's whole run).
        The catch-ups are where the writing process peaks: tantivy merges its segments then, and
        mapped beside the workers' memory that was the ingest's highest (the parent 194 MB at 100k
        generated pages, 90-95 between catch-ups).  Once, at the end, with the workers gone, it
        costs the index's CPU once instead of in 30 s steps; searches meanwhile use FTS5, which
        finds every block committed (`textindex`: the index answers only when nothing is pending)."""
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
            if not self._deferred and self._unindexed:
                self._sync_quietly()

    def _written(self, blocks: int) -> None:
        self._unindexed += blocks
        if self._deferred:
            return
        if self._unindexed >= SYNC_BLOCKS or (self._unindexed and time.monotonic() - self._synced_at > SYNC_SECONDS):
            self._sync_quietly()

    def _sync_quietly(self) -> None:
        """Update the index as a side effect of writing: a failure is a warning,
        never a failed ingest (the blocks are stored; FTS5 answers meanwhile)."""
        try:
            self.sync_index()
        except (OSError, ValueError, StoreError) as exc:
            self._synced_at = time.monotonic()
            import logging

            logging.getLogger("declass").warning(
                "%s: the search index could not be updated (%s); searches use FTS5 until it is (declass reindex)",
                self.path, " ".join(str(exc).split()))

    def sync_index(self, *, rebuild: bool = False) -> int:
        """Bring the tantivy index up to date with the blocks (``rebuild``: from scratch)."""
        try:
            n = self.index.rebuild() if rebuild else self.index.sync()
        except sqlite3.DatabaseError as exc:
            raise self.d.error(exc) from None
        self._unindexed = 0
        self._synced_at = time.monotonic()
        return n

    def _insert_blocks(self, docs: list[tuple[Prepared, str]]) -> None:
        # FTS5 and the tantivy index's log get the new blocks in one statement each (schema 16:
        # a trigger per row made them two thirds of the writer's time)
        last = self.db.execute("SELECT coalesce(max(rowid), 0) FROM blocks").fetchone()[0]
        super()._insert_blocks(docs)
        self.db.execute("INSERT INTO blocks_fts (rowid, text) SELECT rowid, text FROM blocks WHERE rowid > ?", (last,))
        self.db.execute("INSERT INTO search_log (block) SELECT rowid FROM blocks WHERE rowid > ?", (last,))

    # -- searching ---------------------------------------------------------

    def search(self, query: str | None, *, limit: int = 20, doc_id: str | None = None,
               entity_ids: Sequence[str] = (), engine: str = "auto") -> list[Hit]:
        """Blocks matching ``query`` (the language of `store.query`) and/or
        mentioning any of ``entity_ids``.  The tantivy index answers when it is
        current; FTS5 answers otherwise, and for NEAR and entity filters.
        ``engine="fts5"`` asks FTS5 whatever the index's state."""
        from declass.store import query as query_mod

        node = query_mod.parse(query) if query else None
        if node is None:
            return self._browse(limit, doc_id, entity_ids)
        if engine != "fts5" and not entity_ids and not query_mod.fts5_only(node):
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
        rows = self._rows(
            'SELECT b.rowid AS rowid, b.doc_id, b.label, b.kind, b.page, b.start, b."end", b.seq, b.text,'
            " d.title, d.doc_number, d.date FROM blocks b JOIN documents d ON d.id = b.doc_id"
            f" WHERE b.rowid IN ({','.join('?' * len(score))})", tuple(score))
        from declass.store.base import Hit

        rows.sort(key=lambda r: (-score[r["rowid"]], r["date"] or "", r["doc_id"], r["seq"]))
        snippets = self.index.snippets(index, node, [r["text"] for r in rows])
        return [Hit(r["doc_id"], r["label"], r["kind"], r["page"], r["start"], r["end"], snip,
                    round(score[r["rowid"]], 4), r["title"], r["doc_number"], spans)
                for r, (snip, spans) in zip(rows, snippets, strict=True)]

    def _search_fts(self, node: query_mod.Node, limit: int, doc_id: str | None,
                    entity_ids: Sequence[str]) -> list[Hit]:
        from declass.store import query as query_mod
        from declass.store.base import Hit

        fts = query_mod.to_fts5(node)
        where, params = self._block_filters(doc_id, entity_ids)
        sql = (f"SELECT b.doc_id, b.label, b.kind, b.page, b.start, b.\"end\", d.title, d.doc_number,"
               f" snippet(blocks_fts, 0, '{HIGHLIGHT_OPEN}', '{HIGHLIGHT_CLOSE}', '…', 16) AS snip,"
               " bm25(blocks_fts) AS rank FROM blocks_fts JOIN blocks b ON b.rowid = blocks_fts.rowid"
               f" JOIN documents d ON d.id = b.doc_id WHERE {' AND '.join(['blocks_fts MATCH ?', *where])}"
               " ORDER BY rank, d.date, b.doc_id, b.seq LIMIT ?")
        try:
            rows = self.db.execute(sql, [fts, *params, limit]).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise
            if any(w in str(exc) for w in ("fts5", "syntax", "no such column", "unterminated", "unknown special")):
                raise UsageError("E403", f"{fts!r}: {exc}") from None
            raise self.d.error(exc) from None
        return [Hit.from_marked(r["doc_id"], r["label"], r["kind"], r["page"], r["start"], r["end"], r["snip"],
                                -r["rank"], r["title"], r["doc_number"], HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE)
                for r in rows]
