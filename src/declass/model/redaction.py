"""Something withheld (`Redaction`), the exemption its marker cites (`Exemption`) and the markers
that show an inferred withheld block (`Evidence`); the redaction report's figures (`withheld_share`,
`per_page`, `by_exemption_sorted`), here so the stage, the store and the Archive's answers count alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from declass.model.kinds import RedactionKind
from declass.model.records import Exported, Span, _opt_pair


@dataclass(frozen=True, slots=True)
class Exemption(Exported):
    """The exemption a marker cites: its code (``25X1``, ``(b)(3)``) and what the code means."""

    code: str
    description: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Exemption:
        return cls(d["code"], d.get("description", ""))


@dataclass(frozen=True, slots=True)
class Evidence(Exported):
    """A marker beside an inferred withheld block: why we believe text is missing."""

    kind: str
    text: str
    start: int
    end: int

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        return cls(d["kind"], d["text"], int(d["start"]), int(d["end"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class Redaction(Span):
    """Something withheld: a marker, a slip sheet, an editor's omission, or a block inferred from a numbering gap.

    Markers sit ``in`` or ``after`` their ``block``; an inferred block sits
    between ``after`` and ``before`` and carries its ``evidence`` and
    ``confidence``.  ``withholding``/``what``/``size`` read the marker's words
    ("[1½ lines not declassified]" → not_declassified, lines, ``{"lines": 1.5}``)."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "kind", "inferred_labels", "marker", "exemption", "block", "position", "after", "before", "start", "end",
        "page", "source", "label", "withholding", "what", "size", "read_as", "in_block", "evidence", "confidence",
        "reason",
    )
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({
        "inferred_labels", "position", "after", "before", "source", "label", "withholding", "what", "size",
        "read_as", "in_block", "evidence", "confidence", "reason",
    })

    kind: RedactionKind
    marker: str | None = None
    exemption: Exemption | None = None
    position: str | None = None
    inferred_labels: tuple[str, ...] | None = None
    after: str | None = None
    before: str | None = None
    source: str | None = None
    label: str | None = None
    withholding: str | None = None
    what: str | None = None
    size: Mapping[str, float | int | bool] | None = None
    read_as: str | None = None
    in_block: tuple[int, int] | None = None
    evidence: tuple[Evidence, ...] | None = None
    confidence: float | None = None
    reason: str | None = None

    def keeps_none(self, key: str) -> bool:
        return self.kind == RedactionKind.WITHHELD_BLOCK and key in ("after", "before")  # what a gap lies between

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        ex = d.get("exemption")
        ev = d.get("evidence")
        labels = d.get("inferred_labels")
        size = d.get("size")
        return cls(
            document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]), page=d.get("page", page),
            kind=RedactionKind(d["kind"]), marker=d.get("marker"),
            exemption=None if ex is None else Exemption.from_dict(ex), position=d.get("position"),
            inferred_labels=None if labels is None else tuple(labels), after=d.get("after"), before=d.get("before"),
            source=d.get("source"), label=d.get("label"), withholding=d.get("withholding"), what=d.get("what"),
            size=None if size is None else dict(size), read_as=d.get("read_as"), in_block=_opt_pair(d.get("in_block")),
            evidence=None if ev is None else tuple(Evidence.from_dict(x) for x in ev),
            confidence=d.get("confidence"), reason=d.get("reason"),
        )


def withheld_share(withheld: int, numbered: int) -> float:
    """The share of a numbering's points that were withheld: of the numbered blocks printed and the
    points inferred withheld together (0.0 with no numbering: nothing to measure against)."""
    return round(withheld / (numbered + withheld), 4) if numbered else 0.0


def per_page(markers: int, pages: int) -> float:
    """Redaction markers per page (0.0 when the page count is unknown)."""
    return round(markers / pages, 3) if pages else 0.0


def by_exemption_sorted(counts: Mapping[str | None, int]) -> dict[str | None, int]:
    """Marker counts by exemption, named exemptions in order and the unnamed (None) last: a marker
    citing no exemption is counted under None, and None does not compare with a name."""
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or "")))
