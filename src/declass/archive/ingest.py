"""Corpus ingest: a streaming map of the pipeline over files, into a store.

Files are discovered lazily (folders walked, globs expanded), parsed in a
pool of worker processes with a bounded number in flight — so memory stays
flat however large the corpus — and written by the parent, one transaction
per document.  A worker first hashes the file and skips content the archive
already holds, so re-running an interrupted ingest redoes only what is
missing.  One bad file is one failed result; the rest go on: a worker
that dies or runs past the time budget fails only the document it held
(`declass.archive.executor`), and a killed parent leaves no worker behind.
"""

from __future__ import annotations

import gc
import glob
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declass.archive.executor import LocalPool, TaskTimeout, is_lost, run_tolerant
from declass.archive.export import to_record
from declass.errors import DeclassError, InputError, StageError, StoreError, UsageError
from declass.limits import DEFAULT_MAX_BYTES, DEFAULT_TIME_BUDGET
from declass.model import Document
from declass.stages.options import DEFAULT_OPTIONS, Options
from declass.stages.read.tei import Slice, iter_slices
from declass.store import Store, open_store
from declass.store.base import Prepared, prepare

if TYPE_CHECKING:
    from declass.stages.pipeline import Stage

DOCUMENT_SUFFIXES = frozenset(
    {".txt", ".text", ".md", ".markdown", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".xml"}
)
TEI_SUFFIXES = frozenset({".xml", ".tei"})
GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class FileResult:
    """What became of one file: ``added``, ``replaced``, ``unchanged`` or ``failed``."""

    path: str
    status: str
    id: str | None = None
    error: str | None = None
    pages: int = 0


@dataclass(slots=True)
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.results if r.status in ("added", "replaced"))


def discover(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named by ``paths``: files as given, folders walked for document
    files (hidden entries skipped), globs expanded; each file once."""
    seen: set[str] = set()
    for raw in paths:
        p = str(raw)
        if any(c in GLOB_CHARS for c in p) and not Path(p).exists():
            matches: Iterable[str] = sorted(glob.iglob(p, recursive=True))
        else:
            matches = [p]
        for m in matches:
            for f in _expand(Path(m)):
                key = os.path.abspath(f)
                if key not in seen:
                    seen.add(key)
                    yield f


def _expand(p: Path) -> Iterator[Path]:
    if not p.is_dir():
        yield p  # files, and missing paths (reported as vanished by the reader)
        return
    for root, dirs, files in os.walk(p):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in DOCUMENT_SUFFIXES:
                yield Path(root) / name


def count_files(paths: Iterable[str | Path]) -> int:
    return sum(1 for _ in discover(paths))


# -- worker side ---------------------------------------------------------------

_worker_store: Store | None = None
_worker_db: str | None = None


def _known(db: str | None, sha: str) -> bool:
    global _worker_store, _worker_db
    if db is None:
        return False
    if _worker_store is None or _worker_db != db:
        try:
            _worker_store = open_store(db, readonly=True)
            _worker_db = db
        except StoreError:
            return False
    try:
        return _worker_store.has_sha(sha)
    except StoreError:
        return False


Outcome = tuple[FileResult, Prepared | None]


def _guarded(name: str, work: Callable[[], Outcome]) -> Outcome:
    """Run one document's work; any failure is that document's result, never the run's."""
    try:
        return work()
    except DeclassError as exc:
        if exc.path is None:
            exc.path = name
        return FileResult(name, "failed", error=exc.message), None
    except Exception as exc:  # a bug must not stop the corpus run
        msg = DeclassError("E201", f"{type(exc).__name__}: {exc}", path=name).message
        return FileResult(name, "failed", error=msg), None


@lru_cache(maxsize=8)
def _worker_stages(options: Options) -> tuple[Stage, ...]:
    """The pipeline in a worker, its gazetteer and tables then moved out of the garbage collector's full
    scans: they live as long as the worker, and the scans would walk them again every few dozen documents
    (0.75 -> 0.45 CPU-s of 300 documents).  Done here, in the worker, not in the pipeline a library caller
    may load, whose heap it would freeze too (forkserver workers have it done by `preload` already).
    Imported here: the parent that hands out the work never loads the stages."""
    from declass.stages.pipeline import stages_for

    stages = stages_for(options)
    gc.freeze()
    return stages


def process_file(
    path: str, db: str | None, max_bytes: int, ocr: bool, options: Options = DEFAULT_OPTIONS
) -> Outcome:
    """Read, hash, parse and serialise one file: ``(result, prepared or None)``.  Never raises."""

    def work() -> Outcome:
        from declass.stages.read.reader import load_bytes, read_bytes  # workers' alone: PDF and OCR libraries

        data = load_bytes(path, max_bytes)
        if _known(db, hashlib.sha256(data).hexdigest()):
            return FileResult(path, "unchanged"), None
        doc = read_bytes(data, name=path, max_bytes=max_bytes, ocr=ocr)
        del data
        return serialise(path, parse_read(doc, _worker_stages(options)), db)

    return _guarded(path, work)


RELEASED = {"structure": ("lines", "chunks")}
"""`Document` fields that no stage after the named one reads, nor the stored record: a worker lets
them go there (the source's lines and the body's chunks, a copy of its text with their maps, were
a fifth of a long document's memory while entities and judgments ran)."""


def parse_read(doc: Document, stages: tuple[Stage, ...]) -> Document:
    """`run_stages` over a document as read, the fields in `RELEASED` let go after their last reader."""
    from declass.stages.pipeline import run_stages

    done = 0
    for i, st in enumerate(stages):
        if st.name in RELEASED:
            doc = run_stages(doc, stages[done:i + 1])
            doc = doc.evolve(**{f: () for f in RELEASED[st.name]})
            done = i + 1
    return run_stages(doc, stages[done:]) if done < len(stages) else doc


def serialise(name: str, doc: Document, db: str | None = None) -> Outcome:
    """``doc`` as stored (in ``db``: a PostgreSQL archive's search words are worked out here too).
    The document is let go once its record is made (the record shares its strings), so its text
    and span objects are not alive beside the JSON and the compressed blob."""
    result = FileResult(name, "parsed", doc.id, pages=len(doc.pages))
    record = to_record(doc)
    del doc
    return result, prepare(record, words=(db or "").startswith(("postgresql://", "postgres://")))


def process_slice(path: str, piece: Slice, db: str | None, options: Options = DEFAULT_OPTIONS) -> Outcome:
    """Parse one document of a TEI file (a FRUS `div`): ``(result, prepared or None)``.  Never raises."""
    name = f"{path}#{piece.xml_id}"

    def work() -> Outcome:
        from declass.stages.frus import parse_tei  # the TEI reader imports the pipeline

        if _known(db, hashlib.sha256(piece.xml).hexdigest()):
            return FileResult(name, "unchanged"), None
        return serialise(name, next(parse_tei(piece, path, options)), db)

    return _guarded(name, work)


Task = tuple[str, Slice | None]
"""A file to read, or one document (slice) of a TEI file."""


def tasks(paths: Iterable[str | Path], max_bytes: int) -> Iterator[Task | FileResult]:
    """The work of an ingest, lazily: files as they are found, TEI files split into their documents
    as they are streamed (a volume is never held whole); a TEI file that cannot be parsed is a failure."""
    import xml.etree.ElementTree as ET

    paths = [str(p) for p in paths]
    named = {os.path.abspath(p) for p in paths}
    for f in discover(paths):
        path = str(f)
        if os.path.abspath(path) in named and not os.path.lexists(path):  # a mistyped name, not a vanished file
            yield FileResult(path, "failed", error=UsageError("E405", path=path).message)
            continue
        if f.suffix.lower() not in TEI_SUFFIXES:
            yield path, None
            continue
        try:
            if not f.is_file():
                raise InputError("E105" if not f.exists() else "E106", path=path)
            if f.stat().st_size > max_bytes:
                raise InputError("E103", f"{f.stat().st_size / 2**20:.0f} MiB > {max_bytes / 2**20:.0f} MiB limit",
                                 path=path)
            found = False
            for piece in iter_slices(path):
                found = True
                yield path, piece
            if not found:
                raise InputError("E110", "no <div type=\"document\"> in it", path=path)
        except ET.ParseError as exc:
            yield FileResult(path, "failed", error=InputError("E110", str(exc), path=path).message)
        except DeclassError as exc:
            yield FileResult(path, "failed", error=exc.message)
        except OSError as exc:
            yield FileResult(path, "failed", error=InputError("E109", exc.strerror or str(exc), path=path).message)


def run_task(task: Task, db: str | None, max_bytes: int, ocr: bool, options: Options = DEFAULT_OPTIONS
             ) -> tuple[FileResult, Prepared | None]:
    path, piece = task
    return process_slice(path, piece, db, options) if piece is not None else process_file(
        path, db, max_bytes, ocr, options)


Chunk = tuple[Task, ...]
"""Documents sent to a worker as one task."""

CHUNK_DOCS = 32
CHUNK_BYTES = 1 << 20
"""A Dask task costs its scheduler and client some milliseconds, about what a short
document costs to parse: short documents go to a Dask worker in runs of up to
`CHUNK_DOCS`, a file of `CHUNK_BYTES` or more alone (a scan's OCR needs no company).
On 2k generated pages runs of 32 rather than 8 took the parent's event loop from
0.9 to 0.5 CPU-s; a run is about a second of a worker's time, so the last runs
still end close together."""


def run_chunk(chunk: Chunk, db: str | None, max_bytes: int, ocr: bool, options: Options = DEFAULT_OPTIONS
              ) -> list[Outcome]:
    """`run_task` for each document of ``chunk``, in one worker."""
    return [run_task(t, db, max_bytes, ocr, options) for t in chunk]


def chunks(work: Iterable[Task], docs: int, size: int) -> Iterator[Chunk]:
    """``work`` in runs of at most ``docs`` documents and under ``size`` bytes of input
    (a file as large goes alone), read lazily."""
    run: list[Task] = []
    total = 0
    for task in work:
        n = _input_bytes(task)
        if run and (len(run) >= docs or total + n > size):
            yield tuple(run)
            run, total = [], 0
        run.append(task)
        total += n
    if run:
        yield tuple(run)


def _input_bytes(task: Task) -> int:
    path, piece = task
    if piece is not None:
        return len(piece.xml)
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # the worker reports what became of it


def _singles(chunk: Chunk) -> list[Chunk]:
    return [(t,) for t in chunk]


# -- parent side ----------------------------------------------------------------


def _store_batch(store: Store, batch: list[tuple[FileResult, Prepared | None]]) -> list[FileResult]:
    """Write the parsed documents of ``batch`` in one transaction."""
    ready = [(res, prep) for res, prep in batch if prep is not None]
    puts = iter(store.put_many([p for _, p in ready]) if ready else [])
    out: list[FileResult] = []
    for res, prep in batch:
        if prep is None:
            out.append(res)
            continue
        put = next(puts)
        pages = res.pages if put.status != "unchanged" else 0
        out.append(FileResult(res.path, put.status, put.id, pages=pages))
    return out


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    *,
    db: str | None = None,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    ocr: bool = True,
    options: Options = DEFAULT_OPTIONS,
    on_result: Callable[[FileResult], None] | None = None,
    dask_address: str | None = None,
    time_budget: float | None = DEFAULT_TIME_BUDGET,
) -> IngestReport:
    """Ingest every file under ``paths`` into ``store``.

    ``db`` lets workers skip content already stored; ``workers`` defaults
    to the number of cores, in worker processes even on one core (an explicit
    1 runs in this process, without the time budget or a crash's isolation).
    ``time_budget`` is the most seconds one document may take in a local
    worker (None: no limit).
    """
    report = IngestReport()
    in_process = workers == 1
    workers = workers or os.cpu_count() or 1
    work = tasks(paths, max_bytes)

    def done(batch: list[tuple[FileResult, Prepared | None]]) -> None:
        for final in _store_batch(store, batch):
            report.results.append(final)
            if on_result:
                on_result(final)

    def runnable() -> Iterator[Task]:
        for t in work:
            if isinstance(t, FileResult):
                done([(t, None)])  # a TEI file that could not be split: failed, the rest go on
            else:
                yield t

    if in_process and not dask_address:
        for t in runnable():
            done([run_task(t, db, max_bytes, ocr, options)])
        return report

    args = (db, max_bytes, ocr, options)
    with store.index_deferred():  # the search index catches up once, after the workers
        if dask_address:
            client = _dask_client(dask_address)
            try:
                _run_all(lambda: client.get_executor(pure=False), chunks(runnable(), CHUNK_DOCS, CHUNK_BYTES),
                         args, done, limit=max(workers, 2) * 3)
            finally:
                client.close()
            return report
        # one document a task: the time budget and a crash's isolation are each document's own
        _run_all(lambda: LocalPool(workers, time_budget=time_budget, preload=PRELOAD, max_tasks=WORKER_TASKS),
                 ((t,) for t in runnable()), args, done, limit=workers * 4)
    return report


WORKER_TASKS = 500
"""Documents a local worker parses before a fresh one, forked from the forkserver with its shared
tables, takes its place.  A worker's memory creeps with what it has read (bounded caches filling,
a heap fragmented by large documents): 57 MB after 100 documents, 66 after 1,000, 79 after 10,000
of the generated corpus.  A fresh worker costs a fork and its caches refilled: on the 20k-page bench
no difference beyond run-to-run noise (147 pages/s per core retiring, 137 never)."""

PRELOAD = ("declass.archive.preload",)
"""Modules the forkserver imports once, so a new or replacement worker starts at once and shares
the read-only tables it would otherwise build for itself."""


WRITE_DOCS = 128
WRITE_BYTES = 4 << 20
WRITE_SECONDS = 5.0
"""Parsed documents are written in one transaction once `WRITE_DOCS` of them wait, or their stored
records reach `WRITE_BYTES`, or the first has waited `WRITE_SECONDS`: a transaction and the upsert of
the totals cost the writer about as much for one document as for thirty, and the writer's CPU is
taken from the workers' cores (with local workers a batch was one or two documents).  A commit writes
every page the batch dirtied, and the index pages of mentions and totals are dirtied again by the next:
on 10k generated pages (bench/bench_writer.py) the writer took 8.6 CPU-s in batches of 32 documents,
7.7 in batches of 128 (commits 1.5 -> 0.9 s), no less in batches of 256.  A batch stays all or nothing;
128 generated documents hold 13 MB prepared, and `WRITE_BYTES` of records (about 8 times that prepared)
bounds larger ones."""


def _run_all(make: Callable[[], Executor], work: Iterable[Chunk], args: tuple[Any, ...],
             done: Callable[[list[Outcome]], None], *, limit: int) -> None:
    """Every chunk through a fault-tolerant executor: a worker that dies fails at most
    the document it held (its chunk's documents are retried one by one, alone), and
    the run goes on.  Parsed documents are written in batches (`WRITE_DOCS`)."""
    waiting: list[Outcome] = []
    size, since = 0, 0.0
    for batch in run_tolerant(make, run_chunk, work, args=args, limit=limit, split=_singles, tick=WRITE_SECONDS):
        for d in batch:
            if d.error is None and d.result is not None:
                out = d.result
            else:
                out = [(_failure(t, d.error or RuntimeError("no result")), None) for t in d.task]
            if out and not waiting:
                since = time.monotonic()
            waiting += out
            size += sum(len(p.blob) for _, p in out if p is not None)
        if waiting and (len(waiting) >= WRITE_DOCS or size >= WRITE_BYTES
                        or time.monotonic() - since >= WRITE_SECONDS):
            done(sorted(waiting, key=lambda o: o[0].path))
            waiting, size = [], 0
    if waiting:
        done(sorted(waiting, key=lambda o: o[0].path))


def _failure(task: Task, exc: BaseException) -> FileResult:
    """A task that ended outside the pipeline's own error handling, as a failed result."""
    name = _name(task)
    if isinstance(exc, TaskTimeout):
        err: DeclassError = InputError("E111", f"more than {exc.seconds:g} s; it was stopped", path=name)
    elif is_lost(exc):
        err = StageError("E203", f"{exc}; retried alone, it died again", path=name)
    else:
        err = StageError("E201", f"{type(exc).__name__}: {exc}", path=name)
    return FileResult(name, "failed", error=err.message)


def _name(task: Task) -> str:
    path, piece = task
    return f"{path}#{piece.xml_id}" if piece is not None else path


def _dask_client(address: str) -> Any:
    """A client of the Dask scheduler at ``address``.  The workers need declass
    installed and must see the files at the same paths (a shared file system)."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise UsageError("E404", "Dask is not installed: pip install 'declass[dask]'") from exc
    try:
        return Client(address, timeout=10)  # type: ignore[no-untyped-call]  # distributed leaves Client untyped
    except (OSError, TimeoutError) as exc:
        raise UsageError("E404", f"cannot reach the Dask scheduler at {address}: {exc}") from None
