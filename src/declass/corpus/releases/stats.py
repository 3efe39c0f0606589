"""Statistics of what later releases revealed: per pair and for an archive.

The share withheld is measured in letters and digits (line breaks, spacing
and hyphenation differ between releases and must not count): the revealed
text over the later release's body.  Archive figures are grouped by the
document's year and by what hid the text in the earlier release.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from declass.corpus.releases.characterise import RevealedSpan
from declass.model.records import Exported


@dataclass(frozen=True, slots=True)
class PairStats:
    """Figures for one pair of releases."""

    earlier_chars: int
    later_chars: int
    revealed_chars: int
    revealed_spans: int
    removed_chars: int
    ocr_words: int
    withheld_share: float  # revealed chars / later release's chars
    by_scope: dict[str, int] = field(default_factory=dict)  # chars
    by_withheld: dict[str, int] = field(default_factory=dict)  # chars, by what hid them
    by_kind: dict[str, int] = field(default_factory=dict)  # chars, by content kind
    year: int | None = None


def pair_stats(spans: Iterable[RevealedSpan], *, earlier_chars: int, later_chars: int, removed_chars: int,
               ocr_words: int, year: int | None) -> PairStats:
    spans = list(spans)
    revealed = sum(s.chars for s in spans)
    by_scope: Counter[str] = Counter()
    by_withheld: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    for s in spans:
        by_scope[s.scope] += s.chars
        by_withheld[withheld_key(s)] += s.chars
        for k in s.kinds:
            if not k.startswith("scope:"):
                by_kind[k] += s.chars
    return PairStats(earlier_chars=earlier_chars, later_chars=later_chars, revealed_chars=revealed,
                     revealed_spans=len(spans), removed_chars=removed_chars, ocr_words=ocr_words,
                     withheld_share=round(revealed / later_chars, 4) if later_chars else 0.0,
                     by_scope=dict(sorted(by_scope.items())), by_withheld=dict(sorted(by_withheld.items())),
                     by_kind=dict(sorted(by_kind.items())), year=year)


def withheld_key(span: RevealedSpan) -> str:
    """How a span was hidden, as grouped in statistics: ``25X1``, ``exempt_pages``, ``silent_gap`` ..."""
    w = span.withheld_by
    if w.kind == "marker":
        return w.code or (w.text or "marker").strip()
    return w.kind


@dataclass(frozen=True, slots=True)
class PairFigures(Exported):
    """A stored pair of releases (earlier, later, the earlier's date) and its figures (`PairStats`, its
    fields repeated flat, as the export reads them; `of` fills them by name, and a test holds the two
    lists of fields equal)."""

    earlier: str
    later: str
    date: str | None
    earlier_chars: int
    later_chars: int
    revealed_chars: int
    revealed_spans: int
    removed_chars: int
    ocr_words: int
    withheld_share: float
    by_scope: dict[str, int]
    by_withheld: dict[str, int]
    by_kind: dict[str, int]
    year: int | None

    @classmethod
    def of(cls, earlier: str, later: str, date: str | None, st: PairStats) -> PairFigures:
        return cls(earlier=earlier, later=later, date=date,
                   **{f.name: getattr(st, f.name) for f in fields(PairStats)})


@dataclass(frozen=True, slots=True)
class ArchiveStats(Exported):
    """Figures over every pair of an archive."""

    pairs: int
    earlier_chars: int
    later_chars: int
    revealed_chars: int
    withheld_share: float
    by_year: dict[str, dict[str, float]]
    by_withheld: dict[str, int]
    by_scope: dict[str, int]
    by_kind: dict[str, int]


@dataclass(frozen=True, slots=True)
class ReleaseStats(Exported):
    """Each stored pair's figures and the archive's."""

    pairs: tuple[PairFigures, ...]
    archive: ArchiveStats


def archive_stats(pairs: Iterable[PairStats]) -> ArchiveStats:
    n = 0
    e = later = rev = 0
    years: dict[str, list[int]] = {}
    by_withheld: Counter[str] = Counter()
    by_scope: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    for p in pairs:
        n += 1
        e += p.earlier_chars
        later += p.later_chars
        rev += p.revealed_chars
        y = years.setdefault(str(p.year) if p.year else "undated", [0, 0, 0])
        y[0] += 1
        y[1] += p.revealed_chars
        y[2] += p.later_chars
        by_withheld.update(p.by_withheld)
        by_scope.update(p.by_scope)
        by_kind.update(p.by_kind)
    by_year = {k: {"pairs": v[0], "revealed_chars": v[1], "later_chars": v[2],
                   "withheld_share": round(v[1] / v[2], 4) if v[2] else 0.0} for k, v in sorted(years.items())}
    return ArchiveStats(n, e, later, rev, round(rev / later, 4) if later else 0.0, by_year,
                        dict(by_withheld.most_common()), dict(by_scope.most_common()), dict(by_kind.most_common()))
