"""Schema migrations of both stores: small recorded steps, one mechanism.

Each `Migration` names its version in each dialect's sequence (SQLite's
and PostgreSQL's were numbered apart before they shared this module, and
archives record those numbers) and its step there: SQL text, or a
function given the `Dialect`.  Opening an archive runs the steps it lacks,
each in its own transaction, recorded in ``schema_migrations``; opening
twice is safe.  Append new migrations (with a version for each dialect);
never edit a published one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from declass.store import paged, tables
from declass.store.dialect import Dialect
from declass.store.schema import current_version as current_version  # (where it was)

Step = str | Callable[[Dialect], None]


@dataclass(frozen=True, slots=True)
class Migration:
    """One change of schema: its version and step in each dialect that has it."""

    name: str
    sqlite: tuple[int, Step] | None = None
    postgresql: tuple[int, Step] | None = None


def typed(sql: str) -> Step:
    """A step whose SQL names a float column's type as ``{real}`` (it differs per dialect)."""
    return lambda d: d.script(sql.format(real=d.real))


# -- SQLite's first schemas ------------------------------------------------------------------

SQLITE_INITIAL = """
CREATE TABLE documents (
    id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, path TEXT NOT NULL, media_type TEXT, size INTEGER,
    pages INTEGER, blocks INTEGER, doc_type TEXT, doc_number TEXT, title TEXT, date TEXT, classification TEXT,
    archive_id TEXT, released TEXT, ingested_at TEXT NOT NULL, record BLOB NOT NULL
);
CREATE INDEX documents_path ON documents(path);
CREATE INDEX documents_number ON documents(doc_number);
CREATE TABLE blocks (
    rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, label TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT, text TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, page INTEGER, label_inferred INTEGER NOT NULL DEFAULT 0,
    UNIQUE (doc_id, seq)
);
CREATE INDEX blocks_doc_label ON blocks(doc_id, label);
CREATE VIRTUAL TABLE blocks_fts USING fts5(
    text, content='blocks', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
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

SQLITE_COUNTS = """
ALTER TABLE documents ADD COLUMN redactions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN edits INTEGER NOT NULL DEFAULT 0;
"""

SQLITE_MENTIONS = """
CREATE TABLE mentions (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE, block TEXT NOT NULL, entity_id TEXT,
    canonical TEXT, type TEXT NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    metonymy INTEGER NOT NULL DEFAULT 0, in_deleted INTEGER NOT NULL DEFAULT 0, method TEXT
);
CREATE INDEX mentions_entity ON mentions(entity_id);
CREATE INDEX mentions_doc_block ON mentions(doc_id, block);
"""

SQLITE_LINKS = """
CREATE TABLE links (
    a_doc TEXT NOT NULL, a TEXT NOT NULL, b_doc TEXT NOT NULL, b TEXT NOT NULL, score REAL NOT NULL,
    agree INTEGER, method TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed', 'rejected')),
    updated_at TEXT NOT NULL, PRIMARY KEY (a_doc, a, b_doc, b)
);
"""

# a capital standing for its government is stored under the government;
# the entity the name itself refers to (Peiping -> Beijing) is kept too
SQLITE_NAMED = """
ALTER TABLE mentions ADD COLUMN named_id TEXT;
UPDATE mentions SET named_id = entity_id;
CREATE INDEX mentions_named ON mentions(named_id);
"""

# every change to a block is logged for the tantivy index (store/textindex.py)
# in the same transaction as the change; the index clears what it applied
SQLITE_SEARCH_LOG = """
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
"""


def _sqlite_footnote_separators(d: Dialect) -> None:
    # "Eisenhower¹" was one token; superscript digits (footnote marks) now separate
    # words, as in the tantivy index and the query language (store/query.py)
    from declass.store.query import FOOTNOTE_DIGITS

    d.script(f"""
        DROP TABLE blocks_fts;
        CREATE VIRTUAL TABLE blocks_fts USING fts5(text, content='blocks', content_rowid='rowid',
            tokenize="porter unicode61 remove_diacritics 2 separators '{FOOTNOTE_DIGITS}'");
        INSERT INTO blocks_fts(blocks_fts) VALUES ('rebuild');
        DELETE FROM settings WHERE key = 'index_id';
        """)  # the tantivy index is rebuilt too


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
"""Releases of one document, earlier first (declass.corpus.releases)."""

SQLITE_BULK_INDEXING = """
DROP TRIGGER blocks_ai;
DROP TRIGGER blocks_log_ai;
"""
"""FTS5 and the search log get a batch's new blocks in one ``INSERT ... SELECT`` each from the writer
(`SQLiteStore._insert_blocks`), in the batch's transaction: a trigger per row cost three times as much.
Deleting or changing a block is still logged by its triggers."""

# -- PostgreSQL's first schema ---------------------------------------------------------------

POSTGRES_INITIAL = """
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
"""
# ``record`` is not moved to the end of its row as in SQLite: PostgreSQL keeps a large value
# out of line (TOAST), so reading the other columns never reads it.

# -- the analysis tables (SQLite 9, PostgreSQL 3) -------------------------------------------


def _fill_tables(d: Dialect) -> None:
    """Fill the analysis tables from the records already stored, one document at a time
    (a record that cannot be read adds no rows, as it could not be shown either)."""
    for doc_id in [r["id"] for r in d.rows("SELECT id FROM documents")]:
        row = d.rows("SELECT record FROM documents WHERE id = ?", (doc_id,))
        record = tables.stored_record(row[0]["record"]) if row else None
        if record is None:
            continue
        numbered = sum(1 for b in record["blocks"] if (b.get("attrs") or {}).get("sequence"))
        d.execute("UPDATE documents SET numbered = ?, metadata = ? WHERE id = ?",
                  (numbered, tables.dumps(record.get("metadata") or {}), doc_id))
        d.executemany("UPDATE blocks SET attrs = ? WHERE doc_id = ? AND seq = ?",
                      [(b[-1], doc_id, b[0]) for b in tables.block_rows(record) if b[-1] is not None])
        d.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        mentions = tables.mention_rows(record)  # (entity pairs had a table from here to SQLite 13 / PostgreSQL 8)
        for table, columns, rows in (("mentions", tables.MENTION_COLUMNS, mentions), *tables.rows(record).tables(),
                                     ("cooccurrence", tables.COOCCURRENCE_COLUMNS, tables.cooccurrence_rows(mentions))):
            d.insert(table, ("doc_id", *columns), [(doc_id, *r) for r in rows])


def _sqlite_analysis_tables(d: Dialect) -> None:
    # ``record`` moves to the end of its row (SQLite reads a row's columns in order:
    # a large blob before them is read past each time)
    kept = [c for c in d.columns("documents") if c in tables.DOCUMENT_SCHEMA_V9]
    d.script(f"""
        CREATE TABLE documents_v9 (
            id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, path TEXT NOT NULL, media_type TEXT, size INTEGER,
            pages INTEGER, blocks INTEGER, doc_type TEXT, doc_number TEXT, title TEXT, date TEXT,
            classification TEXT, archive_id TEXT, released TEXT, ingested_at TEXT NOT NULL,
            redactions INTEGER NOT NULL DEFAULT 0, withheld INTEGER NOT NULL DEFAULT 0,
            edits INTEGER NOT NULL DEFAULT 0, numbered INTEGER NOT NULL DEFAULT 0, metadata TEXT,
            record BLOB NOT NULL
        );
        INSERT INTO documents_v9 ({', '.join(kept)}) SELECT {', '.join(kept)} FROM documents;
        DROP TABLE documents;
        ALTER TABLE documents_v9 RENAME TO documents;
        """)  # foreign keys are off while migrating: nothing cascades
    d.script(tables.BLOCK_AND_MENTION_COLUMNS_V9)
    d.script("""
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
    d.script(tables.TABLES.format(real=d.real))
    d.script(tables.MENTION_INDEXES)
    _fill_tables(d)


def _postgres_analysis_tables(d: Dialect) -> None:
    d.script(tables.TABLES.format(real=d.real) + """
        ALTER TABLE documents ADD COLUMN numbered INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE documents ADD COLUMN metadata TEXT;
        CREATE INDEX documents_id_prefix ON documents(id text_pattern_ops);
        CREATE INDEX documents_sha_prefix ON documents(sha256 text_pattern_ops);
        CREATE INDEX documents_date ON documents(date, id);
        """ + tables.BLOCK_AND_MENTION_COLUMNS_V9 + tables.MENTION_INDEXES)
    _fill_tables(d)


def _postgres_search(d: Dialect) -> None:
    # search reads words as the embedded engines do (store.pgsearch): the store writes each tsvector
    from declass.store import pgsearch

    d.script(pgsearch.SCHEMA)
    pgsearch.backfill(d.db)


def _totals(d: Dialect) -> None:
    # totals kept up to date per document (tables.AGGREGATES): the entity list, an entity's
    # names and the co-occurrence network no longer aggregate every mention per question
    have = set(d.columns("judgment_ranges"))
    for col in tables.RANGE_COLUMNS_V10:
        if col not in have:
            d.execute(f"ALTER TABLE judgment_ranges ADD COLUMN {col} TEXT NOT NULL DEFAULT ''")
    d.script(tables.AGGREGATES)
    d.script(tables.AGGREGATES_FILL)


MENTIONS_BY_NAME = "DROP INDEX IF EXISTS mentions_named_order;"
"""Schema 22 / PostgreSQL 16: mentions by name are found in ``mentions_by_name_only`` alone (the
partial index of the mentions whose name stands for another entity, `paged.NAME_ONLY`; every
question by name asks for those, the others being found by entity).  The full index by name
repeated it for every mention: without it the writer's CPU per 10k generated pages fell by 7%."""


MIGRATIONS: tuple[Migration, ...] = (
    Migration("initial schema", sqlite=(1, SQLITE_INITIAL), postgresql=(1, POSTGRES_INITIAL)),
    Migration("redaction and edit counts", sqlite=(2, SQLITE_COUNTS)),
    Migration("entity mentions", sqlite=(3, SQLITE_MENTIONS)),
    Migration("judgment links", sqlite=(4, SQLITE_LINKS)),
    Migration("named entity of each mention", sqlite=(5, SQLITE_NAMED)),
    Migration("change log for the search index", sqlite=(6, SQLITE_SEARCH_LOG)),
    Migration("footnote digits separate words in full-text search", sqlite=(7, _sqlite_footnote_separators)),
    Migration("releases of one document", sqlite=(8, RELEASES_TABLE), postgresql=(2, RELEASES_TABLE)),
    Migration("tables of judgments, events, redactions, edits and entity pairs",
              sqlite=(9, _sqlite_analysis_tables), postgresql=(3, _postgres_analysis_tables)),
    Migration("search reads words as the embedded engines do (store.pgsearch)", postgresql=(4, _postgres_search)),
    Migration("entity and co-occurrence totals", sqlite=(10, _totals), postgresql=(5, _totals)),
    Migration("fewer indexes to write", sqlite=(11, tables.V11_DROPS), postgresql=(6, tables.V11_DROPS)),
    Migration("entities of events; judgments by term and band", sqlite=(12, typed(tables.V12)),
              postgresql=(7, typed(tables.V12))),
    Migration("events' last dates in their date index", sqlite=(13, tables.V13), postgresql=(8, tables.V13)),
    Migration("entity pairs in the totals only", sqlite=(14, tables.V14), postgresql=(9, tables.V14)),
    Migration("document lists in any order from an index", sqlite=(15, paged.LIST_INDEXES),
              postgresql=(10, paged.LIST_INDEXES)),
    Migration("the writer indexes new blocks for search itself", sqlite=(16, SQLITE_BULK_INDEXING)),
    Migration("the redaction report from indexes", sqlite=(17, paged.REPORT_INDEXES),
              postgresql=(11, paged.REPORT_INDEXES)),
    Migration("names and years of each entity's mentions, kept up to date", sqlite=(18, tables.V18),
              postgresql=(12, tables.V18)),
    Migration("redactions by kind and exemption, documents and pages by type, kept up to date",
              sqlite=(19, tables.V19), postgresql=(13, tables.V19)),
    Migration("events by kind and edits by operation, kept up to date", sqlite=(20, tables.V20),
              postgresql=(14, tables.V20)),
    Migration("events by entity, kept up to date", sqlite=(21, tables.V21), postgresql=(15, tables.V21)),
    Migration("mentions by name from the name-only index", sqlite=(22, MENTIONS_BY_NAME),
              postgresql=(16, MENTIONS_BY_NAME)),
)


def steps(dialect: str) -> list[tuple[int, str, Step]]:
    """``(version, name, step)`` of ``dialect``'s migrations, in version order."""
    found = [(m.sqlite if dialect == "sqlite" else m.postgresql, m.name) for m in MIGRATIONS]
    return sorted((v[0], name, v[1]) for v, name in found if v is not None)


def latest(dialect: str) -> int:
    """The schema version this release writes in ``dialect``."""
    return steps(dialect)[-1][0]


def apply(d: Dialect, *, upto: int | None = None) -> list[int]:
    """Run the migrations the database lacks (those up to ``upto``), each in its own
    transaction, recording each; returns the versions run."""
    d.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
              "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    applied: list[int] = []
    with d.migrating():
        for version, name, step in steps(d.name):
            if upto is not None and version > upto:
                break
            with d.transaction():
                d.lock("schema_migrations")  # two processes opening one new archive: one migrates
                if current_version(d) >= version:
                    continue
                if isinstance(step, str):
                    d.script(step)
                else:
                    step(d)
                d.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                          (version, name, datetime.now(UTC).isoformat(timespec="seconds")))
            applied.append(version)
    return applied
