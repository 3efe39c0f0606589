"""Nothing a user feeds declass can hang it, crash it, or leave processes behind.

Workers are killed for real (SIGKILL, SIGSEGV), parents are killed for real,
and survivors are looked for among every process of the killed run's session.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from itertools import pairwise
from pathlib import Path

import httpx
import psutil
import pytest

import declass
from declass.archive.executor import LocalPool, TaskTimeout, WorkerLost, run_tolerant
from declass.archive.ingest import FileResult
from declass.web import create_app

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from corpus import generate

# -- tasks run in workers (module level: workers import them by name) -----------------


def square(x: int) -> int:
    return x * x


def crash_on(x: int, bad: int) -> int:
    """Die as a crashing C extension would (SIGSEGV) on ``bad``; square the rest."""
    if x == bad:
        os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(0.01)
    return x * x


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def my_pid(_: int) -> int:
    time.sleep(0.2)
    return os.getpid()


# -- the executor ------------------------------------------------------------------------


def test_a_dead_worker_fails_only_its_task_and_is_replaced() -> None:
    pool = LocalPool(2)
    try:
        doomed = pool.submit(crash_on, 3, 3)
        fine = [pool.submit(square, i) for i in range(10)]
        with pytest.raises(WorkerLost, match="SIGSEGV"):
            doomed.result(timeout=30)
        assert [f.result(timeout=30) for f in fine] == [i * i for i in range(10)]
        assert pool.submit(square, 7).result(timeout=30) == 49  # the pool goes on
        assert pool.replaced >= 1
    finally:
        pool.shutdown(cancel_futures=True)


def test_a_task_past_its_time_budget_is_stopped_and_the_pool_goes_on() -> None:
    pool = LocalPool(1, time_budget=1.0)
    try:
        started = time.monotonic()
        slow = pool.submit(nap, 60)
        with pytest.raises(TaskTimeout, match="1 s time budget"):
            slow.result(timeout=30)
        assert time.monotonic() - started < 15
        assert pool.submit(nap, 0.01).result(timeout=30) == 0.01
    finally:
        pool.shutdown(cancel_futures=True)


@pytest.mark.parametrize("make", [lambda: LocalPool(2), lambda: ProcessPoolExecutor(2)], ids=["local", "stdlib"])
def test_run_tolerant_retries_a_lost_task_alone_then_reports_it(make: object) -> None:
    """Both kinds of executor: ours loses one task, the standard one breaks as a whole
    and is replaced; either way every other task is answered once and the crasher fails."""
    done = [d for batch in run_tolerant(make, crash_on, range(40), args=(13,), limit=8) for d in batch]  # type: ignore[arg-type]
    assert sorted(d.task for d in done) == list(range(40))
    bad = [d for d in done if d.error is not None]
    assert [d.task for d in bad] == [13] and bad[0].retried and isinstance(bad[0].error, (WorkerLost, Exception))
    assert all(d.result == d.task ** 2 for d in done if d.task != 13)


def test_killing_workers_from_outside_loses_nothing() -> None:
    pool = LocalPool(2)
    killed = 0
    results: list[int] = []
    for batch in run_tolerant(lambda: pool, my_pid, range(30), limit=4):
        results += [d.result for d in batch if d.error is None]  # type: ignore[misc]
        assert all(d.error is None for d in batch), [d.error for d in batch]
        if killed < 3 and (busy := pool.busy_pids()):
            os.kill(busy[0], signal.SIGKILL)
            killed += 1
    assert len(results) == 30 and killed == 3


def test_a_dask_worker_killed_by_its_task_fails_that_task_only() -> None:
    """The same tolerant map over Dask's executor: a task that kills its worker is
    retried once alone, then reported; the others are answered."""
    distributed = pytest.importorskip("distributed", reason="'make test' installs the dask extra")
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        done = [d for batch in run_tolerant(lambda: client.get_executor(pure=False), crash_on, range(12),
                                            args=(5,), limit=4) for d in batch]
    assert sorted(d.task for d in done) == list(range(12))
    (bad,) = [d for d in done if d.error is not None]
    assert bad.task == 5 and bad.retried and type(bad.error).__name__ == "KilledWorker"
    assert all(d.result == d.task ** 2 for d in done if d.task != 5)


# -- ingest -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(out, 1200, seed=19)
    return out


def stored(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as con:
        return [r[0] for r in con.execute("SELECT path FROM documents")]


def test_ingest_survives_a_worker_killed_mid_run(tmp_path: Path, corpus_dir: Path) -> None:
    files = sorted(corpus_dir.glob("*.txt"))
    victims: list[int] = []

    def kill_a_worker(res: FileResult) -> None:
        assert res.status == "added", res.error
        if len(victims) < 2:
            me = psutil.Process()
            workers = [p for p in me.children(recursive=True) if p.name().startswith("python")
                       and p.ppid() != me.pid]  # the forkserver's children
            if workers:
                victims.append(workers[0].pid)
                os.kill(workers[0].pid, signal.SIGKILL)

    with declass.Archive(tmp_path / "a.db") as a:
        report = a.ingest([corpus_dir], workers=2, on_result=kill_a_worker)
    assert len(victims) == 2
    assert report.count("added") == len(files) and not report.failed
    paths = stored(tmp_path / "a.db")
    assert len(paths) == len(set(paths)) == len(files)


def session_processes(sid: int) -> list[psutil.Process]:
    out = []
    for p in psutil.process_iter():
        try:
            if os.getsid(p.pid) == sid and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
    return out


def start_ingest(db: Path, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "declass", "ingest", "--db", str(db), "--workers", "2", "--quiet", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def wait_for_documents(db: Path, n: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if len(stored(db)) >= n:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the ingest stored fewer than {n} documents (exit {proc.poll()})")


def survivors(sid: int, wait: float = 10.0) -> Iterator[psutil.Process]:
    deadline = time.monotonic() + wait
    while (left := session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    yield from left


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_parent_leaves_no_process_behind(tmp_path: Path, corpus_dir: Path, sig: signal.Signals) -> None:
    db = tmp_path / "a.db"
    proc = start_ingest(db, corpus_dir)
    try:
        wait_for_documents(db, 5, proc)
        assert len(session_processes(proc.pid)) >= 3  # the parent, the forkserver, workers
        proc.send_signal(sig)
        proc.wait(30)
        left = [(p.pid, p.cmdline()) for p in survivors(proc.pid)]
        assert not left, left
        # the caller's pipes are closed: nothing holds them open any more
        _, err = proc.communicate(timeout=10)
    finally:
        for p in session_processes(proc.pid):
            p.kill()
    if sig == signal.SIGTERM:
        assert proc.returncode == 130 and b"interrupted" in err
        with closing(sqlite3.connect(db)) as con:  # the index was brought up to date, as after Ctrl-C
            assert con.execute("SELECT count(*) FROM search_log").fetchone()[0] == 0
            assert con.execute("SELECT value FROM settings WHERE key = 'index_id'").fetchone()
    # the interrupted run is finished by running it again: every file once
    again = subprocess.run([sys.executable, "-m", "declass", "ingest", "--db", str(db), "--workers", "2",
                            "--quiet", str(corpus_dir)], capture_output=True, timeout=600)
    assert again.returncode == 0, again.stderr
    paths = stored(db)
    assert len(paths) == len(set(paths)) == len(list(corpus_dir.glob("*.txt")))
    with closing(sqlite3.connect(db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- the reading room: bounded requests ----------------------------------------------------


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory, samples: Path) -> Path:
    db = tmp_path_factory.mktemp("web") / "web.db"
    with declass.Archive(db) as a:
        a.ingest([samples], workers=1)
    return db


def get(app: object, url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.get(url)

    return asyncio.run(go())


SLOW_SQL = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"


def slow_documents(interrupted: list[float]) -> object:
    """The web's documents query as a statement that never ends unless it is interrupted."""
    def documents(lib: object, *args: object, **kw: object) -> list[dict[str, object]]:
        try:
            lib.archive.store.db.execute(SLOW_SQL).fetchone()  # type: ignore[attr-defined]
        except sqlite3.OperationalError as exc:
            interrupted.append(time.monotonic())
            raise AssertionError("stopped") from exc
        return []
    return documents


def test_an_unexpected_error_is_a_500_with_the_security_headers(web_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    from declass.web.data import Library

    def broken(self: Library, ref: str) -> dict[str, object]:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(Library, "record", broken)
    res = get(create_app(web_db, cache=False), "/api/documents/anything")
    assert res.status_code == 500
    assert "content-security-policy" in res.headers and res.headers["x-frame-options"] == "DENY"
    assert [r for r in caplog.records if "RecursionError" in r.getMessage()]
    assert all(r.getMessage().count("\n") == 0 for r in caplog.records if r.name == "declass.web")


@pytest.mark.parametrize("url", ["/api/search?q=" + "(" * 498 + "a", "/search?q=" + "(" * 498 + "a"])
def test_a_deeply_nested_query_is_a_clear_error_not_a_500(web_db: Path, url: str) -> None:
    res = get(create_app(web_db, cache=False), url)
    assert res.status_code in (200, 422) and "nested more than 40" in res.text
    assert "content-security-policy" in res.headers


def test_a_request_past_its_budget_gets_a_503_and_its_work_stops(web_db: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    interrupted: list[float] = []
    monkeypatch.setattr("declass.web.queries.documents_page", slow_documents(interrupted))
    app = create_app(web_db, cache=False, request_seconds=1.0)
    started = time.monotonic()
    res = get(app, "/api/documents")
    assert res.status_code == 503 and "E305" in res.text and "content-security-policy" in res.headers
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 10
    while not interrupted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert interrupted and interrupted[0] - started < 10  # the statement itself was stopped


def test_a_request_whose_client_left_stops_computing(web_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    interrupted: list[float] = []
    monkeypatch.setattr("declass.web.queries.documents_page", slow_documents(interrupted))
    app = create_app(web_db, cache=False, request_seconds=600)
    sent: list[dict[str, object]] = []

    async def go() -> float:
        calls = 0

        async def receive() -> dict[str, object]:
            nonlocal calls
            calls += 1
            if calls == 1:
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.sleep(0.5)  # the client waits half a second, then closes the tab
            return {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": "/api/documents", "raw_path": b"/api/documents", "query_string": b"",
                 "root_path": "", "headers": [(b"host", b"test")], "client": ("127.0.0.1", 1),
                 "server": ("test", 80)}
        left = time.monotonic()
        await asyncio.wait_for(app(scope, receive, send), timeout=30)  # type: ignore[arg-type]
        return left

    left = asyncio.run(go())
    deadline = time.monotonic() + 10
    while not interrupted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert interrupted and interrupted[0] - left < 5
    assert not [m for m in sent if m["type"] == "http.response.start" and m.get("status") == 200]


# -- text that comes out as it went in -----------------------------------------------------------


def test_paragraphs_above_999_are_labels_too() -> None:
    text = "MEMORANDUM\n\nSUBJECT: A long report\n\n" + "\n\n".join(
        f"{i}. Paragraph {i} of the report on the treaty." for i in range(1, 1006))
    doc = declass.parse(text)
    labels = [b.label for b in doc.blocks if b.kind == "paragraph"]
    assert labels == [str(i) for i in range(1, 1006)]
    assert doc.block("999").text.endswith("Paragraph 999 of the report on the treaty.")  # type: ignore[union-attr]


def test_a_year_opening_a_line_is_not_a_paragraph_number() -> None:
    doc = declass.parse("MEMORANDUM\n\n1. The conference met.\n\n2. It was a long year.\n\n"
                        "1952. The year began with a note from Moscow.\n\n3. The last point.\n")
    assert [b.label for b in doc.blocks if b.kind == "paragraph"] == ["1", "2", "3"]
    assert "1952. The year" in doc.block("2").text  # type: ignore[union-attr]


def test_file_names_with_control_characters_are_printed_on_one_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from declass.cli.main import app

    folder = tmp_path / "in"
    folder.mkdir()
    evil = folder / "bad\nname\x1b[31m\u202e.txt"
    evil.write_bytes(bytes(range(256)) * 8)  # binary: one failure that names the file
    res = CliRunner().invoke(app, ["ingest", "--db", str(tmp_path / "a.db"), "--workers", "1", str(folder)])
    assert res.exit_code == 1
    failed = [ln for ln in res.stderr.splitlines() if ln.startswith("declass: failed:")]
    assert len(failed) == 1 and "\x1b" not in res.stderr and "\u202e" not in res.stderr
    assert "bad\\nname\\x1b[31m\\u202e.txt: the file is binary data" in failed[0]


def test_a_missing_path_is_no_such_file_or_folder(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from declass.cli.main import app

    res = CliRunner().invoke(app, ["ingest", "--db", str(tmp_path / "a.db"), str(tmp_path / "nope\n.txt")])
    assert res.exit_code == 2 and res.stderr.strip().endswith("nope\\n.txt: no such file or folder [E405]")
    assert len(res.stderr.strip().splitlines()) == 1


def test_devices_and_fifos_in_a_folder_fail_alone_in_workers(tmp_path: Path, samples: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for f in samples.glob("*.txt"):
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.txt")
    started = time.monotonic()
    with declass.Archive(tmp_path / "a.db") as a:
        report = a.ingest([folder], workers=2)
    assert time.monotonic() - started < 120
    assert report.count("added") == 2
    assert sorted(Path(r.path).name for r in report.failed) == ["pipe.txt", "zero.txt"]
    assert all("[E106]" in r.error for r in report.failed)  # type: ignore[operator]


def test_a_document_past_the_time_budget_fails_alone(tmp_path: Path, samples: Path) -> None:
    """One enormous document: the budget stops it, the others go in.  Every stage is linear, so
    the document is made long enough (about 11 MB) that even a fast machine needs several times
    the budget for it."""
    from declass.archive.ingest import ingest
    from declass.store import open_store

    folder = tmp_path / "in"
    folder.mkdir()
    for f in samples.glob("*.txt"):
        (folder / f.name).write_bytes(f.read_bytes())
    big = "\n\n".join(f"{i}. The Soviet Union and the treaty of {i} with Peiping and Moscow, again."
                      for i in range(1, 150_000))
    (folder / "huge.txt").write_text("MEMORANDUM\n\n" + big)
    store = open_store(str(tmp_path / "a.db"))
    try:
        started = time.monotonic()
        report = ingest(store, [folder], db=str(tmp_path / "a.db"), workers=2, time_budget=10.0)
        assert time.monotonic() - started < 120
    finally:
        store.close()
    assert report.count("added") == 2
    (bad,) = report.failed
    assert bad.path.endswith("huge.txt") and "[E111]" in (bad.error or "") and "10 s" in (bad.error or "")


def test_a_killed_index_build_is_cleaned_up_on_the_next_open(tmp_path: Path, samples: Path) -> None:
    from declass.store.textindex import BUILDING, index_path

    db = tmp_path / "a.db"
    with declass.Archive(db) as a:
        a.ingest([samples], workers=1)
    stale = index_path(db).with_name(index_path(db).name + ".new-deadbeef")
    stale.mkdir()
    (stale / "meta.json").write_text("{}")
    old = index_path(db).with_name(index_path(db).name + ".old-deadbeef")
    old.mkdir()
    running = index_path(db).with_name(index_path(db).name + ".new-0a0a0a0a")  # a rebuild still going
    running.mkdir()
    import fcntl

    with open(running / BUILDING, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with declass.Archive(db) as a:
            assert a.search("Peiping")
        assert not stale.exists() and not old.exists()
        assert running.exists()
    with declass.Archive(db):
        pass
    assert not running.exists()


# -- a very large document, a part at a time --------------------------------------------------


@pytest.fixture(scope="module")
def long_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("long")
    pages = [f"MEMORANDUM {i}\n\n" + "\n\n".join(
        f"{(i - 1) * 5 + j}. The Soviet position on the treaty with Peiping, page {i} paragraph {j}."
        for j in range(1, 6)) for i in range(1, 41)]
    (folder / "long.txt").write_text("\f".join(pages))
    db = folder / "long.db"
    with declass.Archive(db) as a:
        assert not a.ingest([folder], workers=1).failed
    return db


def test_a_long_record_is_cut_into_parts_of_whole_pages(long_db: Path) -> None:
    from declass.web.paging import part_of, parts

    with declass.Archive(long_db, readonly=True) as a:
        rec = a.get("long")
    assert part_of(rec, 1) is rec  # short enough: served as it is
    cut = parts(rec, size=2_000)
    assert len(cut) > 3 and cut[0].first_page == 1 and cut[-1].last_page == 40
    assert all(a.last_page + 1 == b.first_page for a, b in pairwise(cut))
    seen: list[str] = []
    for p in cut:
        piece = part_of(rec, p.number, size=2_000)
        assert piece["part"]["number"] == p.number and piece["part"]["of"] == len(cut)
        assert all(p.first_page <= b["page"] <= p.last_page for b in piece["blocks"])
        assert all(p.start <= e["start"] < p.end for e in piece["entities"] if "start" in e)
        seen += [b["label"] for b in piece["blocks"]]
    assert seen == [b["label"] for b in rec["blocks"]]  # every block in exactly one part, in order
    with pytest.raises(declass.UsageError):
        part_of(rec, len(cut) + 1, size=2_000)


def test_the_reader_and_the_api_serve_a_long_document_by_part(long_db: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("declass.web.paging.PART_CHARS", 2_000)
    app = create_app(long_db, cache=False)
    whole = declass.Archive(long_db, readonly=True).get("long")
    first = get(app, "/api/documents/long").json()
    second = get(app, "/api/documents/long?part=2").json()
    assert first["part"]["number"] == 1 and second["part"]["number"] == 2 and first["part"]["of"] > 3
    assert len(first["blocks"]) < len(whole["blocks"]) and first["blocks"][0] == whole["blocks"][0]
    assert {b["label"] for b in first["blocks"]}.isdisjoint(b["label"] for b in second["blocks"])
    page = get(app, "/doc/long?part=2")
    assert page.status_code == 200 and "part 2 of" in page.text and "?reading=typed" in page.text
    assert "page 1 paragraph 1." not in page.text
    assert get(app, "/api/documents/long?part=999").status_code == 422


# -- pathological documents: every stage near-linear ------------------------------------


def _stage_seconds(text: str) -> dict[str, float]:
    """CPU seconds of each stage on ``text`` (CPU, not wall: other load on the machine counts less)."""
    from declass.stages.pipeline import stages_for
    from declass.stages.read.reader import read_text

    doc = read_text(text)
    out = {}
    for st in stages_for():
        t = time.process_time()
        doc = st.run(doc)
        out[st.name] = time.process_time() - t
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("case", "scale"), [("numbered", 0.02), ("outline", 0.08), ("one_line", 0.005),
                                             ("markers", 0.1)])
def test_every_stage_is_near_linear_on_pathological_documents(case: str, scale: float) -> None:
    """Four times the document takes each stage well under sixteen times as long (what a
    quadratic step would take): long numbered lists, outlines thousands deep, one giant
    line, thousands of markers (the generators of bench/bench_pathological.py).  Each size
    is timed three times and the least kept: other work on the machine only ever adds time."""
    import random

    import bench_pathological as patho

    make = getattr(patho, case)
    _stage_seconds(make(random.Random(1), scale / 4))  # warm: gazetteer, lexicon, caches

    def best(s: float) -> dict[str, float]:
        runs = [_stage_seconds(make(random.Random(1), s)) for _ in range(3)]
        return {name: min(r[name] for r in runs) for name in runs[0]}

    small, large = best(scale), best(4 * scale)
    slow = {name: round(large[name] / max(small[name], 0.1), 1) for name in small
            if large[name] > 10 * max(small[name], 0.1)}
    assert not slow, f"{case}: stages more than 10x slower on 4x the text: {slow}"
