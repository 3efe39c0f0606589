"""The store contract, run against both backends: SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import declass
from declass.cli.main import app
from declass.errors import StoreError

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
        assert [d["id"] for d in a.documents()] == [NIE, BRIEF]
        assert a.store.count() == (2, sum(d["blocks"] for d in a.documents()))


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


def test_entities_links_and_judgments(filled: str) -> None:
    with declass.Archive(filled) as a:
        found = a.entity("Peiping")
        assert found["entity"]["name"] == "Beijing" and {"Peiping", "Peking"} <= set(found["forms_seen"])
        assert a.cooccurrence(min_weight=2)
        links = a.find_links(method="lexical")
        assert any(lk["a"] == "22#1" and lk["b"] == "I.D#1" for lk in links)
        a.judge_link("NIE-58:22#1", "1953-11-04:I.D#1", "rejected")
        assert not any(lk["a"] == "22#1" and lk["b"] == "I.D#1" for lk in a.links())
        assert any(lk["status"] == "rejected" for lk in a.links(include_rejected=True))
        assert len(a.judgments("NIE-58")) == 56
        assert a.score(Path(declass.__file__).parent / "data" / "outcomes" / "samples.yaml")["summary"]["n"] == 13


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
