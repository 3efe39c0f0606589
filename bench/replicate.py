"""A larger archive for query benchmarks, made from a smaller one in SQL: ``--times`` copies
of every document under new ids (``~1``, ``~2``, ...), with its blocks, mentions, judgments,
events, redactions, edits and entity pairs, and the totals rebuilt.  The copies' records are
left empty (queries never read them) and their blocks are not search-indexed: this measures
the paged corpus questions at scale without running the pipeline again.

    python bench/replicate.py SRC.db OUT.db --times 10
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time
from pathlib import Path

from declass.store import tables
from declass.store.migrations import run_script

COPY = {
    "blocks": "doc_id, seq, label, kind, parent, text, start, \"end\", page, label_inferred, attrs",
    "mentions": "doc_id, block, entity_id, canonical, type, text, start, \"end\", metonymy, in_deleted, method,"
                " named_id, seq, page, doc_date",
    "judgments": "doc_id, seq, jid, block, start, \"end\", page, doc_date, term, polarity, data",
    "judgment_ranges": "doc_id, seq, scale, low, high, doc_date, term",
    "events": "doc_id, seq, block, start, \"end\", page, date, last_date, kind, sentence_start, sentence_end, data",
    "redactions": "doc_id, seq, block, start, \"end\", page, doc_date, kind, exemption, withheld, pages, data",
    "edits": "doc_id, seq, block, start, \"end\", page, doc_date, op, data",
    "cooccurrence": "doc_id, a, a_name, b, b_name, weight",
    "event_entities": "doc_id, seq, entity, date, last_date, start",
}
DOCS = ("sha256, path, media_type, size, pages, blocks, doc_type, doc_number, title, date, classification,"
        " archive_id, released, ingested_at, redactions, withheld, edits, numbered, metadata")


def replicate(src: Path, out: Path, times: int) -> None:
    shutil.copyfile(src, out)
    db = sqlite3.connect(out, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for trigger in ("blocks_ai", "blocks_log_ai"):  # the copies are not search-indexed
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("BEGIN")
    for k in range(1, times):
        sfx = f"~{k}"
        db.execute(f"INSERT INTO documents (id, {DOCS}, record) SELECT id || ?, "
                   + DOCS.replace("sha256", "sha256 || ?").replace("path,", "path || ?,", 1)
                   + ", x'00' FROM documents WHERE id NOT LIKE '%~%'", (sfx, sfx, sfx))
        for table, cols in COPY.items():
            rest = cols.split(", ", 1)[1]
            db.execute(f"INSERT INTO {table} ({cols}) SELECT doc_id || ?, {rest} FROM {table}"
                       " WHERE doc_id NOT LIKE '%~%'", (sfx,))
    for t in ("entity_totals", "entity_forms", "entity_names", "cooccurrence_totals", "entity_documents",
              "term_totals", "range_totals"):
        db.execute(f"DELETE FROM {t}")
    fill = tables.AGGREGATES_FILL.split("UPDATE judgment_ranges")[0]  # the ranges already carry date and term
    run_script(db, fill)
    db.execute("INSERT INTO term_totals (term, n) SELECT term, count(*) FROM judgments GROUP BY term")
    db.execute("INSERT INTO range_totals (scale, term, low, high, n) SELECT scale, term, low, high, count(*)"
               " FROM judgment_ranges GROUP BY scale, term, low, high")
    db.execute("COMMIT")
    db.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--times", type=int, default=10)
    args = ap.parse_args()
    t = time.perf_counter()
    replicate(args.src, args.out, args.times)
    print(f"{args.out}: {args.times} copies in {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
