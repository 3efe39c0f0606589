"""Corpus questions at archive scale: every paged `Archive` query and the CLI.

For each size, a corpus is generated (``bench/corpus.py``) and ingested into
a SQLite archive; then each question is asked ``--repeats`` times (a page of
50, the first page and a later one) and its latency percentiles recorded,
and the CLI commands are run in fresh processes for their wall time and peak
RSS.  Ingest speed is measured against the release before the analysis
tables (``--baseline-commit``, run from a git worktree of it) on the same
corpus in the same run, alternating, so a busy machine slows both alike.

    python bench/bench_archive.py --sizes 10000 --work /tmp/bench-archive
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402  (bench/corpus.py)

import declass  # noqa: E402

BASELINE_COMMIT = "76b5ae51782f54dc2899b82625a099717d6e14cb"
"""The release before the analysis tables (schema 8)."""


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def timed(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    fn()  # warm the page cache and the connection
    ms = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(pct(ms, 0.5), 2), "p95_ms": round(pct(ms, 0.95), 2), "max_ms": round(max(ms), 2)}


def second_page(fetch: Callable[..., Any]) -> Callable[[], object]:
    """The page after the first (a keyset cursor), as a user paging on would ask."""
    first = fetch(limit=50)
    cursor = first.next if hasattr(first, "next") else first["next"]
    return lambda: fetch(limit=50, after=cursor)


def queries(db: str, repeats: int) -> dict[str, Any]:
    with declass.Archive(db, readonly=True) as a:
        top = a.entities(limit=1)[0]
        term = a.judgment_terms()[0].term
        doc = a.documents(limit=1, sort="pages", descending=True)[0].id
        unique = a.store._rows("SELECT doc_number FROM documents WHERE doc_number IS NOT NULL GROUP BY doc_number"
                               " HAVING count(*) = 1 LIMIT 1")
        number = unique[0]["doc_number"] if unique else doc  # (a replicated archive repeats every number)
        asks: dict[str, Callable[[], object]] = {
            "documents": lambda: a.documents(limit=50),
            "documents_by_title": lambda: a.documents(limit=50, sort="title"),
            "documents_text_filter": lambda: a.documents(limit=50, text="soviet"),
            "judgments": lambda: a.judgments(limit=50),
            "judgments_page_2": second_page(a.judgments),
            "judgments_band": lambda: a.judgments(low=0.6, high=0.9, limit=50),
            "judgments_term": lambda: a.judgments(term=term, limit=50),
            "judgments_document": lambda: a.judgments(doc, limit=50),
            "judgment_terms": lambda: a.judgment_terms(),
            "timeline": lambda: a.timeline(limit=50),
            "timeline_page_2": second_page(a.timeline),
            "timeline_entity": lambda: a.timeline(entity=top.name, limit=50),
            "timeline_dates": lambda: a.timeline(start="1955", end="1956", limit=50),
            "entity_most_mentioned": lambda: a.entity(top.name, limit=50),
            "entity_page_2": second_page(lambda **k: a.entity(top.name, **k)),
            "entities": lambda: a.entities(limit=50),
            "cooccurrence": lambda: a.cooccurrence(limit=50),
            "redactions": lambda: a.redactions(limit=50),
            "redactions_exemption": lambda: a.redactions(exemption="25X1", limit=50),
            "redaction_report": lambda: a.redaction_report(limit=50),
            "links": lambda: a.links(limit=50),
            "resolve_number": lambda: a.resolve(number),
            "resolve_id_prefix": lambda: a.resolve(doc[:-2]),
        }
        out = {name: timed(fn, repeats) for name, fn in asks.items()}
        totals = {"judgments": a.judgments(limit=1).total, "events": a.timeline(limit=1).total,
                  "mentions_of_top": a.entity(top.name, limit=1).total, "entities": a.entities(limit=1).total,
                  "entity": top.name, "documents": a.documents(limit=1).total}
    return {"queries": out, "totals": totals}


def compiled() -> list[str]:
    """Byte-compile the package, as installing it does: the CLI's figures are an installed
    command's, not those of a checkout run with PYTHONDONTWRITEBYTECODE (every module compiled
    from source on every start).  Returns the modules whose bytecode is still missing or stale
    (none, or the figures are not an installed command's)."""
    import compileall
    import importlib.util

    package = Path(declass.__file__).parent
    compileall.compile_dir(str(package), quiet=1)
    stale = []
    for src in sorted(package.rglob("*.py")):
        pyc = Path(importlib.util.cache_from_source(str(src)))
        header = pyc.read_bytes()[:16] if pyc.exists() else b""
        # the header holds the source's modification time and size (PEP 552, unchecked hash-less form)
        fresh = len(header) == 16 and int.from_bytes(header[8:12], "little") == int(src.stat().st_mtime) & 0xFFFFFFFF \
            and int.from_bytes(header[12:16], "little") == src.stat().st_size & 0xFFFFFFFF
        if not fresh:
            stale.append(str(src.relative_to(package)))
    return stale


def run_cli(args: list[str], db: str, repeats: int) -> dict[str, Any]:
    """Wall time, CPU time (what other loads on the machine do not inflate) and peak RSS of a
    CLI command, each run in a fresh process."""
    walls, cpus, rss = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "declass", *args, "--db", db], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        walls.append((time.perf_counter() - t) * 1000)
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
        rss.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"declass {' '.join(args)} failed")
    return {"p50_ms": round(pct(walls, 0.5)), "p95_ms": round(pct(walls, 0.95)),
            "cpu_p50_ms": round(pct(cpus, 0.5)), "cpu_p95_ms": round(pct(cpus, 0.95)),
            "peak_rss_mb": round(max(rss), 1)}


def declass_command() -> list[str]:
    """The installed console script beside this Python (what a user runs), else ``python -m declass``."""
    script = Path(sys.executable).with_name("declass")
    return [str(script)] if script.exists() else [sys.executable, "-m", "declass"]


def cli_startup(db: str, repeats: int) -> dict[str, Any]:
    """Start-up of the command line, each run a fresh process, beside Python's own start in the same run
    (``python -c pass``: the floor no command goes under): ``declass --version`` and a store question."""
    runs = {"python -c pass": [sys.executable, "-c", "pass"],
            "declass --version": [*declass_command(), "--version"],
            "declass judgments --json --limit 50": [*declass_command(), "judgments", "--json", "--limit", "50",
                                                    "--db", db]}
    out: dict[str, Any] = {}
    for _ in range(2):  # warm the page cache and the bytecode once
        for argv in runs.values():
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    timings: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in runs}
    for _ in range(repeats):  # interleaved, so a change in the machine's load falls on each alike
        for name, argv in runs.items():
            t = time.perf_counter()
            p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            timings[name][0].append((time.perf_counter() - t) * 1000)
            timings[name][1].append((usage.ru_utime + usage.ru_stime) * 1000)
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"{' '.join(argv)} failed")
    floor = timings["python -c pass"][0]
    for name, (walls, cpus) in timings.items():
        out[name] = {"p50_ms": round(pct(walls, 0.5)), "p95_ms": round(pct(walls, 0.95)),
                     "cpu_p50_ms": round(pct(cpus, 0.5)), "cpu_p95_ms": round(pct(cpus, 0.95))}
        if walls is not floor:  # what the command adds to Python's own start, run for run
            over = [w - f for w, f in zip(walls, floor, strict=True)]
            out[name] |= {"over_python_p50_ms": round(pct(over, 0.5)), "over_python_p95_ms": round(pct(over, 0.95))}
    out["runs"] = repeats
    out["load_average"] = round(os.getloadavg()[0], 1)
    return out


def ingest(corpus_dir: Path, db: Path, src: Path | None = None) -> float:
    """Ingest ``corpus_dir`` into a fresh ``db`` (with the code under ``src``, default this tree): pages/s."""
    for p in db.parent.glob(db.name + "*"):
        if p.is_dir():
            import shutil

            shutil.rmtree(p)
        else:
            p.unlink()
    env = {**os.environ, "PYTHONPATH": str(src)} if src else dict(os.environ)
    code = ("import sys, time, declass\n"
            "t = time.perf_counter()\n"
            "with declass.Archive(sys.argv[1]) as a:\n"
            "    r = a.ingest([sys.argv[2]], workers=2)\n"
            "print(r.pages / (time.perf_counter() - t))\n")
    out = subprocess.run([sys.executable, "-c", code, str(db), str(corpus_dir)], env=env, capture_output=True,
                         text=True, check=True, cwd=str(db.parent))
    return float(out.stdout.strip().splitlines()[-1])


def baseline_tree(work: Path, commit: str) -> Path:
    """The source tree of ``commit`` (``git archive``, no worktree), for the baseline ingest."""
    tree = work / f"baseline-{commit[:8]}"
    if not tree.exists():
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree / "src"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000", help="Archive sizes in pages, comma-separated ('' for none).")
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-archive"))
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--cli-repeats", type=int, default=5)
    ap.add_argument("--ingest-pages", type=int, default=1000, help="Corpus size for the ingest comparison.")
    ap.add_argument("--ingest-rounds", type=int, default=2)
    ap.add_argument("--baseline-commit", default=BASELINE_COMMIT)
    ap.add_argument("--skip-ingest-comparison", action="store_true",
                    help="Keep the comparison already in --out instead of running it again.")
    ap.add_argument("--skip-queries", action="store_true", help="Only the CLI (its start-up and commands).")
    ap.add_argument("--startup-repeats", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "archive.json")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"sizes": []}
    for pages in (int(s) for s in args.sizes.split(",") if s.strip()):
        cdir = args.work / f"corpus-{pages}"
        db = args.work / f"archive-{pages}.db"  # an archive already there (e.g. bench/replicate.py's) is reused
        if not db.exists():
            if not cdir.exists():
                corpus.generate(cdir, pages)
            rate = ingest(cdir, db)
            print(f"{pages} pages: ingested at {rate:.0f} pages/s", flush=True)
        else:
            rate = None
        entry: dict[str, Any] = {"pages": pages, "ingest_pages_per_s": rate}
        if not args.skip_queries:
            entry.update(queries(str(db), args.repeats))
        else:
            with declass.Archive(str(db), readonly=True) as a:
                entry["totals"] = {"entity": a.entities(limit=1)[0].name, "documents": a.documents(limit=1).total}
        top = entry["totals"]["entity"]
        entry["stale_bytecode"] = compiled()
        entry["cli_startup"] = cli_startup(str(db), args.startup_repeats)
        entry["cli"] = {
            "judgments --json --limit 50": run_cli(["judgments", "--json", "--limit", "50"], str(db),
                                                   args.cli_repeats),
            f"entity {top!r} --limit 50": run_cli(["entity", top, "--limit", "50"], str(db), args.cli_repeats),
            "timeline --json --limit 50": run_cli(["timeline", "--json", "--limit", "50"], str(db),
                                                  args.cli_repeats),
            "entities --limit 50": run_cli(["entities", "--limit", "50"], str(db), args.cli_repeats),
            "redactions --json --limit 50": run_cli(["redactions", "--json", "--limit", "50"], str(db),
                                                    args.cli_repeats),
        }
        entry["archive_mb"] = round(db.stat().st_size / 2**20, 1)
        entry["load_average"] = round(os.getloadavg()[0], 1)  # of the machine (2 cores, shared) at the end
        results["sizes"].append(entry)
        print(json.dumps(entry, indent=1), flush=True)
    if args.skip_ingest_comparison and args.out.exists():
        kept = json.loads(args.out.read_text()).get("ingest_comparison")
        if kept:
            results["ingest_comparison"] = kept
    if not args.skip_ingest_comparison:
        cdir = args.work / f"corpus-{args.ingest_pages}"
        if not cdir.exists():
            corpus.generate(cdir, args.ingest_pages)
        old_src = baseline_tree(args.work, args.baseline_commit)
        new, old = [], []
        for _ in range(args.ingest_rounds):
            old.append(ingest(cdir, args.work / "ingest-old.db", old_src))
            new.append(ingest(cdir, args.work / "ingest-new.db"))
        results["ingest_comparison"] = {
            "pages": args.ingest_pages, "baseline_commit": args.baseline_commit,
            "baseline_pages_per_s": [round(x, 1) for x in old], "pages_per_s": [round(x, 1) for x in new],
            "ratio_of_best": round(max(new) / max(old), 3)}
        print(json.dumps(results["ingest_comparison"]), flush=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
