"""The shared store: PostgreSQL (psycopg 3), for an archive a group uses.

Everything but connecting and searching is `SQLStore`'s, shared with
SQLite; rows are bulk-loaded with ``COPY``.  Full text is a ``tsvector``
column the store writes itself (the words as the embedded engines read
them) with a GIN index, searched in the same query language as SQLite
(`store.pgsearch`).
"""

from __future__ import annotations

from collections.abc import Sequence

from declass.errors import StoreError
from declass.store import pgsearch, tables
from declass.store.base import Hit, Prepared
from declass.store.dialect import PostgresDialect, Row, first_line, safe_url
from declass.store.query import parse
from declass.store.sql import SQLStore
from declass.store.tsvector import tsvector

TEXT = tables.BLOCK_COLUMNS.index("text")


class PostgresStore(SQLStore):
    """The archive in a PostgreSQL database (``postgresql://...``)."""

    backend = "postgresql"

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        import psycopg
        from psycopg.rows import dict_row

        self.url, self.where = url, safe_url(url)
        try:
            db = psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError("E303", first_line(exc), path=self.where) from None
        d = PostgresDialect(db, url)
        try:
            db.execute(pgsearch.SESSION)
            self.schema = self._open(d, readonly=readonly)
            if readonly:
                db.execute("SET default_transaction_read_only = on")
        except psycopg.Error as exc:
            db.close()
            raise StoreError("E302", first_line(exc), path=self.where) from None
        except StoreError:
            db.close()
            raise

    def _insert_blocks(self, docs: list[tuple[Prepared, str]]) -> None:
        # each block's tsvector: its words as pgsearch reads them (`prepare(words=True)` in the worker)
        rows: list[Row] = []
        for doc, i in docs:
            words = doc.words if doc.words is not None else [tsvector(b[TEXT] or "") for b in doc.blocks]
            rows += [(i, *b, w) for b, w in zip(doc.blocks, words, strict=True)]
        self.d.insert("blocks", ("doc_id", *tables.BLOCK_COLUMNS, "tsv"), rows)

    def search(self, query: str | None, *, limit: int = 20, doc_id: str | None = None,
               entity_ids: Sequence[str] = ()) -> list[Hit]:
        if not query:
            return self._browse(limit, doc_id, entity_ids)
        # the query language, read as FTS5 reads it (store.pgsearch)
        where, params = self._block_filters(doc_id, entity_ids)
        return pgsearch.search(self._read, parse(query), limit=limit,
                               filters=([self.d.sql(w) for w in where], params))


__all__ = ["PostgresStore"]
