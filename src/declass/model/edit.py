"""A handwritten edit (`Edit`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from declass.model.kinds import EditOp
from declass.model.records import Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit(Span):
    """A handwritten edit: struck (delete), inserted, a note in the margin, or a caret mark.

    ``marker`` is the transcription's markup that showed it (``~~``, ``^{}``)."""

    KEYS: ClassVar[tuple[str, ...]] = ("op", "text", "start", "end", "marker", "page", "block")

    op: EditOp
    text: str
    marker: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        return cls(document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]),
                   page=d.get("page", page), op=EditOp(d["op"]), text=d["text"], marker=d["marker"])


