"""The executor's chunked tasks and its workers' bounded heap; ingest's chunks."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from declass.archive.executor import HEAP_SLACK, LocalPool, WorkerLost, _bound_heap, _resident, run_tolerant
from declass.archive.ingest import Task, chunks

# -- tasks run in workers (module level: workers import them by name) -----------------

_KEPT: list[bytes] = []


def squares_unless(chunk: tuple[int, ...], bad: int) -> list[int]:
    """Squares of ``chunk``; the worker dies (SIGSEGV) if ``bad`` is in it."""
    if bad in chunk:
        os.kill(os.getpid(), signal.SIGSEGV)
    return [x * x for x in chunk]


def churn(mb: int) -> int:
    """Allocate ``mb`` MB in C-heap blocks, keep one block made after them, free the rest:
    the heap's free pages lie below a live block, where glibc does not return them
    by itself.  Returns the worker's resident bytes at the peak."""
    blocks = [bytes(4096) for _ in range(mb * 256)]
    _KEPT.append(bytes(4096))
    peak = _resident()
    del blocks
    return peak


def resident(_: int) -> int:
    return _resident()


def pid_of(x: int) -> tuple[int, int]:
    return x, os.getpid()


# -- run_tolerant's split ------------------------------------------------------------------


@pytest.mark.parametrize("bad", [4, 7])
def test_a_lost_chunk_is_retried_piece_by_piece_and_only_the_bad_piece_fails(bad: int) -> None:
    tasks = [(0, 1, 2), (3, 4, 5), (6, 7)]
    done = [d for batch in run_tolerant(lambda: LocalPool(2), squares_unless, tasks, args=(bad,), limit=2,
                                        split=lambda c: [(x,) for x in c]) for d in batch]
    failed = [d for d in done if d.error is not None]
    assert [d.task for d in failed] == [(bad,)] and failed[0].retried and isinstance(failed[0].error, WorkerLost)
    answered = {x: y for d in done if d.error is None for x, y in zip(d.task, d.result or [], strict=True)}
    assert answered == {x: x * x for c in tasks for x in c if x != bad}
    lost_chunk = next(c for c in tasks if bad in c)
    assert all(d.retried for d in done if d.task[0] in lost_chunk)  # each piece ran alone


# -- the worker's heap ---------------------------------------------------------------------


def test_a_worker_gives_back_the_heap_a_large_task_freed() -> None:
    pool = LocalPool(1)
    try:
        before = pool.submit(resident, 0).result()
        peak = pool.submit(churn, 3 * HEAP_SLACK // 2**20).result()
        after = pool.submit(resident, 0).result()
    finally:
        pool.shutdown()
    assert peak - before > HEAP_SLACK  # the task did hold that much
    assert after - before < HEAP_SLACK // 2, (before >> 20, peak >> 20, after >> 20)


def test_bound_heap_keeps_the_least_resident_size() -> None:
    now = _bound_heap(None)
    assert now > 0
    assert _bound_heap(1) == 1
    assert _bound_heap(now * 10) <= _resident() + 2**20


# -- ingest's chunks ------------------------------------------------------------------------


def files(tmp_path: Path, sizes: list[int]) -> list[Task]:
    out: list[Task] = []
    for i, n in enumerate(sizes):
        p = tmp_path / f"f{i:02}.txt"
        p.write_bytes(b"x" * n)
        out.append((str(p), None))
    return out


@pytest.mark.parametrize(("sizes", "docs", "size", "expected"), [
    ([10] * 7, 3, 1000, [3, 3, 1]),
    ([400, 400, 400, 10], 8, 1000, [2, 2]),
    ([10, 5000, 10, 10], 8, 1000, [1, 1, 2]),  # a large file goes alone
    ([], 8, 1000, []),
])
def test_chunks_bound_documents_and_bytes(tmp_path: Path, sizes: list[int], docs: int, size: int,
                                          expected: list[int]) -> None:
    tasks = files(tmp_path, sizes)
    out = list(chunks(iter(tasks), docs, size))
    assert [len(c) for c in out] == expected
    assert [t for c in out for t in c] == tasks  # every task once, in order


def test_chunks_read_the_tasks_lazily(tmp_path: Path) -> None:
    tasks = files(tmp_path, [10] * 5)
    seen: list[Task] = []

    def feed() -> Iterator[Task]:
        for t in tasks:
            seen.append(t)
            yield t

    first = next(chunks(feed(), 2, 1000))
    assert len(first) == 2 and len(seen) == 3  # the third is read to know the first chunk is full


# -- the forkserver's shared tables --------------------------------------------------------

PRELOADED = """
from declass.archive.executor import LocalPool
from declass.archive.ingest import PRELOAD
from test_executor import tables_built

if __name__ == "__main__":
    pool = LocalPool(1, preload=PRELOAD)
    print(pool.submit(tables_built).result())
    pool.shutdown()
"""


def tables_built() -> tuple[int, bool]:
    """In a worker, before it has parsed anything: whether the tables came from its forkserver."""
    import gc

    from declass.text import lexicon

    return lexicon._word_table.cache_info().currsize, gc.get_freeze_count() > 0


def test_workers_start_with_the_tables_their_forkserver_built(tmp_path: Path) -> None:
    """In a fresh process (a process's forkserver starts once, with the first pool's preload)."""
    import subprocess
    import sys

    script = tmp_path / "preloaded.py"
    script.write_text(PRELOADED, "utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300,
                         check=True).stdout
    assert out.strip() == "(1, True)"


def test_a_worker_is_retired_after_its_tasks_and_a_fresh_one_goes_on() -> None:
    """``max_tasks``: every task answered, each worker answering at most that many, in order."""
    pool = LocalPool(1, max_tasks=3)
    try:
        answers = [pool.submit(pid_of, i).result(timeout=60) for i in range(7)]
    finally:
        pool.shutdown()
    assert [x for x, _ in answers] == list(range(7))
    pids = [pid for _, pid in answers]
    assert pids[0] == pids[1] == pids[2] != pids[3] == pids[4] == pids[5] != pids[6]
    assert len(set(pids)) == 3 and pool.retired == 2 and pool.replaced == 0
