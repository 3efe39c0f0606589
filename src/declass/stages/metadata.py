"""Metadata: what a document is, read from its cover, stamps and notes.

Every field is a small record ``{"value": ..., "block": label, "start",
"end"}`` citing where it was read (``block`` is None for page furniture,
whose span is its own).  Where the document contradicts itself — NIE-58's
cover reserves paragraphs "5 and 36", its footnotes paragraphs five and
twenty-six — both readings are kept and the conflict is flagged, never
silently resolved.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz

from declass.datafile import load_yaml
from declass.model import Block, Document, page_lookup, typed_metadata
from declass.stages.dateline import damaged_opening, opens_with_dateline
from declass.stages.doc_types import doc_types, printed_names
from declass.stages.read.tei import classification_in
from declass.stages.structure.footnotes import paragraph_references
from declass.stages.structure.markers import HEAD_SIMILARITY, SPECKS_AT_END, opening_name
from declass.text import dates

Field = dict[str, Any]
CLASSIFICATION_RANK = {"TOP SECRET": 5, "SECRET": 4, "CONFIDENTIAL": 3, "RESTRICTED": 2, "UNCLASSIFIED": 1}
FRONT_KINDS = frozenset({"front_matter", "header"})

CONCURRED = re.compile(r"concurred in this (?:estimate|report|paper|memorandum)\s+on\s+", re.IGNORECASE)
PARTICIPATED = re.compile(r"participat\w*", re.IGNORECASE)
PARTICIPATED_WITH = re.compile(r"participated with (?:the )?(?P<org>[A-Z][A-Za-z ]+?)\s+in the preparation")
DEPARTMENTS = re.compile(
    r"(?:organi[sz]ations|agencies) of the Departments? of (?P<list>.+?)(?:\.\s|\.$|;|$)", re.IGNORECASE
)
COVER_RESERVATION = re.compile(
    r"reservations? of (?:the )?(?P<by>.+?),?\s+to\s+(?P<paras>paragraphs?\s+[\w ,&-]+?)\s*[.;]", re.IGNORECASE
)
DISSENT = re.compile(
    r"^(?:The\s+)?(?P<by>[A-Z][^.;]{3,160}?),?\s+(?:believes|reserves|dissents|does not concur|would (?:substitute|"
    r"delete|add|prefer)|considers|disagrees|feels|is of the opinion)\b"
)
SUPERSEDED_BY = re.compile(r"\bsupers[ei]{1,2}ded\s+by\b\s*:?\s*", re.IGNORECASE)
SUPERSEDES = re.compile(r"\bsupersedes\b\s*:?\s*", re.IGNORECASE)
SERIAL = re.compile(r"\b(?P<prefix>SNIE|NIE|SE|NSC)\s*[-\u2013]?\s*(?P<num>\d+(?:[-/.]\d+)*)\b")


@lru_cache(maxsize=1)
def agency_table() -> dict[str, str]:
    """Every alias (lower-cased) → canonical agency name."""
    raw = resources.files("declass.data").joinpath("agencies.yaml").read_text("utf-8")
    table: dict[str, str] = {}
    for a in load_yaml(raw)["agencies"]:
        for alias in [a["name"], *a.get("aliases", []), *([a["department"]] if "department" in a else [])]:
            table[alias.lower()] = a["name"]
    return table


def cite(block: Block, i: int, j: int, value: Any, **extra: Any) -> Field:
    """A field read from ``block.text[i:j]``, with its source span."""
    s, e = block.view.span_to_source(i, j)
    return {"value": value, "block": block.label, "start": s, "end": e, **extra}


def front_blocks(doc: Document) -> list[Block]:
    """Cover text: the blocks before the body starts (plus a FRUS heading)."""
    out: list[Block] = []
    for b in doc.blocks:
        if b.kind in FRONT_KINDS and not any(c.isalnum() for c in b.text):
            continue  # a speck the scan left above the heading (":", "'"): no cover text
        if b.kind in FRONT_KINDS or (b.kind == "heading" and not out and b.number):
            out.append(b)
        elif b.kind != "footnote":
            break
    return out


def extract_metadata(doc: Document) -> Document:
    """The metadata stage."""
    front = front_blocks(doc)
    md: dict[str, Any] = {}
    md["doc_type"] = read_type(front, doc)
    md["doc_number"] = read_number(front, md["doc_type"])
    md["title"] = serial_title(doc, md["doc_type"]) or read_title(doc, front, md["doc_type"])
    md["subject"] = read_subject(front)
    md["date"] = read_date(doc, front)
    md["classification"] = read_classification(doc)
    md["archive_id"] = read_archive_id(doc)
    md["released"] = read_released(doc)
    md["agencies"] = read_agencies(front)
    md["concurred"] = read_concurred(front)
    md["period_end"] = read_period(doc, md["date"])
    reservations, conflicts = read_reservations(doc, front)
    md["reservations"] = reservations
    md["reservation_conflicts"] = conflicts
    md["supersedes"], md["superseded_by"] = read_supersession(front, md["doc_number"])
    warnings = [c["note"] for c in conflicts]
    return doc.evolve(metadata=typed_metadata(md, doc.id, page_lookup(doc.pages)), warnings=(*doc.warnings, *warnings),
                      stages=(*doc.stages, "metadata"))


_MARKS = str.maketrans({c: " " for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"})
"""Footnote marks hide word ends from patterns ("Estimate¹"); they are read as spaces (same offsets)."""


def read_type(front: list[Block], doc: Document | None = None) -> Field | None:
    """The type the document names: its own heading first (a FRUS heading), then the cover,
    then — for covers that print nothing else — the first page and its furniture."""
    heading = [b for b in front if b.kind == "heading" and b.number]
    fuzzy = _fuzzy_type(heading + front + (list(doc.blocks[:3]) if doc is not None else []))
    opening = _opening_type(heading[0]) if heading else None
    for blocks in (heading, front):
        if blocks is front and opening is not None:
            return opening  # a FRUS heading names the kind first: damaged there, it still outweighs the cover
        for t in doc_types():
            for b in blocks:
                m = t["regex"].search(b.text.translate(_MARKS))
                if m and t.get("common") and blocks is front and _in_prose(b.text, m.start()):
                    continue  # "... the semi-annual status report." in a cover's prose names no type
                if m:
                    found = cite(b, m.start(), m.end(), t["name"], **({"serial": True} if t.get("serial") else {}))
                    # a more specific name printed through damage ("Memorandum for the Recordl") beats the
                    # generic one the patterns still find in it ("Memorandum")
                    for near in (fuzzy, opening):
                        if near is not None and near["block"] == b.label and t["name"] in near["value"] and \
                                len(near["value"]) > len(t["name"]):
                            return near
                    return found
    if fuzzy is not None:
        return fuzzy
    if doc is None:
        return None
    head = doc.text[:4000].translate(_MARKS)
    for t in doc_types():
        m = t["regex"].search(head)
        if m and t.get("serial"):  # a serial's name stands alone on its cover or running heads
            return {"value": t["name"], "block": None, "start": m.start(), "end": m.end(), "serial": True,
                    "printed": " ".join(m.group(0).split())}
    return None


PROSE_WORDS = 12
"""A cover block longer than this is prose (a title or a type's line is shorter)."""


def _in_prose(text: str, at: int) -> bool:
    """Whether ``text[at:]`` stands inside running prose: a long block, the word after its start."""
    return len(text.split()) > PROSE_WORDS and bool(text[:at].strip())


FUZZY_TYPE_SCORE = 90
"""How close (rapidfuzz partial ratio, 0-100) a line must come to a type's name for OCR damage to be forgiven:
one wrong letter in twenty ("CORRENT INTELLIGENCE BULLETIN", "Natlonal Intelligence Estimate")."""


def _fuzzy_type(blocks: list[Block]) -> Field | None:
    """A type named through OCR damage: the line nearest to one of the types' printed names.

    A fuller name printed whole through damage ("Memorandum or the Record") beats a shorter
    one it holds ("Memorandum") that the same words match exactly."""
    hits: list[tuple[float, int, Block, dict[str, Any], tuple[int, int], bool]] = []
    for b in blocks[:12]:
        line = b.text.translate(_MARKS).casefold()
        if len(line) > 200:
            continue
        for t in doc_types():
            for name in (t["name"], *t.get("aliases", [])):
                hit = fuzz.partial_ratio_alignment(name.casefold(), line, score_cutoff=FUZZY_TYPE_SCORE)
                if hit is not None:
                    whole = hit.src_end - hit.src_start >= len(name) - 2  # the name's own letters all there
                    if not whole and len(line.strip()) < len(name) - 2:
                        continue  # a line that is a piece of a name ("CENTRAL", "Memo") does not print it
                    if t.get("common") and _in_prose(line, hit.dest_start):
                        continue
                    hits.append((hit.score, len(name), b, t, (hit.dest_start, hit.dest_end), whole))
    if not hits:
        return None
    best = max(hits, key=lambda h: (h[0], h[1]))
    fuller = [h for h in hits if h[5] and h[2] is best[2] and h[1] > best[1]
              and best[3]["name"].casefold() in h[3]["name"].casefold()
              and h[4][0] <= best[4][0] and h[4][1] >= best[4][1]]
    if fuller:
        best = max(fuller, key=lambda h: (h[0], h[1]))
    score, _, b, t, (i, j), _ = best
    return cite(b, i, j, t["name"], fuzzy=round(score), **({"serial": True} if t.get("serial") else {}))


@lru_cache(maxsize=1)
def _by_length() -> tuple[str, ...]:
    return tuple(sorted(printed_names(), key=len, reverse=True))


def _opening_type(heading: Block) -> Field | None:
    """The type a FRUS heading's first words name through OCR damage ("232 Memorard.in of Conversationl"):
    the type name or alias nearest them by edit distance scaled to length (`frus_head`'s measure)."""
    names = printed_names()
    i = _after_number(heading)
    score, name, end = opening_name(heading.text[i:], _by_length())
    if score < HEAD_SIMILARITY:
        return None
    t = names[name]
    serial = {"serial": True} if t.get("serial") else {}
    return cite(heading, i, i + end, t["name"], fuzzy=round(100 * score), **serial)


def read_number(front: list[Block], doc_type: Field | None) -> Field | None:
    for b in front:
        if b.kind == "heading" and b.number:
            return cite(b, 0, len(b.number), f"Document {b.number}", series="FRUS")
        m = SERIAL.search(b.text)
        if m:
            return cite(b, m.start(), m.end(), f"{m.group('prefix')}-{m.group('num')}")
    return None


def _title_case(text: str) -> str:
    small = {"a", "an", "and", "the", "of", "in", "on", "to", "for", "by", "with", "at", "or", "its", "their"}
    out = []
    for k, word in enumerate(text.lower().split()):
        parts = [p.capitalize() if (k == 0 or p not in small) else p for p in word.split("-")]
        out.append("-".join(parts))
    title = " ".join(out)
    return re.sub(r"\b(Ussr|Us|Un|Nato|Cia|Prc|Nsc)\b", lambda m: m.group().upper(), title)


def serial_title(doc: Document, doc_type: Field | None) -> Field | None:
    """A serial (a daily bulletin) is titled by its name as printed: "Central Intelligence Bulletin"."""
    if not doc_type or not doc_type.get("serial"):
        return None
    printed = " ".join(doc.text[doc_type["start"]:doc_type["end"]].split())
    return {**doc_type, "value": _title_case(printed) if printed.isupper() else printed, "printed": printed}


_NOTE_MARK_AT_END = re.compile(r"(?:(?<=[^\s\d])\^?\d{1,2}|\s*[\u00b9\u00b2\u00b3\u2074-\u2079]+)$")
"""The source note's mark after a heading's last word, not a year that ends it ("p.m.4", "(Dulles)\u00b9")."""
_MARK_AT_END = re.compile(r"[A-Za-z.)\]]\d{1,2}$")
"""A footnote mark OCR glued to a line's last word ("(Dulles)1"): a FRUS heading ends with its source note's."""


def _after_number(heading: Block) -> int:
    i = len(heading.number or "") + 1
    while i < len(heading.text) and heading.text[i] in ".,: ":
        i += 1
    return i


def heading_end(doc: Document, heading: Block) -> int:
    """Where a FRUS heading's own words end in its block's text: before a dateline that OCR ran into
    the same block ("...(Dulles)1 / Washington, March 16,.1955."), taken as one only after the line
    that ends the heading — the source note's mark ends it, or a blank line — so a heading that names
    its own date on a second line ("..., / Washington, January 30, 1955") keeps it."""
    lines: list[tuple[int, str]] = []
    for s, e in heading.segments:
        at = s
        for line in doc.text[s:e].split("\n"):
            lines.append((at, line))
            at += len(line) + 1
    for k in range(1, len(lines)):
        at, line = lines[k]
        before = [ln for _, ln in lines[:k]]
        last = next((ln.rstrip() for ln in reversed(before) if ln.strip()), "")
        if not (before[-1].strip() == "" or _MARK_AT_END.search(last)) or not opens_with_dateline(line):
            continue
        at += len(line) - len(line.lstrip())
        return next((i for i in range(len(heading.text)) if heading.view.to_source(i) >= at), len(heading.text))
    return len(heading.text)


def _whole_name(doc: Document, doc_type: Field, span: tuple[int, int]) -> bool:
    """Whether the type's name read through damage is all the words of ``span`` (a glued speck aside)."""
    rest = doc.text[doc_type["end"]:span[1]]
    return doc_type["start"] <= span[0] + 1 and not re.search(r"[A-Za-z0-9]{2}", rest)


def read_subject(front: list[Block]) -> Field | None:
    subject = next((b for b in front if b.kind == "header" and b.number in ("subject", "subj")), None)
    if subject is None:
        return None
    m = re.match(r"\s*subj(?:ect)?\s*:?\s*", subject.text, re.IGNORECASE)
    i = m.end() if m else 0
    text = " ".join(subject.text[i:].split())
    return cite(subject, i, len(subject.text), text) if text else None


def read_title(doc: Document, front: list[Block], doc_type: Field | None = None) -> Field | None:
    """A FRUS heading's words after its number; else the subject; else the cover's first title-like line.

    A heading that is nothing but a document kind's name, read through damage ("Memorard.in of
    Conversationl"), is titled by that name; what was printed is kept beside it."""
    frus = next((b for b in front if b.kind == "heading" and b.number), None)
    if frus is not None:
        i = _after_number(frus)
        text = SPECKS_AT_END.sub("", frus.text[i:heading_end(doc, frus)].strip())
        text = _NOTE_MARK_AT_END.sub("", text).rstrip()
        if doc_type is not None and doc_type.get("fuzzy") and doc_type["block"] == frus.label and \
                _whole_name(doc, doc_type, frus.view.span_to_source(i, i + len(text))):
            return cite(frus, i, i + len(text), doc_type["value"], printed=text)
        return cite(frus, i, i + len(text), text)
    subject = read_subject(front)
    if subject is not None:
        return subject
    for b in front:
        t = SPECKS_AT_END.sub("", b.text.strip())
        bare = t.strip(" .,:;'\"-")  # OCR specks beside a line do not make it a title
        words = t.split()
        if len(words) < 2 or t.endswith(".") or (dates.first_date(t) and len(words) <= 5):
            continue
        if not re.search(r"[A-Za-z]{3}", t):  # specks the scan left ("eS ("): no word of a title
            continue
        squeezed = re.sub(r"\s*([./])\s*", r"\1", bare)  # OCR's space inside a file number ("895 .24/3-1549")
        if SERIAL.fullmatch(bare) or any(ty["regex"].fullmatch(squeezed) for ty in doc_types()):
            continue
        if t.lower() in agency_table() or SUPERSEDED_BY.search(t) or t.lower().startswith("published"):
            continue
        value = _title_case(t) if t.isupper() else t
        return cite(b, 0, len(b.text), value, printed=t)
    return None


def read_date(doc: Document, front: list[Block]) -> Field | None:
    """The first full date of the cover (a header other than "Date" aside), else of the first blocks.

    A block with no date the strict patterns read may hold its dateline through OCR damage
    (`damaged_dateline`): it is read there, before a later block's date (a meeting the memo reports),
    unless the page headers print the issue date (a serial's "28 Feb 61 ... Page 2", on every page,
    outweighs one damaged line)."""
    blocks = [b for b in front if b.kind != "header" or b.number in ("date",)] + list(doc.blocks[:8])
    for b in blocks:
        found = _date_in(b, doc.text)
        if found is None:
            continue
        if found.get("damaged") and (header := _page_header_date(doc, agreed=2)) is not None:
            return header
        return found
    return _page_header_date(doc)


def _page_header_date(doc: Document, *, agreed: int = 1) -> Field | None:
    """The issue date the page headers print; with ``agreed``, only one the document prints that many
    times (headers a scan damaged, "49 Oct 56", "16 Oct 56", outweigh nothing)."""
    d = dates.page_header_date(doc.text)
    if d is None:
        return None
    if agreed > 1:
        printed = r"\s+".join(re.escape(w) for w in doc.text[d.start:d.end].split())
        if len(re.findall(rf"(?<!\d){printed}(?!\d)", doc.text)) < agreed:
            return None
    return {"value": d.iso, "block": None, "start": d.start, "end": d.end, "precision": d.precision,
            "from": "page header"}


def _date_in(b: Block, text: str) -> Field | None:
    """The block's first full date; else a damaged dateline on one of its source lines (``text`` is
    the document's: OCR often runs the dateline into the heading above it, one block of short lines) —
    a line that is a dateline, not a heading's own damaged date ("..., Washington, January 39, 1955,")
    when the dateline itself follows."""
    d = dates.first_date(b.text, precision="day")
    if d:
        return cite(b, d.start, d.end, d.iso, precision=d.precision)
    for s, e in b.segments:
        at = s
        for line in text[s:e].split("\n"):
            if d := damaged_opening(line):
                return {"value": d.iso, "block": b.label, "start": at + d.start, "end": at + d.end,
                        "precision": d.precision, "damaged": True, "printed": " ".join(line[d.start:d.end].split())}
            at += len(line) + 1
    return None


def read_classification(doc: Document) -> Field | None:
    best = None
    for f in doc.furniture:
        if f.kind != "classification":
            continue
        level = " ".join(f.fields.get("level", f.text).upper().replace("-", "").split())
        level = re.sub(r"\s+", " ", level)
        if level.replace(" ", "") == "TOPSECRET":
            level = "TOP SECRET"
        rank = CLASSIFICATION_RANK.get(level)
        if rank and (best is None or rank > best[0]):
            best = (rank, level, f)
    if best is None:
        return _source_note_classification(doc)
    _, level, f = best
    count = sum(1 for x in doc.furniture if x.kind == "classification")
    return {"value": level, "block": None, "start": f.start, "end": f.end, "markings": count}


def _source_note_classification(doc: Document) -> Field | None:
    """An edition's source note records the classification where no banner is printed
    (FRUS: "Source: ... Files. Secret. Drafted by ...")."""
    for b in doc.blocks:
        if b.kind in ("footnote", "front_matter", "header") and b.text.lstrip().startswith("Source:"):
            level = classification_in(b.text)
            if level:
                at = b.text.upper().find(level)
                return {**cite(b, at, at + len(level), level), "from": "source note"}
    return None


def read_archive_id(doc: Document) -> Field | None:
    ids = [(f.fields["archive_id"], f) for f in doc.furniture if "archive_id" in f.fields]
    if not ids:
        return None
    value, _ = Counter(v for v, _ in ids).most_common(1)[0]
    f = next(f for v, f in ids if v == value)
    s = f.start + f.text.find(value)
    return {"value": value, "block": None, "start": s, "end": s + len(value), "stamps": len(ids)}


def read_released(doc: Document) -> Field | None:
    for f in doc.furniture:
        if f.kind == "release_stamp" and "date" in f.fields:
            d = dates.find_dates(f.fields["date"].replace("/", "-"))
            if d:
                s = f.start + f.text.find(f.fields["date"])
                return {"value": d[0].iso, "block": None, "start": s, "end": s + len(f.fields["date"]),
                        "precision": d[0].precision}
    return None


def _agency(name: str) -> str | None:
    key = " ".join(name.strip().rstrip(".,").split()).lower()
    table = agency_table()
    if key in table:
        return table[key]
    return table.get(key.removeprefix("the ").strip())


def read_agencies(front: list[Block]) -> Field | None:
    for b in front:
        if not PARTICIPATED.search(b.text):
            continue
        mentions: list[dict[str, Any]] = []
        if m := PARTICIPATED_WITH.search(b.text):
            name = _agency(m.group("org"))
            if name:
                s, e = b.view.span_to_source(m.start("org"), m.end("org"))
                mentions.append({"name": name, "text": m.group("org"), "start": s, "end": e})
        if m := DEPARTMENTS.search(b.text):
            base = m.start("list")
            for part in re.finditer(r"[^,]+", m.group("list")):
                item = re.sub(r"^\s*(?:and\s+)", "", part.group())
                offset = part.start() + part.group().find(item.strip())
                name = _agency(item)
                if name:
                    s, e = b.view.span_to_source(base + offset, base + offset + len(item.strip()))
                    mentions.append({"name": name, "text": item.strip(), "start": s, "end": e})
        if mentions:
            names = list(dict.fromkeys(x["name"] for x in mentions))
            return cite(b, 0, len(b.text), names, mentions=mentions)
    return None


def read_concurred(front: list[Block]) -> Field | None:
    for b in front:
        m = CONCURRED.search(b.text)
        if m:
            d = dates.first_date(b.text[m.end() : m.end() + 40], precision="day")
            if d:
                return cite(b, m.end() + d.start, m.end() + d.end, d.iso)
    return None


def read_period(doc: Document, date_field: Field | None) -> Field | None:
    if not date_field or len(date_field["value"]) != 10:
        return None
    start = dates.DateMatch(date_field["value"], "day", 0, 0).date
    scope = [b for b in doc.blocks if b.kind in ("paragraph", "heading", "front_matter", "sub-paragraph")][:40]
    for b in scope:
        found = dates.period_end(b.text, start)
        if found:
            iso, s, e, phrase = found
            return cite(b, s, e, iso, phrase=phrase, counted_from=date_field["value"])
    return None


def read_reservations(doc: Document, front: list[Block]) -> tuple[list[Field], list[dict[str, Any]]]:
    """Reservations and dissents: on the cover, and in footnotes."""
    paragraphs = {b.label for b in doc.blocks if b.kind in ("paragraph", "sub-paragraph", "point", "section")}
    out: list[Field] = []
    for b in front:
        for m in COVER_RESERVATION.finditer(b.text):
            paras = [p for p, _, _ in paragraph_references(m.group("paras"))]
            out.append(cite(b, m.start(), m.end(), m.group(), by=_by(m.group("by")), paragraphs=paras,
                            source="cover", missing=[p for p in paras if p not in paragraphs]))
    for b in doc.blocks:
        if b.kind != "footnote":
            continue
        note = DISSENT.match(b.text.strip())
        if not note:
            continue
        m = note
        paras = [p for p, _, _ in paragraph_references(b.text)] or ([b.parent] if b.parent else [])
        lead = len(b.text) - len(b.text.lstrip())
        out.append(cite(b, 0, len(b.text), b.text.strip(), by=_by(m.group("by")), paragraphs=paras,
                        source="footnote", missing=[p for p in paras if p not in paragraphs], note_offset=lead))
    conflicts: list[dict[str, Any]] = []
    cover = [r for r in out if r["source"] == "cover"]
    notes = [r for r in out if r["source"] == "footnote"]
    for c in cover:
        same_by = [n for n in notes if n["by"].lower() == c["by"].lower()] or notes
        noted = sorted({p for n in same_by for p in n["paragraphs"]}, key=_num_key)
        if sorted(c["paragraphs"], key=_num_key) != noted:
            missing = f"; paragraph {', '.join(c['missing'])} does not exist" if c["missing"] else ""
            conflicts.append({
                "cover": c["paragraphs"], "footnotes": noted, "by": c["by"],
                "note": f"the cover names paragraphs {' and '.join(c['paragraphs'])} for the reservation of "
                        f"{c['by']}, its footnotes name {' and '.join(noted) or 'none'}{missing}",
            })
    return out, conflicts


def _num_key(p: str) -> tuple[int, str]:
    head = p.split(".")[0]
    return (int(head) if head.isdigit() else 10**6, p)


def _by(text: str) -> str:
    return " ".join(text.strip().removeprefix("the ").removeprefix("The ").split()).rstrip(",")


def read_supersession(front: list[Block], number: Field | None) -> tuple[Field | None, Field | None]:
    supersedes = superseded = None
    own = (number or {}).get("value")
    for i, b in enumerate(front):
        for rx, which in ((SUPERSEDED_BY, "by"), (SUPERSEDES, "of")):
            m = rx.search(b.text)
            if not m:
                continue
            rest = b.text[m.end() :]
            serial = SERIAL.match(rest.strip())
            where, base = b, m.end() + (len(rest) - len(rest.lstrip()))
            if serial is None and i + 1 < len(front):
                serial = SERIAL.match(front[i + 1].text.strip())
                where, base = front[i + 1], len(front[i + 1].text) - len(front[i + 1].text.lstrip())
            value = f"{serial.group('prefix')}-{serial.group('num')}" if serial else None
            f = cite(where, base, base + (serial.end() if serial else 0), value, printed=b.text.strip())
            if value is not None and value == own:
                f["value"] = None
                f["note"] = (f"the stamp names this document's own number ({own}); "
                             "the superseding document is not legible")
            if which == "by":
                superseded = f
            else:
                supersedes = f
    return supersedes, superseded
