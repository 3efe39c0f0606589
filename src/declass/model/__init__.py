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

from declass.model.records import Exported, Span, from_dicts, plain

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
    from declass.model.edit import Edit
    from declass.model.event import Event
    from declass.model.judgment import Dissent, Horizon, Judgment
    from declass.model.kinds import BlockKind, EditOp, RedactionKind
    from declass.model.mention import Mention
    from declass.model.metadata import (
        MetadataField,
        field_part,
        field_text,
        field_value,
        metadata_fields,
        typed_metadata,
    )
    from declass.model.redaction import Evidence, Exemption, Redaction
    from declass.model.release import ReleasePair

_LAZY = {
    **dict.fromkeys(("Block", "Chunk", "Correction", "Document", "Furniture", "Line", "Page", "Source", "Viewed",
                     "page_lookup"), "declass.model.document"),
    **dict.fromkeys(("Dissent", "Horizon", "Judgment"), "declass.model.judgment"),
    **dict.fromkeys(("Evidence", "Exemption", "Redaction"), "declass.model.redaction"),
    **dict.fromkeys(("MetadataField", "field_part", "field_text", "field_value", "metadata_fields",
                     "typed_metadata"), "declass.model.metadata"),
    "Edit": "declass.model.edit", "Event": "declass.model.event", "Mention": "declass.model.mention",
    "ReleasePair": "declass.model.release",
    **dict.fromkeys(("BlockKind", "EditOp", "RedactionKind"), "declass.model.kinds"),
}
"""Loaded on first use (PEP 562): the document and its parts (a store question reads typed records and need
not pay for the document model and its text map), and each kind of record (`declass.model.records`: a
question about judgments need not make the types of every other kind, nor the enums of kinds)."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'declass.model' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


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
