"""An estimative judgment (`Judgment`) with its horizon (`Horizon`) and the dissents on it (`Dissent`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from declass.model.records import Exported, Span, _pair


@dataclass(frozen=True, slots=True)
class Horizon(Exported):
    """How far ahead a judgment looks: ``kind`` is period, explicit, open or none."""

    end: str | None
    kind: str
    phrase: str | None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Horizon:
        return cls(d.get("end"), d["kind"], d.get("phrase"))


@dataclass(frozen=True, slots=True)
class Dissent(Exported):
    """An agency's reservation attached to a judgment's paragraph."""

    by: str
    text: str
    source: str | None
    block: str | None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Dissent:
        return cls(d["by"], d["text"], d.get("source"), d.get("block"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgment(Span):
    """An estimative statement: its claim, term, probability under each scale, horizon and dissent.

    ``probability`` maps a scale name to ``(low, high)``, or None where the
    scale has no band for the term; ``restates`` lists the ids of judgments
    in the same document that say the same thing."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "id", "block", "text", "claim", "term", "expression", "other_expressions", "polarity", "negated_claim",
        "probability", "mapping", "flat", "horizon_end", "horizon", "dissent", "by", "in_deleted_text", "start",
        "end", "in_block", "page", "restates",
    )

    id: str
    text: str
    claim: str
    term: str
    expression: str
    other_expressions: tuple[str, ...] = ()
    polarity: str = "positive"
    negated_claim: bool = False
    probability: Mapping[str, tuple[float, float] | None]
    mapping: Mapping[str, str]
    flat: bool = False
    horizon: Horizon
    dissent: tuple[Dissent, ...] = ()
    by: str | None = None
    in_deleted_text: bool = False
    in_block: tuple[int, int]
    restates: tuple[str, ...] = ()

    @property
    def horizon_end(self) -> str | None:
        """The ISO date the judgment's horizon ends on, if it has one."""
        return self.horizon.end

    def range_under(self, scale: str) -> tuple[float, float] | None:
        """The probability range under a built-in ``scale`` (see `declass.stages.judgments.range_under` for any)."""
        return self.probability.get(scale)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        probs = {k: None if v is None else (float(v[0]), float(v[1])) for k, v in (d.get("probability") or {}).items()}
        horizon = d.get("horizon") or {"end": d.get("horizon_end"), "kind": "none", "phrase": None}
        return cls(
            document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]), page=d.get("page", page),
            id=d["id"], text=d["text"], claim=d["claim"], term=d["term"], expression=d["expression"],
            other_expressions=tuple(d.get("other_expressions") or ()), polarity=d.get("polarity", "positive"),
            negated_claim=bool(d.get("negated_claim", False)), probability=probs, mapping=dict(d.get("mapping") or {}),
            flat=bool(d.get("flat", False)), horizon=Horizon.from_dict(horizon),
            dissent=tuple(Dissent.from_dict(x) for x in d.get("dissent") or ()), by=d.get("by"),
            in_deleted_text=bool(d.get("in_deleted_text", False)), in_block=_pair(d["in_block"]),
            restates=tuple(d.get("restates") or ()),
        )


