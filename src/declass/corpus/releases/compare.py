"""Compare two releases of one document: the later one's revealed text, cited."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from declass.corpus.releases.align import Alignment, align
from declass.corpus.releases.characterise import (
    OcrDifference,
    RemovedSpan,
    RevealedSpan,
    ocr_differences,
    removed_spans,
    revealed_spans,
)
from declass.corpus.releases.stats import PairStats, pair_stats
from declass.corpus.releases.text import Evidence, ReleaseText, from_record
from declass.model import field_value
from declass.model.records import Exported


@dataclass(frozen=True, slots=True)
class Comparison:
    """What the later release shows that the earlier did not, and what differs otherwise."""

    earlier: str
    later: str
    revealed: tuple[RevealedSpan, ...]
    removed: tuple[RemovedSpan, ...]
    ocr: tuple[OcrDifference, ...]
    moved_words: int
    evidence: tuple[Evidence, ...]  # the earlier release's withholding marks
    stats: PairStats

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ReleaseCitation(Exported):
    """How to cite one release of a comparison: its id, its document citation, and each block's reference
    (``paragraph 23.b``) by label."""

    id: str
    citation: str
    blocks: Mapping[str, str]

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> ReleaseCitation:
        from declass.corpus.cite import block_reference, document_citation

        return cls(record["id"], document_citation(dict(record)),
                   {b["label"]: block_reference(b) for b in record["blocks"]})


@dataclass(frozen=True, slots=True)
class CitedComparison(Exported):
    """A comparison with the citations of its two releases (what the CLI prints and writes as JSON)."""

    comparison: Comparison
    earlier_record: ReleaseCitation
    later_record: ReleaseCitation

    def to_dict(self) -> dict[str, Any]:
        return {"comparison": self.comparison.to_dict(), "earlier_record": self.earlier_record.to_dict(),
                "later_record": self.later_record.to_dict()}


def cited_comparison(comparison: Comparison, get: Callable[[str], Mapping[str, Any]]) -> CitedComparison:
    """``comparison`` with its releases' citations, their records read by ``get``."""
    return CitedComparison(comparison, ReleaseCitation.of(get(comparison.earlier)),
                           ReleaseCitation.of(get(comparison.later)))


def compare_records(earlier: dict[str, Any], later: dict[str, Any]) -> Comparison:
    """Compare two export records (``earlier`` is the release that withholds more)."""
    e, lt = from_record(earlier), from_record(later)
    al = align([w.norm for w in e.words], [w.norm for w in lt.words])
    return _build(e, lt, al, later.get("entities") or [], _year(later) or _year(earlier))


def _build(e: ReleaseText, lt: ReleaseText, al: Alignment, entities: list[dict[str, Any]],
           year: int | None) -> Comparison:
    rev = revealed_spans(e, lt, al, entities)
    rem = removed_spans(e, al)
    ocr = ocr_differences(e, lt, al)
    removed_chars = sum(len(w.norm) for w, lab in zip(e.words, al.earlier, strict=True) if lab == "removed")
    stats = pair_stats(rev, earlier_chars=e.chars(0, len(e.words)), later_chars=lt.chars(0, len(lt.words)),
                       removed_chars=removed_chars, ocr_words=len(ocr), year=year)
    return Comparison(e.id, lt.id, rev, rem, ocr, al.later.count("moved"), e.evidence, stats)


def _year(record: dict[str, Any]) -> int | None:
    v = field_value(record.get("metadata") or {}, "date")
    return int(str(v)[:4]) if v and str(v)[:4].isdigit() else None
