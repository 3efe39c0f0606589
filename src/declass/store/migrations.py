"""Schema migrations for the SQLite store: small recorded functions.

Each migration runs once, in its own transaction, and is recorded in
``schema_migrations``; opening an archive applies any that are missing, so
opening twice is safe.  Append new migrations; never edit a published one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

Migration = tuple[int, str, Callable[[sqlite3.Connection], None]]


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one, inside the caller's transaction
    (``executescript`` would commit it first)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        db.execute(pending)


def _v1_initial(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            path TEXT NOT NULL,
            media_type TEXT,
            size INTEGER,
            pages INTEGER,
            blocks INTEGER,
            doc_type TEXT,
            doc_number TEXT,
            title TEXT,
            date TEXT,
            classification TEXT,
            archive_id TEXT,
            released TEXT,
            ingested_at TEXT NOT NULL,
            record BLOB NOT NULL
        );
        CREATE INDEX documents_path ON documents(path);
        CREATE INDEX documents_number ON documents(doc_number);
        CREATE TABLE blocks (
            rowid INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            label TEXT NOT NULL,
            kind TEXT NOT NULL,
            parent TEXT,
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            page INTEGER,
            label_inferred INTEGER NOT NULL DEFAULT 0,
            UNIQUE (doc_id, seq)
        );
        CREATE INDEX blocks_doc_label ON blocks(doc_id, label);
        CREATE VIRTUAL TABLE blocks_fts USING fts5(
            text, content='blocks', content_rowid='rowid',
            tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER blocks_ai AFTER INSERT ON blocks BEGIN
            INSERT INTO blocks_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        CREATE TRIGGER blocks_ad AFTER DELETE ON blocks BEGIN
            INSERT INTO blocks_fts(blocks_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        END;
        CREATE TRIGGER blocks_au AFTER UPDATE ON blocks BEGIN
            INSERT INTO blocks_fts(blocks_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
            INSERT INTO blocks_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        """
    )


def _v2_redaction_counts(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE documents ADD COLUMN redactions INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE documents ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE documents ADD COLUMN edits INTEGER NOT NULL DEFAULT 0")


def _v3_mentions(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE mentions (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            block TEXT NOT NULL,
            entity_id TEXT,
            canonical TEXT,
            type TEXT NOT NULL,
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            metonymy INTEGER NOT NULL DEFAULT 0,
            in_deleted INTEGER NOT NULL DEFAULT 0,
            method TEXT
        );
        CREATE INDEX mentions_entity ON mentions(entity_id);
        CREATE INDEX mentions_doc_block ON mentions(doc_id, block);
        """,
    )


def _v4_links(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE links (
            a_doc TEXT NOT NULL,
            a TEXT NOT NULL,
            b_doc TEXT NOT NULL,
            b TEXT NOT NULL,
            score REAL NOT NULL,
            agree INTEGER,
            method TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed', 'rejected')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (a_doc, a, b_doc, b)
        );
        """,
    )


def _v5_named_entity(db: sqlite3.Connection) -> None:
    # a capital standing for its government is stored under the government;
    # the entity the name itself refers to (Peiping -> Beijing) is kept too
    db.execute("ALTER TABLE mentions ADD COLUMN named_id TEXT")
    db.execute("UPDATE mentions SET named_id = entity_id")
    db.execute("CREATE INDEX mentions_named ON mentions(named_id)")


def _v6_search_log(db: sqlite3.Connection) -> None:
    # every change to a block is logged for the tantivy index (store/textindex.py)
    # in the same transaction as the change; the index clears what it applied
    run_script(
        db,
        """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE search_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, block INTEGER NOT NULL);
        CREATE TRIGGER blocks_log_ai AFTER INSERT ON blocks BEGIN
            INSERT INTO search_log (block) VALUES (new.rowid);
        END;
        CREATE TRIGGER blocks_log_ad AFTER DELETE ON blocks BEGIN
            INSERT INTO search_log (block) VALUES (old.rowid);
        END;
        CREATE TRIGGER blocks_log_au AFTER UPDATE ON blocks BEGIN
            INSERT INTO search_log (block) VALUES (old.rowid);
            INSERT INTO search_log (block) VALUES (new.rowid);
        END;
        """,
    )


def _v7_footnote_separators(db: sqlite3.Connection) -> None:
    # "Eisenhower¹" was one token; superscript digits (footnote marks) now separate
    # words, as in the tantivy index and the query language (store/query.py)
    from declass.store.query import FOOTNOTE_DIGITS

    db.execute("DROP TABLE blocks_fts")
    db.execute(
        "CREATE VIRTUAL TABLE blocks_fts USING fts5(text, content='blocks', content_rowid='rowid',"
        f" tokenize=\"porter unicode61 remove_diacritics 2 separators '{FOOTNOTE_DIGITS}'\")"
    )
    db.execute("INSERT INTO blocks_fts(blocks_fts) VALUES ('rebuild')")
    db.execute("DELETE FROM settings WHERE key = 'index_id'")  # the tantivy index is rebuilt too


RELEASES_TABLE = """
CREATE TABLE releases (
    earlier TEXT NOT NULL,
    later TEXT NOT NULL,
    method TEXT NOT NULL,
    score REAL NOT NULL,
    basis TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed', 'rejected')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (earlier, later)
);
CREATE INDEX releases_later ON releases(later);
"""


def _v8_releases(db: sqlite3.Connection) -> None:
    # releases of one document, earlier first (declass.corpus.releases); the same table in PostgreSQL
    run_script(db, RELEASES_TABLE)


DOCUMENTS_V9 = """
CREATE TABLE documents_v9 (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    media_type TEXT,
    size INTEGER,
    pages INTEGER,
    blocks INTEGER,
    doc_type TEXT,
    doc_number TEXT,
    title TEXT,
    date TEXT,
    classification TEXT,
    archive_id TEXT,
    released TEXT,
    ingested_at TEXT NOT NULL,
    redactions INTEGER NOT NULL DEFAULT 0,
    withheld INTEGER NOT NULL DEFAULT 0,
    edits INTEGER NOT NULL DEFAULT 0,
    numbered INTEGER NOT NULL DEFAULT 0,
    metadata TEXT,
    record BLOB NOT NULL
);
"""


def _v9_analysis_tables(db: sqlite3.Connection) -> None:
    # judgments, events, redactions, edits and entity pairs get tables of their own, filled
    # from each stored record (declass.store.tables); ``record`` moves to the end of its row
    # (SQLite reads a row's columns in order: a large blob before them is read past each time)
    from declass.store import tables

    old = [r[1] for r in db.execute("PRAGMA table_info(documents)")]
    run_script(db, DOCUMENTS_V9)
    kept = [c for c in old if c in tables.DOCUMENT_SCHEMA_V9]
    db.execute(f"INSERT INTO documents_v9 ({', '.join(kept)}) SELECT {', '.join(kept)} FROM documents")
    db.execute("DROP TABLE documents")  # foreign keys are off while migrating: nothing cascades
    db.execute("ALTER TABLE documents_v9 RENAME TO documents")
    run_script(db, tables.BLOCK_AND_MENTION_COLUMNS_V9)
    run_script(db, """
        CREATE INDEX documents_path ON documents(path);
        CREATE INDEX documents_number ON documents(lower(doc_number));
        CREATE INDEX documents_date ON documents(date, id);
        DROP TRIGGER blocks_au;
        DROP TRIGGER blocks_log_au;
        CREATE TRIGGER blocks_au AFTER UPDATE OF text ON blocks BEGIN
            INSERT INTO blocks_fts(blocks_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
            INSERT INTO blocks_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        CREATE TRIGGER blocks_log_au AFTER UPDATE OF text ON blocks BEGIN
            INSERT INTO search_log (block) VALUES (old.rowid);
            INSERT INTO search_log (block) VALUES (new.rowid);
        END;
        """)
    run_script(db, tables.TABLES.format(real="REAL"))
    run_script(db, tables.MENTION_INDEXES)
    ids = [r[0] for r in db.execute("SELECT id FROM documents")]
    for doc_id in ids:
        blob = db.execute("SELECT record FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        fill = tables.backfill(blob)
        if fill is None:
            continue
        db.execute("UPDATE documents SET numbered = ?, metadata = ? WHERE id = ?", (*fill.document, doc_id))
        db.executemany("UPDATE blocks SET attrs = ? WHERE doc_id = ? AND seq = ?",
                       [(attrs, doc_id, seq) for seq, attrs in fill.attrs])
        db.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        for table, columns, rows in fill.tables():
            db.executemany(tables.insert_sql(table, columns), [(doc_id, *r) for r in rows])


def _v10_totals(db: sqlite3.Connection) -> None:
    # totals kept up to date per document (declass.store.tables.AGGREGATES): the entity list, an
    # entity's names and the co-occurrence network no longer aggregate every mention per question
    from declass.store import tables

    have = {r[1] for r in db.execute("PRAGMA table_info(judgment_ranges)")}
    for col in tables.RANGE_COLUMNS_V10:
        if col not in have:
            db.execute(f"ALTER TABLE judgment_ranges ADD COLUMN {col} TEXT NOT NULL DEFAULT ''")
    run_script(db, tables.AGGREGATES)
    run_script(db, tables.AGGREGATES_FILL)


def _v11_lighter_writes(db: sqlite3.Connection) -> None:
    # the corpus questions read the totals; the per-document pairs are read by document only
    from declass.store import tables

    run_script(db, tables.V11_DROPS)


def _v12_event_entities_and_judgment_totals(db: sqlite3.Connection) -> None:
    from declass.store import tables

    run_script(db, tables.V12.format(real="REAL"))


def _v13_event_spans(db: sqlite3.Connection) -> None:
    from declass.store import tables

    run_script(db, tables.V13)


MIGRATIONS: tuple[Migration, ...] = (
    (1, "initial schema", _v1_initial),
    (2, "redaction and edit counts", _v2_redaction_counts),
    (3, "entity mentions", _v3_mentions),
    (4, "judgment links", _v4_links),
    (5, "named entity of each mention", _v5_named_entity),
    (6, "change log for the search index", _v6_search_log),
    (7, "footnote digits separate words in full-text search", _v7_footnote_separators),
    (8, "releases of one document", _v8_releases),
    (9, "tables of judgments, events, redactions, edits and entity pairs", _v9_analysis_tables),
    (10, "entity and co-occurrence totals", _v10_totals),
    (11, "fewer indexes to write", _v11_lighter_writes),
    (12, "entities of events; judgments by term and band", _v12_event_entities_and_judgment_totals),
    (13, "events' last dates in their date index", _v13_event_spans),
)
LATEST = MIGRATIONS[-1][0]


def current_version(db: sqlite3.Connection) -> int:
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    row = db.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def apply(db: sqlite3.Connection) -> list[int]:
    """Apply missing migrations, each in one transaction; return those applied."""
    applied: list[int] = []
    # a migration may rebuild a table others refer to; foreign keys stay off meanwhile
    # (the pragma is a no-op inside a transaction, so it is set here, between them)
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        _apply(db, applied)
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    return applied


def _apply(db: sqlite3.Connection, applied: list[int]) -> None:
    for version, name, fn in MIGRATIONS:
        db.execute("BEGIN IMMEDIATE")
        try:
            if current_version(db) >= version:
                db.execute("ROLLBACK")
                continue
            fn(db)
            db.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                (version, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            db.execute("COMMIT")
            applied.append(version)
        except BaseException:
            db.execute("ROLLBACK")
            raise
