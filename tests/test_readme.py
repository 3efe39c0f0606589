"""The README's code, run as a new user would: Python snippets saved as scripts
(and piped to ``python -``), shell tour commands against a fresh archive.

Every ``sh`` block is either run here or named in ``NOT_RUN`` with the reason,
so a new block cannot slip past untested.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from declass.archive.executor import LocalPool, PoolFailed, run_tolerant

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
BIN = Path(sys.executable).parent

RUN = ("A short tour", "Redactions and handwritten edits", "Estimative judgments",
       "Across documents: timeline, tracking, scoring", "People, places and organisations")
NOT_RUN = {
    "declass": "make run / make test: the setup itself",
    "Your own documents": "names the reader's own folder of PDFs",
    "The reading room": "starts a server (tests/test_browser.py serves and reads it)",
    "Releases: what a later release revealed": "needs two releases of one document (tests/test_releases.py)",
    "A shared archive: PostgreSQL and Dask": "needs a PostgreSQL server and a Dask cluster",
    "Evaluation: how well declass reads documents it was not built on": "needs the development set",
}


def blocks(lang: str) -> list[tuple[str, str]]:
    """(section title, code) of every ``lang`` block, in order."""
    out: list[tuple[str, str]] = []
    section = ""
    for m in re.finditer(r"^(#+) ([^\n]+)$|^```(\w*)\n(.*?)^```", README, re.M | re.S):
        if m.group(1):
            section = m.group(2).strip()
        elif m.group(3) == lang:
            out.append((section, m.group(4)))
    return out


def commands(code: str) -> list[str]:
    lines = [ln.strip() for ln in code.splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#") and not ln.startswith(". ")]


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    """A folder standing for the repository a user cloned: the README's relative paths
    resolve (``src/`` links to the real one), and ``corpus/`` holds the samples."""
    (tmp_path / "src").symlink_to(ROOT / "src")
    shutil.copytree(ROOT / "src" / "declass" / "data" / "samples", tmp_path / "corpus")
    return tmp_path


def env_for(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DECLASS_DB"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["HF_HUB_OFFLINE"] = "1"
    return env


def documents_in(db: Path) -> int:
    with closing(sqlite3.connect(db)) as con:
        return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])


RUN_ELSEWHERE = ("FRUS TEI",)  # run below, each with what its commands need


def test_every_sh_block_is_run_or_says_why_not() -> None:
    sections = {s for s, _ in blocks("sh")}
    assert sections <= set(RUN) | set(NOT_RUN) | set(RUN_ELSEWHERE), sections - set(RUN) - set(NOT_RUN)
    assert set(RUN) <= sections


PY_BLOCKS = blocks("python")


@pytest.mark.parametrize("how", ["script", "stdin", "command"])
@pytest.mark.parametrize(("section", "code"), PY_BLOCKS, ids=[s for s, _ in PY_BLOCKS])
def test_python_snippet_runs_as_a_user_would(user_dir: Path, section: str, code: str, how: str) -> None:
    """Saved as a file without a ``__main__`` guard, piped to ``python -``, or run as
    ``python -c`` (a ``__main__`` with no file, as in a notebook): the ingest's workers
    must not re-run it, and the archive must hold the documents."""
    assert "if __name__" not in code
    script = user_dir / "snippet.py"
    script.write_text(code, "utf-8")
    args, stdin = {"script": ([sys.executable, str(script)], None), "stdin": ([sys.executable, "-"], code),
                   "command": ([sys.executable, "-c", code], None)}[how]
    run = subprocess.run(args, cwd=user_dir, env=env_for(user_dir), input=stdin, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "worker process" not in run.stderr and "bootstrapping phase" not in run.stderr, run.stderr[-3000:]
    if "archive.ingest" in code:
        assert documents_in(user_dir / "declass.db") == 2
        assert "2 added, 0 failed" in run.stdout
    if "Port Arthur" in code:
        assert "Port Arthur" in run.stdout
    if "page.next" in code:  # the paging example: a first page of 10, then every later page's first row
        first, *later = run.stdout.splitlines()[1:]
        shown, total = map(int, re.match(r"(\d+) of (\d+) judgments", first).groups())  # type: ignore[union-attr]
        assert shown == 10 < total and len(later) == (total - 1) // 10


@pytest.fixture(scope="module")
def tour_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("tour")
    (folder / "src").symlink_to(ROOT / "src")
    shutil.copytree(ROOT / "src" / "declass" / "data" / "samples", folder / "corpus")
    yaml = next(code for s, code in blocks("yaml") if s == "People, places and organisations")
    (folder / "mine.yaml").write_text(yaml, "utf-8")  # the README's own example gazetteer
    yield folder


TOUR = [(section, line) for section, code in blocks("sh") if section in RUN for line in commands(code)]


@pytest.mark.parametrize(("section", "line"), TOUR, ids=[line.split("  ")[0] for _, line in TOUR])
def test_shell_tour(tour_dir: Path, section: str, line: str) -> None:
    """Each tour command, in order, against an archive that starts empty (the
    first command ingests the samples), piped as a user's ``| less`` would be."""
    run = subprocess.run(["bash", "-c", line], cwd=tour_dir, env=env_for(tour_dir), capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, (line, run.stdout[-1500:], run.stderr[-3000:])
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    if line.startswith("declass list"):  # ids whole, not cut to 1952-09…
        assert "1953-11-04-nsc-briefing-sino-soviet-relations" in run.stdout.replace("\n", "")
    if "--json" in line:
        json.loads(run.stdout)
    if "--reading redline" in line:
        assert "[-" in run.stdout and "+}" in run.stdout  # edits marked in plain text when piped


def test_tour_starts_from_an_empty_archive_and_ends_with_the_samples(tour_dir: Path) -> None:
    assert TOUR[0][1].startswith("declass ingest src/declass/data/samples/")
    db = tour_dir / "declass.db"
    if db.exists():  # the tour ran before this test
        assert documents_in(db) == 2


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    run = subprocess.run([str(BIN / "declass"), "ingest", "--db", str(tmp_path / "a.db"), str(tmp_path / "nope")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "no such file or folder" in run.stderr and "disappeared" not in run.stderr


def test_help_shows_no_bool_metavars() -> None:
    for args in ([], ["ingest"], ["search"], ["show"], ["judgments"]):
        run = subprocess.run([str(BIN / "declass"), *args, "--help"], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "COLUMNS": "120"})
        assert run.returncode == 0 and "--help" in run.stdout
        assert "<bool>" not in run.stdout, args


# -- a pool that cannot start raises ------------------------------------------------


def square(x: int) -> int:
    return x * x


class DiesOnArrival:
    """Unpickled in a worker, it ends the worker before the task can begin: a
    stand-in for workers that cannot start (a broken environment)."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (os._exit, (3,))


def test_a_pool_whose_workers_cannot_start_raises_instead_of_failing_each_task() -> None:
    with pytest.raises(PoolFailed) as caught:
        for _ in run_tolerant(lambda: LocalPool(2), square, [DiesOnArrival() for _ in range(4)], limit=4):
            pass
    assert caught.value.code == "E204"


def test_a_pool_that_has_begun_work_still_fails_only_the_task() -> None:
    done = []
    for batch in run_tolerant(lambda: LocalPool(1), square, [2, 3], limit=1):
        done += batch
    tasks: list[object] = [4, DiesOnArrival(), DiesOnArrival(), 5]
    failed = []
    pool = LocalPool(1)
    for batch in run_tolerant(lambda: pool, square, tasks, limit=1):
        failed += [d for d in batch if d.error is not None]
        done += [d for d in batch if d.error is None]
    assert sorted(d.result for d in done) == [4, 9, 16, 25]  # type: ignore[type-var]
    assert len(failed) == 2


def test_frus_tei_block_runs_on_a_volume(tmp_path: Path) -> None:
    """The FRUS TEI commands against a volume file assembled from the FRUS fixtures
    (the volume's header around its documents), and the citation the README quotes."""
    from test_tei import NIE, volume_xml  # the FRUS fixtures and their volume header

    (tmp_path / "frus1955-57v02.xml").write_bytes(volume_xml([NIE.read_bytes()]))
    (code,) = [code for s, code in blocks("sh") if s == "FRUS TEI"]
    outputs = []
    for line in commands(code):
        run = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env_for(tmp_path), capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0, (line, run.stdout[-1500:], run.stderr[-3000:])
        outputs.append(run.stdout)
    quoted = re.search(r"### FRUS TEI.*?\n> (FRUS.*?)\n\n", README, re.S)
    assert quoted is not None
    assert " ".join(outputs[-1].split()) == " ".join(quoted.group(1).replace("> ", "").split())
