"""Worst-case benchmark: generated pathological documents against an ordinary one.

Each document is parsed in a fresh process exactly as an ingest worker parses
it (read, every stage, the stored record), and measured: seconds per MB and
peak memory per MB (resident memory above the process's own once the
pipeline is loaded).  The reference is an ordinary document of the benchmark
corpus's layouts, long enough (2 MB) that its figures per MB are not
start-up; each pathological document must stay within 3x of its figures.

* ``numbered`` — 100,000 lines "1. word", "2. word", ...;
* ``outline`` — roman sections thousands deep, each with lettered points
  and numbered sub-points (I. A. 1. a.), markers to MMMCCC;
* ``one_line`` — 50 MB of prose with no line break;
* ``markers`` — thousands of 25X1 lines and inline placeholders
  ("[1 line not declassified]") between short paragraphs;
* ``near_limit`` — a 60 MB document of ordinary pages (the reader's limit is 64 MB).

A document that runs past ``--timeout`` seconds is reported as such (a
quadratic step), not waited for.  Results: bench/results/pathological.json.

    python bench/bench_pathological.py [--scale 1.0] [--timeout 900]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from corpus import generate  # noqa: E402

MB = 2**20
LIMIT = 3.0  # each figure per MB within this factor of the ordinary document's

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from declass.archive.export import to_record
from declass.archive.ingest import RELEASED, serialise
from declass.stages.pipeline import stages_for
from declass.stages.read.reader import read_path
from declass.store.base import prepare

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

stages = stages_for()
warm = Path(sys.argv[2])
doc = read_path(warm)
for st in stages:
    doc = st.run(doc)
prepare(to_record(doc))
base = rss_mb()
path = Path(sys.argv[1])
times = {}
t0 = time.perf_counter()
t = t0
doc = read_path(path, max_bytes=int(sys.argv[3]))
times["read"] = time.perf_counter() - t
for st in stages:
    t = time.perf_counter()
    doc = st.run(doc)
    if st.name in RELEASED:  # as a worker does (ingest.parse_read): fields no later stage reads let go
        doc = doc.evolve(**{f: () for f in RELEASED[st.name]})
    times[st.name] = time.perf_counter() - t
t = time.perf_counter()
blocks, pages = len(doc.blocks), len(doc.pages)
held = [doc]
del doc
_, rec = serialise(str(path), held.pop())  # as a worker does: the document let go once its record is made
times["record"] = time.perf_counter() - t
total = time.perf_counter() - t0
# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over an exec, so a child
# started by a large benchmark process would report its parent's peak
peak = next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM:")) / 1024
print(json.dumps({"seconds": total, "stages": times, "base_rss_mb": base, "peak_rss_mb": peak,
                  "blocks": blocks, "pages": pages}))
"""


def words(rng: random.Random, n: int) -> list[str]:
    vocab = ("the Soviet Union and Communist China agreed at Moscow that the treaty of alliance would hold "
             "while Peiping pressed for more economic aid and the Kremlin weighed its commitments").split()
    return [rng.choice(vocab) for _ in range(n)]


def numbered(rng: random.Random, scale: float) -> str:
    n = int(100_000 * scale)
    return "MEMORANDUM\n\n" + "\n".join(f"{i}. {rng.choice(words(rng, 8))}" for i in range(1, n + 1)) + "\n"


def roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out


def outline(rng: random.Random, scale: float) -> str:
    lines = ["BRIEFING NOTES", ""]
    for sec in range(1, int(3300 * scale) + 1):
        lines += [f"{roman(sec)}. {' '.join(words(rng, 6)).capitalize()}:", ""]
        for point in range(rng.randint(1, 4)):
            lines += [f"{'ABCDEFGH'[point]}. {' '.join(words(rng, 12)).capitalize()};", ""]
            for sub in range(1, rng.randint(1, 3) + 1):
                lines += [f"{sub}. {' '.join(words(rng, 10)).capitalize()}.", f"{'abc'[sub - 1]}. "
                          f"{' '.join(words(rng, 8)).capitalize()}.", ""]
    return "\n".join(lines) + "\n"


def one_line(rng: random.Random, scale: float) -> str:
    sentence = " ".join(words(rng, 400)) + ". "
    return sentence * int(50 * MB * scale / len(sentence))


def markers(rng: random.Random, scale: float) -> str:
    out = ["SECRET", "", "MEMORANDUM FOR THE RECORD", ""]
    for i in range(1, int(5000 * scale) + 1):
        w = words(rng, 20)
        w.insert(rng.randint(0, 20), rng.choice(["[1 line not declassified]", "[name not declassified]",
                                                  "(b)(3)", "[text not declassified]"]))
        out += [f"{i}. {' '.join(w).capitalize()}.", "", "25X1", ""]
    return "\n".join(out) + "\n"


def ordinary(folder: Path, target: int) -> str:
    """Documents of the benchmark corpus, one after another, to ``target`` bytes (pages kept apart)."""
    generate(folder, max(20, target // 1500), seed=1952)
    parts: list[str] = []
    size = 0
    for f in sorted(folder.glob("*.txt")):
        if size >= target:
            break
        parts.append(f.read_text("utf-8"))
        size += len(parts[-1].encode("utf-8"))
    return "\f".join(parts)


def measure(path: Path, warm: Path, timeout: float) -> dict[str, object]:
    size = path.stat().st_size
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(path), str(warm), str(max(size + 1, 64 * MB))],
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"mb": size / MB, "timeout": timeout}
    if proc.returncode != 0:
        return {"mb": size / MB, "error": proc.stderr.strip().splitlines()[-1:]}
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    mb = size / MB
    return {"mb": mb, **r, "s_per_mb": r["seconds"] / mb,
            "mem_mb_per_mb": max(r["peak_rss_mb"] - r["base_rss_mb"], 0.0) / mb}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="shrink every document (for a quick run)")
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--only", default="", help="comma-separated case names")
    args = ap.parse_args()
    rng = random.Random(1952)
    cases = {"numbered": numbered, "outline": outline, "one_line": one_line, "markers": markers}
    with tempfile.TemporaryDirectory(prefix="declass-patho-") as tmp:
        work = Path(tmp)
        warm = work / "warm.txt"
        warm.write_text(ordinary(work / "warm", 20_000), "utf-8")
        docs = {"ordinary": ordinary(work / "ord", int(2 * MB * min(1.0, max(args.scale, 0.25))))}
        for name, make in cases.items():
            docs[name] = make(rng, args.scale)
        base = docs["ordinary"]
        docs["near_limit"] = (base * (int(60 * MB * args.scale / len(base)) + 1))[: int(60 * MB * args.scale)]
        only = set(filter(None, args.only.split(",")))
        result: dict[str, object] = {"scale": args.scale, "limit": LIMIT, "cases": {}}
        ref: dict[str, object] | None = None
        for name, text in docs.items():
            if only and name not in only and name != "ordinary":
                continue
            path = work / f"{name}.txt"
            path.write_text(text, "utf-8")
            del text
            load = os.getloadavg()[0]
            r = measure(path, warm, args.timeout)
            r["load_average_1m"] = [load, os.getloadavg()[0]]
            path.unlink()
            if name == "ordinary":
                ref = r
            else:
                compare(r, ref)
            result["cases"][name] = r  # type: ignore[index]
            print(report(name, r), flush=True)
    if args.scale == 1.0:
        out = HERE / "results" / "pathological.json"
        out.parent.mkdir(exist_ok=True)
        if only and out.exists():  # the cases not run keep their last figures, with the ratios to the
            last = json.loads(out.read_text()).get("cases", {})  # reference of their own run (same load)
            kept = {k: {**v, "from_an_earlier_run": True} for k, v in last.items()
                    if k not in result["cases"]}  # type: ignore[operator]
            result["cases"] = {**result["cases"], **kept}  # type: ignore[dict-item]
        out.write_text(json.dumps(result, indent=2) + "\n")


def compare(r: dict[str, object], ref: dict[str, object] | None) -> None:
    """``r``'s figures per MB as multiples of the ordinary document's."""
    if ref is not None and "s_per_mb" in r and "s_per_mb" in ref:
        r["time_ratio"] = r["s_per_mb"] / ref["s_per_mb"]  # type: ignore[operator]
        r["memory_ratio"] = r["mem_mb_per_mb"] / max(ref["mem_mb_per_mb"], 1.0)  # type: ignore[operator, arg-type]
        r["within"] = r["time_ratio"] <= LIMIT and r["memory_ratio"] <= LIMIT


def report(name: str, r: dict[str, object]) -> str:
    if "timeout" in r:
        return f"{name:>10}: {r['mb']:.1f} MB: still running after {r['timeout']:g} s (stopped)"
    if "error" in r:
        return f"{name:>10}: {r['mb']:.1f} MB: failed: {r['error']}"
    stages = r["stages"]
    slowest = max(stages, key=stages.get)  # type: ignore[arg-type, call-overload]
    line = (f"{name:>10}: {r['mb']:.1f} MB in {r['seconds']:.1f} s ({r['s_per_mb']:.2f} s/MB), "
            f"{r['mem_mb_per_mb']:.0f} MB memory per MB, slowest stage {slowest} "
            f"{stages[slowest]:.1f} s")  # type: ignore[index]
    if "time_ratio" in r:
        line += (f"; x{r['time_ratio']:.2f} time, x{r['memory_ratio']:.2f} memory per MB of the ordinary"
                 f" document {'OK' if r['within'] else 'OVER 3x'}")
    return line


if __name__ == "__main__":
    main()
