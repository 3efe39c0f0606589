from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import declass
from declass.archive.export import to_record
from declass.errors import StoreError, UsageError
from declass.store import open_store
from declass.store.schema import LATEST as LATEST_BY_DIALECT

LATEST = LATEST_BY_DIALECT["sqlite"]

FIXTURES = Path(__file__).parent / "fixtures"


def test_schema_is_versioned_and_reopening_is_safe(db_path: Path) -> None:
    for _ in range(2):
        store = open_store(db_path)
        store.close()
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == LATEST
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_same_content_twice_is_a_no_op(archive: declass.Archive, nie58_path: Path) -> None:
    first = archive.add(nie58_path)
    second = archive.add(nie58_path)
    assert (first.status, second.status) == ("added", "unchanged")
    assert first.id == second.id
    assert len(archive.documents()) == 1


def test_changed_file_replaces_its_record(archive: declass.Archive, tmp_path: Path) -> None:
    p = tmp_path / "memo.txt"
    p.write_text("MEMORANDUM\n\n1. The first version mentions Dairen.\n")
    assert archive.add(p).status == "added"
    p.write_text("MEMORANDUM\n\n1. The second version mentions Port Arthur.\n")
    result = archive.add(p)
    assert result.status == "replaced"
    assert len(archive.documents()) == 1
    assert archive.search("Dairen") == []
    assert [h.document for h in archive.search('"Port Arthur"')] == [result.id]


def test_same_name_in_two_folders_gets_two_ids(archive: declass.Archive, tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "memo.txt").write_text(f"MEMORANDUM from folder {sub} about Formosa.\n")
        archive.add(tmp_path / sub / "memo.txt")
    ids = sorted(d.id for d in archive.documents())
    assert len(ids) == 2 and ids[0] == "memo" and ids[1].startswith("memo-")


def test_one_batch_adds_replaces_and_skips_as_one_at_a_time_would(tmp_path: Path) -> None:
    """A batch holding a file's two versions and a copy of one: each document is placed as if
    stored alone, in order, and the totals count what is left (one look-up per key for the batch)."""
    from declass.store.base import prepare

    def version(text: str) -> Any:
        path = tmp_path / "memo.txt"
        path.write_text(text)
        return prepare(to_record(declass.parse(path)))

    first = version("MEMORANDUM\n\n1. Talks on Dairen with Moscow and Peking resumed.\n")
    second = version("MEMORANDUM\n\n1. Talks on Port Arthur with Moscow resumed.\n")
    store = open_store(tmp_path / "a.db")
    try:
        got = store.put_many([first, second, second, first])
        assert [(r.id, r.status) for r in got] == [("memo", "added"), ("memo", "replaced"), ("memo", "unchanged"),
                                                    ("memo", "replaced")]
        assert store.count()[0] == 1 and store.get("memo")["source"]["sha256"] == first.sha256
        alone = open_store(tmp_path / "b.db")
        alone.put_many([first])
        assert alone._rows("SELECT * FROM cooccurrence_totals")  # the pairs it should not count twice
        for table in ("entity_totals", "entity_names", "entity_documents", "cooccurrence_totals", "term_totals",
                      "name_years"):
            sql = f"SELECT * FROM {table} ORDER BY 1, 2" if table != "entity_documents" else \
                f"SELECT * FROM {table} ORDER BY 1"
            assert store._rows(sql) == alone._rows(sql), table
        alone.close()
    finally:
        store.close()


def test_a_batch_of_documents_adds_to_the_totals_what_each_alone_would(tmp_path: Path, samples: Path) -> None:
    """The totals a batch adds are its documents' shares summed per key (`tables.merged`), the first
    document's name of a key kept: every total table as if each document had been stored alone."""
    from declass.store import tables
    from declass.store.base import prepare

    memo = tmp_path / "memo.txt"
    memo.write_text("MEMORANDUM\n\n1. Moscow will probably support Peking on Dairen and Port Arthur.\n\n"
                    "2. The Kremlin is unlikely to yield on Manchuria.\n")
    paths = [*sorted(p for p in samples.iterdir() if p.suffix == ".txt"), memo]
    docs = [prepare(to_record(declass.parse(p))) for p in paths]
    assert len(docs) >= 3
    batch, alone = open_store(tmp_path / "batch.db"), open_store(tmp_path / "alone.db")
    try:
        batch.put_many(docs)
        for doc in docs:
            alone.put_many([doc])
        for table, columns, _, _ in tables.TOTALS:
            sql = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}"
            assert batch._rows(sql) == alone._rows(sql), table
        assert batch._rows("SELECT * FROM cooccurrence_totals WHERE documents > 1")  # keys the documents share
    finally:
        batch.close()
        alone.close()


def test_search_ranks_and_highlights(sample_db: Path) -> None:
    with declass.Archive(sample_db, readonly=True) as a:
        hits = a.search('"Port Arthur"')
        assert {h.document for h in hits} == {
            "1952-09-10-nie-58-sino-soviet-relations",
            "1953-11-04-nsc-briefing-sino-soviet-relations",
        }
        assert hits == sorted(hits, key=lambda h: -h.score)
        for h in hits:
            marked = [h.snippet[s:e].lower() for s, e in h.highlights]
            assert marked and set(marked) <= {"port arthur", "port", "arthur"}


def test_bad_query_is_a_usage_error(sample_db: Path) -> None:
    with declass.Archive(sample_db, readonly=True) as a, pytest.raises(UsageError) as info:
        a.search("(Port Arthur")
    assert info.value.code == "E403"


def test_unclosed_quote_reads_as_a_phrase_to_the_end(sample_db: Path) -> None:
    with declass.Archive(sample_db, readonly=True) as a:
        assert a.search('"Port Arthur') == a.search('"Port Arthur"')


def test_get_round_trips_the_record(archive: declass.Archive, nie58: declass.Document) -> None:
    archive.add(nie58)
    assert archive.get("1952-09-10-nie-58") == to_record(nie58)


def test_corrupt_database_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as info:
        open_store(bad)
    assert info.value.code == "E302" and "bad.db" in str(info.value)


def test_missing_database_for_reading(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        open_store(tmp_path / "none.db", readonly=True)
    assert info.value.code == "E303"


def make_corpus(folder: Path, samples: Path, n: int) -> Path:
    """``n`` distinct documents made from the samples (distinct content, so distinct hashes)."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = [p.read_text("utf-8") for p in sorted(samples.glob("*.txt"))]
    for i in range(n):
        (folder / f"doc-{i:04d}.txt").write_text(f"Copy {i}\n\n" + texts[i % len(texts)], "utf-8")
    return folder


def archive_state(db: Path) -> list[tuple[str, str, int]]:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT d.id, d.sha256, (SELECT count(*) FROM blocks b WHERE b.doc_id = d.id) FROM documents d"
        " ORDER BY d.id"
    ).fetchall()
    fts = con.execute("SELECT count(*) FROM blocks_fts WHERE blocks_fts MATCH 'Peiping'").fetchone()[0]
    con.close()
    return [*rows, ("fts", "", fts)]


@pytest.mark.slow
def test_killed_ingest_resumes_to_the_same_archive(tmp_path: Path, samples: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", samples, 240)
    db = tmp_path / "killed.db"
    cmd = [sys.executable, "-m", "declass", "ingest", "--db", str(db), "--workers", "2", "-q", str(corpus)]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]
                con.close()
            except sqlite3.Error:
                continue
            if stored >= 40:
                break
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus larger"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < stored < 240

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "unchanged" in rerun.stderr

    clean_db = tmp_path / "clean.db"
    with declass.Archive(clean_db) as a:
        assert not a.ingest([corpus], workers=2).failed
    assert archive_state(db) == archive_state(clean_db)
    assert len(archive_state(db)) == 241
    # the search index caught up with what the killed run had stored
    with declass.Archive(db, readonly=True) as a:
        assert a.store.search_engine() == "tantivy"  # type: ignore[attr-defined]
        for q in ("Dairen", '"Port Arthur"', "Soviet -Manchuria"):
            fast = a.store.search(q, limit=10_000)
            assert {(h.document, h.label) for h in fast} == {
                (h.document, h.label) for h in a.store.search(q, limit=10_000, engine="fts5")}  # type: ignore[call-arg]


def test_old_archive_is_migrated_in_place(tmp_path: Path, nie58: declass.Document) -> None:
    from declass.store import migrations
    from declass.store.dialect import SQLiteDialect

    path = tmp_path / "v1.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.row_factory = sqlite3.Row
    assert migrations.apply(SQLiteDialect(db, path), upto=1) == [1]
    db.execute(
        "INSERT INTO documents (id, sha256, path, ingested_at, record) VALUES ('old', 'abc', 'old.txt', 'then', x'00')"
    )
    db.close()
    with declass.Archive(path) as a:
        assert [d.id for d in a.documents()] == ["old"]
        assert a.documents()[0].redactions == 0
        assert a.add(nie58).status == "added"
    con = sqlite3.connect(path)
    assert [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY version")] == list(
        range(1, LATEST + 1)
    )
    con.close()


def test_newer_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    open_store(path).close()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', 'later')")
    con.commit()
    con.close()
    with pytest.raises(StoreError) as info:
        open_store(path)
    assert info.value.code == "E304"


def test_hyphenated_search_finds_text(sample_db: Path) -> None:
    with declass.Archive(sample_db, readonly=True) as a:
        hits = a.search("Sino-Soviet solidarity")
        assert hits and all("Sino-Soviet" in h.snippet for h in hits[:3])
        assert a.search("Chou En-lai")


def test_archive_of_the_previous_release_is_migrated(tmp_path: Path, sample_db: Path) -> None:
    """tests/fixtures/archive-v8.db.gz: the two samples ingested by the release before the
    analysis tables (commit 76b5ae5, schema 8).  Opened now, it is migrated in place and
    answers every corpus question as an archive ingested today does."""
    import gzip

    path = tmp_path / "v8.db"
    path.write_bytes(gzip.decompress((FIXTURES / "archive-v8.db.gz").read_bytes()))
    con = sqlite3.connect(path)
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == 8
    assert "judgments" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    con.close()
    with declass.Archive(path) as old, declass.Archive(sample_db, readonly=True) as new:
        assert [d.id for d in old.documents()] == [d.id for d in new.documents()]
        assert old.judgments() == new.judgments()
        assert old.timeline() == new.timeline()
        assert old.redaction_report() == new.redaction_report()
        assert old.entities() == new.entities()
        assert old.cooccurrence() == new.cooccurrence()
        for table, key, kept in (("events", "coalesce(kind, '')", "event_totals"), ("edits", "op", "edit_totals")):
            counted = old.store._rows(f"SELECT {key} AS k, count(*) AS n FROM {table} GROUP BY {key} ORDER BY 1")
            column = "kind" if table == "events" else "op"
            assert counted and counted == old.store._rows(f"SELECT {column} AS k, n FROM {kept} ORDER BY 1"), table
        assert old.edits(limit=1).total == new.edits(limit=1).total > 0
        assert old.timeline(limit=1).total == new.timeline(limit=1).total > 0
        drop = ("date",)
        assert [{k: v for k, v in m.to_dict().items() if k not in drop} for m in old.entity("Moscow").mentions] == \
            [{k: v for k, v in m.to_dict().items() if k not in drop} for m in new.entity("Moscow").mentions]
        assert old.search('"Port Arthur"')
        # the fixture was ingested from another checkout: the file's path is where it was then
        old_rec, new_rec = old.get("NIE-58"), new.get("NIE-58")
        assert Path(old_rec["source"].pop("path")).name == Path(new_rec["source"].pop("path")).name
        assert old_rec == new_rec
    con = sqlite3.connect(path)
    columns = [r[1] for r in con.execute("PRAGMA table_info(documents)")]
    assert columns[-1] == "record" and con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


def test_lookups_by_number_and_prefix_use_an_index(sample_db: Path) -> None:
    con = sqlite3.connect(sample_db)
    for sql, arg in (("SELECT id FROM documents WHERE lower(doc_number) = lower(?)", ("nie-58",)),
                     ("SELECT id FROM documents WHERE id >= ? AND id < ?", ("1953", "1953\U0010ffff"))):
        plan = " ".join(str(r[-1]) for r in con.execute("EXPLAIN QUERY PLAN " + sql, arg))
        assert "USING" in plan and "INDEX" in plan, plan
        assert con.execute(sql, arg).fetchall()
    con.close()


def test_old_archive_read_only_says_how_to_upgrade(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "v8.db"
    path.write_bytes(gzip.decompress((FIXTURES / "archive-v8.db.gz").read_bytes()))
    with declass.Archive(path, readonly=True) as a:
        assert a.search('"Port Arthur"')  # what the old schema holds still answers
        with pytest.raises(StoreError) as info:
            a.judgments(limit=5)
    assert info.value.code == "E302" and "without --readonly" in str(info.value)


def test_rows_read_back_typed_as_their_records(sample_db: Path) -> None:
    """Every row the store reads back is the model's record of its document (a span with its document,
    block, offsets and page), typed, and its export form is the record's item plus what the row adds."""
    from declass.model import Edit, Event, Judgment, Redaction, Span
    from declass.store.rows import StoredMention, plain

    with declass.Archive(sample_db, readonly=True) as a:
        records = {r["id"]: r for r in a.records()}
        rows = {"judgments": list(a.judgments(limit=None)), "events": list(a.timeline(limit=None)),
                "redactions": list(a.redactions(limit=None)), "edits": list(a.edits(limit=None))}
        for key, kind in (("judgments", Judgment), ("events", Event), ("redactions", Redaction), ("edits", Edit)):
            got = rows[key]
            assert len(got) == sum(len(r[key]) for r in records.values()) > 0, key
            assert all(isinstance(x, kind) and isinstance(x, Span) and x.document in records for x in got), key
            for x in got:  # the record's own item, key for key, inside the row's export form
                d = x.to_dict()
                assert {k: v for k, v in d.items() if k in kind.KEYS} in records[x.document][key]
                assert next(iter(d)) == "document"
                assert json.loads(json.dumps(plain([x]))) == [d]  # the rows' one serialiser writes JSON
        cited = rows["edits"]
        assert all(e.citation and "doc_number" in e.to_dict() for e in cited)
        deletes = a.edits(op="delete", limit=None)
        assert deletes and len(deletes) == sum(1 for e in cited if e.op == "delete") < len(cited)
        edited = next(i for i, r in records.items() if r["edits"])
        assert [e.start for e in a.edits(edited, limit=None)] == [e["start"] for e in records[edited]["edits"]]
        mentions = a.entity("Moscow", limit=5).mentions
        assert mentions and all(isinstance(m, StoredMention) and m.citation for m in mentions)
        assert all(m.page is not None and m.block for m in mentions)
        report = a.redaction_report("NIE-58").documents[0]
        assert all(isinstance(r, Redaction) for r in report.redactions)
        cells = a.judgment_cells(list(records), scale="icd203")  # a strip's view of the same judgments
        assert {d: [(c.block, c.start, c.expression, c.range) for c in cs] for d, cs in cells.items()} == \
            {d: [(j.block, j.start, j.expression, j.range) for j in a.judgments(d, scale="icd203", limit=None)]
             for d in records}
        with pytest.raises(TypeError):
            rows["judgments"][0]["id"]  # rows are read by attribute, not as dicts


def test_rows_are_decoded_as_from_dict_reads_them(sample_db: Path) -> None:
    """The rows' JSON read straight into their types (msgspec) gives what json.loads and from_dict give,
    to the key and the float; JSON an older release wrote without a key falls back to from_dict."""
    import json

    from declass.store.rows import StoredEdit, StoredEvent, StoredJudgment, StoredRedaction
    from declass.store.rows.common import read_by_json, read_by_msgspec

    con = sqlite3.connect(sample_db)
    try:
        for cls, table in ((StoredJudgment, "judgments"), (StoredEvent, "events"), (StoredRedaction, "redactions"),
                           (StoredEdit, "edits")):
            rows = con.execute(f"SELECT doc_id, data FROM {table}").fetchall()
            assert rows, table
            for doc_id, data in rows:
                fast, slow = read_by_msgspec(cls, doc_id, data), read_by_json(cls, doc_id, data)
                assert fast == slow and json.dumps(fast.to_dict()) == json.dumps(slow.to_dict()), (table, data)
                assert slow == cls.from_dict(json.loads(data), doc_id) and slow.document == fast.document == doc_id
        doc_id, data = con.execute("SELECT doc_id, data FROM judgments LIMIT 1").fetchone()
    finally:
        con.close()
    old = {k: v for k, v in json.loads(data).items() if k != "horizon"}  # as a release before horizons wrote it
    for read in (read_by_msgspec, read_by_json):
        j = read(StoredJudgment, doc_id, json.dumps(old))
        assert j.document == doc_id and j.horizon.kind == "none" and j.horizon.end == old["horizon_end"]


def test_rows_are_read_by_json_then_by_msgspec(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process reads its first rows with json.loads (a page never pays for importing msgspec), the rest
    with msgspec; both give the same rows."""
    from declass.store.rows import StoredJudgment, common

    con = sqlite3.connect(sample_db)
    try:
        doc_id, data = con.execute("SELECT doc_id, data FROM judgments LIMIT 1").fetchone()
    finally:
        con.close()
    used: list[str] = []
    monkeypatch.setattr(common, "_read", 0)
    monkeypatch.setattr(common, "MSGSPEC_AFTER", 2)
    for name in ("read_by_json", "read_by_msgspec"):
        real = getattr(common, name)

        def counted(cls: type, doc: str, text: str, real: Any = real, name: str = name) -> Any:
            used.append(name)
            return real(cls, doc, text)

        monkeypatch.setattr(common, name, counted)
    rows = [common.decoded(StoredJudgment, doc_id, data) for _ in range(4)]
    assert used == ["read_by_json", "read_by_json", "read_by_msgspec", "read_by_msgspec"]
    assert all(r == rows[0] for r in rows)


def test_a_record_compressed_in_pieces_is_its_whole_json() -> None:
    """Lists longer than a piece are written a piece at a time: the bytes are the record's one JSON."""
    import zlib

    from declass.model import jsonio
    from declass.store.base import PIECE_ITEMS, compressed_json

    for n in (0, 1, PIECE_ITEMS, PIECE_ITEMS + 1, 2 * PIECE_ITEMS, 3 * PIECE_ITEMS + 7):
        record = {"id": "x", "blocks": [{"label": str(i), "text": "a\u00e9"} for i in range(n)], "empty": [],
                  "pages": 3, "mentions": list(range(n))}
        assert zlib.decompress(compressed_json(record)) == jsonio.dumpb(record), n
