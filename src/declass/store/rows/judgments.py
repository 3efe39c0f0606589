"""A judgment as stored (`StoredJudgment`): the judgments page's row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from declass.model.judgment import Judgment
from declass.store.rows.common import _set, decoded


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredJudgment(Judgment):
    """A judgment as stored, with its document's ``date``; on a judgments page also its
    ``range`` under the page's ``scale`` (None: the scale has no band for its term)."""

    KEYS: ClassVar[tuple[str, ...]] = ("document", *Judgment.KEYS, "range", "scale", "date")
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"range", "scale", "date"})

    date: str | None = None
    range: tuple[float, float] | None = None
    scale: str | None = None

    def keeps_none(self, key: str) -> bool:
        return self.scale is not None  # a page on a scale always says the range and the date

    @classmethod
    def from_data(cls, doc_id: str, data: str, date: str | None, *, scale: str | None = None,
                  low: float | None = None, high: float | None = None) -> StoredJudgment:
        """A row of ``judgments`` (its JSON ``data``), with a range read beside it."""
        return _set(decoded(cls, doc_id, data), date=date or None, scale=scale,
                    range=None if low is None or high is None else (float(low), float(high)))
