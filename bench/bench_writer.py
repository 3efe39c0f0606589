"""The store writer alone: seconds per 1,000 pages spent in ``put_many``.

Parsing is not timed: the generated corpus is parsed once into export
records (cached as gzipped JSON lines beside the corpus), and each run
prepares a batch (untimed, as the ingest workers do) and times only the
store writing it, one transaction per batch, into a fresh archive.

    python bench/bench_writer.py [--pages 10000] [--batch 32] [--backend sqlite|postgresql URL]
"""

from __future__ import annotations

import argparse
import gzip
import inspect
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_ingest import count_pages, ensure_corpus

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


def run(target: str, cache: Path, size: int) -> dict[str, float]:
    store = open_store(target)
    # a PostgreSQL archive's blocks get their search words in the workers, as ingest asks for them
    words = store.backend == "postgresql" and "words" in inspect.signature(prepare).parameters
    writing = 0.0
    docs = 0
    try:
        for batch in batches(cache, size):
            prepared = [prepare(r, words=True) if words else prepare(r) for r in batch]
            t = time.perf_counter()
            store.put_many(prepared)
            writing += time.perf_counter() - t
            docs += len(prepared)
    finally:
        t = time.perf_counter()
        store.close()  # SQLite: the search index catches up here (timed apart)
        closing = time.perf_counter() - t
    return {"documents": docs, "put_many_s": round(writing, 3), "close_s": round(closing, 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1952)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--postgresql", help="a URL of an empty database to write into (else a SQLite file)")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    folder = ensure_corpus(args.pages, args.seed)
    _, pages = count_pages(folder)
    cache = records(folder)
    out = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            target = args.postgresql or str(Path(tmp) / "w.db")
            res = run(target, cache, args.batch)
            if args.postgresql:
                import psycopg

                with psycopg.connect(args.postgresql, autocommit=True) as c:
                    c.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        res["pages"] = pages
        res["s_per_1000_pages"] = round(res["put_many_s"] * 1000 / pages, 3)
        out.append(res)
        print(json.dumps(res), flush=True)
    best = min(out, key=lambda r: r["put_many_s"])
    print(json.dumps({"best": best}))


if __name__ == "__main__":
    main()
