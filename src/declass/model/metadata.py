"""Metadata fields: one field's value where the document states it (`MetadataField`), and reading a
field's value, part or text from metadata typed or as a record holds it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from declass.model.records import JSON, Exported, Span, _plain


@dataclass(frozen=True, slots=True, kw_only=True)
class MetadataField(Span):
    """One metadata field's value and where the document states it.

    ``details`` holds what a field adds in its own words, in export order
    (a date's ``precision``, a title's ``printed`` form, a stamp's
    ``note``): they differ from field to field."""

    KEYS: ClassVar[tuple[str, ...]] = ("value", "block", "start", "end")

    value: JSON
    details: Mapping[str, JSON] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**Exported.to_dict(self), **{k: _plain(v) for k, v in self.details.items()}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        details = {k: v for k, v in d.items() if k not in cls.KEYS and k not in ("page", "document", "doc_id")}
        return cls(document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]),
                   page=d.get("page", page), value=d.get("value"), details=details)


def field_value(metadata: Mapping[str, Any], key: str) -> JSON:
    """The value of metadata field ``key``: fields are ``{"value": ..., "block": ...}``
    records (or `MetadataField`), a few plain values; None when absent."""
    v = metadata.get(key)
    if isinstance(v, MetadataField):
        return v.value
    if isinstance(v, Mapping):
        return v.get("value")
    return v


def field_part(v: MetadataField | Mapping[str, Any], key: str, default: JSON = None) -> JSON:
    """Part ``key`` of one metadata field, typed or as a record holds it: a span key
    (``value``, ``block``, ``start``, ``end``) or a detail (``by``, ``paragraphs``)."""
    if isinstance(v, MetadataField):
        return getattr(v, key) if key in MetadataField.KEYS else v.details.get(key, default)
    return v.get(key, default)


def field_text(metadata: Mapping[str, Any], key: str) -> str | None:
    """`field_value` as text, stripped: None when absent or empty, a list's items joined."""
    v = field_value(metadata, key)
    if isinstance(v, list | tuple):
        v = ", ".join(str(x) for x in v)
    text = "" if v is None else str(v).strip()
    return text or None


def _is_field(v: Any) -> bool:
    return isinstance(v, Mapping) and "value" in v and "start" in v


def typed_metadata(metadata: Mapping[str, Any], document: str = "",
                   page_at: Callable[[int], int] | None = None) -> dict[str, Any]:
    """``metadata`` with its span fields typed: a field record becomes a `MetadataField`,
    a list of them (reservations) a list of `MetadataField`; plain values (None, the
    FRUS volume, reservation conflicts) stay as they are.  ``page_at`` gives each field's page."""

    def one(v: Any) -> Any:
        if not _is_field(v) or isinstance(v, MetadataField):
            return v
        return MetadataField.from_dict(v, document, page_at(int(v["start"])) if page_at else None)

    return {k: [one(x) for x in v] if isinstance(v, list) else one(v) for k, v in metadata.items()}


def metadata_fields(metadata: Mapping[str, Any], document: str = "") -> Iterator[tuple[str, MetadataField]]:
    """The metadata's span fields, typed (``reservations`` yields one per reservation;
    plain values such as the FRUS volume are not fields and are skipped)."""
    for key, v in metadata.items():
        items = v if isinstance(v, list) else [v]
        for x in items:
            if isinstance(x, MetadataField):
                yield key, x
            elif _is_field(x):
                yield key, MetadataField.from_dict(x, document)


