"""A name in the text (`Mention`): a person, place or organisation, resolved when it can be."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from declass.model.records import Span, _pair


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention(Span):
    """A name in the text: a person, place or organisation, resolved when it can be.

    ``metonymy``: a place named for its government ("Moscow agreed");
    ``as_named`` is then the place, ``id`` the government."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "text", "block", "start", "end", "in_block", "method", "metonymy", "in_deleted_text", "as_named", "type",
        "canonical", "id", "wikidata", "title", "cluster", "frus_id",
    )
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"as_named", "title", "cluster", "frus_id"})

    text: str
    in_block: tuple[int, int]
    method: str
    type: str
    metonymy: bool = False
    in_deleted_text: bool = False
    as_named: str | None = None
    canonical: str | None = None
    id: str | None = None
    wikidata: str | None = None
    title: str | None = None
    cluster: str | None = None
    frus_id: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        return cls(
            document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]), page=d.get("page", page),
            text=d["text"], in_block=_pair(d["in_block"]), method=d["method"], type=d["type"],
            metonymy=bool(d.get("metonymy", False)), in_deleted_text=bool(d.get("in_deleted_text", False)),
            as_named=d.get("as_named"), canonical=d.get("canonical"), id=d.get("id"), wikidata=d.get("wikidata"),
            title=d.get("title"), cluster=d.get("cluster"), frus_id=d.get("frus_id"),
        )


