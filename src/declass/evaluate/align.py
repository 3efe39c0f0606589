"""Map offsets in one text to the same place in another (gold text → OCR text).

A scan's OCR text differs from the text it was printed from by OCR slips,
line wrapping and the page furniture added to every page.  A character
alignment (Levenshtein edit operations, computed by rapidfuzz in C) maps
every gold offset to its counterpart, so gold spans can be scored against
what the pipeline read from the scan.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from rapidfuzz.distance import Levenshtein


def offset_map(source: str, target: str) -> Callable[[int], int]:
    """A function taking an offset in ``source`` to the aligned offset in ``target``.

    Inside a replaced or deleted stretch the offset is placed proportionally
    (deleted text maps to where it would have been).
    """
    if source == target:
        return lambda offset: offset
    ops = Levenshtein.opcodes(source, target)
    starts = [op.src_start for op in ops]
    spans = [(op.src_start, op.src_end, op.dest_start, op.dest_end) for op in ops]

    def to_target(offset: int) -> int:
        if offset >= len(source):
            return len(target)
        i = max(bisect_right(starts, offset) - 1, 0)
        s0, s1, d0, d1 = spans[i]
        while s1 == s0 and i + 1 < len(spans) and spans[i + 1][0] <= offset:  # skip insertions
            i += 1
            s0, s1, d0, d1 = spans[i]
        if s1 == s0:
            return d0
        frac = (offset - s0) / (s1 - s0)
        return min(d0 + int(frac * (d1 - d0)), max(d1 - 1, d0))

    return to_target


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over reference length, on whitespace-normalised text."""
    ref = " ".join(reference.split())
    hyp = " ".join(hypothesis.split())
    return Levenshtein.distance(ref, hyp) / max(len(ref), 1)
