"""Map offsets in one text to the same place in another (gold text → OCR text).

A scan's OCR text differs from the text it was printed from by OCR slips,
line wrapping and the page furniture added to every page.  A word
alignment (longest matching runs) maps every gold offset to its
counterpart, so gold spans can be scored against what the pipeline read
from the scan.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from difflib import SequenceMatcher

from rapidfuzz.distance import Levenshtein

_WORD = re.compile(r"\S+")


def offset_map(source: str, target: str) -> Callable[[int], int]:
    """A function taking an offset in ``source`` to the aligned offset in ``target``.

    Words are aligned first (longest matching runs, so furniture inserted
    between pages and OCR slips stay local), then characters inside matched
    words exactly and inside mismatched stretches proportionally.
    """
    if source == target:
        return lambda offset: offset
    src = [(m.start(), m.end()) for m in _WORD.finditer(source)]
    dst = [(m.start(), m.end()) for m in _WORD.finditer(target)]
    matcher = SequenceMatcher(None, [source[a:b] for a, b in src], [target[a:b] for a, b in dst], autojunk=False)
    # for each source word: (target start, target end, exact) — exact when the words are equal
    where: list[tuple[int, int, bool]] = [(0, 0, False)] * len(src)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                where[i1 + k] = (dst[j1 + k][0], dst[j1 + k][1], True)
            continue
        if i2 == i1:
            continue  # inserted in the target only (page furniture): no source word to place
        t0 = dst[j1][0] if j1 < len(dst) else len(target)
        t1 = dst[j2 - 1][1] if j2 > j1 else t0
        s0, s1 = src[i1][0], src[i2 - 1][1]
        for k in range(i1, i2):
            a, b = src[k]
            lo = t0 + int((a - s0) / max(s1 - s0, 1) * (t1 - t0))
            hi = t0 + int((b - s0) / max(s1 - s0, 1) * (t1 - t0))
            where[k] = (lo, max(hi, lo), False)
    starts = [a for a, _ in src]

    def to_target(offset: int) -> int:
        if not src:
            return min(offset, len(target))
        k = bisect_right(starts, offset) - 1
        if k < 0:
            return where[0][0]
        a, b = src[k]
        t0, t1, exact = where[k]
        if offset >= b:  # between words: the start of the next one
            return where[k + 1][0] if k + 1 < len(src) else len(target)
        if exact:
            return t0 + (offset - a)
        return t0 + int((offset - a) / max(b - a, 1) * (t1 - t0))

    return to_target


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over reference length, on whitespace-normalised text."""
    ref = " ".join(reference.split())
    hyp = " ".join(hypothesis.split())
    return Levenshtein.distance(ref, hyp) / max(len(ref), 1)


def body_error_rate(reference: str, ocr: str, furniture: tuple[str, ...]) -> float:
    """Character error rate of the body: OCR lines that are the page furniture the scan
    added (stamps, banners, page numbers) are left out, so the figure measures reading."""
    from rapidfuzz import fuzz

    forms = [re.sub(r"[^a-z0-9]", "", f.casefold()) for f in furniture]
    forms = [f for f in forms if f]
    kept = []
    for line in ocr.splitlines():
        flat = re.sub(r"[^a-z0-9]", "", line.casefold())
        if flat and any(fuzz.ratio(flat, f) >= 80 for f in forms):
            continue
        kept.append(line)
    return character_error_rate(reference.replace("\f", "\n"), "\n".join(kept))
