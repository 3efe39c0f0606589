"""Gold readings to score the pipeline against.

* FRUS TEI: the markup is a hand-made reading — paragraphs, numbered items,
  footnotes and anchors, people with ids, dates, declassification notes —
  located in the text `declass.stages.read.tei` renders (what a printed copy says).
* CREST bulletin releases: the pages the release withholds ("Next 2 Page(s)
  In Document Exempt", "Page Denied") and the bulletin's date, type and the
  title it prints.

Gold is defined here, apart from the pipeline, so that a change to a stage
cannot move the yardstick with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

from declass.datafile import load_yaml
from declass.stages.frus import frus_type
from declass.stages.read.tei import TeiDocument

PARAGRAPH_KINDS = frozenset({"p", "item", "head", "dateline", "list_head", "closer", "signed", "opener", "source"})
_FRACTION = re.compile(r"(\d+)\s*(?:[-–]\s*1/2|½)")
_SIZE = re.compile(
    r"(?P<n>\d+(?:\s*(?:[-–]\s*1/2|½))?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?P<unit>line|paragraph|page|name|word|sentence)s?",
    re.IGNORECASE,
)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
EXEMPT = re.compile(
    r"^\s*(?:Next\s+(?P<n>\d+)\s+Page\(?s?\)?\s+In\s+Document\s+(?:Exempt|Denied)|(?P<denied>Page\s+Denied))\s*$",
    re.IGNORECASE | re.MULTILINE,
)
BULLETIN_NAME = re.compile(r"\b(CURRENT|CENTRAL)\s+INTELLIGENCE\s+BULLETIN\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class GoldParagraph:
    start: int
    end: int
    kind: str
    label: str | None  # a numbered paragraph's number ("3"), else None
    body_start: int | None = None  # where its words start, past the label (None: find the label in the text)


@dataclass(frozen=True, slots=True)
class GoldNote:
    start: int
    end: int
    anchor: int  # offset of the mark in the body
    anchor_block: tuple[int, int] | None  # span of the paragraph holding the mark


@dataclass(frozen=True, slots=True)
class GoldName:
    start: int
    end: int
    text: str
    ref: str | None


@dataclass(frozen=True, slots=True)
class GoldWithheld:
    start: int
    end: int
    text: str
    size: tuple[tuple[str, float], ...]  # (("lines", 1.5),) — empty when the note gives none
    less_than_one: bool


@dataclass(frozen=True, slots=True)
class GoldDate:
    start: int
    end: int
    when: str


@dataclass(frozen=True, slots=True)
class GoldExempt:
    start: int
    end: int
    pages: int


@dataclass(frozen=True, slots=True)
class Gold:
    """What a document says, by hand: the yardstick of every measure."""

    id: str
    source: str  # "frus", "crest" or "sample"
    genre: str
    text: str
    doc_type: str | None
    title: str | None
    date: str | None
    classification: str | None
    paragraphs: tuple[GoldParagraph, ...] = ()
    notes: tuple[GoldNote, ...] = ()
    persons: tuple[GoldName, ...] = ()
    withheld: tuple[GoldWithheld, ...] = ()
    omissions: tuple[tuple[int, int], ...] = ()
    dates: tuple[GoldDate, ...] = ()
    exempt: tuple[GoldExempt, ...] = ()
    furniture: tuple[str, ...] = ()  # lines that are page furniture, never a block or a title
    other_names: tuple[tuple[int, int], ...] = ()  # places, acronyms, organisations the markup tags: not people
    person_forms: frozenset[str] = frozenset()  # surnames the markup tags as people anywhere in the set
    untagged_people: frozenset[str] = frozenset()  # people the markup leaves untagged here, read by hand
    not_people: frozenset[str] = frozenset()  # <persName> texts here that name no person, read by hand
    numbered: bool = True  # paragraph numbering is gold (False for a reference reading)


def size_of(note: str) -> tuple[tuple[tuple[str, float], ...], bool]:
    """``((("lines", 1.5),), False)`` for "[1-1/2 lines of source text not declassified]";
    "less than 1 line" is flagged, not given a number."""
    less = bool(re.search(r"less\s+than\s+(?:1|one)\s+line", note, re.IGNORECASE))
    out: dict[str, float] = {}
    if not less:
        for m in _SIZE.finditer(note):
            raw = m["n"].lower()
            frac = _FRACTION.match(raw)
            value = int(frac.group(1)) + 0.5 if frac else float(raw) if raw.isdigit() else float(_WORDS[raw])
            out.setdefault(m["unit"].lower() + "s", value)
    return tuple(sorted(out.items())), less


def frus_gold(doc: TeiDocument) -> Gold:
    """Gold for one FRUS document, in the coordinates of its rendered text."""
    doc_type = frus_type(doc.title, doc.source_note)
    text = doc.text
    paragraphs: list[GoldParagraph] = []
    first_body = True
    for b in doc.blocks:
        if b.kind not in PARAGRAPH_KINDS:
            continue
        if b.kind == "item" and b.list_type == "subject":
            continue  # "SUBJECT" and its line are one header field, however they are set
        label = b.label if b.label and b.label.isdigit() else None
        if b.kind == "p" and first_body and label and doc_type == "Telegram":
            label = None  # a telegram's first paragraph opens with the telegram's own number, not a label
        if b.kind in ("p", "item"):
            first_body = False
        paragraphs.append(GoldParagraph(b.start, b.end, b.kind, label))
    notes = tuple(
        GoldNote(n.start, n.end, n.anchor_start,
                 (doc.blocks[n.anchor_block].start, doc.blocks[n.anchor_block].end)
                 if n.anchor_block is not None else None)
        for n in doc.notes
    )
    persons = tuple(GoldName(n.start, n.end, n.text, n.ref) for n in doc.names if n.kind == "person")
    others = tuple((n.start, n.end) for n in doc.names if n.kind != "person")
    withheld = []
    for m in doc.marks:
        if m.kind == "withheld":
            size, less = size_of(m.text)
            withheld.append(GoldWithheld(m.start, m.end, m.text, size, less))
    dates = tuple(GoldDate(d.start, d.end, d.when[:10]) for d in doc.dates if re.match(r"\d{4}", d.when))
    return Gold(
        id=doc.id, source="frus", genre=doc_type or "other", text=text, doc_type=doc_type, title=doc.title,
        date=doc.date, classification=doc.classification, paragraphs=tuple(paragraphs), notes=notes,
        persons=persons, other_names=others, withheld=tuple(withheld),
        omissions=tuple((m.start, m.end) for m in doc.marks if m.kind == "omission"), dates=dates,
        furniture=tuple(text[b.start:b.end] for b in doc.blocks if b.kind == "running_head"),
    )


def crest_gold(path: Path, release: str) -> Gold:
    """Gold for one release of a CREST development pair (``release``: "redacted" or "unredacted")."""
    text = path.read_text("utf-8").replace("\r\n", "\n")
    meta = json.loads((path.parent / "pair_metadata.json").read_text("utf-8"))
    date = datetime.strptime(meta["csv_row"][4], "%m/%d/%Y").date().isoformat()
    printed = BULLETIN_NAME.search(text)
    title = " ".join(printed.group(0).split()).title() if printed else meta["csv_row"][8].title()
    exempt = tuple(
        GoldExempt(m.start(), m.end(), int(m["n"]) if m["n"] else 1) for m in EXEMPT.finditer(text)
    )
    return Gold(
        id=f"{path.parent.name}-{release}", source="crest", genre="Current Intelligence Bulletin", text=text,
        doc_type="Current Intelligence Bulletin", title=title, date=date, classification=None, exempt=exempt,
        numbered=False,
    )


def surname(name: str) -> str:
    """The last capitalised word of a name, folded: "Allen W. Dulles" → "dulles"."""
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", name) if w[0].isupper()]
    return words[-1].casefold().removesuffix("’s").removesuffix("'s") if words else ""


@lru_cache(maxsize=1)
def adjudicated() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Per document, ``(untagged, not_people)``: the hand-read corrections to its FRUS person markup."""
    raw = resources.files("declass.data").joinpath("eval/frus_persons_adjudicated.yaml").read_text("utf-8")
    out: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for doc, entry in (load_yaml(raw) or {}).items():
        entry = entry or {}
        out[doc] = (frozenset(n.casefold() for n in entry.get("untagged") or ()),
                    frozenset(n.casefold() for n in entry.get("not_people") or ()))
    return out


def with_person_lexicon(golds: list[Gold]) -> list[Gold]:
    """Each gold with the surnames FRUS tags as people anywhere in the set.

    FRUS tags a person where its index of persons has them, not at every
    mention; a name the set tags elsewhere is a person here too.
    """
    forms = frozenset(f for g in golds for p in g.persons if (f := surname(p.text)))
    checked = adjudicated()
    none = (frozenset[str](), frozenset[str]())
    return [replace(g, person_forms=forms, untagged_people=checked.get(g.id, none)[0],
                    not_people=checked.get(g.id, none)[1]) for g in golds]
