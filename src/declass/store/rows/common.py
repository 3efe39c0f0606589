"""What every stored row type shares: reading a row's JSON into its type, and the citation a row gains."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import msgspec

    from declass.model.records import Span

CITED = ("citation", "doc_number", "title")
"""The keys a cited row adds (always written once cited, None or not)."""

R = TypeVar("R", bound="Cited")
S = TypeVar("S", bound="Span")
T = TypeVar("T")


def _set(row: T, **values: Any) -> T:
    """Fill fields of a row just built here, before anyone else holds it (a frozen
    dataclass's ``replace`` would build it a second time, for every row of a page)."""
    for k, v in values.items():
        object.__setattr__(row, k, v)
    return row


_DECODERS: dict[type, msgspec.json.Decoder[Any]] = {}


def decoded_as(cls: type[T], data: str | bytes) -> T:
    """JSON read straight into ``cls`` (a decoder made once per type)."""
    import msgspec  # (on the first row read: a question that only names the types does not load it)

    dec = _DECODERS.get(cls)
    if dec is None:
        dec = _DECODERS[cls] = msgspec.json.Decoder(cls)
    out: T = dec.decode(data)
    return out


MSGSPEC_AFTER = 1000
"""Rows a process reads with ``json.loads`` and `from_dict` before `decoded` turns to msgspec: msgspec
reads a row some 15 us faster, but importing it costs some 15 ms (with the modules it loads), as much as
a thousand rows save.  A command that reads one page (``declass judgments --json``: 50 rows) never
loads it; a server or a long scan does, once."""

_read = 0


def decoded(cls: type[S], doc_id: str, data: str | bytes) -> S:
    """A row's JSON (its ``data`` column) read into its type, of document ``doc_id``: with ``json.loads``
    and `from_dict` for a process's first `MSGSPEC_AFTER` rows, then by msgspec, straight from the text,
    three to four times faster and to the same values (`read_by_msgspec`)."""
    global _read
    if _read < MSGSPEC_AFTER:
        _read += 1
        return read_by_json(cls, doc_id, data)
    return read_by_msgspec(cls, doc_id, data)


def read_by_json(cls: type[S], doc_id: str, data: str | bytes) -> S:
    """A row's JSON read by ``json.loads`` and its type's `from_dict`."""
    return cls.from_dict(json.loads(data), doc_id)


def read_by_msgspec(cls: type[S], doc_id: str, data: str | bytes) -> S:
    """A row's JSON read straight into its type by msgspec: the values `read_by_json` gives (checked on
    every row of a 10k-page archive and 60,000 of each kind of a 100k-page one, and by the store's tests).
    JSON an older release wrote without some key goes through `from_dict`, which fills what it lacks."""
    import msgspec

    try:
        row = decoded_as(cls, data)
    except msgspec.ValidationError:
        return cls.from_dict(json.loads(data), doc_id)
    object.__setattr__(row, "document", doc_id)
    return row


_FIELDS: dict[type, tuple[str, ...]] = {}


def _copy(row: T) -> T:
    """A copy of a frozen row, field by field (``copy.copy`` goes through pickling's protocol and
    ``dataclasses.replace`` through ``__init__``: several times slower, for every row of a page)."""
    cls = type(row)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    new = object.__new__(cls)
    for name in names:
        object.__setattr__(new, name, getattr(row, name))
    return new


class Cited:
    """A row the archive cites: ``citation``, ``doc_number`` and ``title`` of its document
    (None until cited; written in the export form only once cited).  Each row type declares the
    three fields itself: a slotted dataclass cannot take fields from two slotted bases."""

    __slots__ = ()
    document: str
    block: str | None
    citation: str | None
    doc_number: str | None
    title: str | None

    def cited(self: R, citation: str, doc_number: str | None, title: str | None, *, fresh: bool = False) -> R:
        """This row with its citation: a copy (rows are frozen), or, ``fresh``, this row itself,
        filled in (a row the store has just read, that nothing else holds yet)."""
        return _set(self if fresh else _copy(self), citation=citation, doc_number=doc_number, title=title)

    def keeps_cited(self, key: str) -> bool:
        return key in CITED and self.citation is not None

    def keeps_none(self, key: str) -> bool:
        """A row's citation fields are written once it is cited (a row type whose record keeps other
        keys says so itself, and asks `keeps_cited` too)."""
        return self.keeps_cited(key)
