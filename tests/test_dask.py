"""Ingest on a Dask cluster: the same pipeline, the same archive, failures per document."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import declass

distributed = pytest.importorskip("distributed", reason="'make test' installs the dask extra")


def state(db: Path) -> list[tuple[str, str, int]]:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT d.id, d.sha256, (SELECT count(*) FROM blocks b WHERE b.doc_id = d.id)"
                       " FROM documents d ORDER BY d.id").fetchall()
    con.close()
    return rows


def test_dask_ingest_equals_local_ingest(tmp_path: Path, samples: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = [p.read_text("utf-8") for p in sorted(samples.glob("*.txt"))]
    for i in range(12):
        (corpus / f"doc-{i:02d}.txt").write_text(f"Copy {i}\n\n" + texts[i % 2], "utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster as cl, declass.Archive(tmp_path / "dask.db") as a:
        report = a.ingest([corpus], dask=cl.scheduler_address)
        again = a.ingest([corpus], dask=cl.scheduler_address)
    assert report.count("added") == 12
    (bad,) = report.failed
    assert "empty.txt" in bad.error and "E101" in bad.error
    assert again.count("unchanged") == 12
    with declass.Archive(tmp_path / "local.db") as a:
        a.ingest([corpus], workers=2)
    assert state(tmp_path / "dask.db") == state(tmp_path / "local.db")


def test_cli_dask_option_reports_a_bad_address(tmp_path: Path, samples: Path) -> None:
    from typer.testing import CliRunner

    from declass.cli.main import app

    res = CliRunner().invoke(app, ["ingest", "--db", str(tmp_path / "x.db"), "--dask", "tcp://127.0.0.1:1",
                                   str(samples)])
    assert res.exit_code == 2 and "cannot reach the Dask scheduler" in res.stderr
    assert res.stderr.strip().count("\n") == 0
