"""Text views that remember where every character came from.

Every stage after `read` works on *views* of the raw source text: lines
joined with spaces, hyphenated words rejoined, OCR confusions repaired,
handwritten markup removed.  A `MappedText` is such a view plus a
piecewise map back to the source, so any span a later stage finds (an
entity, a judgment) can be cited as an exact span of the untouched source.

The map is a tuple of runs ``(text_start, source_start, text_len,
source_len)``.  A *copy* run has equal lengths and maps character for
character; a *replacement* run (a rejoined hyphen, a repaired word) maps
its text onto the source run as a whole.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

Run = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class MappedText:
    """A string with a map from each of its characters to the source text."""

    text: str
    runs: tuple[Run, ...]
    # derived from runs on first use: most views are built, sliced and dropped unasked
    _starts_cache: tuple[int, ...] | None = field(default=None, compare=False, repr=False)
    _extent_cache: tuple[int, int] | None = field(default=None, compare=False, repr=False)

    @property
    def _starts(self) -> tuple[int, ...]:
        if self._starts_cache is None:
            object.__setattr__(self, "_starts_cache", tuple(r[0] for r in self.runs))
        return self._starts_cache  # type: ignore[return-value]

    @property
    def _extent(self) -> tuple[int, int]:
        if self._extent_cache is None:
            ext = (self.runs[0][1], max(r[1] + r[3] for r in self.runs)) if self.runs else (0, 0)
            object.__setattr__(self, "_extent_cache", ext)
        return self._extent_cache  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.text)

    def __str__(self) -> str:
        return self.text

    @classmethod
    def of_source(cls, source: str, start: int = 0, end: int | None = None) -> MappedText:
        """The view of ``source[start:end]`` copied verbatim."""
        end = len(source) if end is None else end
        return cls(source[start:end], ((0, start, end - start, end - start),) if end > start else ())

    @property
    def source_start(self) -> int:
        return self._extent[0]

    @property
    def source_end(self) -> int:
        return self._extent[1]

    def to_source(self, i: int, *, end: bool = False) -> int:
        """Source offset of text position ``i`` (``end=True`` for an exclusive end)."""
        if not self.runs:
            return 0
        if end and i > 0:
            # An exclusive end belongs to the run holding its last character.
            k = bisect_right(self._starts, i - 1) - 1
            t0, s0, tl, sl = self.runs[max(k, 0)]
            if tl == sl:
                return s0 + min(i - t0, sl)
            return s0 + sl if i >= t0 + tl else s0 + min(i - t0, sl)
        k = max(bisect_right(self._starts, i) - 1, 0)
        t0, s0, tl, sl = self.runs[k]
        if i >= t0 + tl and k + 1 < len(self.runs):
            return self.runs[k + 1][1]
        return s0 + min(max(i - t0, 0), sl)

    def span_to_source(self, start: int, end: int) -> tuple[int, int]:
        """Source span ``(start, end)`` covering text ``[start, end)``."""
        s = self.to_source(start)
        e = self.to_source(end, end=True)
        return (s, max(e, s))

    def source_segments(self) -> list[tuple[int, int]]:
        """Contiguous source spans this view was drawn from, in text order."""
        segs: list[tuple[int, int]] = []
        for _, s0, _, sl in self.runs:
            if sl == 0:
                continue
            if segs and segs[-1][1] <= s0 and s0 - segs[-1][1] <= 2:
                segs[-1] = (segs[-1][0], s0 + sl)
            else:
                segs.append((s0, s0 + sl))
        return segs

    def slice(self, start: int, end: int) -> MappedText:
        """The sub-view ``text[start:end]`` with its map."""
        start = max(0, start)
        end = min(len(self.text), end)
        if end <= start:
            return MappedText("", ())
        runs = self.runs
        if len(runs) == 1 and runs[0][0] == 0 and runs[0][2] == runs[0][3] == len(self.text):
            # one verbatim copy of the source, the most common view
            return MappedText(self.text[start:end], ((0, runs[0][1] + start, end - start, end - start),))
        b = TextBuilder()
        # runs partition the text in order: start at the one holding ``start``, stop past ``end``
        for k in range(max(bisect_right(self._starts, start) - 1, 0), len(runs)):
            t0, s0, tl, sl = runs[k]
            if t0 >= end:
                break
            lo, hi = max(t0, start), min(t0 + tl, end)
            if lo >= hi:
                continue
            if tl == sl:
                b.add(self.text[lo:hi], s0 + lo - t0, s0 + hi - t0)
            else:
                b.add(self.text[lo:hi], s0, s0 + sl)
        return b.build()

    def strip(self) -> MappedText:
        """Drop leading and trailing white space, keeping the map."""
        t = self.text
        lo = len(t) - len(t.lstrip())
        hi = len(t.rstrip())
        return self if (lo == 0 and hi == len(t)) else self.slice(lo, hi)

    def sub(self, pattern: re.Pattern[str], repl: str | None = None) -> MappedText:
        """Replace every match of ``pattern`` (by ``repl``, or drop it)."""
        b = TextBuilder()
        pos = 0
        for m in pattern.finditer(self.text):
            b.extend(self.slice(pos, m.start()))
            if repl:
                s, e = self.span_to_source(m.start(), m.end())
                b.add(m.expand(repl), s, e)
            pos = m.end()
        b.extend(self.slice(pos, len(self.text)))
        return b.build()

    @staticmethod
    def join(parts: Iterable[MappedText], sep: str = " ") -> MappedText:
        """Concatenate views with a separator mapped to the gap between them."""
        b = TextBuilder()
        first = True
        for part in parts:
            if not first and sep:
                at = b.last_source_end
                b.add(sep, at, at)
            b.extend(part)
            first = False
        return b.build()


class TextBuilder:
    """Accumulates text pieces with their source spans into a `MappedText`."""

    __slots__ = ("_len", "_parts", "_runs")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._runs: list[Run] = []
        self._len = 0

    @property
    def last_source_end(self) -> int:
        if not self._runs:
            return 0
        _, s0, _, sl = self._runs[-1]
        return s0 + sl

    def add(self, text: str, src_start: int, src_end: int) -> None:
        """Append ``text``, drawn from ``source[src_start:src_end]``."""
        tl, sl = len(text), src_end - src_start
        if tl == 0 and sl == 0:
            return
        if self._runs and tl == sl:
            t0, s0, ptl, psl = self._runs[-1]
            if ptl == psl and s0 + psl == src_start and t0 + ptl == self._len:
                self._runs[-1] = (t0, s0, ptl + tl, psl + sl)
                self._parts.append(text)
                self._len += tl
                return
        self._runs.append((self._len, src_start, tl, sl))
        self._parts.append(text)
        self._len += tl

    def extend(self, view: MappedText) -> None:
        for t0, s0, tl, sl in view.runs:
            self.add(view.text[t0 : t0 + tl], s0, s0 + sl)

    def build(self) -> MappedText:
        runs = tuple(r for r in self._runs if r[2] > 0)
        return MappedText("".join(self._parts), runs)


def iter_lines(source: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of every line of ``source`` from ``start`` (a line's start), without
    its newline (LF or CRLF)."""
    pos = start
    n = len(source)
    while pos <= n:
        nl = source.find("\n", pos)
        if nl < 0:
            if pos < n:
                yield (pos, n)
            return
        end = nl - 1 if nl > pos and source[nl - 1] == "\r" else nl
        yield (pos, end)
        pos = nl + 1
