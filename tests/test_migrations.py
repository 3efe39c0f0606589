"""The maintained totals: of redactions and documents (SQLite schema 19, PostgreSQL 13), of events and edits
(SQLite 20, PostgreSQL 14): the rows counted, on both backends, after an ingest, after a document is
replaced, and backfilled in an archive written before them; the lists' totals read from them.  Mentions
by name from the name-only index alone (SQLite 22, PostgreSQL 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

import declass
from declass.store import migrations

REDACTIONS = ("SELECT kind, coalesce(exemption, '') AS exemption, count(*) AS n,"
              " coalesce(sum(withheld), 0) AS withheld, coalesce(sum(pages), 0) AS pages"
              " FROM redactions GROUP BY kind, coalesce(exemption, '') ORDER BY 1, 2")
DOCUMENTS = ("SELECT coalesce(doc_type, '') AS doc_type, count(*) AS documents, coalesce(sum(pages), 0) AS pages"
             " FROM documents GROUP BY coalesce(doc_type, '') ORDER BY 1")
KEPT_REDACTIONS = "SELECT kind, exemption, n, withheld, pages FROM redaction_totals ORDER BY 1, 2"
KEPT_DOCUMENTS = "SELECT doc_type, documents, pages FROM document_totals ORDER BY 1"

WITHHELD = ("MEMORANDUM FOR THE RECORD\n\nDate: 1 March 1955\n\n1. The source 25X1 reported that Moscow will"
            " probably support Peking.\n\n3. [1 line not declassified] 25X1 as before.\n\n4. Nothing more.\n")
RELEASED = "TELEGRAM\n\nDate: 2 March 1955\n\n1. Talks on Dairen resumed.\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "a.db")
    return str(request.getfixturevalue("pg_url"))


def ints(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [tuple(int(v) if isinstance(v, int) or type(v).__name__ == "Decimal" else v for v in r.values())
            for r in rows]


def counted(a: declass.Archive) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return ints(a.store._rows(REDACTIONS)), ints(a.store._rows(DOCUMENTS))


def kept(a: declass.Archive) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return ints(a.store._rows(KEPT_REDACTIONS)), ints(a.store._rows(KEPT_DOCUMENTS))


def test_totals_are_the_rows_counted(db: str, samples: Path, tmp_path: Path) -> None:
    """After an ingest, and after a document is replaced (its old share taken away), the kept totals
    are the redactions and documents counted; the report and the document list read them."""
    memo = tmp_path / "memo.txt"
    memo.write_text(WITHHELD)
    with declass.Archive(db) as a:
        a.ingest([samples, memo], workers=1)
        before = kept(a)
        assert before == counted(a)
        assert any(r[0] == "marker" and r[1] == "25X1" for r in before[0])
        assert any(r[0] == "withheld_block" and r[3] > 0 for r in before[0])
        report = a.redaction_report(limit=1)
        assert report.corpus.documents == report.total == 3 == a.documents(limit=1).total
        memo.write_text(RELEASED)
        assert a.ingest([memo], workers=1).count("replaced") == 1
        after = kept(a)
        assert after == counted(a) and after != before
        markers = a.store._rows("SELECT count(*) AS n FROM redactions WHERE kind = 'marker'")[0]["n"]
        assert a.redaction_report().corpus.markers == int(markers)
        types = {r[0]: r[1] for r in after[1]}
        assert a.documents(limit=1, doc_type="Telegram").total == types.get("Telegram", 0) == 1


def set_back(a: declass.Archive, versions: dict[str, int], drop: tuple[str, ...]) -> None:
    """Make the archive as a release before the migrations from ``versions`` (per dialect) on wrote it:
    their tables dropped, their versions not recorded."""
    d = a.store.d
    with d.transaction():
        for table in drop:
            d.execute(f"DROP TABLE {table}")
        d.execute("DELETE FROM schema_migrations WHERE version >= ?", (versions[d.name],))


def test_an_archive_written_before_the_totals_is_backfilled(db: str, samples: Path, tmp_path: Path) -> None:
    """An archive at schema 18 / PostgreSQL 12 (before the redaction and document totals, and the event and
    edit totals after them) gains them when opened, filled from the rows it holds."""
    memo = tmp_path / "memo.txt"
    memo.write_text(WITHHELD)
    with declass.Archive(db) as a:
        a.ingest([samples, memo], workers=1)
        want, events_edits = counted(a), counted_events_edits(a)
        set_back(a, {"sqlite": 19, "postgresql": 13},
                 ("redaction_totals", "document_totals", "event_totals", "edit_totals", "event_entity_totals"))
        assert migrations.current_version(a.store.d) == {"sqlite": 18, "postgresql": 12}[a.store.d.name]
    with declass.Archive(db) as a:
        assert migrations.current_version(a.store.d) == migrations.latest(a.store.d.name)
        assert kept(a) == want and kept_events_edits(a) == events_edits
        assert a.redaction_report(limit=1).corpus.markers == sum(r[2] for r in want[0] if r[0] == "marker") > 0


EVENTS = "SELECT coalesce(kind, '') AS kind, count(*) AS n FROM events GROUP BY coalesce(kind, '') ORDER BY 1"
EDITS = "SELECT op, count(*) AS n FROM edits GROUP BY op ORDER BY 1"
EVENT_ENTITIES = "SELECT entity, count(*) AS n FROM event_entities GROUP BY entity ORDER BY 1"

Counts = tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]


def counted_events_edits(a: declass.Archive) -> Counts:
    return ints(a.store._rows(EVENTS)), ints(a.store._rows(EDITS)), ints(a.store._rows(EVENT_ENTITIES))


def kept_events_edits(a: declass.Archive) -> Counts:
    return (ints(a.store._rows("SELECT kind, n FROM event_totals ORDER BY 1")),
            ints(a.store._rows("SELECT op, n FROM edit_totals ORDER BY 1")),
            ints(a.store._rows("SELECT entity, n FROM event_entity_totals ORDER BY 1")))


def page_totals(a: declass.Archive) -> dict[str, int]:
    """Each list's total as a page of it says, beside the rows counted."""
    n = lambda sql, *args: int(a.store._rows(sql, list(args))[0]["n"])  # noqa: E731
    out = {"timeline": (a.timeline(limit=2).total, n("SELECT count(*) AS n FROM events")),
           "edits": (a.edits(limit=2).total, n("SELECT count(*) AS n FROM edits")),
           "redactions": (a.store.redactions_page(limit=2).total, n("SELECT count(*) AS n FROM redactions")),
           "judgments": (a.store.judgment_count(), n("SELECT count(*) AS n FROM judgments"))}
    for r in a.store._rows(EVENT_ENTITIES)[:5]:  # an entity's timeline, counted from its kept total
        out[f"timeline of {r['entity']}"] = (a.store.events_page(entity_ids=[r["entity"]], limit=2).total, int(r["n"]))
    for op in ("delete", "insert", "note"):
        out[f"edits {op}"] = (a.edits(op=op, limit=2).total, n("SELECT count(*) AS n FROM edits WHERE op = ?", op))
    for kind in ("marker", "withheld_block"):
        out[f"redactions {kind}"] = (a.store.redactions_page(kind=kind, limit=2).total,
                                     n("SELECT count(*) AS n FROM redactions WHERE kind = ?", kind))
    out["redactions 25X1"] = (a.store.redactions_page(exemption="25X1", limit=2).total,
                              n("SELECT count(*) AS n FROM redactions WHERE exemption = '25X1'"))
    out["redactions marker 25X1"] = (a.store.redactions_page(kind="marker", exemption="25X1", limit=2).total,
                                     n("SELECT count(*) AS n FROM redactions WHERE kind = 'marker'"
                                       " AND exemption = '25X1'"))
    return out


def test_event_and_edit_totals_are_the_rows_counted(db: str, samples: Path, tmp_path: Path) -> None:
    """After an ingest and after a document is replaced by a version with fewer events and edits, the kept
    event and edit totals are the rows counted, and every list's total (the timeline, the edits by
    operation, the redactions by kind and exemption, the judgments) is what counting its rows gives."""
    memo = tmp_path / "memo.txt"
    memo.write_text(WITHHELD + "\n5. The talks will end ~~on 1 May 1955~~ ^{by 1 June 1955}.\n")
    with declass.Archive(db) as a:
        a.ingest([samples, memo], workers=1)
        before = kept_events_edits(a)
        assert before == counted_events_edits(a) and before[0] and before[1] and before[2]
        totals = page_totals(a)
        assert all(page == rows for page, rows in totals.values()), totals
        assert totals["timeline"][0] > 0 and totals["edits delete"][0] > 0 and totals["redactions 25X1"][0] > 0
        memo.write_text(RELEASED)
        assert a.ingest([memo], workers=1).count("replaced") == 1
        after = kept_events_edits(a)
        assert after == counted_events_edits(a) and after != before
        totals = page_totals(a)
        assert all(page == rows for page, rows in totals.values()), totals
        one = a.store._rows("SELECT doc_id, count(*) AS n FROM edits GROUP BY doc_id ORDER BY doc_id")[0]
        assert a.edits(one["doc_id"], limit=1).total == int(one["n"]) > 1  # one document's: counted in it


def test_a_text_filter_counts_up_to_a_bound(db: str, samples: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the bound the page says so (``capped``) and its total is the bound; below it, the count."""
    from declass.store import paged

    for i in range(4):
        (tmp_path / f"t{i}.txt").write_text(f"TELEGRAM\n\nSUBJECT: Soviet note number {i}\n\nDate: 2 March 1955\n\n"
                                            f"1. Text {i}.\n")
    with declass.Archive(db) as a:
        a.ingest([tmp_path], workers=1)
        exact = a.documents(limit=2, text="soviet")
        assert (exact.total, exact.capped) == (4, False) and len(exact) == 2 and exact.next
        monkeypatch.setattr(paged, "TEXT_COUNT_BOUND", 3)
        bounded = a.documents(limit=2, text="soviet")
        assert (bounded.total, bounded.capped) == (3, True) and [d.id for d in bounded] == [d.id for d in exact]
        assert (a.documents(text="zzz").total, a.documents(text="zzz").capped) == (0, False)
        one = [d.id for d in a.documents(text="SOVIET NOTE NUMBER 2")]
        assert len(one) == 1 and one == [d.id for d in a.documents(text="r 2")]
        assert a.documents(text="%").total == a.documents(text="t_").total == 0  # the text is literal


def test_report_statistics_counted_in_the_store_are_the_records_counted(db: str, samples: Path,
                                                                        tmp_path: Path) -> None:
    """A report page without its redactions (the web's) gives each document the statistics its
    redactions' records give (`stages.redactions.statistics`), by kind and exemption."""
    (tmp_path / "memo.txt").write_text(WITHHELD)
    (tmp_path / "slip.txt").write_text("MEMORANDUM\n\nDate: 3 March 1955\n\n1. First (b)(1) point.\n\n"
                                       "Next 2 Page(s) In Document Exempt\n\n2. Second point.\n")
    with declass.Archive(db) as a:
        a.ingest([samples, tmp_path], workers=1)
        for sort in ("date", "most"):
            full, counted = (a.redaction_report(sort=sort, limit=50, redactions=r) for r in (True, False))
            assert [d.id for d in counted.documents] == [d.id for d in full.documents]
            assert [d.statistics for d in counted.documents] == [d.statistics for d in full.documents]
            assert counted.corpus == full.corpus and all(d.redactions == () for d in counted.documents)
        stats = [d.statistics for d in full.documents]
        assert any(s.markers for s in stats) and any(s.withheld_blocks for s in stats)
        assert any(s.exempt_pages for s in stats) and any(len(s.by_exemption) > 1 for s in stats)


def test_the_version_a_store_checks_is_the_last_migration() -> None:
    """Opening an archive compares its version with `schema.LATEST` (the migrations load only when it is
    older): that is the last migration's version in each dialect."""
    from declass.store import schema

    assert {d: migrations.latest(d) for d in ("sqlite", "postgresql")} == schema.LATEST


def test_a_current_archive_opens_without_loading_the_migrations(tmp_path: Path) -> None:
    """Opening an archive already at the latest schema reads its version and loads no migration; a new
    archive (schema 0) loads them and gets every one."""
    import subprocess
    import sys

    db = tmp_path / "a.db"
    probe = ("import sys, declass\n"
             "with declass.Archive(sys.argv[1], readonly=sys.argv[2] == 'ro') as a:\n"
             "    a.documents(limit=1)\n"
             "print('declass.store.migrations' in sys.modules)\n")

    def loads_migrations(mode: str) -> bool:
        out = subprocess.run([sys.executable, "-c", probe, str(db), mode], capture_output=True, text=True, check=True)
        return {"True": True, "False": False}[out.stdout.strip()]

    assert loads_migrations("rw")  # new
    assert not loads_migrations("rw") and not loads_migrations("ro")
    with declass.Archive(db, readonly=True) as a:
        assert migrations.current_version(a.store.d) == migrations.latest("sqlite")


NAMED = ("SELECT named_id AS id FROM mentions"
         " WHERE named_id IS NOT NULL AND (entity_id IS NULL OR entity_id <> named_id)")
BY_ENTITY_OR_NAME = ('SELECT doc_id, start, "end", entity_id, named_id FROM mentions'
                     " WHERE entity_id IN ({m}) OR named_id IN ({m}) ORDER BY doc_date, doc_id, start, seq")
BY_NAME = "SELECT count(*) AS n FROM mentions m WHERE m.entity_id IN (?) OR (m.named_id IN (?) AND {only})"


Found = list[tuple[object, ...]]


def every_mention(a: declass.Archive, ids: list[str], limit: int) -> Found:
    """The mentions of ``ids`` as the store pages them, page after page."""
    out: Found = []
    after = None
    while True:
        page = a.store.mentions_page(entity_ids=ids, limit=limit, after=after)
        out += [(m.document, m.start, m.end, m.id, m.named_id) for m in page]
        if page.next is None:
            return out
        after = page.next


def plan(a: declass.Archive, sql: str, params: list[str]) -> str:
    """The query plan of ``sql`` (PostgreSQL: told not to scan a table it could seek, as on a large one)."""
    d = a.store.d
    if d.name == "sqlite":
        return " ".join(r[3] for r in d.db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    with d.transaction():
        d.execute("SET LOCAL enable_seqscan = off")
        return " ".join(str(r["QUERY PLAN"]) for r in d.rows(f"EXPLAIN {sql}", params))


def test_mentions_by_name_are_found_without_the_full_index_by_name(db: str, samples: Path) -> None:
    """Schema 22 / PostgreSQL 16: mentions by name come from the partial index of the mentions whose
    name stands for another entity; the full index by name an archive at 21 / 15 has is dropped when it
    is opened, and every question by entity or name finds what a plain match finds."""
    from declass.store.paged import NAME_ONLY

    with declass.Archive(db) as a:
        a.ingest([samples], workers=1)
        named = sorted({r["id"] for r in a.store._rows(NAMED)})
        assert named, "the samples name an entity for another (metonymy)"
        a.store.d.execute("CREATE INDEX mentions_named_order ON mentions(named_id, doc_date, doc_id, start, seq)")
        with a.store.d.transaction():
            a.store.d.execute("DELETE FROM schema_migrations WHERE version >= ?",
                              ({"sqlite": 22, "postgresql": 16}[a.store.d.name],))
    with declass.Archive(db) as a:
        assert migrations.current_version(a.store.d) == migrations.latest(a.store.d.name)
        indexes = ("SELECT name FROM sqlite_master WHERE tbl_name = 'mentions'" if a.store.d.name == "sqlite"
                   else "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'mentions'")
        names = {r["name"] for r in a.store._rows(indexes)}
        assert "mentions_by_name_only" in names and "mentions_named_order" not in names
        entity = a.store._rows("SELECT entity_id AS id FROM mentions WHERE entity_id IS NOT NULL"
                               " GROUP BY entity_id ORDER BY count(*) DESC, entity_id LIMIT 1")[0]["id"]
        for ids in [[n] for n in named] + [[named[0], entity]]:
            want = [tuple(r.values()) for r in a.store._rows(
                BY_ENTITY_OR_NAME.format(m=",".join("?" * len(ids))), [*ids, *ids])]
            assert want and every_mention(a, ids, limit=3) == want
            assert a.store.mentions_page(entity_ids=ids, limit=2).total == len(want)
        assert "mentions_by_name_only" in plan(a, BY_NAME.format(only=NAME_ONLY), [entity, named[0]])
