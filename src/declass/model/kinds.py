"""The closed vocabularies of the model, as string enums.

`StrEnum` members are strings: they compare equal to the plain values
(``BlockKind.PARAGRAPH == "paragraph"``) and serialise to them, so the
export and every ``kind == "paragraph"`` test read the same as before.
"""

from __future__ import annotations

from enum import StrEnum


class BlockKind(StrEnum):
    """What a structural block is."""

    SECTION = "section"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    SUB_PARAGRAPH = "sub-paragraph"
    POINT = "point"
    ITEM = "item"
    FOOTNOTE = "footnote"
    ANNEX = "annex"
    ARTICLE = "article"
    FRONT_MATTER = "front_matter"
    HEADER = "header"
    MARGIN_NOTE = "margin_note"
    SIGNATURE = "signature"
    CLOSING = "closing"
    OMISSION = "omission"
    REDACTION = "redaction"


class RedactionKind(StrEnum):
    """What a redaction record stands for."""

    MARKER = "marker"  # an exemption code or a placeholder where text was withheld
    EXEMPT_PAGES = "exempt_pages"  # a slip sheet standing for withheld pages
    OMISSION = "omission"  # an editor's omission (FRUS "[2 paragraphs not declassified]" set apart)
    WITHHELD_BLOCK = "withheld_block"  # a block inferred from a gap in the numbering


class EditOp(StrEnum):
    """A handwritten edit's operation."""

    DELETE = "delete"
    INSERT = "insert"
    NOTE = "note"
    MARK = "mark"
