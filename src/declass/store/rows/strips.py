"""A judgment as its document's strip draws it (`JudgmentCell`)."""

from __future__ import annotations

from dataclasses import dataclass

from declass.store.rows.common import decoded_as


@dataclass(frozen=True, slots=True)
class JudgmentCell:
    """A judgment as its document's strip draws it: where it is, its words, its range under one scale."""

    document: str
    block: str | None
    start: int
    expression: str
    range: tuple[float, float] | None

    @classmethod
    def from_data(cls, doc_id: str, block: str | None, start: int, data: str | bytes, low: float | None,
                  high: float | None) -> JudgmentCell:
        """From a judgment's row: its JSON read for the expression alone."""
        return cls(doc_id, block, start, decoded_as(_Expression, data).expression,
                   None if low is None or high is None else (float(low), float(high)))


@dataclass(frozen=True, slots=True)
class _Expression:
    """A judgment's JSON read for its expression alone."""

    expression: str
