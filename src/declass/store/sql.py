"""One SQL store for both backends: every write and question written once.

Documents are keyed by the SHA-256 of their bytes: putting the same
content twice is a no-op; a new version of a file already in the archive
(same path, new content) replaces the old one.  A batch of documents is one
transaction, so a crash (even ``kill -9``) leaves all of it or none.  The
batch is written table by table, all its documents' rows at once (`Dialect.
insert`: ``COPY`` on PostgreSQL), after one look-up of what the archive
already holds; the maintained totals get the batch's sums in one upsert
per table.

`SQLiteStore` and `PostgresStore` add how they connect and how they search;
the `Dialect` holds what their SQL does differently.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from declass.errors import StoreError
from declass.store import schema
from declass.store.dialect import Dialect, Row, quoted
from declass.store.paged import PagedQueries, entity_clause, marks

if TYPE_CHECKING:  # (what writing and searching use loads with them: a question reads pages)
    from declass.store import tables
    from declass.store.base import Hit, Prepared, PutResult
    from declass.store.rows import Link, StoredRelease

SNIPPET_CHARS = 200
"""A hit found by its entities alone shows the start of its block."""
CHUNK = 500
"""Values per ``IN (...)`` list (SQLite allows 32,766 parameters; both plan a short list well)."""


def _now() -> str:
    from datetime import UTC, datetime  # (when writing: a question never loads it)

    return datetime.now(UTC).isoformat(timespec="seconds")


def _put_result(doc_id: str, status: str) -> PutResult:
    from declass.store.base import PutResult

    return PutResult(doc_id, status)


class SQLStore(PagedQueries):
    """The archive in a SQL database; the backend's `Dialect` runs the SQL."""

    backend: str
    d: Dialect
    readonly: bool
    where: Any
    """What messages name: the file, or the URL without its password."""

    def _open(self, d: Dialect, *, readonly: bool) -> int:
        """Bring the schema up to date (unless read-only) and check it; returns its version."""
        self.d, self.readonly = d, readonly
        version, latest = schema.current_version(d), schema.LATEST[d.name]
        if not readonly and version < latest:  # (the migrations load only for an archive that needs them)
            from declass.store import migrations

            migrations.apply(d)
            version = schema.current_version(d)
        if version > latest:
            d.close()
            raise StoreError("E304", f"schema {version} > {latest}", path=self.where)
        if version == 0:
            d.close()
            raise StoreError("E302", "no declass schema in it (ingest documents first)", path=self.where)
        return version

    @property
    def db(self) -> Any:
        """The driver's connection (for tools and tests that ask it directly)."""
        return self.d.db

    def close(self) -> None:
        self.d.close()

    def index_deferred(self) -> AbstractContextManager[None]:
        """Within it, a backend that keeps a search index beside its tables may leave the index's
        catch-up to the end (SQLite's tantivy index); searches meanwhile stay right."""
        return nullcontext()

    def time_limit(self, seconds: float) -> AbstractContextManager[None]:
        """Stop any question that runs longer than ``seconds`` (StoreError E305)."""
        return self.d.time_limit(seconds)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of a query in the driver's own placeholders."""
        return self.d.read(sql, params)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self.d.rows(sql, params)

    def _in(self, sql: str, values: Sequence[Any]) -> list[dict[str, Any]]:
        """Rows of ``sql`` (ending ``IN``) for each chunk of ``values``."""
        out: list[dict[str, Any]] = []
        for i in range(0, len(values), CHUNK):
            chunk = values[i:i + CHUNK]
            out += self._rows(f"{sql} ({marks(chunk)})", chunk)
        return out

    # -- writing ---------------------------------------------------------

    def has_sha(self, sha256: str) -> bool:
        return bool(self._rows("SELECT 1 AS x FROM documents WHERE sha256 = ?", (sha256,)))

    def put(self, record: dict[str, Any]) -> PutResult:
        """Store one export record."""
        from declass.store.base import prepare

        return self.put_many([prepare(record)])[0]

    def put_many(self, docs: list[Prepared]) -> list[PutResult]:
        """Store prepared documents in one transaction: all of them or none."""
        if self.readonly:
            raise StoreError("E301", "opened read-only", path=self.where)
        with self.d.transaction():
            results = _Batch(self, docs).write()
        self._written(sum(len(d.blocks) for d, r in zip(docs, results, strict=True) if r.status != "unchanged"))
        return results

    def _written(self, blocks: int) -> None:
        """After a batch is committed (SQLite: the search index may catch up)."""

    def _insert_blocks(self, docs: list[tuple[Prepared, str]]) -> None:
        """Write the documents' blocks (and what the backend's search keeps of them)."""
        from declass.store import tables  # (the analysis tables load when writing: a question never needs them)

        self.d.insert("blocks", ("doc_id", *tables.BLOCK_COLUMNS), [(i, *r) for doc, i in docs for r in doc.blocks])

    def _add_totals(self, agg: tables.Aggregates, sign: int) -> None:
        """Add (``sign`` 1) or take away (-1) documents' share of the totals, one upsert per table."""
        from declass.store import tables

        for (table, cols, keys, counts), rows in zip(tables.TOTALS, agg.tables(), strict=True):
            if not rows:
                continue
            n = len(cols) - counts
            self.d.add(table, cols, keys, counts, [(*r[:n], *(v * sign for v in r[n:])) for r in rows])
            if sign < 0:
                self.d.execute(f"DELETE FROM {table} WHERE {cols[n]} <= 0")

    def _stored_totals(self, doc_id: str) -> tables.Aggregates:
        """A stored document's share of the totals (to take away before it is replaced)."""
        from declass.store import tables

        mentions = [tuple(r.values()) for r in self._rows(
            f"SELECT {quoted(tables.MENTION_COLUMNS)} FROM mentions WHERE doc_id = ? ORDER BY seq", [doc_id])]
        judgments = [tuple(r.values()) for r in self._rows(
            f"SELECT {quoted(tables.JUDGMENT_COLUMNS)} FROM judgments WHERE doc_id = ?", [doc_id])]
        ranges = [tuple(r.values()) for r in self._rows(
            f"SELECT {quoted(tables.RANGE_COLUMNS)} FROM judgment_ranges WHERE doc_id = ?", [doc_id])]
        redactions = [tuple(r.values()) for r in self._rows(
            f"SELECT {quoted(tables.REDACTION_COLUMNS)} FROM redactions WHERE doc_id = ?", [doc_id])]
        doc = self._rows("SELECT doc_type, pages FROM documents WHERE id = ?", [doc_id])
        kinds = [r["kind"] for r in self._rows("SELECT kind FROM events WHERE doc_id = ?", [doc_id])]
        ops = [r["op"] for r in self._rows("SELECT op FROM edits WHERE doc_id = ?", [doc_id])]
        ents = [r["entity"] for r in self._rows("SELECT entity FROM event_entities WHERE doc_id = ?", [doc_id])]
        return tables.totals(mentions, judgments, ranges, redactions,
                             (doc[0]["doc_type"], doc[0]["pages"]) if doc else None, event_kinds=kinds, edit_ops=ops,
                             event_entities=ents)

    def _remove(self, doc_id: str) -> None:
        """Take a stored document out (before its new version goes in), with its share of the totals."""
        self._add_totals(self._stored_totals(doc_id), -1)
        self.d.execute("DELETE FROM documents WHERE id = ?", (doc_id,))  # its rows cascade

    # -- reading ---------------------------------------------------------

    def search(self, query: str | None, *, limit: int = 20, doc_id: str | None = None,
               entity_ids: Sequence[str] = ()) -> list[Hit]:
        """Blocks matching ``query`` (the language of `store.query`) and/or naming one of
        ``entity_ids``, best first: each backend's search engine answers."""
        raise NotImplementedError

    def documents(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT id, path, sha256, media_type, size, pages, blocks, doc_type, doc_number, title, date,"
            " classification, archive_id, released, ingested_at, redactions, withheld, edits FROM documents"
            " ORDER BY date NULLS FIRST, id")

    def count(self) -> tuple[int, int]:
        row = self._rows("SELECT count(*) AS n, coalesce(sum(blocks), 0) AS b FROM documents")[0]
        return int(row["n"]), int(row["b"])

    def get(self, doc_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT id, record FROM documents WHERE id = ?", (doc_id,))
        if not rows:
            return None
        record: dict[str, Any] = json.loads(zlib.decompress(bytes(rows[0]["record"])))
        record["id"] = rows[0]["id"]
        return record

    def resolve(self, ref: str) -> str | None:
        """A document id from an id, a doc number, a unique id prefix or a SHA-256 prefix (each an index lookup)."""
        for cond, args in (("id = ?", [ref]), ("lower(doc_number) = lower(?)", [ref]),
                           self.d.prefix("id", ref), self.d.prefix("sha256", ref.lower())):
            rows = self._rows(f"SELECT id FROM documents WHERE {cond} LIMIT 2", args)
            if len(rows) == 1:
                return str(rows[0]["id"])
        return None

    def iter_records(self) -> Iterator[dict[str, Any]]:
        for r in self._rows("SELECT id FROM documents ORDER BY date NULLS FIRST, id"):
            rec = self.get(r["id"])
            if rec is not None:
                yield rec

    def _block_filters(self, doc_id: str | None, entity_ids: Sequence[str]) -> tuple[list[str], list[Any]]:
        """Conditions on blocks ``b``: of one document, naming one of ``entity_ids``."""
        where: list[str] = []
        params: list[Any] = []
        if doc_id:
            where.append("b.doc_id = ?")
            params.append(doc_id)
        if entity_ids:
            clause, ids = entity_clause(entity_ids)
            where.append(f"EXISTS (SELECT 1 FROM mentions m WHERE m.doc_id = b.doc_id AND m.block = b.label"
                         f" AND {clause})")
            params += ids
        return where, params

    def _browse(self, limit: int, doc_id: str | None, entity_ids: Sequence[str]) -> list[Hit]:
        """A search without words: blocks of a document or naming the entities, in document order
        (an entity's mentions highlighted in the whole block)."""
        where, params = self._block_filters(doc_id, entity_ids)
        rows = self._rows(
            f'SELECT b.doc_id, b.label, b.kind, b.page, b.start, b."end", d.title, d.doc_number,'
            f" substr(b.text, 1, {SNIPPET_CHARS}) AS snip FROM blocks b JOIN documents d ON d.id = b.doc_id"
            f" WHERE {' AND '.join(where) or '1=1'} ORDER BY d.date NULLS FIRST, b.doc_id, b.seq LIMIT ?",
            [*params, limit])
        from declass.store.base import Hit

        hits = [Hit(r["doc_id"], r["label"], r["kind"], r["page"], r["start"], r["end"], r["snip"], 0.0,
                    r["title"], r["doc_number"]) for r in rows]
        return [self._highlight_mentions(h, entity_ids) for h in hits] if entity_ids else hits

    def _highlight_mentions(self, hit: Hit, entity_ids: Sequence[str]) -> Hit:
        """The hit's snippet as its whole block, its mentions of ``entity_ids`` highlighted."""
        rows = self._rows("SELECT text FROM blocks WHERE doc_id = ? AND label = ?", (hit.document, hit.label))
        text = rows[0]["text"] if rows else hit.snippet
        clause, ids = entity_clause(entity_ids)
        found = self._rows(f"SELECT m.text FROM mentions m WHERE m.doc_id = ? AND m.block = ? AND {clause}"
                           " ORDER BY m.start", (hit.document, hit.label, *ids))
        from declass.store.base import with_mentions_marked

        return with_mentions_marked(hit, text, [m["text"] for m in found])

    def _pairs(self, sql: str, pairs: Sequence[tuple[str, str]], tail: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """``sql`` over a table ``want(d, l)`` of the given pairs."""
        values = ",".join("(?,?)" for _ in pairs)
        return self._rows(f"WITH want(d, l) AS (VALUES {values}) {sql}", [*(x for p in pairs for x in p), *tail])

    def block_rows(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Label, kind, parent and inferred flag of the given ``(document, label)`` blocks."""
        if not pairs:
            return {}
        rows = self._pairs("SELECT b.doc_id, b.label, b.kind, b.label_inferred, b.parent FROM blocks b"
                           " JOIN want ON b.doc_id = want.d AND b.label = want.l", pairs)
        return {(r["doc_id"], r["label"]): {"label": r["label"], "kind": r["kind"], "parent": r["parent"],
                                            "label_inferred": bool(r["label_inferred"])} for r in rows}

    def mention_counts(self, pairs: Sequence[tuple[str, str]], limit: int = 12) -> list[tuple[str, int]]:
        """Entities named in the given ``(document, label)`` blocks, most named first."""
        if not pairs:
            return []
        rows = self._pairs("SELECT m.canonical, count(*) AS n FROM mentions m JOIN want ON m.doc_id = want.d"
                           " AND m.block = want.l WHERE m.canonical IS NOT NULL GROUP BY m.canonical"
                           " ORDER BY n DESC, m.canonical LIMIT ?", pairs, [limit])
        return [(r["canonical"], int(r["n"])) for r in rows]

    # -- links between judgments ---------------------------------------------

    def save_links(self, links: list[dict[str, Any]]) -> int:
        """Store proposed links; a link a user confirmed or rejected keeps its status."""
        now = _now()
        with self.d.transaction():
            self.d.execute("DELETE FROM links WHERE status = 'proposed'")
            self.d.executemany(
                "INSERT INTO links (a_doc, a, b_doc, b, score, agree, method, status, updated_at)"
                " VALUES (?,?,?,?,?,?,?, 'proposed', ?) ON CONFLICT (a_doc, a, b_doc, b) DO UPDATE SET"
                " score = excluded.score, agree = excluded.agree, method = excluded.method",
                [(x["a_doc"], x["a"], x["b_doc"], x["b"], x["score"], None if x["agree"] is None else bool(x["agree"]),
                  x["method"], now) for x in links])
        return len(links)

    def set_link_status(self, a_doc: str, a: str, b_doc: str, b: str, status: str) -> bool:
        now = _now()
        with self.d.transaction():
            done = 0
            for p in ((a_doc, a, b_doc, b), (b_doc, b, a_doc, a)):
                done += self.d.execute("UPDATE links SET status = ?, updated_at = ? WHERE a_doc = ? AND a = ?"
                                       " AND b_doc = ? AND b = ?", (status, now, *p)).rowcount
            if not done:  # a link the user asserts that the linker did not propose
                self.d.execute("INSERT INTO links VALUES (?,?,?,?, 0, NULL, 'user', ?, ?)",
                               (a_doc, a, b_doc, b, status, now))
        return True

    def links(self, *, include_rejected: bool = False) -> list[Link]:
        """Stored links, best first."""
        where = "" if include_rejected else " WHERE status <> 'rejected'"
        from declass.store.rows import Link  # (the model's types: a store question starts without them)

        return [Link.from_row(r) for r in self._rows(f"SELECT * FROM links{where} ORDER BY score DESC")]

    # -- releases of one document (declass.corpus.releases) ----------------------

    def save_releases(self, pairs: Sequence[tuple[str, str, str, float, str]]) -> int:
        """Store found pairs ``(earlier, later, method, score, basis)``; a pair a user
        confirmed or rejected keeps its status and order."""
        now = _now()
        with self.d.transaction():
            self.d.execute("DELETE FROM releases WHERE status = 'proposed'")
            kept = {frozenset((r["earlier"], r["later"])) for r in self._rows("SELECT earlier, later FROM releases")}
            new: list[Row] = []
            for e, later, method, score, basis in pairs:
                if frozenset((e, later)) not in kept:
                    kept.add(frozenset((e, later)))
                    new.append((e, later, method, score, basis, now))
            self.d.executemany("INSERT INTO releases VALUES (?,?,?,?,?, 'proposed', ?)", new)
        return len(pairs)

    def set_release(self, earlier: str, later: str, status: str, basis: str) -> None:
        """A user's pairing (``confirmed``) or unpairing (``rejected``) of two documents."""
        with self.d.transaction():
            self.d.execute("DELETE FROM releases WHERE (earlier = ? AND later = ?) OR (earlier = ? AND later = ?)",
                           (earlier, later, later, earlier))
            self.d.execute("INSERT INTO releases VALUES (?,?, 'user', 1.0, ?, ?, ?)",
                           (earlier, later, basis, status, _now()))

    def releases(self, *, include_rejected: bool = False) -> list[StoredRelease]:
        """Stored pairs of documents both still in the archive, by the earlier one's date."""
        where = "" if include_rejected else " WHERE r.status <> 'rejected'"
        from declass.store.rows import StoredRelease

        return [StoredRelease.from_row(r) for r in self._rows(
            "SELECT r.*, a.date AS date, a.title AS title FROM releases r JOIN documents a ON a.id = r.earlier"
            f" JOIN documents b ON b.id = r.later{where} ORDER BY a.date NULLS FIRST, r.earlier, r.later")]


class _Batch:
    """One batch of documents on its way in: which are new, replaced or unchanged
    (one look-up per key for the whole batch), then every table written at once."""

    def __init__(self, store: SQLStore, docs: list[Prepared]) -> None:
        self.store, self.docs = store, docs
        self.now = _now()
        self.pending: list[tuple[Prepared, str]] = []
        sha, path, ids = [d.sha256 for d in docs], [d.path for d in docs], [d.id for d in docs]
        self.by_sha = {r["sha256"]: r["id"] for r in store._in("SELECT id, sha256 FROM documents WHERE sha256 IN", sha)}
        self.by_path = {r["path"]: r["id"] for r in store._in("SELECT id, path FROM documents WHERE path IN", path)}
        self.ids = {r["id"] for r in store._in("SELECT id FROM documents WHERE id IN", ids)}

    def write(self) -> list[PutResult]:
        results = [self._place(doc) for doc in self.docs]
        self._flush()
        return results

    def _place(self, doc: Prepared) -> PutResult:
        if doc.sha256 in self.by_sha:
            return _put_result(self.by_sha[doc.sha256], "unchanged")
        status, doc_id = "added", doc.id
        old = self.by_path.get(doc.path)
        if old is not None:
            doc_id, status = old, "replaced"
            if any(i == old for _, i in self.pending):  # replaced within this batch: write what came first
                self._flush()
            self.store._remove(old)
            self.by_sha = {s: i for s, i in self.by_sha.items() if i != old}
        elif doc_id in self.ids:
            doc_id = f"{doc_id}-{doc.sha256[:8]}"
        self.pending.append((doc, doc_id))
        self.by_sha[doc.sha256] = self.by_path[doc.path] = doc_id
        self.ids.add(doc_id)
        return _put_result(doc_id, status)

    def _flush(self) -> None:
        from declass.store import tables
        from declass.store.base import DOCUMENT_COLUMNS, document_values

        if not self.pending:
            return
        store, d, pending = self.store, self.store.d, self.pending
        self.pending = []
        d.insert("documents", DOCUMENT_COLUMNS, [document_values(doc, i, self.now) for doc, i in pending])
        store._insert_blocks(pending)
        d.insert("mentions", ("doc_id", *tables.MENTION_COLUMNS), [(i, *r) for doc, i in pending for r in doc.mentions])
        per_doc = [(i, doc.rows.tables()) for doc, i in pending]
        for n, (table, columns, _) in enumerate(tables.Rows().tables()):
            d.insert(table, ("doc_id", *columns), [(i, *r) for i, made in per_doc for r in made[n][2]])
        store._add_totals(tables.merged(doc.totals for doc, _ in pending), 1)
