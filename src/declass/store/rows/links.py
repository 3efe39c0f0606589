"""What linking reads of a judgment (`JudgmentClaim`), and a stored link between two judgments (`Link`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from declass.model.records import Exported
from declass.store.rows.common import decoded_as


@dataclass(frozen=True, slots=True)
class JudgmentClaim:
    """What linking reads of a judgment: where it is, its claim and polarity, the entities it names."""

    document: str
    seq: int
    id: str
    claim: str
    polarity: str
    entities: tuple[str, ...]

    @classmethod
    def from_data(cls, doc_id: str, seq: int, data: str | bytes, entities: tuple[str, ...]) -> JudgmentClaim:
        """From a judgment's row: its JSON read for the id, claim and polarity alone."""
        c = decoded_as(_Claim, data)
        return cls(doc_id, seq, c.id, c.claim, c.polarity, entities)


@dataclass(frozen=True, slots=True)
class _Claim:
    """A judgment's JSON read for its id, claim and polarity alone."""

    id: str
    claim: str
    polarity: str = "positive"


@dataclass(frozen=True, slots=True)
class Link(Exported):
    """Judgment ``a`` of document ``a_doc`` restated as ``b`` of ``b_doc``: how alike (``score``),
    whether they agree, found how, and what a user made of it (proposed, confirmed, rejected)."""

    a_doc: str
    a: str
    b_doc: str
    b: str
    score: float
    agree: bool | None
    method: str
    status: str
    updated_at: str

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Link:
        return cls(r["a_doc"], r["a"], r["b_doc"], r["b"], float(r["score"]),
                   None if r["agree"] is None else bool(r["agree"]), r["method"], r["status"], r["updated_at"])
