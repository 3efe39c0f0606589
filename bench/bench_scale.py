"""Archive-scale benchmarks: ingest at several sizes, search latency on
SQLite and PostgreSQL, Dask speed-up.  Results go to bench/results/scale.json
and scale.md.

* ingest: for each size, pages/s per core and peak RSS (RSS must stay flat
  as the corpus grows), against a read + one-regex baseline in the same run;
* search: a fixed query mix, p50/p95/p99 of `Archive.search` (ranked, with
  snippets and citations' columns) against the bare full-text query in the
  same engine (the overhead ratio);
* Dask: one worker against two on the same corpus (speed-up).

    python bench/bench_scale.py --sizes 1000,10000,100000 [--dask-pages 10000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from bench_ingest import baseline, count_pages, ensure_corpus, run_ingest  # noqa: E402

import declass  # noqa: E402

QUERIES = ['"Port Arthur"', "Peiping", '"Sino-Soviet" solidarity', "Dairen", "Manchuria railway", "Kremlin",
           "treaty", "Formosa", '"Korean war"', "advisors", "Moscow leadership", "industrialization"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def latencies(fn, repeats: int = 20) -> dict[str, float]:
    out = []
    for _ in range(repeats):
        for q in QUERIES:
            t = time.perf_counter()
            fn(q)
            out.append(1000 * (time.perf_counter() - t))
    return {"p50_ms": pct(out, 0.5), "p95_ms": pct(out, 0.95), "p99_ms": pct(out, 0.99),
            "mean_ms": statistics.fmean(out)}


def bare(store: object) -> object:
    """The engine's own full-text query, nothing else: the floor for search."""
    if getattr(store, "backend", "") == "postgresql":
        def pg(q: str) -> None:
            store.db.execute("SELECT rowid FROM blocks, websearch_to_tsquery('english', %s) q WHERE tsv @@ q"  # type: ignore[attr-defined]
                             " ORDER BY ts_rank(tsv, q) DESC LIMIT 20", (q,)).fetchall()
        return pg

    def lite(q: str) -> None:
        store.db.execute("SELECT rowid FROM blocks_fts WHERE blocks_fts MATCH ? ORDER BY rank LIMIT 20",  # type: ignore[attr-defined]
                         (q,)).fetchall()
    return lite


def search_bench(db: str) -> dict[str, object]:
    with declass.Archive(db, readonly=True) as a:
        docs, blocks = a.store.count()
        full = latencies(lambda q: a.search(q, limit=20))
        floor = latencies(bare(a.store))
    return {"blocks": blocks, "documents": docs, "search": full, "bare": floor,
            "overhead_p95": full["p95_ms"] / max(floor["p95_ms"], 1e-6)}


def report_search(s: dict[str, Any]) -> None:
    q = s["search"]
    print(f"  search {s['engine']}, {s['blocks']:,} blocks: p50 {q['p50_ms']:.1f} ms, p95 {q['p95_ms']:.1f} ms, "
          f"p99 {q['p99_ms']:.1f} ms; bare p95 {s['bare']['p95_ms']:.1f} ms (overhead x{s['overhead_p95']:.1f})",
          flush=True)


def dask_speedup(corpus: Path) -> dict[str, float]:
    from distributed import LocalCluster

    out: dict[str, float] = {}
    for n in (1, 2):
        with tempfile.TemporaryDirectory() as tmp, LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            t = time.perf_counter()
            with declass.Archive(Path(tmp) / "d.db") as a:
                report = a.ingest([corpus], dask=cluster.scheduler_address)
            out[f"{n}_worker_s"] = time.perf_counter() - t
            assert not report.failed
    out["speedup"] = out["1_worker_s"] / out["2_worker_s"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--dask-pages", type=int, default=10000)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    result: dict[str, object] = {"ingest": [], "search": []}
    server = None
    try:
        if not args.no_postgres:
            import pgserver

            if pgserver.available():
                server = pgserver.Server()
                pg_root = server.start()
        for pages in sizes:
            corpus = ensure_corpus(pages, 1952)
            docs, n = count_pages(corpus)
            base = baseline(corpus)
            ing = run_ingest(corpus, 2)
            row = {"pages": n, "documents": docs, "pages_per_s": n / ing["seconds"],
                   "pages_per_s_per_core": n / ing["cpu_seconds"], "peak_rss_mb": ing["peak_rss_mb"],
                   "baseline_pages_per_s": n / base, "ratio": (n / ing["seconds"]) / (n / base)}
            result["ingest"].append(row)  # type: ignore[union-attr]
            print(f"ingest {n:>7} pages: {row['pages_per_s']:,.0f} pages/s ({row['pages_per_s_per_core']:,.0f} per "
                  f"core), peak RSS {row['peak_rss_mb']:.0f} MB, vs baseline x{row['ratio']:.3f}", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                lite = str(Path(tmp) / "s.db")
                with declass.Archive(lite) as a:
                    a.ingest([corpus])
                s = {"engine": "sqlite", **search_bench(lite)}
                result["search"].append(s)  # type: ignore[union-attr]
                report_search(s)
            if server is not None:
                url = pgserver.fresh_database(pg_root, f"scale_{pages}")
                with declass.Archive(url) as a:
                    a.ingest([corpus])
                s = {"engine": "postgresql", **search_bench(url)}
                result["search"].append(s)  # type: ignore[union-attr]
                report_search(s)
        if args.dask_pages:
            d = dask_speedup(ensure_corpus(args.dask_pages, 1952))
            result["dask"] = d
            print(f"dask: 1 worker {d['1_worker_s']:.1f} s, 2 workers {d['2_worker_s']:.1f} s, "
                  f"speed-up x{d['speedup']:.2f}", flush=True)
    finally:
        if server is not None:
            server.stop()
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "scale.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = ["| pages | pages/s | per core | peak RSS MB | vs baseline |", "|---|---|---|---|---|"]
    lines += [f"| {r['pages']} | {r['pages_per_s']:.0f} | {r['pages_per_s_per_core']:.0f} | {r['peak_rss_mb']:.0f} "
              f"| {r['ratio']:.3f} |" for r in result["ingest"]]  # type: ignore[union-attr]
    lines += ["", "| engine | blocks | p50 ms | p95 ms | p99 ms | bare p95 ms |", "|---|---|---|---|---|---|"]
    lines += [f"| {s['engine']} | {s['blocks']} | {s['search']['p50_ms']:.1f} | {s['search']['p95_ms']:.1f} | "
              f"{s['search']['p99_ms']:.1f} | {s['bare']['p95_ms']:.1f} |" for s in result["search"]]  # type: ignore[union-attr]
    (HERE / "results" / "scale.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
