"""Align two releases of one document, word by word, tolerant of OCR.

Two levels.  First, anchors: word 4-grams that occur exactly once in each
release, chained in order (the longest increasing chain, as patience diff
does) — long stretches both releases print.  Then, between anchors, the
words: a sequence match, and in what it leaves unmatched a fuzzy match
(rapidfuzz ratio, and a word split or joined at a line break) that tells
the same word read differently — OCR noise — from words only one release
has.  Words only in the later release are *revealed*; only in the earlier,
*removed*; a long run only in one release that the other holds elsewhere,
*moved*.  Work stays near-linear in the length of the releases: the slow
steps only see the gaps between anchors.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from difflib import Match, SequenceMatcher

from rapidfuzz import fuzz
from rapidfuzz.process import cdist

ANCHOR_N = 4
FUZZY_MIN = 75.0  # rapidfuzz ratio for two readings of one word (e.g. Kuomintang / Kuomingtang: 95)
JOIN_MIN = 90.0  # a word against two words joined (a line-break split one release kept)
MAX_CELLS = 400_000  # largest gap given the fuzzy match (words x words)
SHORT = 3  # a matched word this short standing alone between unmatched words is chance
MOVE_MIN_WORDS = 6


@dataclass(frozen=True, slots=True)
class Alignment:
    """Per-word labels of both releases and the word pairs between them.

    ``later``: ``same`` | ``ocr`` | ``revealed`` | ``moved`` for each later word;
    ``earlier``: ``same`` | ``ocr`` | ``removed`` | ``moved`` for each earlier word;
    ``match``: for each later word, the earlier word it was aligned to, or -1.
    """

    later: tuple[str, ...]
    earlier: tuple[str, ...]
    match: tuple[int, ...]

    def ocr_pairs(self) -> list[tuple[int, int]]:
        """``(earlier, later)`` word pairs read differently by the two releases."""
        return [(i, j) for j, i in enumerate(self.match) if i >= 0 and self.later[j] == "ocr"]


def align(a: list[str], b: list[str]) -> Alignment:
    """Align earlier words ``a`` with later words ``b`` (compared forms, see `text.norm`)."""
    match_b = [-1] * len(b)
    ocr_b = [False] * len(b)
    match_a = [-1] * len(a)
    prev_i = prev_j = 0
    for i, j, n in [*_anchor_runs(a, b), (len(a), len(b), 0)]:
        _align_gap(a, b, prev_i, i, prev_j, j, match_b, ocr_b)
        for k in range(n):
            match_b[j + k] = i + k
        prev_i, prev_j = i + n, j + n
    for j, i in enumerate(match_b):
        if i >= 0:
            match_a[i] = j
    later = ["revealed" if i < 0 else "ocr" if ocr_b[j] else "same" for j, i in enumerate(match_b)]
    earlier = ["removed" if j < 0 else "ocr" if ocr_b[j] else "same" for j in match_a]
    _mark_moves(a, b, earlier, later)
    return Alignment(tuple(later), tuple(earlier), tuple(match_b))


def _anchor_runs(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """Runs ``(i, j, n)`` of words both releases print, from 4-grams unique in each, in order."""
    n = ANCHOR_N
    ga = Counter(tuple(a[i:i + n]) for i in range(len(a) - n + 1))
    gb = Counter(tuple(b[j:j + n]) for j in range(len(b) - n + 1))
    where_a = {tuple(a[i:i + n]): i for i in range(len(a) - n + 1)}
    pairs = [(where_a[g], j) for j in range(len(b) - n + 1)
             if gb[g := tuple(b[j:j + n])] == 1 and ga.get(g) == 1]
    pairs.sort()
    chain = _longest_increasing(pairs)
    runs: list[tuple[int, int, int]] = []
    for i, j in chain:
        if runs:
            ri, rj, rn = runs[-1]
            if i <= ri + rn and j - rj == i - ri:  # overlapping or touching on the same diagonal
                runs[-1] = (ri, rj, max(rn, i - ri + n))
                continue
            if i < ri + rn or j < rj + rn:  # crosses the previous run: keep the previous
                continue
        runs.append((i, j, n))
    return runs


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of ``pairs`` (sorted by i) increasing in j."""
    tails: list[int] = []
    tail_idx: list[int] = []
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        back[k] = tail_idx[pos - 1] if pos else -1
    out: list[tuple[int, int]] = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    return out[::-1]


def _align_gap(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int,
               match_b: list[int], ocr_b: list[bool]) -> None:
    """Align ``a[i1:i2]`` with ``b[j1:j2]``: exact runs first, then fuzzy in what is left."""
    if i1 >= i2 or j1 >= j2:
        return
    sm = SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
    blocks = [m for m in sm.get_matching_blocks() if m.size]
    # an exact run of one or two words between differences is as likely chance as the same text
    kept = [m for m in blocks if m.size >= 3 or _touches(m, blocks, i2 - i1, j2 - j1)]
    pi, pj = i1, j1
    for m in kept:
        _fuzzy(a, b, pi, i1 + m.a, pj, j1 + m.b, match_b, ocr_b)
        for k in range(m.size):
            match_b[j1 + m.b + k] = i1 + m.a + k
        pi, pj = i1 + m.a + m.size, j1 + m.b + m.size
    _fuzzy(a, b, pi, i2, pj, j2, match_b, ocr_b)


def _touches(m: Match, blocks: list[Match], na: int, nb: int) -> bool:
    """A short exact run that continues an anchor (starts or ends the gap on both sides)."""
    a, b, size = m.a, m.b, m.size
    return (a == 0 and b == 0) or (a + size == na and b + size == nb)


def _fuzzy(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int,
           match_b: list[int], ocr_b: list[bool]) -> None:
    """Pair words of ``a[i1:i2]`` and ``b[j1:j2]`` that are one word read differently.

    A weighted longest common subsequence where two words count as equal when
    their ratio reaches `FUZZY_MIN`, or when one equals the other's two
    neighbours joined (a word one release split at a line break)."""
    n, m = i2 - i1, j2 - j1
    if n == 0 or m == 0 or n * m > MAX_CELLS:
        return
    ra, rb = a[i1:i2], b[j1:j2]
    sim = cdist(ra, rb, scorer=fuzz.ratio, dtype=None)
    score = [[0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]  # 1 up, 2 left, 3 pair, 4 a-join, 5 b-join
    for x in range(1, n + 1):
        row, prev, mrow = score[x], score[x - 1], move[x]
        wa = ra[x - 1]
        srow = sim[x - 1]
        for y in range(1, m + 1):
            best, how = prev[y], 1
            if row[y - 1] > best:
                best, how = row[y - 1], 2
            wb = rb[y - 1]
            if _same_word(wa, wb, srow[y - 1]):
                cand = prev[y - 1] + len(wb)
                if cand > best:
                    best, how = cand, 3
            if x >= 2 and len(wb) >= 6 and wb[0] == ra[x - 2][0] and fuzz.ratio(ra[x - 2] + wa, wb) >= JOIN_MIN:
                cand = score[x - 2][y - 1] + len(wb)
                if cand > best:
                    best, how = cand, 4
            if y >= 2 and len(wa) >= 6 and wa[0] == rb[y - 2][0] and fuzz.ratio(rb[y - 2] + wb, wa) >= JOIN_MIN:
                cand = prev[y - 2] + len(wa)
                if cand > best:
                    best, how = cand, 5
            row[y], mrow[y] = best, how
    pairs: list[tuple[int, int]] = []  # (x, y) 0-based within the gap
    x, y = n, m
    while x > 0 and y > 0:
        how = move[x][y]
        if how == 1:
            x -= 1
        elif how == 2:
            y -= 1
        elif how == 3:
            pairs.append((x - 1, y - 1))
            x, y = x - 1, y - 1
        elif how == 4:
            pairs.append((x - 1, y - 1))
            x, y = x - 2, y - 1
        else:
            pairs += [(x - 1, y - 1), (x - 1, y - 2)]
            x, y = x - 1, y - 2
    matched = {py for _, py in pairs}
    for px, py in pairs:
        lone = (py - 1 not in matched) and (py + 1 not in matched)
        if lone and len(rb[py]) <= SHORT:
            continue
        match_b[j1 + py] = i1 + px
        ocr_b[j1 + py] = ra[px] != rb[py]


def _same_word(wa: str, wb: str, ratio: float) -> bool:
    if wa == wb:
        return True
    if min(len(wa), len(wb)) < 4 or wa.isdigit() or wb.isdigit():
        return False  # short words and numbers must agree exactly: "16" is not "18"
    return ratio >= FUZZY_MIN


def _runs(labels: list[str], want: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(labels):
        if labels[i] == want:
            j = i
            while j < len(labels) and labels[j] == want:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _mark_moves(a: list[str], b: list[str], earlier: list[str], later: list[str]) -> None:
    """Text only one release has in place that the other has elsewhere, unmatched: moved.

    A stretch of at least `MOVE_MIN_WORDS` later words whose every word is in a
    3-gram found among the earlier release's removed words (a paragraph the two
    releases print in a different order) is moved, not revealed; so are those
    earlier words."""
    grams: dict[tuple[str, ...], list[int]] = {}
    for i1, i2 in _runs(earlier, "removed"):
        for i in range(i1, i2 - 2):
            grams.setdefault(tuple(a[i:i + 3]), []).append(i)
    if not grams:
        return
    for j1, j2 in _runs(later, "revealed"):
        if j2 - j1 < MOVE_MIN_WORDS:
            continue
        hit_b: dict[int, int] = {}  # later word -> an earlier word it repeats
        for j in range(j1, j2 - 2):
            for i in grams.get(tuple(b[j:j + 3]), ())[:1]:
                for k in range(3):
                    hit_b.setdefault(j + k, i + k)
        j = j1
        while j < j2:
            if j not in hit_b:
                j += 1
                continue
            k = j
            while k < j2 and k in hit_b:
                k += 1
            if k - j >= MOVE_MIN_WORDS:
                for x in range(j, k):
                    later[x] = "moved"
                    if earlier[hit_b[x]] == "removed":
                        earlier[hit_b[x]] = "moved"
            j = k
