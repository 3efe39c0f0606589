"""Ingest benchmark: pages/s, cores used and peak memory, against a baseline.

The baseline, measured in the same run on the same files, reads every file
and runs one regular-expression pass over it (the least any ingest must
do).  The figure that matters is the ratio, which does not depend on how
fast this particular machine is.

    python bench/bench_ingest.py [--pages 20000] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from corpus import VERSION, generate

HERE = Path(__file__).parent
WORD = re.compile(r"\w+")


def ensure_corpus(pages: int, seed: int) -> Path:
    folder = HERE / "corpus" / f"p{pages}-s{seed}-v{VERSION}"
    done = folder / ".complete"
    if not done.exists():
        docs, n = generate(folder, pages, seed=seed)
        done.write_text(f"{docs} {n}\n")
    return folder


def count_pages(folder: Path) -> tuple[int, int]:
    docs, pages = (folder / ".complete").read_text().split()
    return int(docs), int(pages)


def baseline(folder: Path, repeats: int = 3) -> float:
    """Seconds to read every file and run one regex pass over it: the best of ``repeats`` passes.
    One pass takes a second or two, so a single one moved with the page cache and the machine's
    load (10,900 to 18,300 pages/s in five runs); the best is the steadiest figure of the machine."""
    best = math.inf
    for _ in range(repeats):
        t = time.perf_counter()
        n = 0
        for p in sorted(folder.glob("*.txt")):
            n += len(WORD.findall(p.read_bytes().decode("utf-8")))
        assert n > 0
        best = min(best, time.perf_counter() - t)
    return best


class PeakRSS:
    """Samples the resident memory of a process and its children."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak_total = 0
        self.peak_single = 0
        self.peak_anon = 0  # without file-backed pages (mmapped index files, shared libraries)
        self.peak_pss = 0  # shared pages divided among their processes: the memory the run really holds
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds last seen (workers are not our children)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            tick += 1
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                rss = []
                anon = []
                pss = []
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        mi = p.memory_info()
                        rss.append(mi.rss)
                        anon.append(mi.rss - mi.shared)
                        if tick % 5 == 0:  # PSS reads smaps: every 250 ms
                            pss.append(p.memory_full_info().pss)
                        t = p.cpu_times()
                        self.cpu[p.pid] = t.user + t.system
                self.peak_pss = max(self.peak_pss, sum(pss))
                self.peak_total = max(self.peak_total, sum(rss))
                self.peak_anon = max(self.peak_anon, sum(anon))
                self.peak_single = max(self.peak_single, max(rss, default=0))
            except psutil.Error:
                pass
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def stage_times(folder: Path, docs: int = 150) -> dict[str, float]:
    """Seconds spent in each pipeline stage over the first ``docs`` files, in this process."""
    from declass.stages.pipeline import stages_for
    from declass.stages.read.reader import read_path

    stages = stages_for()  # loads the gazetteer once, outside the measurement
    times = dict.fromkeys(["read", *(st.name for st in stages)], 0.0)
    files = sorted(folder.glob("*.txt"))[:docs]
    read_path(files[0])
    for f in files:
        t = time.perf_counter()
        doc = read_path(f)
        times["read"] += time.perf_counter() - t
        for st in stages:
            t = time.perf_counter()
            doc = st.run(doc)
            times[st.name] += time.perf_counter() - t
    return times


def run_ingest(folder: Path, workers: int, keep: Path | None = None) -> dict[str, float]:
    """Ingest ``folder`` in a subprocess, measured; ``keep`` names the archive to keep."""
    with tempfile.TemporaryDirectory(prefix="declass-bench-") as tmp:
        db = keep or Path(tmp) / "bench.db"
        cmd = [sys.executable, "-m", "declass", "ingest", "--db", str(db), "-q", "--workers", str(workers),
               str(folder)]
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        with PeakRSS(proc.pid) as mem:
            _, err = proc.communicate()
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            raise SystemExit(f"ingest failed: {err}")
        cpu = sum(mem.cpu.values())  # sampled every 50 ms: a slight undercount
        return {"seconds": wall, "cpu_seconds": cpu, "cores_used": cpu / wall,
                "peak_rss_mb": mem.peak_total / 2**20, "peak_rss_single_mb": mem.peak_single / 2**20,
                "peak_anon_mb": mem.peak_anon / 2**20, "peak_pss_mb": mem.peak_pss / 2**20,
                "db_mb": db.stat().st_size / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1952)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()

    folder = ensure_corpus(args.pages, args.seed)
    docs, pages = count_pages(folder)
    load_before = os.getloadavg()[0]  # other work on the machine: absolute figures depend on it, ratios less
    base = baseline(folder)
    stages = stage_times(folder)
    ing = run_ingest(folder, args.workers)
    result = {
        "machine": {"cpus": os.cpu_count(), "load_average_before": load_before,
                    "load_average_after": os.getloadavg()[0]},
        "corpus": {"documents": docs, "pages": pages, "bytes": sum(p.stat().st_size for p in folder.glob("*.txt"))},
        "baseline": {"seconds": base, "pages_per_s": pages / base},
        "ingest": {**ing, "workers": args.workers, "pages_per_s": pages / ing["seconds"],
                   "pages_per_s_per_core": pages / ing["cpu_seconds"]},
    }
    result["ratio_ingest_to_baseline"] = result["ingest"]["pages_per_s"] / result["baseline"]["pages_per_s"]
    total = sum(stages.values())
    result["stages"] = {k: {"seconds": round(v, 3), "share": round(v / total, 4)} for k, v in stages.items()}
    result["entities_added"] = round(stages["entities"] / (total - stages["entities"]), 4)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(result, indent=2) + "\n")

    i = result["ingest"]
    print(f"corpus: {docs} documents, {pages} pages, {result['corpus']['bytes'] / 2**20:.1f} MiB "
          f"(load average {load_before:.1f} before, {result['machine']['load_average_after']:.1f} after)")
    print(f"baseline (read + one regex pass, 1 process): {result['baseline']['pages_per_s']:,.0f} pages/s")
    print(f"ingest ({args.workers} workers): {i['pages_per_s']:,.0f} pages/s "
          f"({i['pages_per_s_per_core']:,.0f} pages/s per core), {i['seconds']:.1f} s, "
          f"cores used {i['cores_used']:.2f}")
    print(f"ingest / baseline: {result['ratio_ingest_to_baseline']:.4f}")
    print(f"peak RSS: {i['peak_rss_mb']:.0f} MB for the whole process tree, "
          f"{i['peak_rss_single_mb']:.0f} MB the largest process; archive {i['db_mb']:.0f} MB")
    print("time per stage (one process, 150 documents): " + ", ".join(
        f"{k} {100 * v['share']:.0f}%" for k, v in result["stages"].items()))
    print(f"entity matching adds {100 * result['entities_added']:.1f}% to the rest of the pipeline (target <= 30%)")


if __name__ == "__main__":
    main()
