"""The shared document model.

A `Document` owns the raw source text; everything else is a record that
points into it by character offsets (``start``/``end`` in `Document.text`)
and carries the page it sits on.  Stages never edit the source: they add
records, and return a new `Document` (`dataclasses.replace`).  The facts
stages find are typed spans (`declass.model.records`); closed vocabularies
are string enums (`declass.model.kinds`).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from declass.model.kinds import BlockKind, EditOp, RedactionKind
from declass.model.records import (
    Dissent,
    Edit,
    Event,
    Evidence,
    Exemption,
    Exported,
    Horizon,
    Judgment,
    Mention,
    MetadataField,
    Redaction,
    ReleasePair,
    Span,
    field_part,
    field_text,
    field_value,
    from_dicts,
    metadata_fields,
    plain,
    typed_metadata,
)

if TYPE_CHECKING:
    from declass.model.document import (
        Block,
        Chunk,
        Correction,
        Document,
        Furniture,
        Line,
        Page,
        Source,
        Viewed,
        page_lookup,
    )

_LAZY = frozenset({"Block", "Chunk", "Correction", "Document", "Furniture", "Line", "Page", "Source", "Viewed",
                   "page_lookup"})
"""The document and its parts load on first use (PEP 562): a store question reads typed
records (`declass.model.records`) and need not pay for the document model and its text map."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module("declass.model.document"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'declass.model' has no attribute {name!r}")


__all__ = [
    "Block",
    "BlockKind",
    "Chunk",
    "Correction",
    "Dissent",
    "Document",
    "Edit",
    "EditOp",
    "Event",
    "Evidence",
    "Exemption",
    "Exported",
    "Furniture",
    "Horizon",
    "Judgment",
    "Line",
    "Mention",
    "MetadataField",
    "Page",
    "Redaction",
    "RedactionKind",
    "ReleasePair",
    "Source",
    "Span",
    "Viewed",
    "field_part",
    "field_text",
    "field_value",
    "from_dicts",
    "metadata_fields",
    "page_lookup",
    "plain",
    "typed_metadata",
]
