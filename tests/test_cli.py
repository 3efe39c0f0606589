from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from declass.archive.export import RECORD_KEYS
from declass.cli.main import app
from declass.store.textindex import index_path

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_list_search_show(tmp_path: Path, samples: Path) -> None:
    db = str(tmp_path / "a.db")
    code, _, err = invoke("ingest", "--db", db, "--workers", "2", str(samples))
    assert code == 0, err
    assert "2 added" in err and "0 failed" in err
    code, _, err = invoke("ingest", "--db", db, str(samples))
    assert code == 0 and "2 unchanged" in err

    code, out, _ = invoke("list", "--db", db, "--json")
    assert code == 0
    assert len(json.loads(out)) == 2

    code, out, _ = invoke("search", "--db", db, "--json", '"Port Arthur"')
    hits = json.loads(out)
    assert code == 0
    assert {h["document"] for h in hits} == {
        "1952-09-10-nie-58-sino-soviet-relations",
        "1953-11-04-nsc-briefing-sino-soviet-relations",
    }
    assert all(h["label"] and h["snippet"] and h["highlights"] for h in hits)

    code, out, _ = invoke("search", "--db", db, "--limit", "3", "Peiping")
    assert code == 0 and "3 hits" in out

    code, out, _ = invoke("show", "--db", db, "1953-11-04")
    assert code == 0 and "1953-11-04-nsc-briefing" in out


def test_env_var_names_the_archive(tmp_path: Path, samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECLASS_DB", str(tmp_path / "env.db"))
    code, _, _ = invoke("ingest", str(samples / "1953-11-04_nsc-briefing_sino-soviet-relations.txt"))
    assert code == 0 and (tmp_path / "env.db").exists()


def test_export_jsonl_and_csv(tmp_path: Path, sample_db: Path) -> None:
    out_file = tmp_path / "out.jsonl"
    code, _, _ = invoke("export", "--db", str(sample_db), "--out", str(out_file))
    assert code == 0
    records = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert len(records) == 2
    for rec in records:
        assert set(RECORD_KEYS) <= set(rec)
        assert {"path", "sha256"} <= set(rec["source"])
        for b in rec["blocks"]:
            assert {"label", "kind", "parent", "text", "start", "end", "page"} <= set(b)
        for f in rec["furniture"]:
            assert {"kind", "text", "start", "end", "page"} <= set(f)
    code, out, _ = invoke("export", "--db", str(sample_db), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == sum(len(r["blocks"]) for r in records)


def test_usage_errors_exit_2(sample_db: Path) -> None:
    assert invoke("show", "--db", str(sample_db), "no-such-doc")[0] == 2
    assert invoke("search", "--db", str(sample_db), '(unbalanced')[0] == 2
    assert invoke("export", "--db", str(sample_db), "--format", "xml")[0] == 2
    assert invoke("ingest")[0] == 2


def test_bad_files_reported_and_the_rest_ingested(tmp_path: Path, samples: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(samples / "1952-09-10_nie-58_sino-soviet-relations.txt", corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "junk.txt").write_bytes(os.urandom(4096))
    (corpus / "cut.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\n")
    (corpus / "latin1.txt").write_bytes("Mémorandum pour le Président: Peiping.\n".encode("latin-1"))
    db = str(tmp_path / "a.db")
    code, _, err = invoke("ingest", "--db", db, "--workers", "2", str(corpus))
    assert code == 1
    failed = [ln for ln in err.splitlines() if ln.startswith("declass: failed:")]
    assert len(failed) == 3
    for name in ("empty.txt", "junk.txt", "cut.pdf"):
        assert sum(name in ln for ln in failed) == 1
    assert "2 added" in err
    code, out, _ = invoke("list", "--db", db, "--json")
    assert {d["id"] for d in json.loads(out)} == {"1952-09-10-nie-58-sino-soviet-relations", "latin1"}


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke("ingest", "--db", str(tmp_path / "a.db"), str(tmp_path / "gone.txt"))
    assert code == 2 and "gone.txt: no such file or folder [E405]" in err


def test_corrupt_database_is_one_line_and_exit_1(tmp_path: Path, samples: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    for args in (("ingest", "--db", str(bad), str(samples)), ("search", "--db", str(bad), "x")):
        code, _, err = invoke(*args)
        assert code == 1
        assert err.strip().count("\n") == 0 and "bad.db" in err and "E302" in err
    assert bad.read_bytes() == b"garbage" * 1000


@contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """Make ``folder`` read-only for real: root ignores file modes, so as
    root the folder is bind-mounted read-only (a read-only file system)."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        try:
            yield
        finally:
            os.chmod(folder, 0o755)
        return
    subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_read_only_database_is_refused_and_untouched(sample_db: Path, samples: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "ro.db"
    with closing(sqlite3.connect(sample_db)) as src, closing(sqlite3.connect(db)) as dst:
        src.backup(dst)
    shutil.copytree(index_path(sample_db), index_path(db))
    before = db.read_bytes()
    with read_only_folder(folder):
        # tantivy cannot take its read lock on a read-only file system: FTS5 answers
        code, out, err = invoke("search", "--db", str(db), "--json", "Dairen")
        assert code == 0, err
        assert len(json.loads(out)) == 5
        code, _, err = invoke("ingest", "--db", str(db), "-q",
                              str(samples / "1952-09-10_nie-58_sino-soviet-relations.txt"))
        assert code == 1, err
        assert "E301" in err and "ro.db" in err
        assert err.strip().count("\n") == 0
        code, out, err = invoke("list", "--db", str(db), "--json")
        assert code == 0, err
        assert len(json.loads(out)) == 2
    assert db.read_bytes() == before


def test_cite_and_show_block(sample_db: Path) -> None:
    code, out, _ = invoke("cite", "--db", str(sample_db), "NIE-58", "23.b")
    assert code == 0
    assert out.strip().startswith("National Intelligence Estimate NIE-58, \u201cRelations Between")
    assert "10 September 1952, paragraph 23.b." in out
    code, out, _ = invoke("cite", "--db", str(sample_db), "1953-11-04", "V.F")
    assert code == 0 and "4 November 1953, point V.F. CIA-RDP80R01443R000200010007-3" in out
    code, out, _ = invoke("show", "--db", str(sample_db), "NIE-58", "23.b", "--json")
    block = json.loads(out)
    assert code == 0 and block["label"] == "23.b" and block["text"].startswith("Having provided assistance")
    assert "paragraph 23.b" in block["citation"]
    code, _, err = invoke("show", "--db", str(sample_db), "NIE-58", "99.z")
    assert code == 2 and "E402" in err


def test_show_outline_lists_labels_in_order(sample_db: Path) -> None:
    code, out, _ = invoke("show", "--db", str(sample_db), "NIE-58")
    assert code == 0
    lines = [ln.split()[0] for ln in out.splitlines() if ln.strip()]
    order = [lines.index(label) for label in ("CONCLUSIONS", "22.d", "23*", "23.a", "Annex")]
    assert order == sorted(order)


def test_search_hits_carry_labels(sample_db: Path) -> None:
    code, out, _ = invoke("search", "--db", str(sample_db), "--json", "Dairen harbour")
    hits = json.loads(out)
    assert code == 0 and hits[0]["label"] == "Annex B / Article 3"


@pytest.mark.parametrize("command", [["judgments"], ["timeline"], ["redactions"], ["entities"], ["entity", "Peking"],
                                     ["link", "list"]])
def test_corpus_commands_page(sample_db: Path, command: list[str]) -> None:
    """A page of --limit rows, the total on stderr, and --after the next page (not the same rows)."""
    code, out, err = invoke(*command, "--db", str(sample_db), "--json", "--limit", "1")
    assert code == 0, err
    first = json.loads(out)
    rows = first["mentions"] if command[0] == "entity" else \
        first["documents"] if command[0] == "redactions" else first
    if command[0] == "link":  # no links found in this archive yet
        assert rows == [] and "0 of 0 links" in err
        return
    assert len(rows) == 1 and " of " in err and "--after " in err
    cursor = err.split("--after ")[1].split()[0]
    code, out2, err2 = invoke(*command, "--db", str(sample_db), "--json", "--limit", "1", "--after", cursor)
    assert code == 0, err2
    second = json.loads(out2)
    rows2 = second["mentions"] if command[0] == "entity" else second["documents"] if command[0] == "redactions" \
        else second
    assert rows2 and rows2 != rows and err.split(" of ")[1].split()[0] == err2.split(" of ")[1].split()[0]
    assert invoke(*command, "--db", str(sample_db), "--limit", "0")[0] == 2
    assert invoke(*command, "--db", str(sample_db), "--after", "garbage!")[0] == 2
