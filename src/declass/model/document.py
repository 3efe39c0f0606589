"""The document: its source text, pages, lines, blocks and the facts found in it.

A `Document` owns the raw source text; everything else is a record that
points into it by character offsets (``start``/``end`` in `Document.text`)
and carries the page it sits on.  Stages never edit the source: they add
records, and return a new `Document` (`dataclasses.replace`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from declass.model.edit import Edit
from declass.model.event import Event
from declass.model.judgment import Judgment
from declass.model.kinds import BlockKind
from declass.model.mention import Mention
from declass.model.redaction import Redaction
from declass.text.textmap import MappedText

_T = TypeVar("_T")


def _evolved(obj: _T, names: tuple[str, ...], changes: dict[str, Any]) -> _T:
    """``dataclasses.replace(obj, **changes)`` for a frozen dataclass whose fields are ``names``
    and all set by ``__init__``, without its keyword round trip through ``__init__``: every stage
    evolves the document, and amending evolves each block (replace took over 2% of a worker)."""
    if not changes.keys() <= set(names):
        raise TypeError(f"{type(obj).__name__} has no field(s) {', '.join(sorted(changes.keys() - set(names)))}")
    new = object.__new__(type(obj))
    for name in names:
        object.__setattr__(new, name, changes[name] if name in changes else getattr(obj, name))
    return new


@dataclass(frozen=True, slots=True)
class Source:
    """Where a document came from and how it was read."""

    path: str
    sha256: str
    media_type: str = "text/plain"
    size: int = 0
    encoding: str | None = None
    ocr: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """A page: a span of the source text.

    ``inferred`` pages come from printed page numbers in a plain-text source
    (which has no physical pages); otherwise pages are the reader's own.
    """

    number: int
    start: int
    end: int
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    """One source line as the clean stage classified it.

    ``kind`` is ``body``, ``blank`` or ``furniture``.
    """

    start: int
    end: int
    kind: str
    page: int


@dataclass(frozen=True, slots=True)
class Furniture:
    """Page furniture kept out of the body: stamps, banners, page numbers."""

    kind: str
    text: str
    start: int
    end: int
    page: int
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Correction:
    """An OCR repair applied to body text; the source keeps the original."""

    original: str
    corrected: str
    start: int
    end: int
    rule: str


class Viewed:
    """Text and source extent of a record that holds a `MappedText` ``view``."""

    __slots__ = ()
    view: MappedText

    @property
    def text(self) -> str:
        return self.view.text

    @property
    def start(self) -> int:
        return self.view.source_start

    @property
    def end(self) -> int:
        return self.view.source_end


@dataclass(frozen=True, slots=True)
class Chunk(Viewed):
    """A run of body lines the clean stage joined into one piece of text.

    ``after_break`` says page furniture (a page break) stands before it;
    ``first_line`` is the first source line, as printed, for layout cues;
    ``before`` lists the furniture kinds between it and the previous chunk.
    """

    view: MappedText
    page: int
    after_break: bool
    first_line: str
    before: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Block(Viewed):
    """A labelled unit of the document's structure (paragraph, point, ...).

    ``view`` is the block's text as typed, mapped to the source; ``start``
    and ``end`` bound all its source segments (a block split by a page
    break or a footnote has several, see `segments`).
    """

    label: str
    kind: BlockKind
    parent: str | None
    view: MappedText
    page: int
    label_inferred: bool = False
    number: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    amended_text: str | None = None
    handwritten: bool = False
    deleted: bool = False
    redline: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if type(self.kind) is not BlockKind:  # a plain string: an unknown kind fails here, not downstream
            object.__setattr__(self, "kind", BlockKind(self.kind))

    def evolve(self, **changes: Any) -> Block:
        new = _evolved(self, _BLOCK_FIELDS, changes)
        new.__post_init__()
        return new

    @property
    def segments(self) -> list[tuple[int, int]]:
        return self.view.source_segments()


_BLOCK_FIELDS = tuple(f.name for f in fields(Block))


def page_lookup(pages: tuple[Page, ...]) -> Callable[[int], int]:
    """A fast ``offset -> page number`` function for ``pages``."""
    if not pages:
        return lambda _offset: 1
    starts = [p.start for p in pages]
    numbers = [p.number for p in pages]

    def at(offset: int) -> int:
        return numbers[max(bisect_right(starts, offset) - 1, 0)]

    return at


@dataclass(frozen=True, slots=True)
class Document:
    """One document: its untouched source text and everything derived from it."""

    id: str
    text: str
    source: Source
    pages: tuple[Page, ...] = ()
    lines: tuple[Line, ...] = ()
    furniture: tuple[Furniture, ...] = ()
    corrections: tuple[Correction, ...] = ()
    chunks: tuple[Chunk, ...] = ()
    blocks: tuple[Block, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    redactions: tuple[Redaction, ...] = ()
    edits: tuple[Edit, ...] = ()
    entities: tuple[Mention, ...] = ()
    judgments: tuple[Judgment, ...] = ()
    events: tuple[Event, ...] = ()
    warnings: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    line_positions: tuple[tuple[int, float], ...] = ()
    """OCR'd lines: ``(start offset, vertical place on the page: 0 top .. 1 bottom)``; furniture sits at the edges."""

    def evolve(self, **changes: Any) -> Document:
        """A copy with ``changes`` applied (documents are immutable)."""
        return _evolved(self, _DOCUMENT_FIELDS, changes)

    def page_at(self, offset: int) -> int:
        """The page number holding source ``offset`` (1 if there are no pages)."""
        return page_lookup(self.pages)(offset)

    def block(self, label: str) -> Block | None:
        """The block with ``label`` (case-insensitive), if any."""
        want = label.casefold()
        for b in self.blocks:
            if b.label.casefold() == want:
                return b
        return None


_DOCUMENT_FIELDS = tuple(f.name for f in fields(Document))
