"""The tantivy index beside a SQLite archive: same answers as FTS5, never stale."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import declass
from declass.errors import UsageError
from declass.store import SQLiteStore
from declass.store.postgres import PostgresStore
from declass.store.textindex import index_path

QUERIES = ['"Port Arthur"', "Peiping", "Sino-Soviet solidarity", "Dairen OR Formosa", "Manchuria -railway",
           "treat*", '"Chinese Communist"', "(Korea OR Korean) AND armistice", "Chou En-lai", "25X1"]


@pytest.fixture()
def indexed(tmp_path: Path, samples: Path) -> Path:
    db = tmp_path / "indexed.db"
    with declass.Archive(db) as a:
        assert not a.ingest([samples], workers=1).failed
    return db


def blocks(hits: list[declass.Hit]) -> set[tuple[str, str]]:
    return {(h.document, h.label) for h in hits}


def test_ingest_builds_the_index_and_it_answers(indexed: Path) -> None:
    assert (index_path(indexed) / "meta.json").exists()
    store = SQLiteStore(indexed, readonly=True)
    try:
        assert store.search_engine() == "tantivy"
    finally:
        store.close()


@pytest.mark.parametrize("query", QUERIES)
def test_index_finds_the_blocks_fts5_finds(indexed: Path, query: str) -> None:
    store = SQLiteStore(indexed, readonly=True)
    try:
        fast = store.search(query, limit=1000)
        slow = store.search(query, limit=1000, engine="fts5")
        assert blocks(fast) == blocks(slow)
        assert fast == sorted(fast, key=lambda h: -h.score)
        for h in fast:
            assert h.highlights, (query, h.snippet)
            for s, e in h.highlights:
                assert h.snippet[s:e].strip() and not h.snippet[s:e].isspace()
    finally:
        store.close()


def test_a_phrase_is_one_highlight(indexed: Path) -> None:
    with declass.Archive(indexed, readonly=True) as a:
        hits = a.search('"Port Arthur"')
    assert hits and all(h.snippet[s:e].casefold() == "port arthur" for h in hits for s, e in h.highlights)


def test_document_filter(indexed: Path) -> None:
    with declass.Archive(indexed, readonly=True) as a:
        hits = a.search("Soviet", document="NIE-58", limit=500)
        assert hits and {h.document for h in hits} == {"1952-09-10-nie-58-sino-soviet-relations"}
        assert a.store.search_engine() == "tantivy"


def test_unindexed_changes_fall_back_to_fts5_until_synced(indexed: Path, tmp_path: Path) -> None:
    memo = tmp_path / "memo.txt"
    memo.write_text("MEMORANDUM\n\n1. The Zanzibar question was discussed.\n")
    writer = declass.Archive(indexed)
    reader = SQLiteStore(indexed, readonly=True)
    try:
        writer.add(memo)
        assert reader.search_engine() == "fts5"
        assert [h.document for h in reader.search("Zanzibar")] == ["memo"]
        writer.store.sync_index()  # type: ignore[attr-defined]
        assert reader.search_engine() == "tantivy"
        assert [h.document for h in reader.search("Zanzibar")] == ["memo"]
        # a new version of the file replaces the old text in the index too
        memo.write_text("MEMORANDUM\n\n1. The Mauritius question was discussed.\n")
        writer.add(memo)
        writer.store.sync_index()  # type: ignore[attr-defined]
        assert reader.search_engine() == "tantivy"
        assert reader.search("Zanzibar") == []
        assert [h.document for h in reader.search("Mauritius")] == ["memo"]
    finally:
        writer.close()
        reader.close()


def test_a_lost_index_is_rebuilt_and_a_foreign_one_ignored(indexed: Path, tmp_path: Path, samples: Path) -> None:
    shutil.rmtree(index_path(indexed))
    with declass.Archive(indexed, readonly=True) as a:
        assert a.store.search_engine() == "fts5"
        before = blocks(a.search("Peiping", limit=500))
    store = SQLiteStore(indexed)
    assert store.sync_index() > 0
    store.close()
    with declass.Archive(indexed, readonly=True) as a:
        assert a.store.search_engine() == "tantivy"
        assert blocks(a.search("Peiping", limit=500)) == before

    # another archive's index copied beside this one is not believed
    other = tmp_path / "other.db"
    with declass.Archive(other) as a:
        a.ingest([next(samples.glob("*nie-58*"))], workers=1)
    shutil.rmtree(index_path(indexed))
    shutil.copytree(index_path(other), index_path(indexed))
    with declass.Archive(indexed, readonly=True) as a:
        assert a.store.search_engine() == "fts5"


def test_near_and_entity_searches_are_answered_by_fts5(indexed: Path) -> None:
    with declass.Archive(indexed, readonly=True) as a:
        assert a.store.search_engine() == "tantivy"  # type: ignore[attr-defined]
        near = a.search("NEAR(Soviet Manchuria, 5)")
        assert near and all("Soviet" in h.snippet or "Manchuria" in h.snippet for h in near)
        # FTS5 snippets (16 tokens, its own marks) differ from tantivy's: equal hits mean FTS5 answered
        assert near == a.store.search("NEAR(Soviet Manchuria, 5)", engine="fts5")  # type: ignore[call-arg]
        assert a.store.search("Soviet", limit=5) != a.store.search("Soviet", limit=5, engine="fts5")  # type: ignore[call-arg]
        ids = a.entity_ids("Port Arthur")
        both = a.search("Dairen", entity="Port Arthur")
        assert both and both == a.store.search("Dairen", entity_ids=ids, engine="fts5")  # type: ignore[call-arg]


def test_reindex_command_rebuilds_a_missing_index(indexed: Path) -> None:
    from typer.testing import CliRunner

    from declass.cli.main import app

    shutil.rmtree(index_path(indexed))
    result = CliRunner().invoke(app, ["reindex", "--db", str(indexed)])
    assert result.exit_code == 0, result.stderr
    n = int(result.stderr.split()[1].replace(",", ""))
    with declass.Archive(indexed, readonly=True) as a:
        assert n == a.store.count()[1]
        assert a.store.search_engine() == "tantivy"
    result = CliRunner().invoke(app, ["search", "--db", str(indexed), "Dairen"])
    assert result.exit_code == 0 and "Dairen" in result.stdout


def test_an_index_held_by_another_writer_is_a_warning_not_a_failure(
        indexed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import tantivy

    other = tantivy.Index.open(str(index_path(indexed)))
    held = other.writer(heap_size=15_000_000, num_threads=1)  # another process ingesting, say
    memo = tmp_path / "memo.txt"
    memo.write_text("MEMORANDUM\n\n1. The Zanzibar question was discussed.\n")
    with declass.Archive(indexed) as a:
        a.store.index.lock_wait = 0.2  # type: ignore[attr-defined]
        a.add(memo)
    assert "search index could not be updated" in caplog.text
    with declass.Archive(indexed, readonly=True) as a:
        assert a.store.search_engine() == "fts5"
        assert [h.document for h in a.search("Zanzibar")] == ["memo"]
    del held
    with declass.Archive(indexed) as a:
        assert a.reindex() > 0
        assert a.store.search_engine() == "tantivy"
        assert [h.document for h in a.search("Zanzibar")] == ["memo"]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, samples: Path) -> Iterator[SQLiteStore]:
    db = tmp_path_factory.mktemp("hyp") / "h.db"
    with declass.Archive(db) as a:
        a.ingest([samples], workers=1)
    store = SQLiteStore(db, readonly=True)
    assert store.search_engine() == "tantivy"
    yield store
    store.close()


@pytest.fixture(scope="module")
def pg_store(pg_server: str, samples: Path) -> Iterator[PostgresStore]:
    """The samples in a PostgreSQL archive: the third engine, asked the same queries."""
    import pgserver

    url = pgserver.fresh_database(pg_server, "t_textindex_samples")
    with declass.Archive(url) as a:
        assert not a.ingest([samples], workers=1).failed
    store = PostgresStore(url, readonly=True)
    yield store
    store.close()


WORDS = ["Soviet", "Peiping", "Dairen", "port", "Arthur", "treaty", "Manch", "will", "not", "Sino-Soviet", "25X1",
         "é", "___", "x", "Arthur³", "Communist", "China"]
QUERY_WORDS = st.sampled_from([*WORDS, "treat*", "Commun*", '"Port Arthur"', '"Chinese Communist"'])
TOKENS = st.sampled_from([*WORDS, "OR", "AND", "NOT", "(", ")", '"', "*", "-", "-Peiping", "-Soviet", "-Arthur"])
NEARS = st.builds(lambda a, b, d: f"NEAR({a} {b}{d})", QUERY_WORDS, QUERY_WORDS,
                  st.sampled_from(["", ", 0", ", 1", ", 3", ", 12", ", 2147483648"]))


# derandomized: the engines' known stemmer difference (below) must not make CI fail by chance
@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, 3).flatmap(lambda i: NEARS if i == 0 else TOKENS), min_size=1, max_size=8)
       .map(" ".join) | st.text(max_size=30))  # a NEAR group one token in four
def test_any_query_gets_the_same_blocks_from_every_engine_or_a_usage_error(
        sample_store: SQLiteStore, pg_store: PostgresStore, text: str) -> None:
    """tantivy (FTS5 for NEAR), FTS5 and PostgreSQL find the same blocks."""
    try:
        fast = sample_store.search(text, limit=10_000)
    except UsageError:
        with pytest.raises(UsageError):
            pg_store.search(text, limit=10_000)
        return
    slow = sample_store.search(text, limit=10_000, engine="fts5")
    shared = pg_store.search(text, limit=10_000)
    assert blocks(fast) == blocks(slow), text
    assert blocks(shared) == blocks(slow), text


@pytest.mark.parametrize("query", [*QUERIES, "Soviet NOT Peiping", "Soviet -Peiping -Dairen", "(Soviet OR China) NOT "
                                   "(Peiping OR Manchuria)", "Communist NOT (Chinese NOT Soviet)"])
def test_postgresql_finds_the_blocks_fts5_finds(sample_store: SQLiteStore, pg_store: PostgresStore, query: str) -> None:
    slow = blocks(sample_store.search(query, limit=10_000, engine="fts5"))
    assert blocks(pg_store.search(query, limit=10_000)) == slow
    assert slow or query in ("25X1", "(Korea OR Korean) AND armistice")  # the samples have neither


NEAR_QUERIES = ["NEAR(Soviet Manchuria, 5)", "Soviet NOT NEAR(Soviet Manchuria, 5)", "NEAR(Soviet Manch*, 2)",
                'NEAR("Port Arthur" Dairen, 10)', 'Soviet NOT NEAR("Port Arthur" Dairen, 10)',
                "NEAR(Soviet Chinese Communist, 8)",
                "Soviet NOT NEAR(Soviet Chinese Communist, 8)", "(Korea OR NEAR(Soviet Dairen, 1)) -Peiping",
                "NEAR(Soviet Soviet, 0)", "NEAR(China Peiping, 40)", "Soviet NOT (NEAR(China Peiping, 40) OR Dairen)"]


@pytest.mark.parametrize("query", NEAR_QUERIES)
def test_postgresql_answers_near_as_fts5_does(sample_store: SQLiteStore, pg_store: PostgresStore, query: str) -> None:
    slow = blocks(sample_store.search(query, limit=10_000, engine="fts5"))
    assert slow and blocks(pg_store.search(query, limit=10_000)) == slow


@pytest.mark.parametrize("query", ["Soviet", '"Port Arthur" OR Dairen', "NEAR(Soviet China, 8)", "treat* -Manchuria"])
def test_postgresql_ranks_every_match_when_fewer_than_its_bound_match(
        pg_store: PostgresStore, query: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounded ranking: ts_rank orders all matches when fewer than RANK_CANDIDATES match, and
    the first RANK_CANDIDATES found (still every block asked for) when more do."""
    from declass.store import pgsearch

    every = pg_store.search(query, limit=10_000)
    assert 3 < len(every) < pgsearch.RANK_CANDIDATES
    assert [h.score for h in every] == sorted((h.score for h in every), reverse=True)
    assert pg_store.search(query, limit=3) == every[:3]
    monkeypatch.setattr(pgsearch, "RANK_CANDIDATES", 2)
    bounded = pg_store.search(query, limit=3)
    assert len(bounded) == 3 and blocks(bounded) <= blocks(every)


@pytest.mark.xfail(strict=True, reason="FTS5 stems with Porter ('use' -> 'us'), tantivy and PostgreSQL with "
                   "Snowball English ('use' -> 'use'): 'us' finds every 'use' in FTS5 only. Known: SQLite cannot "
                   "be given another stemmer from Python, nor tantivy Porter.")
def test_porter_and_snowball_agree_on_us(sample_store: SQLiteStore) -> None:
    fast = sample_store.search("us", limit=10_000)
    slow = sample_store.search("us", limit=10_000, engine="fts5")
    assert blocks(fast) == blocks(slow)


@pytest.mark.parametrize("query", ["us", "use", "used", "uses", "using", "generously", "generous"])
def test_postgresql_stems_as_the_index_does(sample_store: SQLiteStore, pg_store: PostgresStore, query: str) -> None:
    """Both stem with Snowball English: where FTS5's Porter differs, PostgreSQL sides with tantivy."""
    assert blocks(pg_store.search(query, limit=10_000)) == blocks(sample_store.search(query, limit=10_000))


def test_a_word_with_a_footnote_mark_is_found_by_both_engines(indexed: Path, tmp_path: Path) -> None:
    memo = tmp_path / "frus.txt"
    memo.write_text("123. Memorandum From the Secretary of State to President Eisenhower\u00b9\n\n"
                    "1. The Zanzibar\u00b2 question was discussed.\n")
    with declass.Archive(indexed) as a:
        a.add(memo)
    store = SQLiteStore(indexed, readonly=True)
    try:
        assert store.search_engine() == "tantivy"
        for q in ("Eisenhower", "Zanzibar"):
            fast, slow = store.search(q), store.search(q, engine="fts5")
            assert blocks(fast) == blocks(slow) and {h.document for h in fast} == {"frus"}, q
        (hit,) = store.search("Zanzibar")
        assert [hit.snippet[s:e] for s, e in hit.highlights] == ["Zanzibar"]
        assert "Zanzibar\u00b2" in hit.snippet  # shown as printed
    finally:
        store.close()


HEADING, PARAGRAPH = "Memorandum From", "question was discussed"


@pytest.mark.parametrize(("query", "found"), [("Eisenhower", HEADING), ("Zanzibar", PARAGRAPH),
                                              ('"Port Arthur"', PARAGRAPH), ("Arthur", PARAGRAPH),
                                              ("NEAR(Zanzibar question, 0)", PARAGRAPH),
                                              ('"Arthur the"', PARAGRAPH), ("Arthur3", None)])
def test_a_footnote_mark_separates_words_in_postgresql(pg_url: str, tmp_path: Path, query: str,
                                                       found: str | None) -> None:
    memo = tmp_path / "frus.txt"
    memo.write_text("123. Memorandum From the Secretary of State to President Eisenhower\u00b9\n\n"
                    "1. The Zanzibar\u00b2 question was discussed at Port Arthur\u00b3 the day before.\n")
    with declass.Archive(pg_url) as a:
        a.add(memo)
        hits = a.search(query)
    assert len(hits) == (1 if found else 0), query
    for h in hits:
        assert found in h.snippet and h.highlights
        assert all(h.snippet[s:e].strip("\u00b9\u00b2\u00b3") for s, e in h.highlights)
    if query == "Zanzibar":
        assert [hits[0].snippet[s:e] for s, e in hits[0].highlights] == ["Zanzibar"]
        assert "Zanzibar\u00b2" in hits[0].snippet  # shown as printed


def test_an_archive_from_before_the_index_gets_one(tmp_path: Path, samples: Path) -> None:
    db = tmp_path / "old.db"
    with declass.Archive(db) as a:
        a.ingest([samples], workers=1)
    shutil.rmtree(index_path(db))
    with declass.Archive(db):  # opened for writing, nothing written
        pass
    with declass.Archive(db, readonly=True) as a:
        assert a.store.search_engine() == "tantivy"


def test_a_batch_committed_but_never_counted_is_indexed_on_close(indexed: Path, tmp_path: Path) -> None:
    """An interrupt (Ctrl-C, SIGTERM) can land after a batch commits and before the writer counts
    its blocks as unindexed: closing the archive still brings the index up to date, from the log."""
    memo = tmp_path / "memo.txt"
    memo.write_text("MEMORANDUM\n\n1. The Zanzibar question was discussed.\n")
    writer = declass.Archive(indexed)
    writer.add(memo)
    writer.store._unindexed = 0  # type: ignore[attr-defined]  # (the count the interrupt skipped)
    writer.close()
    reader = SQLiteStore(indexed, readonly=True)
    try:
        assert reader.search_engine() == "tantivy"
        assert [h.document for h in reader.search("Zanzibar")] == ["memo"]
    finally:
        reader.close()


KILLED_AFTER_COMMIT = """
import os, signal, sys
import declass
a = declass.Archive(sys.argv[1])
a.add(sys.argv[2])  # committed to SQLite; the index catches up only every 30 s or when the archive closes
os.kill(os.getpid(), signal.SIGKILL)
"""
KILLED_BETWEEN_INDEX_AND_LOG = """
import os, signal, sys
import declass
from declass.store import textindex

def killed(self, last, index_id):  # the index has committed the blocks; the archive's log still lists them
    os.kill(os.getpid(), signal.SIGKILL)

textindex.BlockIndex._applied = killed
a = declass.Archive(sys.argv[1])
a.add(sys.argv[2])
a.store.sync_index()
"""


@pytest.mark.parametrize("script", [KILLED_AFTER_COMMIT, KILLED_BETWEEN_INDEX_AND_LOG],
                         ids=["after the SQLite commit", "after the index commit"])
def test_a_writer_killed_between_the_two_commits_is_repaired_when_next_opened(
        indexed: Path, tmp_path: Path, script: str) -> None:
    """SQLite and tantivy commit apart: the blocks a batch wrote wait in the archive's log (written in the
    batch's own transaction) until the index holds them.  A writer killed (SIGKILL, no clean-up) after
    either commit leaves searches on FTS5, which finds the new blocks; the next writer to open the archive
    brings the index up to date from the log, each block once, and the index answers again."""
    import signal
    import subprocess
    import sys

    memo = tmp_path / "memo.txt"
    memo.write_text("MEMORANDUM\n\n1. The Zanzibar question was discussed.\n")
    done = subprocess.run([sys.executable, "-c", script, str(indexed), str(memo)], capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    reader = SQLiteStore(indexed, readonly=True)
    try:
        assert reader.search_engine() == "fts5"
        assert [h.document for h in reader.search("Zanzibar")] == ["memo"]
        declass.Archive(indexed).close()  # opened for writing, nothing written
        assert reader.search_engine() == "tantivy"
        assert [h.document for h in reader.search("Zanzibar")] == ["memo"]  # once, not twice
        for query in QUERIES:
            assert blocks(reader.search(query, limit=500)) == blocks(reader.search(query, limit=500, engine="fts5"))
    finally:
        reader.close()


def test_an_ingest_brings_the_index_up_once_after_its_writes(tmp_path: Path, samples: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Mid-ingest catch-ups (here one per batch) wait for the end: one sync, and then the index answers."""
    from declass.store import sqlite as sqlite_mod
    from declass.store.textindex import BlockIndex

    monkeypatch.setattr(sqlite_mod, "SYNC_BLOCKS", 1)
    monkeypatch.setattr("declass.archive.ingest.WRITE_DOCS", 1)
    calls: list[int] = []
    real = BlockIndex.sync

    def counted(self: BlockIndex) -> int:
        calls.append(self.db.execute("SELECT count(*) FROM blocks").fetchone()[0])
        return real(self)

    monkeypatch.setattr(BlockIndex, "sync", counted)
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, src in enumerate(sorted(samples.glob("*.txt"))):
        shutil.copy(src, folder / src.name)
        (folder / f"memo{i}.txt").write_text(f"MEMORANDUM\n\n1. The Zanzibar question, part {i}, was discussed.\n")
    db = tmp_path / "a.db"
    with declass.Archive(db) as a:
        report = a.ingest([folder], workers=2)
        assert not report.failed and len(report.results) >= 4
        total = a.store.db.execute("SELECT count(*) FROM blocks").fetchone()[0]  # type: ignore[attr-defined]
    assert calls == [total]  # once, with every block written
    store = SQLiteStore(db, readonly=True)
    try:
        assert store.search_engine() == "tantivy"
        assert len(store.search("Zanzibar")) == len(store.search("Zanzibar", engine="fts5")) >= 2
    finally:
        store.close()
