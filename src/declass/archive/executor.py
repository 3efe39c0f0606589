"""Run tasks in worker processes so that no task can stop the run.

Two pieces, both on the `concurrent.futures.Executor` interface (which is
also what a Dask cluster offers through ``Client.get_executor()``):

* `LocalPool`: worker processes each with its own pipe.  A worker that
  dies (``kill -9``, a segfault in a C library, the OOM killer) fails only
  the task it held, with `WorkerLost`, and is replaced; a task that runs
  past the time budget has its worker killed and fails with `TaskTimeout`.
  Workers watch the process that started them and exit when it dies, so a
  killed parent leaves nothing behind.  (`ProcessPoolExecutor` breaks as a
  whole when one worker dies and cannot stop one running task.)
* `run_tolerant`: a bounded window of tasks over any executor.  A task
  whose worker was lost is retried once, alone (nothing else running, so it
  is not starved of memory by its neighbours), and then reported with its
  exception; an executor that broke as a whole is replaced and its tasks
  retried the same way.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import select
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_ready
from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext
from typing import Any, Generic, TypeVar, cast

from declass.errors import StageError
from declass.limits import trim_heap

T = TypeVar("T")
R = TypeVar("R")

LOST_NAMES = frozenset({"KilledWorker", "CommClosedError"})
"""Dask's exceptions for a task whose worker died (matched by name: Dask is optional)."""


class WorkerLost(Exception):
    """The worker process running a task died before it answered."""

    def __init__(self, pid: int, exitcode: int | None) -> None:
        self.pid, self.exitcode = pid, exitcode
        super().__init__(f"worker process {pid} died ({describe_exit(exitcode)})")


class PoolFailed(StageError):
    """Worker processes keep dying before they begin a task: the pool itself is broken
    (not any document), so the run stops rather than failing every file."""

    def __init__(self, detail: str) -> None:
        super().__init__("E204", detail)


class TaskTimeout(Exception):
    """A task ran past its time budget; its worker was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"it took longer than the {seconds:g} s time budget")


def describe_exit(code: int | None) -> str:
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = {"SIGKILL": ": out of memory, or killed", "SIGSEGV": ": a crash in a library"}.get(name, "")
        return f"killed by {name}{hint}"
    return f"exit status {code}"


def is_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the worker died, rather than that the task failed."""
    return isinstance(exc, (WorkerLost, BrokenExecutor)) or type(exc).__name__ in LOST_NAMES


# -- the worker process ------------------------------------------------------------


def _watch_parent(pid: int) -> None:
    """Exit this process as soon as process ``pid`` ends (however it ends)."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    else:  # no pidfd (not Linux 5.3+): poll
        while True:
            time.sleep(0.5)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                continue
    os._exit(70)


HEAP_SLACK = 48 * 2**20
"""Resident bytes a worker may keep above its least between tasks before it hands its
freed heap back: after a large document the C heap would otherwise stay at its peak."""


def _resident() -> int:
    """This process's resident bytes (0 where /proc cannot say)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _worker_main(conn: Connection, parent: int) -> None:
    """Run the tasks sent on ``conn`` one at a time until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    least: int | None = None  # resident bytes between tasks, at their least
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        fn, args, kwargs = msg
        conn.send(("started", None))  # the time budget runs from here, not from a slow start-up
        try:
            reply: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except BaseException as exc:  # the parent decides what a failure means
            reply = ("err", exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable result or exception
            detail = "".join(traceback.format_exception_only(exc)).strip()
            conn.send(("err", RuntimeError(f"the task's answer could not be sent back: {detail}")))
        del msg, fn, args, kwargs, reply  # not held while waiting for the next task
        least = _bound_heap(least)


def _bound_heap(least: int | None) -> int:
    """Give freed heap back when the worker holds much more than it did between earlier
    tasks; returns the new least."""
    now = _resident()
    if least is not None and now > least + HEAP_SLACK:
        trim_heap()
        now = _resident()
    return now if least is None else min(least, now)


# -- the local pool -------------------------------------------------------------------

START_FAILURES = 2
"""Workers dying before any worker of the pool has begun a task that make the pool, not a
document, at fault (a task is sent to a worker before the worker has read it)."""


@contextlib.contextmanager
def _main_withheld() -> Iterator[None]:
    """Start a worker without the parent's main script.  Under forkserver and spawn a
    child re-imports ``__main__`` by its path or module name; a script without an
    ``if __name__ == "__main__":`` guard (the README's snippet saved as a file) would
    then run again in every worker.  Workers run declass's own functions and never
    need it, so its path and name are withheld while a worker starts."""
    main = sys.modules.get("__main__")
    path, spec = getattr(main, "__file__", None), getattr(main, "__spec__", None)
    if main is None or (path is None and spec is None):
        yield
        return
    if path is not None:
        del main.__file__
    main.__spec__ = None
    try:
        yield
    finally:
        if path is not None:
            main.__file__ = path
        main.__spec__ = spec


@dataclass(slots=True)
class _Item:
    future: Future[Any]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass(slots=True)
class _Worker:
    process: Any  # multiprocessing.process.BaseProcess
    conn: Connection
    item: _Item | None = None
    started: float | None = None  # when the worker began the item
    done: int = 0  # tasks it has answered


class LocalPool(Executor):
    """A pool of worker processes in which one task's death is that task's alone.

    ``time_budget`` (seconds, None for none) bounds each task's run in a worker.
    ``preload`` names modules the forkserver imports once for every worker.
    ``max_tasks`` (None for no limit) retires a worker once it has answered that many tasks,
    and a fresh one takes its place when there is work: a long run's workers then hold what
    their first tasks left them (caches, a fragmented heap), not what thousands did."""

    def __init__(self, workers: int, *, time_budget: float | None = None,
                 preload: Iterable[str] = (), context: str = "forkserver", max_tasks: int | None = None) -> None:
        self._ctx = cast("ForkServerContext | SpawnContext | ForkContext", mp.get_context(context))
        if isinstance(self._ctx, ForkServerContext) and preload:
            self._ctx.set_forkserver_preload(list(preload))
        self._size = max(1, workers)
        self._budget = time_budget
        self._pending: deque[_Item] = deque()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        self._closing = False
        self._cancel_running = False
        self.replaced = 0  # workers started to replace dead or stopped ones
        self.retired = 0  # workers stopped after ``max_tasks``
        self._max_tasks = max_tasks
        self._start_failures = 0  # workers that died before any worker began a task
        self._begun = False
        self._thread = threading.Thread(target=self._manage, name="declass-pool", daemon=True)
        self._thread.start()

    # -- the Executor interface

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        future: Future[R] = Future()
        with self._lock:
            if self._closing:
                raise RuntimeError("cannot submit to a pool that is shut down")
            self._pending.append(_Item(future, fn, args, kwargs))
        self._wake()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the pool.  With ``cancel_futures`` queued tasks are cancelled and
        running ones stopped at once (their workers killed); otherwise they finish."""
        with self._lock:
            self._closing = True
            if cancel_futures:
                self._cancel_running = True
                while self._pending:
                    self._pending.popleft().future.cancel()
        self._wake()
        if wait or cancel_futures:
            self._thread.join()

    @property
    def pids(self) -> list[int]:
        """The worker processes alive now (for tests and fault injection)."""
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.is_alive()]

    def busy_pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers if w.item is not None]

    # -- the manager thread

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _spawn(self) -> _Worker:
        ours, theirs = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(theirs, os.getpid()), daemon=True,
                                 name="declass-worker")
        with _main_withheld():
            proc.start()
        theirs.close()
        return _Worker(proc, ours)

    def _manage(self) -> None:
        try:
            self._loop()
        finally:
            for w in self._workers:
                self._stop(w)
            self._workers.clear()
            for fd in (self._wake_r, self._wake_w):
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _loop(self) -> None:
        while True:
            with self._lock:
                closing, cancel = self._closing, self._cancel_running
                if cancel:  # stop now: busy workers are killed, their tasks failed
                    for w in self._workers:
                        if w.item is not None:
                            w.process.kill()
                            w.item.future.set_exception(RuntimeError("the run was stopped"))
                            w.item = None
                    return
                idle = [w for w in self._workers if w.item is None]
                while self._pending and (idle or len(self._workers) < self._size):
                    if not idle:
                        self._workers.append(self._spawn())
                        idle.append(self._workers[-1])
                    item = self._pending.popleft()
                    if not item.future.set_running_or_notify_cancel():
                        continue
                    worker = idle.pop()
                    self._send(worker, item)
                if closing and not self._pending and all(w.item is None for w in self._workers):
                    return
            self._wait_once()

    def _send(self, worker: _Worker, item: _Item) -> None:
        try:
            worker.conn.send((item.fn, item.args, item.kwargs))
        except (OSError, EOFError):  # the worker is already dead: the sentinel will say so
            worker.item = item
            return
        except Exception as exc:  # the task cannot be pickled
            item.future.set_exception(exc)
            return
        worker.item = item

    def _wait_once(self) -> None:
        timeout = None
        now = time.monotonic()
        if self._budget is not None:
            ends = [w.started + self._budget - now for w in self._workers if w.started is not None]
            timeout = max(0.0, min(ends)) if ends else None
        objs: list[Any] = [self._wake_r]
        for w in self._workers:
            objs.append(w.process.sentinel)
            if w.item is not None:
                objs.append(w.conn)
        ready = wait_ready(objs, timeout)
        if self._wake_r in ready:
            with contextlib.suppress(OSError):
                os.read(self._wake_r, 4096)
        with self._lock:
            for w in list(self._workers):
                if w.item is not None and w.conn in ready:
                    try:
                        kind, value = w.conn.recv()
                    except (EOFError, OSError):
                        self._lost(w)
                        continue
                    if kind == "started":
                        w.started = time.monotonic()
                        self._begun = True
                        continue
                    item, w.item, w.started = w.item, None, None
                    w.done += 1
                    if self._max_tasks is not None and w.done >= self._max_tasks:
                        self._stop(w)  # idle now: told to stop, it exits at once
                        self._workers.remove(w)
                        self.retired += 1
                    if kind == "ok":
                        item.future.set_result(value)
                    else:
                        item.future.set_exception(value)
                elif w.process.sentinel in ready:
                    self._lost(w)
                elif (w.started is not None and self._budget is not None
                      and time.monotonic() - w.started >= self._budget):
                    late, w.item = w.item, None
                    w.process.kill()  # busy: it would not read a request to stop
                    self._stop(w)
                    self._workers.remove(w)
                    if late is not None:
                        late.future.set_exception(TaskTimeout(self._budget))
                    self.replaced += 1

    def _lost(self, w: _Worker) -> None:
        """``w`` died: fail what it held; a new worker is started when there is work."""
        self._stop(w)
        self._workers.remove(w)
        self.replaced += 1
        if w.item is not None:
            lost: Exception = WorkerLost(w.process.pid, w.process.exitcode)
            if w.started is None and not self._begun:  # no worker has ever begun a task
                self._start_failures += 1
                if self._start_failures >= START_FAILURES:
                    lost = PoolFailed(f"{self._start_failures} worker processes died before any began a task "
                                      f"(the last: {lost})")
            w.item.future.set_exception(lost)
            w.item = None

    @staticmethod
    def _stop(w: _Worker) -> None:
        if w.process.is_alive() and w.item is None:
            with contextlib.suppress(OSError, ValueError):
                w.conn.send(None)
            w.process.join(1.0)
        if w.process.is_alive():
            w.process.kill()
        w.process.join(5.0)
        with contextlib.suppress(OSError):
            w.conn.close()


# -- the tolerant map --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Done(Generic[T, R]):
    """A task and its result, or the exception that ended it."""

    task: T
    result: R | None = None
    error: BaseException | None = None
    retried: bool = False


def run_tolerant(make: Callable[[], Executor], fn: Callable[..., R], tasks: Iterable[T], *,
                 args: tuple[Any, ...] = (), limit: int = 8,
                 split: Callable[[T], list[T]] | None = None,
                 tick: float | None = None) -> Iterator[list[Done[T, R]]]:
    """``fn(task, *args)`` for every task, at most ``limit`` in flight, yielding
    what finished in batches.  A task whose worker was lost is retried once,
    alone; a broken executor is replaced by ``make()``.  Tasks are read lazily
    and the executor is shut down however the caller stops (even by an exception).

    ``split`` cuts a lost task that bundles several (a chunk of documents) into the
    pieces retried one by one, so that one bad piece fails only itself.  With ``tick``
    (seconds) an empty batch is yielded when nothing finished for that long, so a caller
    that holds results back can still act on time."""
    executor = make()
    pending = iter(tasks)
    inflight: dict[Future[R], tuple[T, bool]] = {}
    suspects: deque[T] = deque()  # tasks whose worker was lost: each retried alone
    exhausted = False

    def suspect(task: T) -> None:
        suspects.extend((split(task) if split is not None else None) or [task])

    try:
        while True:
            if suspects:
                if not inflight:  # a suspect runs with nothing beside it
                    task = suspects.popleft()
                    inflight[executor.submit(fn, task, *args)] = (task, True)
            else:
                while not exhausted and len(inflight) < limit:
                    nxt = next(pending, None)
                    if nxt is None:
                        exhausted = True
                        break
                    inflight[executor.submit(fn, nxt, *args)] = (nxt, False)
            if not inflight:
                if suspects:
                    continue
                return
            finished, _ = wait(list(inflight), timeout=tick, return_when=FIRST_COMPLETED)
            if not finished:
                yield []
                continue
            batch: list[Done[T, R]] = []
            broken = False
            for fut in finished:
                task, retried = inflight.pop(fut)
                try:
                    batch.append(Done(task, fut.result(), retried=retried))
                except BaseException as exc:
                    if isinstance(exc, (KeyboardInterrupt, SystemExit, PoolFailed)):
                        raise
                    broken = broken or isinstance(exc, BrokenExecutor)
                    if is_lost(exc) and not retried:
                        suspect(task)
                    else:
                        batch.append(Done(task, error=exc, retried=retried))
            if broken:  # the whole executor is gone: every task in it is a suspect
                for fut, (task, retried) in list(inflight.items()):
                    if fut.done() and not fut.exception():
                        batch.append(Done(task, fut.result(), retried=retried))
                    elif retried:
                        batch.append(Done(task, error=WorkerLost(0, None), retried=True))
                    else:
                        suspect(task)
                inflight.clear()
                stop(executor)
                executor = make()
            if batch:
                yield batch
    finally:
        stop(executor)


def stop(executor: Executor) -> None:
    """Shut ``executor`` down now, cancelling what it still holds."""
    try:
        executor.shutdown(wait=False, cancel_futures=True)
    except TypeError:  # Dask's ClientExecutor: wait=False cancels
        executor.shutdown(wait=False)
