"""Two releases of one document (`ReleasePair`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from declass.model.records import Exported


@dataclass(frozen=True, slots=True)
class ReleasePair(Exported):
    """Two releases of one document, earlier first.

    ``method``: archive_id | metadata | text | user; ``score``: containment of
    the smaller release's word 5-grams in the larger (estimated); ``basis``:
    how the order was decided (release dates, withholding marks, own text,
    length); ``status``: proposed, confirmed or rejected once stored."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"status"})

    earlier: str
    later: str
    method: str
    score: float
    basis: str
    status: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ReleasePair:
        return cls(d["earlier"], d["later"], d["method"], float(d["score"] or 0.0), d.get("basis") or "",
                   d.get("status"))

    from_row = from_dict
