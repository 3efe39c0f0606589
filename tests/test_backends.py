"""The store contract, run against both backends: SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import declass
from declass.cli.main import app
from declass.errors import StoreError, UsageError

NIE = "1952-09-10-nie-58-sino-soviet-relations"
BRIEF = "1953-11-04-nsc-briefing-sino-soviet-relations"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "a.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def filled(db: str, samples: Path) -> str:
    with declass.Archive(db) as a:
        report = a.ingest([samples], workers=2)
        assert [r.status for r in report.results] == ["added", "added"]
    return db


def test_ingest_is_idempotent_and_replaces_changed_files(db: str, samples: Path, tmp_path: Path) -> None:
    memo = tmp_path / "memo.txt"
    memo.write_text("MEMORANDUM\n\n1. Talks on Dairen resumed.\n")
    with declass.Archive(db) as a:
        assert a.ingest([samples, memo], workers=1).count("added") == 3
        assert a.ingest([samples, memo], workers=1).count("unchanged") == 3
        memo.write_text("MEMORANDUM\n\n1. Talks on Port Arthur resumed.\n")
        report = a.ingest([memo], workers=1)
        assert report.count("replaced") == 1 and len(a.documents()) == 3
        assert not a.search("Dairen", document="memo")
        assert a.search('"Port Arthur"', document="memo")


def test_records_round_trip(filled: str, nie58: declass.Document) -> None:
    with declass.Archive(filled, readonly=True) as a:
        assert a.get("NIE-58") == {**declass.to_record(nie58), "source": a.get("NIE-58")["source"]}
        assert a.resolve("NIE-58") == NIE and a.resolve("1953-11") == BRIEF
        assert [d.id for d in a.documents()] == [NIE, BRIEF]
        assert a.store.count() == (2, sum(d.blocks or 0 for d in a.documents()))


def test_search_ranks_highlights_and_filters(filled: str) -> None:
    with declass.Archive(filled, readonly=True) as a:
        hits = a.search('"Port Arthur"')
        assert {h.document for h in hits} == {NIE, BRIEF}
        assert all(h.highlights for h in hits)
        assert all("port" in h.snippet[s:e].lower() or "arthur" in h.snippet[s:e].lower()
                   for h in hits for s, e in h.highlights)
        assert a.search("Sino-Soviet solidarity")
        by_entity = a.search(entity="Beijing", limit=200)
        assert {h.document for h in by_entity} == {NIE, BRIEF} and all(h.highlights for h in by_entity)
        words_and_entity = a.search("Soviet", entity="Beijing", limit=200)  # both conditions at once
        assert words_and_entity and {(h.document, h.label) for h in words_and_entity} <= \
            {(h.document, h.label) for h in by_entity}
        assert len(words_and_entity) < len(a.search("Soviet", limit=200))
        in_one = a.search("Soviet", document=NIE, limit=200)
        assert in_one and {h.document for h in in_one} == {NIE}


def test_entities_links_and_judgments(filled: str) -> None:
    with declass.Archive(filled) as a:
        found = a.entity("Peiping")
        assert found.entity.name == "Beijing" and {"Peiping", "Peking"} <= set(found.forms_seen)
        assert a.cooccurrence(min_weight=2)
        links = a.find_links(method="lexical")
        assert any(lk.a == "22#1" and lk.b == "I.D#1" for lk in links)
        a.judge_link("NIE-58:22#1", "1953-11-04:I.D#1", "rejected")
        assert not any(lk.a == "22#1" and lk.b == "I.D#1" for lk in a.links())
        assert any(lk.status == "rejected" for lk in a.links(include_rejected=True))
        assert len(a.judgments("NIE-58")) == 56
        assert a.score(Path(declass.__file__).parent / "data" / "outcomes" / "samples.yaml").summary.n == 13


def test_read_only_store_refuses_writes(filled: str, nie58: declass.Document) -> None:
    with declass.Archive(filled, readonly=True) as a:
        with pytest.raises(StoreError) as info:
            a.store.put(declass.to_record(nie58.evolve(id="other", source=nie58.source.__class__("x.txt", "0" * 64))))
        assert info.value.code == "E301"
        assert len(a.documents()) == 2


def test_time_limit(filled: str) -> None:
    with declass.Archive(filled, readonly=True) as a, a.store.time_limit(5):
        assert a.search("treaty")


def test_cli_and_web_on_either_backend(db: str, samples: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "--db", db, "-q", str(samples)]).exit_code == 0
    res = runner.invoke(app, ["search", "--db", db, "--json", '"Port Arthur"'])
    assert res.exit_code == 0 and len(json.loads(res.stdout)) >= 2
    import asyncio

    import httpx

    from declass.web import create_app

    web = create_app(db)

    async def get(url: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://t") as c:
            return await c.get(url)

    for url in ("/", "/doc/NIE-58", "/search?q=Peking&any_spelling=true", "/api/judgments", "/entity/Peking"):
        assert asyncio.run(get(url)).status_code == 200, url


def test_postgres_errors_are_one_line(pg_server: str) -> None:
    with pytest.raises(StoreError) as info:
        declass.Archive(pg_server.rsplit("/", 1)[0] + "/no_such_database")
    assert info.value.code == "E303" and "\n" not in str(info.value)
    import pgserver

    empty = pgserver.fresh_database(pg_server, "empty_for_reading")
    with pytest.raises(StoreError) as info:
        declass.Archive(empty, readonly=True)
    assert info.value.code == "E302" and "ingest documents first" in str(info.value)


# -- the analysis tables and their pages (issue 16) ------------------------------------


def _all_pages(fetch: Any, limit: int) -> list[dict[str, Any]]:
    """Every row, fetched ``limit`` at a time through the keyset cursor."""
    rows: list[dict[str, Any]] = []
    after = None
    while True:
        page = fetch(limit=limit, after=after)
        assert len(page) <= limit
        rows += page
        if page.next is None:
            return rows
        after = page.next


def _expected_cooccurrence(records: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[int, int]]:
    """Entity pairs named in one block, from the records themselves: (blocks, documents)."""
    blocks: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for rec in records:
        by_block: dict[str, set[str]] = {}
        for m in rec["entities"]:
            if m.get("id"):
                by_block.setdefault(m["block"], set()).add(m["id"])
        for label, ids in by_block.items():
            for a in ids:
                for b in ids:
                    if a < b:
                        blocks.setdefault((a, b), set()).add((rec["id"], label))
    return {k: (len(v), len({d for d, _ in v})) for k, v in blocks.items()}


def test_tables_answer_as_the_records_do(filled: str) -> None:
    from declass.stages.entities.entities import counts

    with declass.Archive(filled, readonly=True) as a:
        records = list(a.records())
        judgments = [(r["id"], j["id"]) for r in records for j in r["judgments"]]
        paged = _all_pages(a.judgments, 7)
        assert [(j.document, j.id) for j in paged] == judgments
        assert all(j.range == j.probability["kent"] for j in paged if "kent" in j.probability)
        assert a.judgments(limit=7).total == len(judgments) == len(a.judgments())
        band = [j for j in paged if j.range and j.range[0] >= 0.6 and j.range[1] <= 0.9]
        assert [j.id for j in _all_pages(lambda **k: a.judgments(low=0.6, high=0.9, **k), 4)] == \
            [j.id for j in band] and band
        probably = a.judgments(term="presumably")
        assert probably and {j.term for j in probably} == {"presumably"}
        assert {t.term: t.count for t in a.judgment_terms()}["presumably"] == len(probably)
        for r in records:  # one document's terms (its judgments joined to their ranges by key)
            mine = Counter(j["term"] for j in r["judgments"])
            terms = a.judgment_terms(r["id"])
            assert {t.term: t.count for t in terms} == mine
            assert [t.count for t in terms] == sorted(mine.values(), reverse=True)
        assert [j.id for j in a.judgments("NIE-58", limit=3)] == [j["id"] for j in records[0]["judgments"][:3]]

        events = sorted(((r["id"], e) for r in records for e in r["events"]),
                        key=lambda t: (t[1]["date"], t[0], t[1]["start"]))
        timeline = _all_pages(a.timeline, 6)
        assert [(e.document, e.start) for e in timeline] == [(d, e["start"]) for d, e in events]
        assert all(e.citation for e in timeline)
        dated = a.timeline(start="1950", end="1952")
        assert dated and all(e.date <= "1952\uffff" and (e.date_end or e.date) >= "1950" for e in dated)
        moscow = a.timeline(entity="Moscow")
        assert 0 < moscow.total < len(events)
        for name in ("Moscow", "Soviet Union"):  # one id; an entity and what stands for it
            ids = set(a.entity_ids(name))
            named = [(d, e["start"]) for d, e in events if any(
                m.get("id") in ids and e["sentence_start"] <= m["start"] < e["sentence_end"]
                for r in records if r["id"] == d for m in r["entities"])]
            paged = _all_pages(lambda name=name, **k: a.timeline(entity=name, **k), 3)
            assert [(e.document, e.start) for e in paged] == named
            assert a.timeline(entity=name, limit=1).total == len(named)
        assert a.judgments(low=0.6, high=0.9, limit=1).total == len(band)
        assert a.judgments(term="presumably", limit=1).total == sum(
            1 for r in records for j in r["judgments"] if j["term"] == "presumably")

        reds = [(r["id"], x) for r in records for x in r["redactions"]]
        assert [x.document for x in _all_pages(a.redactions, 5)] == [d for d, _ in reds]
        coded = a.redactions(exemption="25X1")
        assert coded.total == sum(1 for _, x in reds if (x.get("exemption") or {}).get("code") == "25X1") > 0
        report = a.redaction_report(limit=1)
        assert report.total == 2 and len(report.documents) == 1 and report.next
        assert report.corpus.markers == sum(1 for _, x in reds if x["kind"] == "marker")
        assert [d.id for d in _all_pages(lambda **k: a.redaction_report(sort="most", **k).documents, 1)] == \
            [BRIEF, NIE]
        one = a.redaction_report("NIE-58")
        assert [x.to_dict() for x in one.documents[0].redactions] == records[0]["redactions"]

        expected = counts([{**m, "document": r["id"]} for r in records for m in r["entities"]])
        got = _all_pages(a.entities, 10)
        assert [(e.id, e.name, e.mentions) for e in got] == \
            [(e["id"], e["name"], e["mentions"]) for e in expected]
        assert got[0].forms == expected[0]["forms"]

        edges = {(e.source, e.target): (e.weight, e.documents) for e in _all_pages(a.cooccurrence, 50)}
        assert edges == _expected_cooccurrence(records)
        assert a.cooccurrence(min_weight=5).total == sum(1 for w, _ in edges.values() if w >= 5)

        beijing = a.entity("Peiping", limit=10)
        eid = beijing.entity.id
        mentions = [m for r in records for m in r["entities"]
                    if eid in (m.get("id"), m.get("as_named") or m.get("id"))]
        assert beijing.total == len(mentions) and len(beijing.mentions) == 10
        assert sum(beijing.forms_seen.values()) == len(mentions) and beijing.document_count == 2
        rest = _all_pages(lambda **k: a.entity("Peiping", **k).mentions, 25)
        assert len(rest) == len(mentions) and all(m.citation for m in rest)
        top = beijing.cooccurring[0]
        pair = tuple(sorted((eid, top.id)))
        assert top.weight == edges[pair][0] == max(w for (x, y), (w, _) in edges.items() if eid in (x, y))

        docs = a.documents(sort="title", limit=1)
        assert docs.total == 2 and docs[0].title == min(d.title or "" for d in a.documents())
        assert [d.id for d in a.documents(text="nie-58")] == [NIE]
        brief_type = a.documents()[1].doc_type
        assert [d.id for d in a.documents(doc_type=brief_type)] == [BRIEF]
        with pytest.raises(UsageError):
            a.judgments(after="not a cursor")


NAME_YEARS = ("SELECT coalesce(entity_id, '') AS eid, coalesce(named_id, '') AS named, text AS form,"
              " substr(coalesce(doc_date, ''), 1, 4) AS year, count(*) AS n FROM mentions"
              " WHERE entity_id IS NOT NULL OR named_id IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")


def test_names_and_years_are_the_mentions_counted(db: str, samples: Path, tmp_path: Path) -> None:
    """The maintained names-and-years totals (what an entity page lists) are the archive's mentions
    counted, after an ingest and after a document is replaced and its old share taken away."""
    kept = "SELECT eid, named, form, year, n FROM name_years ORDER BY 1, 2, 3, 4"
    memo = tmp_path / "memo.txt"
    memo.write_text("MEMORANDUM\n\nDate: 1 March 1955\n\n1. Moscow and Peking met at Dairen.\n")
    with declass.Archive(db) as a:
        a.ingest([samples, memo], workers=1)
        before = a.store._rows(kept)
        assert before and before == a.store._rows(NAME_YEARS)
        assert any(r["year"] == "1955" and r["form"] == "Dairen" for r in before)
        memo.write_text("MEMORANDUM\n\nDate: 1 March 1957\n\n1. Talks on Port Arthur with Moscow resumed.\n")
        assert a.ingest([memo], workers=1).count("replaced") == 1
        after = a.store._rows(kept)
        assert after == a.store._rows(NAME_YEARS) and after != before
        assert not any(r["year"] == "1955" and r["form"] == "Dairen" for r in after)


def test_replacing_a_document_replaces_its_rows(db: str, tmp_path: Path) -> None:
    memo = tmp_path / "memo.txt"
    memo.write_text("MEMORANDUM\n\nDate: 1 March 1955\n\n1. We believe that Moscow will probably support Peking"
                    " in 1956.\n")
    with declass.Archive(db) as a:
        a.ingest([memo], workers=1)
        first = a.judgments()
        assert first and a.timeline().total >= 1
        memo.write_text("MEMORANDUM\n\nDate: 1 March 1955\n\n1. Talks on Dairen resumed.\n")
        assert a.ingest([memo], workers=1).count("replaced") == 1
        assert a.judgments().total == 0 and a.timeline().total == 0
        assert a.cooccurrence().total == 0 and a.entities().total == 1


def test_links_are_found_through_the_token_index(filled: str) -> None:
    from declass.corpus.link import candidates

    with declass.Archive(filled) as a:
        found = a.find_links(method="lexical")
        expected = candidates(list(a.records()), method="lexical")
        assert {(x.a_doc, x.a, x.b_doc, x.b, x.score) for x in found} == \
            {(x["a_doc"], x["a"], x["b_doc"], x["b"], x["score"]) for x in expected}
        page = a.links(limit=3)
        assert len(page) == 3 and page.total == len(found)
        track = a.track("NIE-58:22#1")
        assert {(r.document, r.judgment) for r in track.trajectory} >= {(NIE, "22#1"), (BRIEF, "I.D#1")}
        assert all(r.citation for r in track.trajectory)


def test_old_postgres_schema_is_migrated(pg_url: str, samples: Path) -> None:
    """A database in the schema of the release before the tables (migrations 1-2), holding
    documents as that release wrote them, opens and answers from the new tables."""
    import psycopg
    from psycopg.rows import dict_row

    from declass.stages.parse import parse
    from declass.store import migrations
    from declass.store.base import prepare
    from declass.store.dialect import PostgresDialect

    with psycopg.connect(pg_url, autocommit=True, row_factory=dict_row) as con:
        assert migrations.apply(PostgresDialect(con, pg_url), upto=2) == [1, 2]
        for path in sorted(samples.iterdir()):
            doc = prepare(declass.to_record(parse(path)))
            f = doc.summary
            con.execute(
                "INSERT INTO documents (id, sha256, path, media_type, size, pages, blocks, doc_type, doc_number,"
                " title, date, classification, archive_id, released, ingested_at, record, redactions, withheld,"
                " edits) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,'then',%s,%s,%s,%s)",
                (doc.id, doc.sha256, doc.path, f["media_type"], f["size"], f["pages"], f["blocks"], f["doc_type"],
                 f["doc_number"], f["title"], f["date"], f["classification"], f["archive_id"], f["released"],
                 doc.blob, f["redactions"], f["withheld"], f["edits"]))
            for b in doc.blocks:
                con.execute('INSERT INTO blocks (doc_id, seq, label, kind, parent, text, start, "end", page,'
                            " label_inferred) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                            (doc.id, *b[:8], bool(b[8])))
            for m in doc.mentions:
                con.execute('INSERT INTO mentions (doc_id, block, entity_id, canonical, type, text, start, "end",'
                            " metonymy, in_deleted, method, named_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                            (doc.id, *m[:7], bool(m[7]), bool(m[8]), *m[9:11]))
    with declass.Archive(pg_url) as a:
        records = list(a.records())
        assert a.judgments(limit=5).total == sum(len(r["judgments"]) for r in records) > 0
        assert a.timeline().total == sum(len(r["events"]) for r in records)
        edges = {(e.source, e.target): (e.weight, e.documents) for e in a.cooccurrence()}
        assert edges == _expected_cooccurrence(records)
        assert a.entity("Peiping", limit=5).mentions[0].citation
        assert a.redaction_report().corpus.markers == sum(
            1 for r in records for x in r["redactions"] if x["kind"] == "marker")
