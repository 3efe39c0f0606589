"""A dated event, deadline, duration or period (`Event`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from declass.model.records import Span, _pair


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(Span):
    """A dated event, deadline, duration or period, with ISO dates.

    ``phrase`` is the dating words, ``text`` the whole sentence (whose source
    span is ``sentence_start``..``sentence_end``); ``relative_to`` and
    ``anchor`` say what a counted date ("within 30 days") was counted from."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "date", "date_end", "precision", "kind", "phrase", "text", "block", "in_block", "start", "end",
        "sentence_start", "sentence_end", "page", "open_end", "relative_to", "anchor",
    )
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"open_end", "relative_to", "anchor"})

    date: str
    date_end: str | None = None
    precision: str
    kind: str
    phrase: str
    text: str
    in_block: tuple[int, int]
    sentence_start: int
    sentence_end: int
    open_end: bool | None = None
    relative_to: str | None = None
    anchor: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        return cls(
            document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]), page=d.get("page", page),
            date=d["date"], date_end=d.get("date_end"), precision=d["precision"], kind=d["kind"],
            phrase=d["phrase"], text=d["text"], in_block=_pair(d["in_block"]),
            sentence_start=int(d["sentence_start"]), sentence_end=int(d["sentence_end"]),
            open_end=d.get("open_end"), relative_to=d.get("relative_to"), anchor=d.get("anchor"),
        )


