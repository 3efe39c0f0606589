"""Nothing a user feeds declass can hang it, crash it, or leave processes behind.

Workers are killed for real (SIGKILL, SIGSEGV), parents are killed for real,
and survivors are looked for among every process of the killed run's session.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

import psutil
import pytest

import declass
from declass.executor import LocalPool, TaskTimeout, WorkerLost, run_tolerant
from declass.ingest import FileResult

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
