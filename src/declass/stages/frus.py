"""Read FRUS TEI documents: structure, metadata, names and withheld text from the markup.

The TEI markup already says what the plain-text stages would have to
guess — paragraphs and their numbers, footnotes and their anchors, the
heading, dateline and source note, people and places with FRUS ids, the
"[1 line not declassified]" notes — so a TEI document skips clean,
structure and markup and takes them from the markup instead.  The rest of
the pipeline (metadata details, redactions, entities, judgments, events)
runs as for any document, and the markup then corrects or completes what
those stages found.  Citations read the FRUS way: volume, document, paragraph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from typing import Any

from declass.datafile import load_yaml
from declass.model import (
    Block,
    BlockKind,
    Document,
    Furniture,
    Mention,
    Page,
    Redaction,
    RedactionKind,
    Source,
    page_lookup,
    typed_metadata,
)
from declass.stages.options import DEFAULT_OPTIONS, Options
from declass.stages.pipeline import Stage, run_stages, stages_for
from declass.stages.read.tei import Slice, TeiBlock, TeiDocument, iter_documents
from declass.text.textmap import MappedText

MEDIA_TYPE = "application/tei+xml"
DONE = ("read", "clean", "markup", "structure", "amend")
"""Stages the markup stands in for."""
HEADING_RENDS = frozenset({"center", "strong", "smallcaps"})
_SEPARATOR = re.compile(r"\s*\f\s*")
_LABEL = re.compile(r"\(?[0-9A-Za-z]{1,3}[.)]\s+")


@lru_cache(maxsize=1)
def _frus_types() -> list[tuple[str, re.Pattern[str]]]:
    raw = resources.files("declass.data").joinpath("frus_types.yaml").read_text("utf-8")
    return [(t["type"], re.compile(t["pattern"], re.IGNORECASE)) for t in load_yaml(raw)["types"]]


def frus_type(heading: str, source_note: str | None = None) -> str | None:
    """The kind of document a FRUS heading (or an inline source note) names."""
    for text in (heading, source_note or ""):
        for name, pattern in _frus_types():
            if pattern.search(text):
                return name
    return None


# -- blocks -----------------------------------------------------------------------


def _segments(doc: TeiDocument, block: TeiBlock, inner: list[TeiBlock]) -> list[tuple[int, int]]:
    """The block's own text: its span less the footnotes and running heads printed inside it."""
    cuts = sorted((b.start, b.end) for b in inner if block.start <= b.start and b.end <= block.end and b is not block)
    pieces: list[tuple[int, int]] = []
    pos = block.start
    for s, e in [*cuts, (block.end, block.end)]:
        if s > pos:
            pieces.append((pos, s))
        pos = max(pos, e)
    out: list[tuple[int, int]] = []
    for s, e in pieces:  # drop the page separators and the blank lines around them
        text = doc.text[s:e]
        for part in re.finditer(r"\S(?:.*\S)?", text, re.S):
            sub = text[part.start():part.end()]
            for piece in _SEPARATOR.split(sub) if "\f" in sub else [sub]:
                i = sub.find(piece)
                if piece.strip():
                    out.append((s + part.start() + i, s + part.start() + i + len(piece)))
    return out


def _view(text: str, segments: list[tuple[int, int]]) -> MappedText:
    return MappedText.join([MappedText.of_source(text, s, e) for s, e in segments], " ")


class _Labels:
    """Labels as the document numbers its paragraphs; unnumbered ones by place (¶3); all unique."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.paragraphs = 0
        self.number: str | None = None

    def unique(self, label: str) -> str:
        out, n = label, 2
        while out in self.used:
            out, n = f"{label}#{n}", n + 1
        self.used.add(out)
        return out

    def body(self, block: TeiBlock) -> tuple[str, str, str | None]:
        """``(label, kind, number)`` for a paragraph or item."""
        if block.label and block.label.isdigit():
            self.number = block.label
            return self.unique(block.label), "paragraph", block.label
        if block.label:
            letter = block.label
            label = f"{self.number}.{letter}" if self.number and len(letter) == 1 and letter.isalpha() else letter
            return self.unique(label), "sub-paragraph", letter
        self.paragraphs += 1
        return self.unique(f"¶{self.paragraphs}"), "paragraph", None


def _heading_like(doc: TeiDocument, b: TeiBlock) -> bool:
    text = doc.text[b.start:b.end].strip()
    return b.rend in HEADING_RENDS and len(text) < 120 and not text.endswith((".", ":", ";"))


def blocks_of(doc: TeiDocument) -> tuple[tuple[Block, ...], tuple[Furniture, ...]]:
    """The document's blocks from its markup, and its running heads as page furniture."""
    at_page = page_lookup(_pages(doc))
    inner = [b for b in doc.blocks if b.kind in ("note", "running_head")]
    labels = _Labels()
    out: list[Block] = []
    furniture: list[Furniture] = []
    label_of: dict[int, str] = {}
    heading: str | None = None
    counters: dict[str, int] = {}
    for i, b in enumerate(doc.blocks):
        if b.kind == "running_head":
            furniture.append(Furniture("running_head", doc.text[b.start:b.end], b.start, b.end, at_page(b.start)))
            continue
        if b.kind == "note":
            continue
        segs = _segments(doc, b, inner)
        if segs and b.label and b.kind in ("p", "item"):
            prefix = _LABEL.match(doc.text, segs[0][0], segs[0][1])  # the printed label is not the text
            if prefix and prefix.end() < segs[0][1]:
                segs[0] = (prefix.end(), segs[0][1])
        if not segs:
            continue
        view = _view(doc.text, segs)
        number: str | None = None
        parent: str | None = None
        attrs: dict[str, Any] = {"source": "markup"}
        if b.kind == "head":
            label, kind = labels.unique("title"), "heading"
        elif b.kind in ("dateline", "source", "opener"):
            label, kind = labels.unique(f"header.{b.kind}"), "header"
        elif b.kind == "list_head":
            label, kind = labels.unique(f"header.{(b.list_type or 'list').lower()}.head"), "header"
        elif b.kind == "item" and b.list_type in ("subject", "participants", "to", "from"):
            counters[b.list_type] = counters.get(b.list_type, 0) + 1
            label, kind = labels.unique(f"header.{b.list_type}.{counters[b.list_type]}"), "header"
        elif b.kind in ("closer", "signed"):
            kind = "signature" if b.kind == "signed" else "closing"
            counters[kind] = counters.get(kind, 0) + 1
            label = labels.unique(f"{kind}.{counters[kind]}")
        elif b.kind == "p" and not b.label and _heading_like(doc, b):
            heading = view.text.strip()
            label, kind = labels.unique(heading), "heading"
            attrs |= {"heading": heading, "level": 2}
        else:
            label, kind, number = labels.body(b)
            parent = heading
            if number and number.isdigit():
                attrs |= {"sequence": "number", "value": int(number)}
        label_of[i] = label
        out.append(Block(label=label, kind=BlockKind(kind), parent=parent, view=view, page=at_page(segs[0][0]),
                         number=number, attrs=attrs))
    for note in doc.notes:
        segs = [(s, e) for s, e in [(note.start, note.end)] if e > s]
        if not segs:
            continue
        anchor = label_of.get(note.anchor_block) if note.anchor_block is not None else None
        attrs = {"source": "markup", "anchor": anchor, "anchor_method": "markup", "mark": note.mark,
                 **({"frus_id": note.xml_id} if note.xml_id else {}), **({"source_note": True}
                                                                         if note.kind == "source" else {})}
        out.append(Block(label=labels.unique(f"fn{note.mark}"), kind=BlockKind.FOOTNOTE, parent=anchor,
                         view=_view(doc.text, segs), page=at_page(note.start), attrs=attrs))
    out.sort(key=lambda blk: blk.start)
    return tuple(out), tuple(furniture)


def _pages(doc: TeiDocument) -> tuple[Page, ...]:
    pages = []
    for i, p in enumerate(doc.pages, start=1):
        pages.append(Page(p.number if p.number is not None else i, p.start, p.end))
    return tuple(pages)


# -- stages that apply the markup over the general ones ----------------------------


def _field(doc: Document, label: str | None, start: int, end: int, value: Any, **extra: Any) -> dict[str, Any]:
    return {"value": value, "block": label, "start": start, "end": end, "source": "markup", **extra}


def _block_at(doc: Document, offset: int) -> Block | None:
    return next((b for b in doc.blocks if any(s <= offset < e for s, e in b.segments)), None)


def metadata_stage(tei: TeiDocument) -> Stage:
    """Type, title, date and classification from the heading, dateline and source note."""

    def frus_metadata(doc: Document) -> Document:
        md = dict(doc.metadata)
        head = doc.block("title")
        if head is not None:
            doc_type = frus_type(tei.title, tei.source_note)
            if doc_type:
                md["doc_type"] = _field(doc, head.label, head.start, head.end, doc_type)
            md["title"] = _field(doc, head.label, head.start, head.end, tei.title, printed=head.text)
        dateline = doc.block("header.dateline")
        if tei.date:
            where = dateline or head
            md["date"] = _field(doc, where.label if where else None, where.start if where else 0,
                                where.end if where else 0, tei.date, precision="day")
        source = next((b for b in doc.blocks if tei.source_note and b.kind in ("footnote", "header")
                       and b.text.startswith(tei.source_note[:40])), None)
        if tei.classification and source is not None:
            at = source.text.upper().find(tei.classification)
            s, e = source.view.span_to_source(at, at + len(tei.classification)) if at >= 0 else (source.start,
                                                                                                 source.end)
            md["classification"] = _field(doc, source.label, s, e, tei.classification)
        md["frus"] = {"volume": tei.volume, "volume_title": tei.volume_title, "document": tei.n,
                      "xml_id": tei.xml_id, "citation": tei.citation_prefix}
        return doc.evolve(metadata=typed_metadata(md, doc.id, page_lookup(doc.pages)))

    return Stage("frus_metadata", frus_metadata, ("metadata",), ("metadata",))


def redactions_stage(tei: TeiDocument) -> Stage:
    """Every declassification note of the markup is a redaction record, whether or not the text stage saw it."""

    def frus_redactions(doc: Document) -> Document:
        recs = list(doc.redactions)
        for m in tei.marks:
            if m.kind != "withheld" or any(r.start < m.end and m.start < r.end for r in recs):
                continue
            b = _block_at(doc, m.start)
            recs.append(Redaction(document=doc.id, kind=RedactionKind.MARKER, marker=m.text,
                                  block=b.label if b else None, position="in", start=m.start, end=m.end,
                                  page=doc.page_at(m.start), source="markup"))
        recs.sort(key=lambda r: r.start)
        return doc.evolve(redactions=tuple(recs))

    return Stage("frus_redactions", frus_redactions, ("redactions",), ("redactions",))


def names_stage(tei: TeiDocument) -> Stage:
    """People and places the markup names: FRUS ids on the mentions found, and the mentions the gazetteer missed."""

    def frus_names(doc: Document) -> Document:
        mentions = list(doc.entities)
        for name in tei.names:
            if name.kind not in ("person", "place", "gloss"):
                continue
            hit = next((i for i, m in enumerate(mentions) if m.start < name.end and name.start < m.end), None)
            if hit is not None:
                if name.ref:
                    mentions[hit] = replace(mentions[hit], frus_id=name.ref)
                continue
            if name.kind == "gloss":
                continue  # an acronym the gazetteer does not know is not an entity
            b = _block_at(doc, name.start)
            if b is None:
                continue
            mentions.append(Mention(document=doc.id, text=name.text, block=b.label, start=name.start, end=name.end,
                                    in_block=_in_block(b, name.start, name.end), method="markup", type=name.kind,
                                    canonical=name.text, frus_id=name.ref or None, page=doc.page_at(name.start)))
        mentions.sort(key=lambda m: m.start)
        return doc.evolve(entities=tuple(mentions))

    return Stage("frus_names", frus_names, ("entities",), ("entities",))


def _in_block(block: Block, start: int, end: int) -> tuple[int, int]:
    """Offsets in the block's text of a source span (segments are joined by one space)."""
    pos = 0
    for s, e in block.segments:
        if s <= start < e:
            return pos + start - s, pos + min(end, e) - s
        pos += e - s + 1
    return 0, 0


def stages(tei: TeiDocument, options: Options = DEFAULT_OPTIONS) -> tuple[Stage, ...]:
    """The pipeline for a TEI document: the general stages the markup does not stand in for, each
    followed by the markup's own reading where it has one."""
    after = {"metadata": metadata_stage(tei), "redactions": redactions_stage(tei), "entities": names_stage(tei)}
    out: list[Stage] = []
    for st in stages_for(options):
        if st.name in DONE:
            continue
        out.append(st)
        if st.name in after:
            out.append(after[st.name])
    return tuple(out)


def document(tei: TeiDocument, name: str) -> Document:
    """The read document of one TEI record (before the pipeline's later stages)."""
    blocks, furniture = blocks_of(tei)
    source = Source(f"{name}#{tei.xml_id}", hashlib.sha256(tei.xml).hexdigest(), MEDIA_TYPE, len(tei.xml), "utf-8")
    return Document(id=tei.id, text=tei.text, source=source, pages=_pages(tei), furniture=furniture, blocks=blocks,
                    stages=DONE)


def parse_tei(source: str | bytes | Slice, name: str, options: Options = DEFAULT_OPTIONS) -> Iterator[Document]:
    """Every document of a TEI file, slice or volume, through the whole pipeline."""
    for tei in iter_documents(source, name=name):
        doc = document(tei, name)
        yield replace(run_stages(doc, stages(tei, options)), stages=(*DONE, *(s.name for s in stages(tei, options))))
