"""FRUS TEI: parse `<div type="document">` records into plain text and markup spans.

*Foreign Relations of the United States* (history.state.gov) publishes its
volumes as TEI XML.  The markup is a hand-made reading of each document —
paragraphs, numbered items, footnotes and their anchors, people with FRUS
ids, dates, and the "[1 line not declassified]" notes — so it serves twice:
the TEI reader builds a `Document` from it, and the evaluation uses it as
gold for what the plain-text pipeline reads.

Both need the same rendering: the text a printed (and OCR'd) FRUS page
gives — the document number and heading with a footnote mark, the dateline,
paragraphs with their labels, footnotes at the foot of each printed page, a
running head at the top of the next — with every markup span mapped to its
offsets in that text.  A slice file (one `div`, the ``frus:`` prefix left
undeclared) is wrapped in a root that declares the namespaces; a volume file
is streamed with `iterparse`, so memory holds one document at a time.
"""

from __future__ import annotations

import contextlib
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

TEI_NS = "http://www.tei-c.org/ns/1.0"
FRUS_NS = "http://history.state.gov/frus/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_WRAP_OPEN = f'<TEI xmlns="{TEI_NS}" xmlns:frus="{FRUS_NS}">'.encode()
_WRAP_CLOSE = b"</TEI>"

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SPACE = re.compile(r"\s+")
_HEAD_NUMBER = re.compile(r"^\s*(\d{1,4})\.\s+")
_LEADING_NUMBER = re.compile(r"^(\d{1,3})\.\s")
_CLASSIFICATION = re.compile(
    r"(?:^|[.;:]\s+)(Top Secret|Secret|Confidential|Restricted|Limited Official Use|Official Use Only|Unclassified)"
    r"\b(?!\s+(?:Service|Agent|Police)\b)",
)
WITHHELD = re.compile(
    r"\[[^\[\]]{0,120}?(?:not\s+declassified|deleted)[^\[\]]{0,40}?\]", re.IGNORECASE
)
OMISSION = re.compile(r"^\[(?:Here follows|Omitted here|Facsimile|Attachment)\b[^\]]*\]?", re.IGNORECASE)
_VOLUME_ID = re.compile(r"frus(?P<y1>\d{4})(?:-(?P<y2>\d{2,4}))?v(?P<vol>\d+)(?:p(?P<part>\d+))?", re.IGNORECASE)
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))

BLOCK_TAGS = frozenset({"head", "dateline", "p", "item", "closer", "signed", "opener", "quote", "salute"})
NAME_KINDS = {"persName": "person", "placeName": "place", "gloss": "gloss", "orgName": "organisation"}


@dataclass(frozen=True, slots=True)
class TeiBlock:
    """A paragraph-like unit of the rendering.

    ``kind`` is the TEI element (``head``, ``dateline``, ``p``, ``item``,
    ``list_head``, ``closer``, ``signed``, ``opener``, ``note``, ``running_head``);
    ``label`` the number or letter the document prints for it ("3", "b").
    A block broken by a page break spans the break: ``start`` and ``end``
    bound its text, the page furniture in between included.
    """

    kind: str
    start: int
    end: int
    page: int | None
    label: str | None = None
    list_type: str | None = None
    rend: str | None = None  # how the print sets it: "center", "flushleft", "strong" (headings are set so)


@dataclass(frozen=True, slots=True)
class TeiNote:
    """A footnote: its text span, the span of its mark in the body, and the block holding the mark."""

    n: str
    xml_id: str | None
    kind: str  # "source" or "note"
    mark: str
    start: int
    end: int
    anchor_start: int
    anchor_end: int
    anchor_block: int | None
    page: int | None


@dataclass(frozen=True, slots=True)
class TeiName:
    """A `<persName>`, `<placeName>`, `<gloss>` or `<orgName>` with its FRUS id (``corresp``/``target``)."""

    kind: str
    text: str
    start: int
    end: int
    ref: str | None
    role: str | None
    in_note: bool


@dataclass(frozen=True, slots=True)
class TeiDate:
    when: str
    text: str
    start: int
    end: int
    in_dateline: bool


@dataclass(frozen=True, slots=True)
class TeiMark:
    """A bracketed editorial note: withheld text ("[1 line not declassified]") or an omission."""

    kind: str  # "withheld" or "omission"
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TeiPage:
    number: int | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TeiDocument:
    """One FRUS document: its rendered text and the markup's spans into it."""

    xml_id: str
    n: str | None
    volume: str | None
    volume_title: str | None
    heading: str
    title: str
    date: str | None
    classification: str | None
    source_note: str | None
    text: str
    xml: bytes
    pages: tuple[TeiPage, ...] = ()
    blocks: tuple[TeiBlock, ...] = ()
    notes: tuple[TeiNote, ...] = ()
    names: tuple[TeiName, ...] = ()
    dates: tuple[TeiDate, ...] = ()
    marks: tuple[TeiMark, ...] = ()
    heading_block: int | None = None
    dateline_block: int | None = None

    @property
    def id(self) -> str:
        """A stable document id: ``frus1955-57v02-d158``."""
        vol = (self.volume or "frus").lower()
        return f"{vol}-{self.xml_id}".lower()

    @property
    def citation_prefix(self) -> str:
        """"FRUS, 1955–1957, vol. II, doc. 158" (the FRUS way of citing a document)."""
        vol = volume_label(self.volume)
        parts = ["FRUS" + (f", {vol}" if vol else "")]
        if self.n:
            parts.append(f"doc. {self.n}")
        return ", ".join(parts)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _roman(n: int) -> str:
    out = []
    for value, numeral in _ROMAN:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def volume_label(volume: str | None) -> str | None:
    """``frus1955-57v02`` → "1955–1957, vol. II"; ``frus1949v07p2`` → "1949, vol. VII, pt. 2"."""
    m = _VOLUME_ID.search(volume or "")
    if not m:
        return None
    years = m["y1"]
    if m["y2"]:
        y2 = m["y2"] if len(m["y2"]) == 4 else m["y1"][:4 - len(m["y2"])] + m["y2"]
        years = f"{m['y1']}–{y2}"
    label = f"{years}, vol. {_roman(int(m['vol']))}"
    return label + (f", pt. {m['part']}" if m["part"] else "")


def running_head(volume: str | None, page: int) -> str:
    """The line printed at the top of a FRUS page (page number outside, volume inside)."""
    m = _VOLUME_ID.search(volume or "")
    if m:
        label = volume_label(volume) or ""
        years, _, rest = label.partition(", vol. ")
        title = f"Foreign Relations, {years}, Volume {rest.replace(', pt. ', ', Part ')}"
    else:
        title = "Foreign Relations of the United States"
    return f"{page}    {title}" if page % 2 == 0 else f"{title}    {page}"


def classification_in(note: str | None) -> str | None:
    """The classification a FRUS source note records ("... Files. Secret. Drafted by ..."), upper-cased."""
    if not note:
        return None
    m = _CLASSIFICATION.search(note)
    return m.group(1).upper() if m else None


# -- rendering ------------------------------------------------------------------


@dataclass
class _PendingNote:
    el: ET.Element
    mark: str
    anchor_start: int
    anchor_end: int
    anchor_block: int | None
    page: int | None


@dataclass
class _Renderer:
    volume: str | None
    parts: list[str] = field(default_factory=list)
    pos: int = 0
    at_space: bool = True  # the last character emitted is whitespace (or nothing yet)
    upper: int = 0
    in_note: int = 0
    in_dateline: int = 0
    page: int | None = None
    page_start: int = 0
    pages: list[TeiPage] = field(default_factory=list)
    blocks: list[TeiBlock | None] = field(default_factory=list)
    open_blocks: list[int] = field(default_factory=list)
    pending: list[_PendingNote] = field(default_factory=list)
    notes: list[TeiNote] = field(default_factory=list)
    names: list[TeiName] = field(default_factory=list)
    dates: list[TeiDate] = field(default_factory=list)
    note_count: int = 0

    # -- low-level output

    def raw(self, s: str) -> None:
        if s:
            self.parts.append(s)
            self.pos += len(s)
            self.at_space = s[-1].isspace()

    def words(self, s: str | None) -> None:
        """Emit markup text with its layout whitespace collapsed to single spaces."""
        if not s:
            return
        s = _SPACE.sub(" ", s)
        if self.upper:
            s = s.upper()
        if self.at_space:
            s = s.lstrip(" ")
        if s:
            self.raw(s)

    def end_line(self) -> None:
        """Drop trailing spaces of the current line (kept out of spans: they end before it)."""
        while self.parts and self.parts[-1].endswith(" "):
            last = self.parts.pop()
            stripped = last.rstrip(" ")
            self.pos -= len(last) - len(stripped)
            if stripped:
                self.parts.append(stripped)
                break
        self.at_space = True

    def separate(self) -> None:
        """A blank line before a new block (none at the very start)."""
        self.end_line()
        if self.pos == 0:
            return
        tail = "".join(self.parts[-2:])[-2:]
        need = "\n\n"[: 2 - (len(tail) - len(tail.rstrip("\n")))] if tail.endswith("\n") else "\n\n"
        self.raw(need)

    # -- blocks

    def open_block(self, kind: str, label: str | None = None, list_type: str | None = None,
                   rend: str | None = None) -> int:
        self.separate()
        self.blocks.append(TeiBlock(kind, self.pos, self.pos, self.page, label, list_type, rend))
        self.open_blocks.append(len(self.blocks) - 1)
        return len(self.blocks) - 1

    def close_block(self, index: int) -> None:
        self.end_line()
        b = self.blocks[index]
        assert b is not None
        self.open_blocks.remove(index)
        if self.pos <= b.start:
            self.blocks[index] = None  # nothing was printed: no block
            return
        self.blocks[index] = TeiBlock(b.kind, b.start, self.pos, b.page, b.label, b.list_type, b.rend)

    def current_block(self) -> int | None:
        return self.open_blocks[-1] if self.open_blocks else None

    # -- pages and notes

    def page_break(self, number: int | None) -> None:
        """The foot of a printed page (its footnotes), then the next page's running head."""
        self.flush_notes()
        self.end_line()
        self.pages.append(TeiPage(self.page, self.page_start, self.pos))
        self.raw("\n\f\n")
        self.page_start = self.pos
        self.page = number
        if number is not None:
            start = self.pos
            self.raw(running_head(self.volume, number))
            self.blocks.append(TeiBlock("running_head", start, self.pos, number))
            self.raw("\n\n")
        self.at_space = True

    def flush_notes(self) -> None:
        pending, self.pending = self.pending, []
        for note in pending:
            idx = self.open_block("note", note.mark)
            self.raw(f"{note.mark} ")
            body_start = self.pos
            self.in_note += 1
            self.inline_children(note.el, flatten_paragraphs=True)
            self.in_note -= 1
            self.end_line()
            self.close_block(idx)
            el = note.el
            self.notes.append(TeiNote(
                n=el.get("n", ""), xml_id=el.get(f"{{{XML_NS}}}id"),
                kind="source" if el.get("type") == "source" else "note",
                mark=note.mark, start=body_start, end=self.pos,
                anchor_start=note.anchor_start, anchor_end=note.anchor_end,
                anchor_block=note.anchor_block, page=note.page,
            ))

    # -- element walkers

    def inline(self, el: ET.Element, *, flatten_paragraphs: bool = False) -> None:
        """An element inside running text: its words, with spans recorded for names and dates."""
        tag = _local(el.tag)
        if tag == "note":
            self.note_mark(el)
        elif tag == "pb":
            self.page_break(_int(el.get("n")))
        elif tag == "lb":
            self.raw(" ")
        elif tag in NAME_KINDS:
            start = self.pos
            self.inline_children(el, flatten_paragraphs=flatten_paragraphs)
            self.record_name(el, NAME_KINDS[tag], start)
        elif tag == "date":
            start = self.pos
            self.inline_children(el, flatten_paragraphs=flatten_paragraphs)
            start = self._skip_space(start)
            when = el.get("when") or el.get("from") or el.get("notBefore")
            if when and self.pos > start:
                self.dates.append(TeiDate(when, self.text_between(start, self.pos), start, self.pos,
                                          self.in_dateline > 0))
        elif tag == "hi" and (el.get("rend") or "") in ("smallcaps", "sc"):
            self.upper += 1
            self.inline_children(el, flatten_paragraphs=flatten_paragraphs)
            self.upper -= 1
        elif tag == "p" and flatten_paragraphs:
            if not self.at_space:
                self.raw(" ")
            self.inline_children(el, flatten_paragraphs=True)
        elif tag == "list" and flatten_paragraphs:
            self.inline_children(el, flatten_paragraphs=True)
        else:
            self.inline_children(el, flatten_paragraphs=flatten_paragraphs)
        self.words(el.tail)

    def inline_children(self, el: ET.Element, *, flatten_paragraphs: bool = False) -> None:
        self.words(el.text)
        for child in el:
            if not flatten_paragraphs and _local(child.tag) in ("p", "list", "quote"):
                self.structural(child)
                self.words(child.tail)
            else:
                self.inline(child, flatten_paragraphs=flatten_paragraphs)

    def _skip_space(self, start: int) -> int:
        text = self.text_between(start, self.pos)
        return start + (len(text) - len(text.lstrip()))

    def text_between(self, start: int, end: int) -> str:
        """Text already emitted at ``[start, end)``: only the parts from ``start`` on are joined
        (spans asked for are recent, so rendering stays linear in the document's length)."""
        at, i = self.pos, len(self.parts)
        while i > 0 and at > start:
            i -= 1
            at -= len(self.parts[i])
        return "".join(self.parts[i:])[start - at:end - at]

    def record_name(self, el: ET.Element, kind: str, start: int) -> None:
        start = self._skip_space(start)
        end = self.pos
        text = self.text_between(start, end)
        stripped = text.rstrip()
        end -= len(text) - len(stripped)
        if end <= start:
            return
        ref = el.get("corresp") or el.get("target") or el.get("ref")
        self.names.append(TeiName(kind, stripped, start, end, ref.lstrip("#") if ref else None, el.get("type"),
                                  self.in_note > 0))

    def note_mark(self, el: ET.Element) -> None:
        self.note_count += 1
        mark = str(self.note_count)
        if self.parts and self.parts[-1].endswith(" "):
            self.end_line()  # the mark sits on the word before it
        start = self.pos
        self.raw(mark.translate(SUPERSCRIPT))
        self.at_space = False
        self.pending.append(_PendingNote(el, mark, start, self.pos, self.current_block(), self.page))

    def structural(self, el: ET.Element) -> None:
        """A block-level element: paragraphs, lists, datelines, closers."""
        tag = _local(el.tag)
        if tag == "list":
            self.list_(el)
        elif tag in ("closer", "opener"):
            self.container(el, tag)
        elif tag == "pb":
            self.page_break(_int(el.get("n")))
        elif tag == "note":  # a note between blocks anchors to the previous text
            self.note_mark(el)
        elif tag in ("div",):
            for child in el:
                self.structural(child)
        elif tag in ("quote",):
            has_blocks = any(_local(c.tag) in ("p", "list") for c in el)
            if has_blocks:
                self.words(el.text)
                for child in el:
                    self.structural(child)
                    self.words(child.tail)
            else:
                self.paragraph(el, "p")
        else:
            self.paragraph(el, tag if tag in BLOCK_TAGS else "p")

    def paragraph(self, el: ET.Element, kind: str, label: str | None = None, list_type: str | None = None,
                  prefix: str = "") -> int | None:
        idx = self.open_block(kind, label, list_type, el.get("rend"))
        if prefix:
            self.raw(prefix)
            self.at_space = True
        if kind == "dateline":
            self.in_dateline += 1
        self.inline_children(el)
        if kind == "dateline":
            self.in_dateline -= 1
        self.close_block(idx)
        block = self.blocks[idx]
        if block is not None and kind == "p" and label is None:
            m = _LEADING_NUMBER.match(self.text_between(block.start, min(block.end, block.start + 8)))
            if m:
                self.blocks[idx] = TeiBlock(kind, block.start, block.end, block.page, m.group(1), list_type,
                                            block.rend)
        return idx if self.blocks[idx] is not None else None

    def container(self, el: ET.Element, kind: str) -> None:
        """`<closer>`/`<opener>`: loose text is one block, `<signed>`/`<dateline>`/`<seg>` their own."""
        if el.text and el.text.strip():
            idx = self.open_block(kind)
            self.words(el.text)
            self.close_block(idx)
        for child in el:
            ctag = _local(child.tag)
            if ctag in ("signed", "dateline", "seg", "salute", "p"):
                kind_ = {"seg": kind, "p": kind}.get(ctag, ctag)
                self.paragraph(child, kind_)
            elif ctag == "pb":
                self.page_break(_int(child.get("n")))
            else:
                idx = self.open_block(kind)
                self.inline(child)
                self.close_block(idx)
                continue
            if child.tail and child.tail.strip():
                idx = self.open_block(kind)
                self.words(child.tail)
                self.close_block(idx)

    def list_(self, el: ET.Element) -> None:
        list_type = el.get("type")
        label: str | None = None
        for child in el:
            ctag = _local(child.tag)
            if ctag == "head":
                self.paragraph(child, "list_head", list_type=list_type)
            elif ctag == "label":
                label = _SPACE.sub(" ", "".join(child.itertext())).strip()
            elif ctag == "item":
                self.item(child, label, list_type)
                label = None
            elif ctag == "pb":
                self.page_break(_int(child.get("n")))
            else:
                self.structural(child)

    def item(self, el: ET.Element, label: str | None, list_type: str | None) -> None:
        """A list item: its label printed before the first paragraph; later paragraphs are their own blocks."""
        clean_label = label.strip("().") if label else None
        prefix = f"{label} " if label else ""
        blocks = [c for c in el if _local(c.tag) in ("p", "list")]
        if not blocks or (el.text and el.text.strip()):
            self.paragraph(el, "item", clean_label, list_type, prefix)
            return
        first = True
        for child in el:
            ctag = _local(child.tag)
            if ctag == "p":
                self.paragraph(child, "item" if first else "p", clean_label if first else None, list_type,
                               prefix if first else "")
                first = False
            elif ctag == "list":
                self.list_(child)
            elif ctag == "pb":
                self.page_break(_int(child.get("n")))
            else:
                self.structural(child)
            self.words(child.tail)

    def text(self) -> str:
        return "".join(self.parts)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def render(div: ET.Element, *, volume: str | None = None, volume_title: str | None = None,
           xml: bytes = b"") -> TeiDocument:
    """Render one `<div type="document">` as printed plain text, with every markup span located in it."""
    r = _Renderer(volume)
    first_pb = next((p for p in div.iter(f"{{{TEI_NS}}}pb")), None)
    first_page = _int(first_pb.get("n")) if first_pb is not None else None
    r.page = first_page - 1 if first_page else None
    heading_block: int | None = None
    dateline_block: int | None = None
    inline_source: tuple[int, int] | None = None
    for child in div:
        tag = _local(child.tag)
        if tag == "head" and heading_block is None:
            heading_block = r.paragraph(child, "head")
        elif tag == "dateline" and dateline_block is None:
            dateline_block = r.paragraph(child, "dateline")
        elif tag == "note" and child.get("rend") == "inline":
            # an inline source note ("895.24/3–1549: Telegram") is printed above the heading
            idx = r.paragraph(child, "source")
            if idx is not None:
                b = r.blocks[idx]
                assert b is not None
                inline_source = (b.start, b.end)
        elif tag == "opener":
            before = len(r.blocks)
            r.container(child, "opener")
            for i in range(before, len(r.blocks)):
                b = r.blocks[i]
                if b is not None and b.kind == "dateline" and dateline_block is None:
                    dateline_block = i
        else:
            r.structural(child)
        r.words(child.tail)
    r.flush_notes()
    r.end_line()
    r.pages.append(TeiPage(r.page, r.page_start, r.pos))
    text = r.text() + "\n"

    # Blocks that printed nothing were dropped; renumber the indices that point at them.
    keep: dict[int, int] = {}
    blocks: list[TeiBlock] = []
    for i, b in enumerate(r.blocks):
        if b is not None:
            keep[i] = len(blocks)
            blocks.append(b)
    notes = tuple(
        TeiNote(n.n, n.xml_id, n.kind, n.mark, n.start, n.end, n.anchor_start, n.anchor_end,
                keep.get(n.anchor_block) if n.anchor_block is not None else None, n.page)
        for n in r.notes
    )
    heading = text[blocks[keep[heading_block]].start:blocks[keep[heading_block]].end] if (
        heading_block is not None and heading_block in keep) else ""
    title = _title_of(heading)
    source = next((n for n in notes if n.kind == "source"), None)
    if source is None and notes and heading_block is not None and notes[0].anchor_block == keep.get(heading_block, -1):
        source = notes[0] if text[notes[0].start:notes[0].end].startswith("Source:") else None
    source_note = text[source.start:source.end] if source else (
        text[inline_source[0]:inline_source[1]] if inline_source else None)
    date = _date_of(div, r.dates)
    marks = tuple(_marks(text, blocks))
    return TeiDocument(
        xml_id=div.get(f"{{{XML_NS}}}id") or f"d{div.get('n', '')}",
        n=div.get("n"),
        volume=volume,
        volume_title=volume_title,
        heading=heading,
        title=title,
        date=date,
        classification=classification_in(source_note),
        source_note=source_note,
        text=text,
        xml=xml,
        pages=tuple(r.pages),
        blocks=tuple(blocks),
        notes=notes,
        names=tuple(r.names),
        dates=tuple(r.dates),
        marks=marks,
        heading_block=keep.get(heading_block) if heading_block is not None else None,
        dateline_block=keep.get(dateline_block) if dateline_block is not None else None,
    )


def _title_of(heading: str) -> str:
    """The FRUS heading without its document number and footnote marks."""
    title = _HEAD_NUMBER.sub("", heading)
    title = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", title)
    return _SPACE.sub(" ", title).strip()


def _date_of(div: ET.Element, dates: list[TeiDate]) -> str | None:
    for d in dates:
        if d.in_dateline and re.match(r"\d{4}-\d{2}-\d{2}", d.when):
            return d.when[:10]
    when = div.get(f"{{{FRUS_NS}}}doc-dateTime-min")
    return when[:10] if when else None


def _marks(text: str, blocks: list[TeiBlock]) -> Iterator[TeiMark]:
    """Declassification notes anywhere; editorial omissions as whole bracketed paragraphs."""
    for m in WITHHELD.finditer(text):
        yield TeiMark("withheld", m.group(0), m.start(), m.end())
    for b in blocks:
        if b.kind in ("p", "item"):
            para = text[b.start:b.end]
            om = OMISSION.match(para)
            if om and para.rstrip().endswith("]"):
                yield TeiMark("omission", para.strip(), b.start, b.end)


# -- reading files ----------------------------------------------------------------


class _Chain(io.RawIOBase):
    """A read-only stream over several byte sources (wrapper + file + wrapper), read lazily."""

    def __init__(self, *sources: IO[bytes] | bytes) -> None:
        self._sources = [io.BytesIO(s) if isinstance(s, bytes) else s for s in sources]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self._sources:
            chunk = self._sources[0].read(len(buffer))
            if chunk:
                buffer[: len(chunk)] = chunk
                return len(chunk)
            self._sources.pop(0)
        return 0


_PROLOG = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*", re.S)


def looks_like_tei(head: bytes) -> bool:
    """Whether the first bytes of a file are TEI: a TEI root, or a FRUS document slice."""
    m = _PROLOG.match(head)
    rest = head[m.end() if m else 0:]
    return (rest.startswith((b"<TEI", b"<teiCorpus")) and TEI_NS.encode() in head[:4096]) or bool(
        re.match(rb"<div\b[^>]*\btype=\"document\"", rest)
    )


def _stream(data: IO[bytes]) -> IO[bytes]:
    """The file as a parsable stream: a bare slice is wrapped in a root declaring TEI and FRUS namespaces."""
    head = data.read(8192)
    m = _PROLOG.match(head)
    body = head[m.end() if m else 0:]
    if body.startswith((b"<TEI", b"<teiCorpus")):
        return io.BufferedReader(_Chain(head, data))
    return io.BufferedReader(_Chain(_WRAP_OPEN, body, data, _WRAP_CLOSE))


def volume_from_name(name: str) -> str | None:
    """``frus1955-57v02`` from a file name such as ``frus1955-57v02_d158_....xml``."""
    m = _VOLUME_ID.search(Path(name).name)
    return m.group(0).lower() if m else None


@dataclass(frozen=True, slots=True)
class Slice:
    """One document of a TEI file, as XML, with what the volume around it says."""

    xml_id: str
    volume: str | None
    volume_title: str | None
    xml: bytes


def _divs(raw: IO[bytes], volume: str | None) -> Iterator[tuple[ET.Element, str | None, str | None]]:
    """Each document `div` with the volume's id and title, its elements freed once the caller moves on."""
    volume_title: str | None = None
    stack: list[ET.Element] = []
    for event, el in ET.iterparse(_stream(raw), events=("start", "end")):
        if event == "start":
            stack.append(el)
            if _local(el.tag) == "TEI" and len(stack) == 1:
                vid = el.get(f"{{{XML_NS}}}id")
                volume = vid.lower() if vid and _VOLUME_ID.search(vid) else volume
            continue
        stack.pop()
        tag = _local(el.tag)
        if tag == "title" and volume_title is None and el.get("type") in ("complete", None) and any(
            _local(a.tag) == "titleStmt" for a in stack
        ):
            volume_title = _SPACE.sub(" ", "".join(el.itertext())).strip() or None
        if tag == "div" and el.get("type") == "document":
            yield el, volume, volume_title
            el.clear()
            if stack:
                with contextlib.suppress(ValueError):
                    stack[-1].remove(el)


def iter_slices(path: str | Path) -> Iterator[Slice]:
    """Every document of a TEI file (slice or whole volume) as XML, streamed.

    Ingest hands each slice to a worker, so a volume is never in memory at
    once and its documents are read in parallel.
    """
    with open(path, "rb") as raw:
        for el, volume, volume_title in _divs(raw, volume_from_name(str(path))):
            xml_id = el.get(f"{{{XML_NS}}}id") or f"d{el.get('n', '')}"
            yield Slice(xml_id, volume, volume_title, ET.tostring(el, encoding="utf-8"))


def iter_documents(source: str | Path | bytes | Slice, *, name: str | None = None) -> Iterator[TeiDocument]:
    """Every `<div type="document">` of a TEI file or slice, rendered, one at a time."""
    if isinstance(source, Slice):
        raw: IO[bytes] = io.BytesIO(source.xml)
        volume, title = source.volume, source.volume_title
    elif isinstance(source, bytes):
        raw = io.BytesIO(source)
        volume, title = volume_from_name(name or ""), None
    else:
        raw = open(source, "rb")  # noqa: SIM115 - closed below
        volume, title = volume_from_name(name or str(source)), None
    with raw:
        for el, vol, vol_title in _divs(raw, volume):
            yield render(el, volume=vol, volume_title=vol_title or title, xml=ET.tostring(el, encoding="utf-8"))
