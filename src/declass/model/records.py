"""The facts stages find, as typed spans into a document.

Every fact a stage derives — a mention, a judgment, an event, a redaction,
a handwritten edit, a metadata field — is a `Span`: it names its document,
the block it sits in, its character offsets in the source text and its
page.  Each type knows its export form (`to_dict`, the keys and key order of
the JSONL export, which is a public contract) and how to be read back from
it (`from_dict`; the store's rows use the same shape, `from_row`).

A key marked optional is left out of the export when its value is None,
as the stages always did; every other key is always written.

Each kind of record is a module of its own (`declass.model.mention`, `judgment`, `event`,
`redaction`, `edit`, `metadata`, `release`), loaded when first named here (PEP 562): making a
dataclass costs a fraction of a millisecond, and a question that reads judgments
(``declass judgments --json``) should not pay for every other kind.  This module holds what they
share: the span, the export form and `plain`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from importlib import import_module
from typing import Any, ClassVar, Self, TypeVar

JSON = Any
"""A JSON value (the export's nested free-form parts: sizes, probabilities)."""


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(v: Any) -> Any:
    """A value as plain JSON data: tuples become lists, enums their strings."""
    t = type(v)
    if t in _SCALARS:  # the common case first: this runs for every value of every record exported
        return v
    if t is tuple or t is list:
        return [_plain(x) for x in v]
    if t is dict:
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, Exported):
        return v.to_dict()
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    return v


def plain(value: Any) -> Any:
    """Any answer holding typed records as plain JSON data: each record its export form
    (`Exported.to_dict`), tuples and lists lists, enums their strings.  The one
    serialiser of the API's and the CLI's JSON."""
    return _plain(value)


_AS_IS = frozenset({"str", "int", "float", "bool", "str | None", "int | None", "float | None", "bool | None"})
_PAIR = frozenset({"tuple[int, int]", "tuple[int, int] | None"})
_WRITERS: dict[type[Exported], Callable[[Any], dict[str, Any]]] = {}


def _writer(cls: type[Exported]) -> Callable[[Any], dict[str, Any]]:
    """``to_dict`` written out for ``cls`` from its ``KEYS`` and field types, as
    `dataclasses` writes ``__init__``: the export runs for every fact of every
    document, and a loop over the keys testing each value's type costs several
    times more.  Scalars are copied as they are, offset pairs become lists,
    anything else goes through `_plain`."""
    types: dict[str, str] = {f.name: str(f.type) for f in fields(cls)} if is_dataclass(cls) else {}
    optional: frozenset[str] = getattr(cls, "OPTIONAL", frozenset())
    lines = ["def to_dict(self):", "    out = {}"]
    for k in cls.KEYS:
        t = types.get(k, "")
        value = "v" if t in _AS_IS else "(None if v is None else [v[0], v[1]])" if t in _PAIR else "_plain(v)"
        lines.append(f"    v = self.{k}")
        if k in optional:
            keeps = "" if getattr(cls, "keeps_none", None) is Exported.keeps_none else f" or self.keeps_none({k!r})"
            lines.append(f"    if v is not None{keeps}:")
            lines.append(f"        out[{k!r}] = {value}")
        else:
            lines.append(f"    out[{k!r}] = {value}")
    lines.append("    return out")
    namespace: dict[str, Any] = {"_plain": _plain}
    exec("\n".join(lines), namespace)  # source built above from the class's own declarations
    write: Callable[[Any], dict[str, Any]] = namespace["to_dict"]
    return write


def _pair(v: Any) -> tuple[int, int]:
    a, b = v
    return int(a), int(b)


def _opt_pair(v: Any) -> tuple[int, int] | None:
    return None if v is None else _pair(v)


class _FieldNames:
    """``KEYS`` of a record that does not list its own: its dataclass fields, in order (most export
    every field; a record whose export differs, leaving out its document or adding a property,
    lists its ``KEYS``)."""

    def __get__(self, obj: object, cls: type) -> tuple[str, ...]:
        keys = _FIELD_KEYS.get(cls)
        if keys is None:
            keys = _FIELD_KEYS[cls] = tuple(f.name for f in fields(cls)) if is_dataclass(cls) else ()
        return keys


_FIELD_KEYS: dict[type, tuple[str, ...]] = {}


class Exported:
    """A record with a fixed export form: ``KEYS`` in order (by default its fields), ``OPTIONAL`` ones
    only when set."""

    __slots__ = ()
    KEYS: ClassVar[tuple[str, ...]] = _FieldNames()  # type: ignore[assignment]  # read as a tuple
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        """The export form (plain JSON data, keys in the contract's order)."""
        write = _WRITERS.get(type(self))
        if write is None:
            write = _WRITERS[type(self)] = _writer(type(self))
        return write(self)

    def keeps_none(self, key: str) -> bool:
        """Whether optional ``key`` is written even when None (a record kind that always has it)."""
        return False


@dataclass(frozen=True, slots=True, kw_only=True, init=False, repr=False, eq=False)
class Span(Exported):
    """Where a fact sits: its document, block label, source offsets and page.

    ``document`` is the document's id; the export leaves it out (each record
    already belongs to one document) and the store fills it in.  Only its kinds
    are made, compared and shown, each with its own ``__init__``, ``__eq__`` and
    ``__repr__``: the base makes none of its own (each costs an ``exec`` at import)."""

    document: str = ""
    block: str | None
    start: int
    end: int
    page: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any], document: str | None = None) -> Self:
        """Read back from a store row: the export's keys, plus ``document`` (or ``doc_id``)."""
        doc = document if document is not None else row.get("document", row.get("doc_id", ""))
        return cls.from_dict(row, document=str(doc or ""))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        raise NotImplementedError  # every concrete span defines it


S = TypeVar("S", bound=Span)


def from_dicts(cls: type[S], items: Any, document: str = "",
               page_at: Callable[[int], int] | None = None) -> tuple[S, ...]:
    """Typed records from export dicts (records already typed pass through).

    ``page_at`` (`declass.model.page_lookup`) gives the page of a record whose
    dict has none (mentions and metadata fields do not export theirs)."""
    if page_at is None:
        return tuple(x if isinstance(x, cls) else cls.from_dict(x, document) for x in items)
    return tuple(x if isinstance(x, cls) else cls.from_dict(x, document, page_at(int(x["start"]))) for x in items)


_KINDS = {
    "Mention": "mention", "Horizon": "judgment", "Dissent": "judgment", "Judgment": "judgment", "Event": "event",
    "Exemption": "redaction", "Evidence": "redaction", "Redaction": "redaction", "Edit": "edit",
    "MetadataField": "metadata", "field_value": "metadata", "field_part": "metadata", "field_text": "metadata",
    "typed_metadata": "metadata", "metadata_fields": "metadata", "ReleasePair": "release",
}
"""Where each kind of record (and the metadata fields' readers) is defined: named here as before, each
loads when first asked for.  (Typed imports name the kind's own module, or `declass.model`: this module
does not import them for the type checker, or each would import the other.)"""


def lazy_attribute(namespace: dict[str, Any], package: str, where: Mapping[str, str], name: str) -> Any:
    """A module's ``__getattr__`` (PEP 562) for names defined in its package's submodules: ``name``
    from ``package.<where[name]>``, imported on first use and kept in ``namespace`` (the module's
    globals) so the next lookup is a plain one."""
    module = where.get(name)
    if module is None:
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
    value = getattr(import_module(f"{package}.{module}"), name)
    namespace[name] = value
    return value


def __getattr__(name: str) -> Any:
    return lazy_attribute(globals(), "declass.model", _KINDS, name)


__all__ = ["JSON", "Exported", "Span", "from_dicts", "plain"]
