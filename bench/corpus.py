"""Generate a large, realistic corpus from the sample documents.

Each generated document is a sample with its paragraphs shuffled within
their section, its paragraph numbers shifted, OCR noise sprinkled over the
words (the confusions of ``data/ocr_confusions.tsv``), and page furniture
(banners, page numbers, a CREST release stamp) every ~40 lines, with a
form feed between pages as pdftotext writes them.  Deterministic for a seed.

    python bench/corpus.py OUT_DIR --pages 20000
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from declass.lexicon import confusions
from declass.samples import sample_paths

LINES_PER_PAGE = 40
NUMBERED = re.compile(r"^(- )?(\d{1,2})\. ")
WORD = re.compile(r"[A-Za-z]{4,}")


def noisy(line: str, rng: random.Random, rate: float) -> str:
    """Replace a share ``rate`` of the words with an OCR confusion of themselves."""
    pairs = confusions()

    def swap(m: re.Match[str]) -> str:
        w = m.group()
        if rng.random() >= rate:
            return w
        seen, meant = rng.choice(pairs)
        i = w.find(meant)
        return w if i < 0 else w[:i] + seen + w[i + len(meant) :]

    return WORD.sub(swap, line)


def variant(text: str, rng: random.Random, *, noise: float) -> list[str]:
    """Body lines of one variant of a sample document."""
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    # shuffle runs of numbered paragraphs (a section) and shift their numbers
    shift = rng.randint(0, 20)
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        rng.shuffle(run)
        out.extend(run)
        run.clear()

    for p in paras:
        m = NUMBERED.match(p)
        if m:
            run.append(NUMBERED.sub(lambda m: f"{m.group(1) or ''}{int(m.group(2)) + shift}. ", p, count=1))
        else:
            flush()
            out.append(p)
    flush()
    lines: list[str] = []
    for p in out:
        lines.extend(noisy(ln, rng, noise) for ln in p.splitlines())
        lines.append("")
    return lines


def paginate(lines: list[str], rng: random.Random, archive_id: str) -> tuple[str, int]:
    """Lay lines out on pages with furniture; returns text and page count."""
    pages: list[str] = []
    for start in range(0, len(lines), LINES_PER_PAGE):
        n = len(pages) + 1
        body = "\n".join(lines[start : start + LINES_PER_PAGE])
        head = f"SECRET\n\n{n}\n\n" if n > 1 else "SECRET\n\n"
        foot = f"\n\nSECRET\n\nApproved For Release 2004/05/{rng.randint(10, 28)} : {archive_id}\n"
        pages.append(head + body + foot)
    return "\f".join(pages), len(pages)


def generate(out: Path, pages: int, *, seed: int = 1952, noise: float = 0.02) -> tuple[int, int]:
    """Write documents to ``out`` until they hold ``pages`` pages: (documents, pages)."""
    rng = random.Random(seed)
    texts = [p.read_text("utf-8") for p in sample_paths()]
    out.mkdir(parents=True, exist_ok=True)
    total = docs = 0
    while total < pages:
        lines: list[str] = []
        for _ in range(rng.randint(1, 3)):  # documents of 1-3 samples' length
            lines += variant(rng.choice(texts), rng, noise=noise * rng.uniform(0.2, 2.0))
        archive_id = (f"CIA-RDP{rng.randint(70, 99)}R{rng.randint(10000, 99999)}"
                      f"R{rng.randint(10**11, 10**12 - 1)}-{rng.randint(0, 9)}")
        text, n = paginate(lines, rng, archive_id)
        (out / f"gen-{docs:06d}.txt").write_text(text, "utf-8")
        docs += 1
        total += n
    return docs, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1952)
    args = ap.parse_args()
    docs, pages = generate(args.out, args.pages, seed=args.seed)
    print(f"{docs} documents, {pages} pages in {args.out}")


if __name__ == "__main__":
    main()
