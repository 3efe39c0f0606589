"""A dated event as stored (`StoredEvent`): the timeline's row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from declass.model.event import Event
from declass.store.rows.common import CITED, Cited, decoded


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredEvent(Cited, Event):
    """A dated event as stored (the timeline's row)."""

    KEYS: ClassVar[tuple[str, ...]] = ("document", *Event.KEYS, *CITED)
    OPTIONAL: ClassVar[frozenset[str]] = Event.OPTIONAL | set(CITED)

    citation: str | None = None
    doc_number: str | None = None
    title: str | None = None

    @classmethod
    def from_data(cls, doc_id: str, data: str) -> StoredEvent:
        return decoded(cls, doc_id, data)
