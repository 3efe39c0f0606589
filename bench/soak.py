"""Fault injection: ingest a few hundred documents while killing workers and the parent at random.

Each cycle ingests into a fresh archive.  Each round starts ``declass ingest``
in its own session, kills workers at random moments (SIGKILL, or SIGSEGV as a
crashing C library would) while the run goes on, then kills the parent (SIGKILL
or SIGTERM) before it ends and checks that no process of the run survives; the
next round re-runs the same command.  A final run goes undisturbed.  Then it checks what a user would: every good
file stored exactly once, the bad ones failed with a message, ``integrity_check``
ok, FTS5 in step with the blocks, the tantivy index and FTS5 answering the
same, and no process left behind.

    python bench/soak.py [--pages 2000] [--cycles 3] [--rounds 4] [--seed 19] [--out bench/results/soak.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate

QUERIES = ['"Port Arthur"', "Peiping", "Sino-Soviet", "Dairen OR Formosa", "Manchuria -railway", "treat*",
           '"Chinese Communist"', "(Korea OR Korean) AND armistice", "25X1", "Soviet NOT China", "estimate*"]


def session(sid: int) -> list[psutil.Process]:
    """Every live process of session ``sid`` (the run and all it started)."""
    out = []
    for p in psutil.process_iter():
        try:
            if os.getsid(p.pid) == sid and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except (psutil.Error, OSError):
            continue
    return out


def workers_of(parent: int) -> list[psutil.Process]:
    """The worker processes of a run: the parent's grandchildren (children of its forkserver)."""
    try:
        me = psutil.Process(parent)
        return [c for c in me.children(recursive=True) if c.ppid() != parent]
    except psutil.Error:
        return []


def stored(db: Path) -> list[str]:
    try:
        with closing(sqlite3.connect(db, timeout=30)) as con:
            return [r[0] for r in con.execute("SELECT path FROM documents")]
    except sqlite3.Error:
        return []


def bad_files(folder: Path) -> list[str]:
    """Inputs that must fail alone: a device, a FIFO, binary junk, an empty file."""
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.txt")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "empty.txt").write_bytes(b"")
    return ["zero.txt", "pipe.txt", "junk.txt", "empty.txt"]


def run_round(cmd: list[str], db: Path, rng: random.Random, worker_sig: signal.Signals,
              parent_sig: signal.Signals | None, stats: dict[str, int], docs: int) -> int | None:
    """One run of ``cmd``: one to three workers killed with ``worker_sig`` at random
    moments, then (unless ``parent_sig`` is None) the parent killed with ``parent_sig``
    before the run ends.  Returns the run's exit code."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    before = len(stored(db))
    left = max(2, docs - before)
    marks = sorted(rng.sample(range(1, left), k=min(left - 1, rng.randint(2, 4))))
    deadline = time.monotonic() + 900
    for n, mark in enumerate(marks):
        while proc.poll() is None and time.monotonic() < deadline and len(stored(db)) < before + mark:
            time.sleep(0.02)
        if proc.poll() is not None:
            break
        if n == len(marks) - 1 and parent_sig is not None:
            proc.send_signal(parent_sig)
            stats["parents_killed_" + ("sigkill" if parent_sig == signal.SIGKILL else "sigterm")] += 1
            break
        ws = workers_of(proc.pid)
        if ws:
            try:
                os.kill(rng.choice(ws).pid, worker_sig)
                stats["workers_killed"] += 1
            except ProcessLookupError:
                pass
    try:
        _, err = proc.communicate(timeout=900)  # returns only once nothing holds the pipe open
    except subprocess.TimeoutExpired:
        stats["hung_runs"] += 1
        for p in session(proc.pid):
            p.kill()
        _, err = proc.communicate()
    wait_until = time.monotonic() + 15
    while session(proc.pid) and time.monotonic() < wait_until:
        time.sleep(0.1)
    survivors = session(proc.pid)
    stats["survivors"] += len(survivors)
    for p in survivors:
        p.kill()
    if b"Traceback" in err:
        stats["tracebacks"] += 1
        sys.stderr.write(err.decode(errors="replace")[-2000:])
    return proc.returncode


def engines_disagree(db: Path) -> list[str]:
    """The queries the tantivy index and FTS5 answer differently."""
    from declass.store import SQLiteStore

    store = SQLiteStore(db, readonly=True)
    try:
        assert store.search_engine() == "tantivy", "the index is not current"
        out = []
        for q in QUERIES:
            fast = {(h.document, h.label) for h in store.search(q, limit=100_000)}
            slow = {(h.document, h.label) for h in store.search(q, limit=100_000, engine="fts5")}
            if fast != slow:
                out.append(f"{q}: {len(fast)} vs {len(slow)} blocks")
        return out
    finally:
        store.close()


def check(db: Path, folder: Path, bad: list[str], final: subprocess.CompletedProcess[bytes]) -> dict[str, object]:
    """What a user would check after the run."""
    names = [Path(p).name for p in stored(db)]
    good = sorted(p.name for p in folder.iterdir() if p.name not in bad)
    failed_lines = [ln for ln in final.stderr.decode(errors="replace").splitlines() if "failed:" in ln]
    with closing(sqlite3.connect(db)) as con:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        try:
            con.execute("INSERT INTO blocks_fts(blocks_fts) VALUES ('integrity-check')")
            fts_ok = True
        except sqlite3.DatabaseError:
            fts_ok = False
        log_left = con.execute("SELECT count(*) FROM search_log").fetchone()[0]
    return {"stored": len(names), "duplicates": len(names) - len(set(names)),
            "missing": len(set(good) - set(names)),
            "bad_files_failed": all(any(b in ln for ln in failed_lines) for b in bad),
            "final_exit": final.returncode, "integrity_check": integrity, "fts5_in_step": fts_ok,
            "search_log_left": log_left, "engines_disagree": engines_disagree(db)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--cycles", type=int, default=3, help="fresh archives, each ingested under fire")
    ap.add_argument("--rounds", type=int, default=4, help="disturbed runs per cycle before an undisturbed one")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "soak.json")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    stats = dict.fromkeys(["runs", "workers_killed", "parents_killed_sigkill", "parents_killed_sigterm",
                           "survivors", "hung_runs", "tracebacks"], 0)
    cycles = []
    with tempfile.TemporaryDirectory(prefix="declass-soak-") as tmp:
        folder = Path(tmp) / "corpus"
        docs, pages = generate(folder, args.pages, seed=args.seed)
        bad = bad_files(folder)
        for c in range(args.cycles):  # each cycle: a fresh archive, disturbed runs, then one to finish
            db = Path(tmp) / f"soak-{c}.db"
            cmd = [sys.executable, "-m", "declass", "ingest", "--db", str(db), "--workers", str(args.workers),
                   "--quiet", str(folder)]
            for i in range(args.rounds):
                worker_sig = rng.choice([signal.SIGKILL, signal.SIGSEGV])
                parent_sig = [signal.SIGKILL, signal.SIGTERM][(c + i) % 2]
                code = run_round(cmd, db, rng, worker_sig, parent_sig, stats, docs)
                stats["runs"] += 1
                print(f"cycle {c + 1} round {i + 1}: workers {worker_sig.name}, parent {parent_sig.name}, "
                      f"exit {code}, {len(stored(db))}/{docs} stored", flush=True)
            final = subprocess.run(cmd, capture_output=True, timeout=1800, start_new_session=True)
            stats["runs"] += 1
            cycles.append(check(db, folder, bad, final))
            print(f"cycle {c + 1}: {cycles[-1]}", flush=True)
    ok = (stats["survivors"] == 0 and stats["hung_runs"] == 0 and stats["tracebacks"] == 0
          and all(r["duplicates"] == 0 and r["missing"] == 0 and r["bad_files_failed"] and r["final_exit"] == 1
                  and r["integrity_check"] == "ok" and r["fts5_in_step"] and not r["engines_disagree"]
                  for r in cycles))
    result = {"documents": docs, "pages": pages, "bad_files": len(bad), "workers": args.workers,
              "cycles": args.cycles, "rounds_per_cycle": args.rounds, "seed": args.seed, **stats,
              "per_cycle": cycles, "seconds": round(time.monotonic() - started, 1), "ok": ok}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
