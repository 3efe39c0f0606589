"""Document-size benchmark: CPU seconds per MB of each stage, for one document at several sizes.

The document is the benchmark corpus's documents one after another (pages kept
apart), as ``bench_pathological.py`` builds its ordinary document, cut at each
size.  A stage whose seconds per MB grow with the size has a step that is worse
than linear in a document's length (an alternation of every name the document
has shown, a loop over every stamp for every line): the small corpus documents
never show it, a long real document does.  CPU time of this process, so other
load on the machine counts less than in wall time.

    python bench/bench_doc_size.py [--sizes 0.5,2,8]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_ingest import ensure_corpus

HERE = Path(__file__).parent
MB = 2**20


def document(folder: Path, mb: float) -> bytes:
    """The corpus's documents joined by form feeds, to ``mb`` megabytes."""
    parts: list[str] = []
    size = 0
    for f in sorted(folder.glob("*.txt")):
        if size >= mb * MB:
            break
        parts.append(f.read_text("utf-8"))
        size += len(parts[-1].encode("utf-8"))
    return "\f".join(parts).encode("utf-8")


def per_mb(data: bytes) -> dict[str, float]:
    """CPU seconds per MB of reading, each stage and the stored record of ``data``."""
    from declass.archive.export import to_record
    from declass.stages.pipeline import stages_for
    from declass.stages.read.reader import read_bytes
    from declass.store.base import prepare

    mb = len(data) / MB
    times: dict[str, float] = {}
    t = time.process_time()
    doc = read_bytes(data, name="long.txt", max_bytes=len(data) + 1, ocr=False)
    times["read"] = time.process_time() - t
    for st in stages_for():
        t = time.process_time()
        doc = st.run(doc)
        times[st.name] = time.process_time() - t
    t = time.process_time()
    prepare(to_record(doc))
    times["record"] = time.process_time() - t
    return {k: round(v / mb, 3) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.5,2,8", help="document sizes in MB, comma-separated")
    ap.add_argument("--pages", type=int, default=20_000, help="the corpus to draw documents from")
    args = ap.parse_args()
    folder = ensure_corpus(args.pages, 1952)
    per_mb(document(folder, 0.1))  # warm: gazetteer, lexicon, caches
    rows = []
    for mb in (float(s) for s in args.sizes.split(",")):
        data = document(folder, mb)
        load = os.getloadavg()[0]
        stages = per_mb(data)
        rows.append({"mb": round(len(data) / MB, 2), "load_average": round(load, 1),
                     "s_per_mb": round(sum(stages.values()), 3), "stages_s_per_mb": stages})
        print(f"{rows[-1]['mb']:6.2f} MB  {rows[-1]['s_per_mb']:.2f} CPU-s/MB (load {load:.1f})  "
              + " ".join(f"{k} {v:.2f}" for k, v in stages.items()), flush=True)
    first, last = rows[0], rows[-1]
    growth = {k: round(last["stages_s_per_mb"][k] / max(first["stages_s_per_mb"][k], 0.01), 2)
              for k in first["stages_s_per_mb"]}
    result = {"sizes": rows, "growth_per_mb_first_to_last": growth}
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "doc_size.json").write_text(json.dumps(result, indent=2) + "\n")
    print("per-MB growth from the smallest to the largest: "
          + ", ".join(f"{k} x{v}" for k, v in growth.items()))


if __name__ == "__main__":
    main()
