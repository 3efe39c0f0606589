"""The store writer alone: seconds per 1,000 pages spent in ``put_many``.

Parsing is not timed: the generated corpus is parsed once into export
records (cached as gzipped JSON lines beside the corpus), and each run
prepares a batch (untimed, as the ingest workers do) and times only the
store writing it, one transaction per batch (as many documents as ingest
writes at once, `WRITE_DOCS`, unless ``--batch`` says), into a fresh archive.  Both
wall and CPU seconds are reported (CPU: this process's, the search index's
threads included); on a shared machine compare CPU seconds.  ``--split``
adds the CPU seconds by statement (each table's inserts, the commits, the
index's catch-up); ``--profile FILE`` writes a cProfile of the writing.

    python bench/bench_writer.py [--pages 10000] [--batch 128] [--postgresql URL] [--split] [--profile FILE]
"""

from __future__ import annotations

import argparse
import gzip
import inspect
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_ingest import count_pages, ensure_corpus

from declass.archive.ingest import WRITE_DOCS
from declass.store import open_store
from declass.store.base import prepare


def records(folder: Path) -> Path:
    """The corpus's export records, one JSON line each (parsed once, then cached)."""
    cache = folder.with_name(folder.name + ".records.jsonl.gz")
    if cache.exists():
        return cache
    from declass.archive.export import to_record
    from declass.stages.parse import parse

    tmp = cache.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as out:
        for path in sorted(folder.glob("*.txt")):
            out.write(json.dumps(to_record(parse(path)), ensure_ascii=False) + "\n")
    tmp.rename(cache)
    return cache


def batches(cache: Path, size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    with gzip.open(cache, "rt", encoding="utf-8") as f:
        for line in f:
            batch.append(json.loads(line))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


_WORDS = re.compile(r"\s*(INSERT INTO \w+|DELETE FROM \w+|UPDATE \w+|SELECT|BEGIN|COMMIT|ROLLBACK|PRAGMA|\w+)")


class Split:
    """CPU seconds by statement: the connection's calls go through it (SQLite only)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.context = ""

    def add(self, label: str, seconds: float) -> None:
        self.cpu[label] = self.cpu.get(label, 0.0) + seconds

    def timed(self, sql: str, call: Any, *args: Any) -> Any:
        m = _WORDS.match(sql)
        label = self.context + (m.group(1) if m else sql[:20])
        t = time.process_time()
        try:
            return call(sql, *args)
        finally:
            self.add(label, time.process_time() - t)


class _Cursor:
    def __init__(self, cur: Any, split: Split) -> None:
        self._cur, self._split = cur, split

    def executemany(self, sql: str, rows: Any) -> Any:
        return self._split.timed(sql, self._cur.executemany, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)


class _Connection:
    def __init__(self, db: Any, split: Split) -> None:
        self._db, self._split = db, split

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._split.timed(sql, self._db.execute, params)

    def executemany(self, sql: str, rows: Any) -> Any:
        return self._split.timed(sql, self._db.executemany, rows)

    def cursor(self) -> _Cursor:
        return _Cursor(self._db.cursor(), self._split)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def instrument(store: Any, split: Split) -> None:
    """Route a SQLite store's statements through ``split``; its index's catch-up is one more line."""
    store.d.db = _Connection(store.d.db, split)
    sync = store.sync_index

    def timed_sync(**kw: Any) -> int:
        split.context = "index sync: "
        t = time.process_time()
        try:
            return int(sync(**kw))
        finally:
            split.context = ""
            split.add("index sync (all)", time.process_time() - t)

    store.sync_index = timed_sync


def run(target: str, cache: Path, size: int, split: Split | None = None,
        profile: Any = None) -> dict[str, float]:
    store = open_store(target)
    if split is not None:
        instrument(store, split)
    # a PostgreSQL archive's blocks get their search words in the workers, as ingest asks for them
    words = store.backend == "postgresql" and "words" in inspect.signature(prepare).parameters
    server = _server_process(store)
    server_cpu = _cpu(server)
    writing = cpu = 0.0
    docs = 0
    try:
        for batch in batches(cache, size):
            prepared = [prepare(r, words=True) if words else prepare(r) for r in batch]
            t, c = time.perf_counter(), time.process_time()
            if profile is not None:
                profile.enable()
            store.put_many(prepared)
            if profile is not None:
                profile.disable()
            writing += time.perf_counter() - t
            cpu += time.process_time() - c
            docs += len(prepared)
        server_cpu = _cpu(server) - server_cpu  # (before closing ends the backend)
    finally:
        t, c = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        store.close()  # SQLite: the search index catches up here (timed apart)
        if profile is not None:
            profile.disable()
        closing, closing_cpu = time.perf_counter() - t, time.process_time() - c
    out = {"documents": docs, "put_many_s": round(writing, 3), "close_s": round(closing, 3),
           "put_many_cpu_s": round(cpu, 3), "close_cpu_s": round(closing_cpu, 3),
           "writer_cpu_s": round(cpu + closing_cpu, 3)}
    if server is not None:  # PostgreSQL on this machine: its backend's CPU is most of the writing
        out["server_cpu_s"] = round(server_cpu, 3)
    return out


def _server_process(store: Any) -> Any:
    """The PostgreSQL backend serving ``store`` when it runs on this machine (else None)."""
    if store.backend != "postgresql":
        return None
    import psutil

    try:
        return psutil.Process(int(store._rows("SELECT pg_backend_pid() AS pid")[0]["pid"]))
    except psutil.Error:
        return None


def _cpu(process: Any) -> float:
    if process is None:
        return 0.0
    t = process.cpu_times()
    return float(t.user + t.system)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1952)
    ap.add_argument("--batch", type=int, default=WRITE_DOCS)
    ap.add_argument("--postgresql", help="a URL of an empty database to write into (else a SQLite file)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--split", action="store_true", help="CPU seconds by statement (SQLite)")
    ap.add_argument("--profile", help="write a cProfile of the writing (put_many and close) to this file")
    args = ap.parse_args()
    folder = ensure_corpus(args.pages, args.seed)
    _, pages = count_pages(folder)
    cache = records(folder)
    out = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            target = args.postgresql or str(Path(tmp) / "w.db")
            split = Split() if args.split and not args.postgresql else None
            profile = None
            if args.profile:
                import cProfile

                profile = cProfile.Profile()
            res = run(target, cache, args.batch, split, profile)
            if profile is not None:
                profile.dump_stats(args.profile)
            if split is not None:
                total = res["writer_cpu_s"]
                res["split_cpu_s"] = {k: [round(v, 3), f"{v / total:.0%}"]
                                      for k, v in sorted(split.cpu.items(), key=lambda kv: -kv[1]) if v >= 0.01}
            if args.postgresql:
                import psycopg

                with psycopg.connect(args.postgresql, autocommit=True) as c:
                    c.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        res["pages"] = pages
        res["s_per_1000_pages"] = round(res["put_many_s"] * 1000 / pages, 3)
        out.append(res)
        print(json.dumps(res), flush=True)
    best = min(out, key=lambda r: r["writer_cpu_s"])
    print(json.dumps({"best": best}))


if __name__ == "__main__":
    main()
