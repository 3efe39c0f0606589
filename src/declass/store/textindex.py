"""An embedded tantivy index over block text, kept beside a SQLite archive.

FTS5 answers in ~250 ms at a million blocks here; tantivy answers the same
queries in a few milliseconds.  The SQLite file stays the archive: the index
(``<archive>.tantivy/``) is derived from it and can always be rebuilt.

Keeping the two in step without a distributed transaction:

* triggers on ``blocks`` append every inserted, changed or deleted block's
  rowid to ``search_log`` in the same transaction as the change;
* ``sync`` takes the index writer's lock, reads the log and the current text
  of those blocks, deletes and re-adds them in the index, commits, then
  clears the entries it applied.  A crash between the two commits replays
  them, which is harmless (delete-then-add is idempotent);
* a searcher uses the index only while the log is empty and the index is
  the one this archive built (an id kept in both); otherwise it falls back
  to FTS5, so a search is never answered from a stale index.
"""

from __future__ import annotations

import fcntl
import re
import shutil
import sqlite3
import time
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import tantivy

from declass.limits import trim_heap
from declass.store.query import FOOTNOTE_DIGITS, And, Near, Node, Not, Or, Term

TOKENIZER = "declass"
ID_FILE = "declass-archive-id"
SNIPPET_CHARS = 160
PREFIX_TERMS = 64  # words a prefix may stand for in a snippet's highlights
WRITER_HEAP = 15_000_000
"""Bytes the writer buffers before it writes a segment: tantivy's least.  Ingest syncs the index every
30 s, a few MB of text: the buffer bounds the writing process's peak, not its speed (32 MB: index
updates peaked at 85-116 MB over three 10k-page rounds of writes, 15 MB: 86-103)."""
LOCK_WAIT_S = 30.0
LONGEST_TOKEN = 65_000
"""Bytes: tantivy cannot index a longer term.  FTS5 keeps words of any length, so the
index keeps all it can and queries naming longer words go to FTS5 (`query.fts5_only`)."""
BUILDING = ".declass-building"  # locked while a rebuild fills its directory


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", stored=False, tokenizer_name=TOKENIZER)
    sb.add_unsigned_field("rowid", stored=True, indexed=True, fast=True)
    sb.add_text_field("doc", stored=False, tokenizer_name="raw")
    return sb.build()


def _analyzer() -> tantivy.TextAnalyzer:
    """Tokens as FTS5's ``porter unicode61 remove_diacritics 2`` makes them."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(LONGEST_TOKEN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_ANALYZER = _analyzer()


def _stem(word: str) -> str:
    """A prefix as FTS5 reads it: folded and stemmed ("estimate*" is "estim*", matching
    "estimates"), as the index holds its words."""
    tokens = _ANALYZER.analyze(word)
    return tokens[0] if len(tokens) == 1 else _fold(word)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Footnote marks are separators, not letters (FTS5 is told so by migration 7);
# blanking them keeps every character's position.
_AS_SPACE = str.maketrans(FOOTNOTE_DIGITS, " " * len(FOOTNOTE_DIGITS))


def indexed_text(text: str) -> str:
    """The text as the index sees it: footnote digits blanked, positions kept.  ASCII text (most
    blocks: the check is a flag of the string) holds none and is taken as it is."""
    return text if text.isascii() else text.translate(_AS_SPACE)


def words(text: str) -> list[str]:
    """The words of ``text`` as the index holds them, in order: footnote digits
    blanked, folded, stemmed (the PostgreSQL store indexes these too)."""
    return _ANALYZER.analyze(indexed_text(text))


def prefix_stem(word: str) -> str:
    """A prefix's word as the index matches it (see `_stem`)."""
    return _stem(word)


def index_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".tantivy")


@dataclass(frozen=True, slots=True)
class Found:
    """A block the index found: its rowid and BM25 score."""

    rowid: int
    score: float


class BlockIndex:
    """The tantivy index of one SQLite archive's blocks."""

    def __init__(self, db: sqlite3.Connection, db_path: Path, *, readonly: bool) -> None:
        self.db = db
        self.path = index_path(db_path)
        self.readonly = readonly
        self.schema = _schema()
        self.index: tantivy.Index | None = None
        self.opened_id: str | None = None
        self.generation: str | None = None
        self.lock_wait = LOCK_WAIT_S
        if not readonly:
            sweep(self.path)

    # -- state kept in the archive ----------------------------------------

    def _setting(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _state(self) -> tuple[str | None, str | None, bool]:
        """(index id, generation, whether the log is empty), in one read."""
        row = self.db.execute(
            "SELECT (SELECT value FROM settings WHERE key = 'index_id'),"
            " (SELECT value FROM settings WHERE key = 'index_generation'),"
            " NOT EXISTS (SELECT 1 FROM search_log)"
        ).fetchone()
        return row[0], row[1], bool(row[2])

    def _open(self, want_id: str) -> tantivy.Index | None:
        try:
            if (self.path / ID_FILE).read_text().strip() != want_id:
                return None
            index = tantivy.Index.open(str(self.path))
        except (OSError, ValueError):
            return None
        index.register_tokenizer(TOKENIZER, _analyzer())
        return index

    def usable(self) -> tantivy.Index | None:
        """The index, if it is complete and current for this archive; else None."""
        try:
            index_id, generation, log_empty = self._state()
        except sqlite3.Error:
            return None
        if not index_id or not log_empty:
            return None
        if self.opened_id != index_id:  # a failed open is not retried until the id changes
            self.index = self._open(index_id)
            self.opened_id = index_id
            self.generation = None
        if self.index is not None and generation != self.generation:
            self.index.reload()
            self.generation = generation
        return self.index

    # -- writing -----------------------------------------------------------

    def _writer(self, index: tantivy.Index) -> tantivy.IndexWriter:
        """The index's single writer; waits while another process holds it."""
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                return index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def sync(self) -> int:
        """Apply the logged block changes to the index; rebuild it if it is
        missing or not this archive's.  Returns the blocks (re)indexed."""
        if self.readonly:
            return 0
        index_id = self._setting("index_id")
        index = self._open(index_id) if index_id else None
        if index is None:
            return self.rebuild()
        if not self.db.execute("SELECT 1 FROM search_log LIMIT 1").fetchone():
            return 0  # nothing logged: no need to wait for the writer's lock
        writer = self._writer(index)
        try:
            last = self.db.execute("SELECT max(seq) FROM search_log").fetchone()[0]
            if last is None:
                return 0
            rowids = [r[0] for r in self.db.execute(
                "SELECT DISTINCT block FROM search_log WHERE seq <= ?", (last,))]
            for i in range(0, len(rowids), 10_000):
                writer.delete_documents_by_query(
                    tantivy.Query.term_set_query(self.schema, "rowid", rowids[i:i + 10_000]))
            added = self._add(writer, "SELECT b.rowid, b.doc_id, b.text FROM blocks b"
                                      " JOIN search_log l ON l.block = b.rowid AND l.seq <= ?"
                                      " GROUP BY b.rowid", (last,))
            writer.commit()
            writer.wait_merging_threads()  # merges end here: ingest's memory stays flat
        finally:
            del writer
            trim_heap()  # the writer's threads freed their buffers into arenas glibc would keep
        self._applied(last, index_id)  # type: ignore[arg-type]
        return added

    def rebuild(self) -> int:
        """Index every block afresh in a new directory, then swap it in."""
        if self.readonly:
            return 0
        new_id = uuid.uuid4().hex
        tmp = self.path.with_name(self.path.name + f".new-{new_id[:8]}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        building = open(tmp / BUILDING, "w")  # noqa: SIM115 - held for the whole rebuild
        fcntl.flock(building, fcntl.LOCK_EX)
        try:
            index = tantivy.Index(self.schema, path=str(tmp))
            index.register_tokenizer(TOKENIZER, _analyzer())
            writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
            # one read transaction: the blocks read and the log's end agree
            self.db.execute("BEGIN")
            try:
                last = self.db.execute("SELECT coalesce(max(seq), 0) FROM search_log").fetchone()[0]
                added = self._add(writer, "SELECT rowid, doc_id, text FROM blocks", ())
            finally:
                self.db.execute("COMMIT")
            writer.commit()
            writer.wait_merging_threads()
            del writer
            trim_heap()
            (tmp / ID_FILE).write_text(new_id + "\n")
            (tmp / BUILDING).unlink()
            old = self.path.with_name(self.path.name + f".old-{new_id[:8]}")
            if self.path.exists():
                self.path.rename(old)
            tmp.rename(self.path)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            building.close()
        self._applied(last, new_id)
        return added

    def _add(self, writer: tantivy.IndexWriter, sql: str, params: tuple[int, ...]) -> int:
        n = 0
        for rowid, doc_id, text in self.db.execute(sql, params):
            doc = tantivy.Document()
            doc.add_unsigned("rowid", rowid)
            doc.add_text("doc", doc_id)
            doc.add_text("text", indexed_text(text))
            writer.add_document(doc)
            n += 1
        return n

    def _applied(self, last: int, index_id: str) -> None:
        """Record that the log up to ``last`` is in the index ``index_id``."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM search_log WHERE seq <= ?", (last,))
            self.db.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [("index_id", index_id), ("index_generation", uuid.uuid4().hex)],
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- searching ---------------------------------------------------------

    def search(self, index: tantivy.Index, node: Node, *, limit: int, doc_id: str | None) -> list[Found]:
        query = self.query(index, node)
        if doc_id:
            query = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, query),
                (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "doc", doc_id)),
            ])
        searcher = index.searcher()
        result = searcher.search(query, limit, count=False)
        return [Found(searcher.doc(addr)["rowid"][0], score) for score, addr in result.hits]

    def query(self, index: tantivy.Index, node: Node, expand: tantivy.Searcher | None = None) -> tantivy.Query:
        """The query tree as a tantivy query (NEAR is left to FTS5).  With
        ``expand``, a one-word prefix becomes the indexed words it begins
        (the snippet generator highlights terms, not patterns)."""
        q, occur = tantivy.Query, tantivy.Occur
        if isinstance(node, Term):
            words = node.words
            if node.prefix and len(words) == 1 and expand is not None:
                terms = expand.terms_with_prefix("text", _stem(words[0]), limit=PREFIX_TERMS)
                return q.boolean_query([(occur.Should, q.term_query(self.schema, "text", t)) for t, _ in terms])
            if node.prefix and len(words) == 1:
                return q.regex_query(self.schema, "text", re.escape(_stem(words[0])) + ".*")
            phrase = '"' + " ".join(words) + '"' + ("*" if node.prefix else "")
            return index.parse_query(phrase, ["text"])
        if isinstance(node, And):
            return q.boolean_query([(occur.Must, self.query(index, p, expand)) for p in node.parts])
        if isinstance(node, Or):
            return q.boolean_query([(occur.Should, self.query(index, p, expand)) for p in node.parts])
        if isinstance(node, Not):
            return q.boolean_query([(occur.Must, self.query(index, node.keep, expand)),
                                    (occur.MustNot, self.query(index, node.drop, expand))])
        assert isinstance(node, Near)
        raise NotImplementedError("NEAR is answered by FTS5")

    def snippets(self, index: tantivy.Index, node: Node,
                 texts: Sequence[str]) -> list[tuple[str, list[tuple[int, int]]]]:
        """A snippet of each text around its matches, with the matches' spans
        (characters, within the snippet)."""
        searcher = index.searcher()
        gen = tantivy.SnippetGenerator.create(searcher, self.query(index, node, searcher), self.schema, "text")
        gen.set_max_num_chars(SNIPPET_CHARS)
        out: list[tuple[str, list[tuple[int, int]]]] = []
        for text in texts:
            plain = indexed_text(text)  # the same length as text, character for character
            snip = gen.snippet_from_doc(tantivy.Document(text=plain))
            if not snip.fragment():
                out.append((text[:SNIPPET_CHARS], []))
                continue
            raw = plain.encode()
            span = snip.fragment_range()
            lo, hi = len(raw[:span.start].decode()), len(raw[:span.end].decode())
            head = "…" if lo > 0 else ""
            tail = "…" if hi < len(text) else ""
            fb = snip.fragment().encode()
            spans = [(len(head) + len(fb[:h.start].decode(errors="ignore")),
                      len(head) + len(fb[:h.end].decode(errors="ignore"))) for h in snip.highlighted()]
            out.append((head + text[lo:hi] + tail, _merge_adjacent(head + text[lo:hi], spans)))
        return out


def sweep(path: Path) -> list[Path]:
    """Remove what killed rebuilds left beside the index (``.tantivy.new-*`` and
    ``.old-*`` folders); a rebuild still running holds its lock and is left alone."""
    removed = []
    for leftover in [*path.parent.glob(path.name + ".new-*"), *path.parent.glob(path.name + ".old-*")]:
        if not leftover.is_dir():
            continue
        try:
            with open(leftover / BUILDING, "a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while a rebuild holds it
                shutil.rmtree(leftover, ignore_errors=True)
        except BlockingIOError:
            continue
        except OSError:
            shutil.rmtree(leftover, ignore_errors=True)
        removed.append(leftover)
    return removed


def _merge_adjacent(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One highlight for a phrase: spans only whitespace apart are joined."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and not text[merged[-1][1]:start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
