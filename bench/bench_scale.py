"""Archive-scale benchmarks: ingest at several sizes, search latency on
SQLite and PostgreSQL, Dask speed-up.  Results go to bench/results/scale.json
and scale.md.

* ingest: for each size, pages/s per core and peak RSS (RSS must stay flat
  as the corpus grows), against a read + one-regex baseline in the same run;
* search: a fixed query mix, p50/p95/p99 of `Archive.search` (ranked, with
  snippets and citations' columns) against the bare full-text query in the
  same engine (the overhead ratio), on each ingested archive topped up with
  more generated documents to ten blocks a page of its corpus (10k, 100k, 1M
  blocks; a generated page holds about seven); SQLite is measured through its tantivy index and
  through FTS5 alone, PostgreSQL through its tsvector (bounded ranking, `store.pgsearch`);
* Dask: one worker against two on the same corpus (speed-up).

    python bench/bench_scale.py --sizes 1000,10000,100000 [--blocks-per-page 10]
                                [--dask-pages 10000] [--no-postgres]
    python bench/bench_scale.py --search-only postgresql://user@host/archive
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from bench_ingest import baseline, count_pages, ensure_corpus, run_ingest  # noqa: E402

import declass  # noqa: E402
from declass.store import pgsearch  # noqa: E402
from declass.store.query import parse, to_fts5  # noqa: E402

QUERIES = ['"Port Arthur"', "Peiping", '"Sino-Soviet" solidarity', "Dairen", "Manchuria railway", "Kremlin",
           "treaty", "Formosa", '"Korean war"', "advisors", "Moscow leadership", "industrialization",
           "industr*", "Dairen OR Formosa", "Soviet -Manchuria", "(Korea OR Korean) AND armistice"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def latencies(fn: Callable[[str], object], repeats: int = 20) -> dict[str, float]:
    out = []
    for _ in range(repeats):
        for q in QUERIES:
            t = time.perf_counter()
            fn(q)
            out.append(1000 * (time.perf_counter() - t))
    return {"p50_ms": pct(out, 0.5), "p95_ms": pct(out, 0.95), "p99_ms": pct(out, 0.99),
            "mean_ms": statistics.fmean(out)}


def bare(store: Any, engine: str) -> Callable[[str], object]:
    """The engine's own full-text query for the top 20, nothing else: the floor for search."""
    if engine == "postgresql":
        def pg(q: str) -> object:  # the same bounded ranking as the store's search
            plan = pgsearch.plan(parse(q))
            assert plan is not None
            return store.db.execute(
                "SELECT rowid FROM (SELECT rowid, tsv FROM blocks WHERE tsv @@ %s::tsquery LIMIT %s) c,"
                f" (SELECT %s::tsquery AS r) tq ORDER BY ts_rank(tsv, r, {pgsearch.RANK_NORMALIZATION}) DESC LIMIT 20",
                [plan.tsquery, pgsearch.RANK_CANDIDATES, plan.rank]).fetchall()
        return pg
    if engine == "tantivy":
        def tv(q: str) -> object:
            index = store.index.usable()
            return store.index.search(index, parse(q), limit=20, doc_id=None)
        return tv

    def lite(q: str) -> object:
        return store.db.execute("SELECT rowid FROM blocks_fts WHERE blocks_fts MATCH ? ORDER BY rank LIMIT 20",
                                (to_fts5(parse(q)),)).fetchall()
    return lite


def search_bench(db: str, engine: str) -> dict[str, object]:
    """Latency of `Archive.search` (ranked hits with snippets and citation columns)
    against the bare engine query; ``engine`` is postgresql, tantivy or fts5."""
    with declass.Archive(db, readonly=True) as a:
        docs, blocks = a.store.count()
        if engine == "tantivy":
            assert a.store.search_engine() == "tantivy", "the search index is not current"  # type: ignore[attr-defined]
            full = latencies(lambda q: a.search(q, limit=20))
        elif engine == "fts5":
            full = latencies(lambda q: a.store.search(q, limit=20, engine="fts5"))  # type: ignore[call-arg]
        else:
            full = latencies(lambda q: a.search(q, limit=20))
        floor = latencies(bare(a.store, engine))
    return {"engine": engine, "blocks": blocks, "documents": docs, "search": full, "bare": floor,
            "overhead_p95": full["p95_ms"] / max(floor["p95_ms"], 1e-6)}


def report_search(s: dict[str, Any]) -> None:
    q = s["search"]
    print(f"  search {s['engine']}, {s['blocks']:,} blocks: p50 {q['p50_ms']:.1f} ms, p95 {q['p95_ms']:.1f} ms, "
          f"p99 {q['p99_ms']:.1f} ms; bare p95 {s['bare']['p95_ms']:.1f} ms (overhead x{s['overhead_p95']:.1f})",
          flush=True)


def sqlite_searches(db: Path) -> list[dict[str, Any]]:
    out = [search_bench(str(db), "tantivy"), search_bench(str(db), "fts5")]
    for s in out:
        report_search(s)
    return out


def search_only(db: str) -> None:
    """Search latency on an archive built elsewhere (e.g. a PostgreSQL archive at a
    million blocks), with the machine's load average beside it."""
    engines = ["postgresql"] if db.startswith("postgresql://") else ["tantivy", "fts5"]
    result: dict[str, Any] = {"archive": db.split("@")[-1], "load_average_1m": os.getloadavg()[0],
                              "search": [search_bench(db, e) for e in engines]}
    for s in result["search"]:
        report_search(s)
    if engines == ["postgresql"]:
        result["cpu"] = pg_cpu(db)
        print(f"  CPU per search (server and client): p50 {result['cpu']['p50_ms']:.0f} ms, p95 "
              f"{result['cpu']['p95_ms']:.0f} ms (load average {result['load_average_1m']:.1f})", flush=True)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"search-{engines[0]}.json").write_text(json.dumps(result, indent=2) + "\n")


def pg_cpu(db: str, repeats: int = 20) -> dict[str, float]:
    """CPU seconds per `Archive.search`, the PostgreSQL server's (its backend, read from
    /proc: a server on this machine) and this process's: what a search costs however
    loaded the machine is (the clock ticks every 10 ms: a coarse measure)."""
    tick = os.sysconf("SC_CLK_TCK")
    with declass.Archive(db, readonly=True) as a:
        pid = a.store.db.execute("SELECT pg_backend_pid() AS p").fetchone()["p"]  # type: ignore[attr-defined]

        def cpu() -> float:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick + time.process_time()

        out = []
        for _ in range(repeats):
            for q in QUERIES:
                t = cpu()
                a.search(q, limit=20)
                out.append(1000 * (cpu() - t))
    return {"p50_ms": pct(out, 0.5), "p95_ms": pct(out, 0.95), "p99_ms": pct(out, 0.99)}


BATCH_CLUSTER = {
    "distributed.worker.profile.enabled": False,  # a sampling profiler of every task, every 10 ms
    "distributed.worker.memory.monitor-interval": "1s",  # 100 ms
    "distributed.admin.system-monitor.interval": "5s",  # 500 ms: psutil in every server
    "distributed.admin.tick.interval": "1s",  # 20 ms: each server's check of its own event loop
    "distributed.scheduler.work-stealing": False,  # tasks of about equal size, a worker a core
}
"""The cluster's settings for a batch ingest (README: Dask).  Dask's defaults are for interactive
work: idle, a LocalCluster of two workers took 5.6% of a core in the scheduler's process and 8.3%
in the workers' (their diagnostics: the profiler, the monitors, the ticks); with these, 0.9% and
0.8%.  An ingest's time is mostly the workers', so the idle cost was about a tenth of its CPU."""


def dask_speedup(corpus: Path, rounds: int = 3) -> dict[str, Any]:
    """`dask_round` ``rounds`` times, one worker and two alternated: the figures of the round with the
    median speed-up, and every round's speed-ups.  One round's ratio moved between x1.59 and x1.91 on
    the same code (the one-worker run's CPU seconds alone by 11%), so a single round says little."""
    runs = [dask_round(corpus) for _ in range(rounds)]
    runs.sort(key=lambda r: r["speedup"])
    return {**runs[len(runs) // 2], "rounds": rounds,
            "speedups": sorted(round(r["speedup"], 3) for r in runs),
            "speedups_on_idle_cores": sorted(round(r["speedup_on_idle_cores"], 3) for r in runs)}


def dask_round(corpus: Path) -> dict[str, Any]:
    """Wall time with one Dask worker and with two, and the CPU seconds behind each: the
    workers' and this process's (the ingest's parent: writer, Dask client and, in a
    LocalCluster, the scheduler).  On a machine shared with other work the wall-time ratio
    says little (more processes get a larger share of a busy machine), so the speed-up two
    idle cores would give is also worked out from the CPU seconds: one worker runs beside the
    parent (``max(W1, P1)``), two share the cores with it (``(W2 + P2) / 2``)."""
    import dask
    import psutil
    from distributed import LocalCluster

    def cpu(procs: list[psutil.Process]) -> float:
        total = 0.0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    out: dict[str, Any] = {}
    for n in (1, 2):
        with tempfile.TemporaryDirectory() as tmp, dask.config.set(BATCH_CLUSTER), LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            workers = psutil.Process().children(recursive=True)
            w0, p0, m0 = cpu(workers), time.process_time(), time.thread_time()
            t = time.perf_counter()
            with declass.Archive(Path(tmp) / "d.db") as a:
                report = a.ingest([corpus], dask=cluster.scheduler_address)
            out[f"{n}_worker_s"] = time.perf_counter() - t
            out[f"{n}_worker_parent_cpu_s"] = time.process_time() - p0
            # the ingest (the writer, its batches) runs in this thread; the rest of this process's
            # CPU is Dask's event loop: the client and, in a LocalCluster, the scheduler
            out[f"{n}_worker_writer_cpu_s"] = time.thread_time() - m0
            out[f"{n}_worker_workers_cpu_s"] = cpu(workers) - w0
            assert not report.failed
    out["speedup"] = out["1_worker_s"] / out["2_worker_s"]
    one = max(out["1_worker_workers_cpu_s"], out["1_worker_parent_cpu_s"])
    two = max((out["2_worker_workers_cpu_s"] + out["2_worker_parent_cpu_s"]) / 2, out["2_worker_parent_cpu_s"])
    out["speedup_on_idle_cores"] = one / two
    # the same with the scheduler on a machine of its own, as on a cluster: the parent is the writer
    one = max(out["1_worker_workers_cpu_s"], out["1_worker_writer_cpu_s"])
    two = max((out["2_worker_workers_cpu_s"] + out["2_worker_writer_cpu_s"]) / 2, out["2_worker_writer_cpu_s"])
    out["speedup_on_idle_cores_scheduler_elsewhere"] = one / two
    out["parent_share_of_workers"] = out["2_worker_parent_cpu_s"] / out["2_worker_workers_cpu_s"]
    out["writer_share_of_workers"] = out["2_worker_writer_cpu_s"] / out["2_worker_workers_cpu_s"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--blocks-per-page", type=int, default=10,
                    help="search each archive once it holds this many blocks per page of its corpus (topped up)")
    ap.add_argument("--dask-pages", type=int, default=10000)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--parts", default="ingest,search,dask",
                    help="which measurements to run (comma-separated: ingest, search, dask); the others' figures"
                         " are kept from the last results file")
    ap.add_argument("--search-only", metavar="DB", help="only measure search on this existing archive (a SQLite"
                    " path or a postgresql:// URL); writes bench/results/search-<engine>.json")
    args = ap.parse_args()
    if args.search_only:
        search_only(args.search_only)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    parts = set(args.parts.split(","))
    result: dict[str, Any] = {"ingest": [], "search": [], "top_up": []}
    server = None
    lite: Path | None = None
    pg: str | None = None
    work = Path(tempfile.mkdtemp(prefix="declass-scale-"))
    try:
        if not args.no_postgres and "search" in parts:
            import pgserver

            if pgserver.available():
                server = pgserver.Server()
                pg_root = server.start()
        for pages in sizes if parts & {"ingest", "search"} else []:
            corpus = ensure_corpus(pages, 1952)
            docs, n = count_pages(corpus)
            base = baseline(corpus)
            lite = work / f"s{pages}.db"
            load = os.getloadavg()[0]
            ing = run_ingest(corpus, 2, keep=lite)
            row = {"size": pages, "pages": n, "documents": docs, "pages_per_s": n / ing["seconds"],
                   "pages_per_s_per_core": n / ing["cpu_seconds"], "peak_rss_mb": ing["peak_rss_mb"],
                   "peak_anon_mb": ing["peak_anon_mb"], "peak_largest_process_mb": ing["peak_rss_single_mb"],
                   "peak_pss_mb": ing["peak_pss_mb"],
                   "baseline_pages_per_s": n / base, "ratio": (n / ing["seconds"]) / (n / base),
                   "load_average_1m": [load, os.getloadavg()[0]]}
            result["ingest"].append(row)
            print(f"ingest {n:>7} pages: {row['pages_per_s']:,.0f} pages/s ({row['pages_per_s_per_core']:,.0f} per "
                  f"core), peak RSS {row['peak_rss_mb']:.0f} MB ({row['peak_anon_mb']:.0f} MB not file-backed, "
                  f"{row['peak_pss_mb']:.0f} MB proportional set), "
                  f"vs baseline x{row['ratio']:.3f}", flush=True)
            if "search" not in parts:
                continue
            if server is not None:
                pg = pgserver.fresh_database(pg_root, f"scale_{pages}")
                with declass.Archive(pg) as a:
                    a.ingest([corpus])
            extra = top_up(lite, pg, args.blocks_per_page * pages)
            if extra:
                result["top_up"].append(extra)
            result["search"] += sqlite_searches(lite)
            if pg is not None:
                result["search"].append(search_bench(pg, "postgresql"))
                report_search(result["search"][-1])
        if args.dask_pages and "dask" in parts:
            load = os.getloadavg()[0]
            d = dask_speedup(ensure_corpus(args.dask_pages, 1952))
            result["dask"] = {"pages": count_pages(ensure_corpus(args.dask_pages, 1952))[1], **d,
                              "cluster_config": BATCH_CLUSTER,
                              "load_average_1m": [load, os.getloadavg()[0]]}
            print(f"dask ({result['dask']['pages']:,} pages, the median of {d['rounds']} rounds: speed-ups "
                  f"{', '.join(f'x{x:.2f}' for x in d['speedups'])}): 1 worker {d['1_worker_s']:.1f} s, 2 workers "
                  f"{d['2_worker_s']:.1f} s, speed-up x{d['speedup']:.2f} (x{d['speedup_on_idle_cores']:.2f} on two"
                  f" idle cores, from the CPU seconds: parent {d['2_worker_parent_cpu_s']:.1f} s, of it the writer"
                  f" {d['2_worker_writer_cpu_s']:.1f} s and Dask's client and scheduler the rest; workers"
                  f" {d['2_worker_workers_cpu_s']:.1f} s)", flush=True)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    write_results(merged(result, parts))


def merged(result: dict[str, Any], parts: set[str]) -> dict[str, Any]:
    """``result`` over the last results file: the parts not run keep their figures, and
    ingest rows of sizes not run now are kept."""
    last_file = HERE / "results" / "scale.json"
    if not last_file.exists():
        return result
    last = json.loads(last_file.read_text())

    def size(row: dict[str, Any]) -> int:
        return int(row.get("size") or 10 ** round(math.log10(row["pages"])))

    now = {size(r) for r in result["ingest"]}
    result["ingest"] = sorted([r for r in last.get("ingest", []) if size(r) not in now] + result["ingest"], key=size)
    if "search" not in parts:
        result["search"], result["top_up"] = last.get("search", []), last.get("top_up", [])
    if "dask" not in result and "dask" in last:
        result["dask"] = last["dask"]
    return result


def top_up(lite: Path, pg: str | None, target: int) -> dict[str, Any] | None:
    """Ingest more generated documents (another seed) into the archives until
    they hold ``target`` blocks: the searches are measured at 10k, 100k and 1M
    blocks although a generated page holds fewer than ten."""
    with declass.Archive(lite, readonly=True) as a:
        blocks = a.store.count()[1]
        pages = sum(d.pages or 0 for d in a.documents())
    if blocks >= target:
        return None
    extra = ensure_corpus(int((target - blocks) / (blocks / pages) * 1.03) + 1, 1953)
    t = time.perf_counter()
    for db in (str(lite), pg):
        if db is not None:
            with declass.Archive(db) as a:
                assert not a.ingest([extra], workers=2).failed
    with declass.Archive(lite, readonly=True) as a:
        after = a.store.count()[1]
    print(f"  topped up with {count_pages(extra)[1]:,} more pages: {blocks:,} -> {after:,} blocks", flush=True)
    return {"pages": count_pages(extra)[1], "blocks_before": blocks, "blocks": after,
            "seconds": time.perf_counter() - t}


def write_results(result: dict[str, Any]) -> None:
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "scale.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = ["| pages | pages/s | per core | peak RSS MB | of it not file-backed | peak PSS MB | vs baseline | load |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['pages']} | {r['pages_per_s']:.0f} | {r['pages_per_s_per_core']:.0f} | {r['peak_rss_mb']:.0f} "
              f"| {r.get('peak_anon_mb', float('nan')):.0f} | {r.get('peak_pss_mb', float('nan')):.0f} "
              f"| {r['ratio']:.3f} | {r.get('load_average_1m', [float('nan')])[0]:.1f} |" for r in result["ingest"]]
    lines += ["", "| engine | blocks | p50 ms | p95 ms | p99 ms | bare p95 ms | overhead |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {s['engine']} | {s['blocks']} | {s['search']['p50_ms']:.1f} | {s['search']['p95_ms']:.1f} | "
              f"{s['search']['p99_ms']:.1f} | {s['bare']['p95_ms']:.1f} | x{s['overhead_p95']:.1f} |"
              for s in result["search"]]
    if result["top_up"]:
        lines += ["", "Each archive was topped up with more generated pages (another seed) before its searches: "
                      + "; ".join(f"{t['blocks_before']} -> {t['blocks']} blocks (+{t['pages']} pages)"
                                  for t in result["top_up"]) + "."]
    if "dask" in result:
        d = result["dask"]
        rounds = (f", the median of {d['rounds']} rounds (speed-ups {', '.join(f'x{x:.2f}' for x in d['speedups'])})"
                  if "speedups" in d else "")
        lines += ["", f"Dask ({d['pages']} pages{rounds}): 1 worker {d['1_worker_s']:.1f} s, 2 workers"
                      f" {d['2_worker_s']:.1f} s, speed-up x{d['speedup']:.2f}"
                      + (f"; on two idle cores x{d['speedup_on_idle_cores']:.2f} (from CPU seconds; load average"
                         f" {d['load_average_1m'][0]:.1f})" if "speedup_on_idle_cores" in d else "")
                  + (f"; parent CPU {d['2_worker_parent_cpu_s']:.1f} s ({100 * d['parent_share_of_workers']:.0f}% of"
                     f" the workers'), of it the writer {d['2_worker_writer_cpu_s']:.1f} s"
                     f" ({100 * d['writer_share_of_workers']:.0f}%)" if "writer_share_of_workers" in d else "")]
    (HERE / "results" / "scale.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
