"""Clean: separate page furniture from body text and repair the body.

Each source line is classified as blank, furniture (release stamps,
classification banners, page numbers, copy numbers, exemption markers:
see ``data/furniture.yaml``) or body.  Body lines are gathered into
*chunks* (runs of lines between blanks, furniture and list-item starts),
joined with hyphenated words rejoined, and OCR confusions repaired with the
lexicon.  The raw text is never changed: chunks are mapped views of it.

A plain-text source has no physical pages; when it carries printed page
numbers, pages are inferred from them (``Page.inferred``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from declass import lexicon
from declass.datafile import load_yaml
from declass.model import Chunk, Correction, Document, Furniture, Line, Page, page_lookup
from declass.textmap import MappedText, TextBuilder, iter_lines

HEAD_LINES = 5
"""Patterns marked ``where: head`` apply only to this many first non-blank lines."""

PAGE_BREAK_KINDS = frozenset({"page_number", "classification", "release_stamp", "archive_id"})

LIST_ITEM = re.compile(
    r"""^\s*(?:[-\u2022*\u00b7]\s*)?(?:
        \(?\d{1,3}[.)]            # 1.  2)  (3)
      | \(?[A-Za-z][.)]           # A.  b)  (c)
      | [IVXLC]{1,7}\.?(?=\s)     # IV.  IX
      | Article\s+\d+             # Article 3
      | ANNEX\b | Annex\b
    )\s""",
    re.VERBOSE,
)
BULLET = re.compile(r"^\s*[-\u2022\u00b7]\s+\S")
_TOKEN = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True, slots=True)
class FurniturePattern:
    kind: str
    regex: re.Pattern[str]
    head_only: bool


@lru_cache(maxsize=1)
def furniture_patterns() -> tuple[FurniturePattern, ...]:
    """The furniture patterns of ``data/furniture.yaml``, compiled."""
    raw = resources.files("declass.data").joinpath("furniture.yaml").read_text("utf-8")
    spec = load_yaml(raw)
    return tuple(
        FurniturePattern(
            p["kind"], re.compile(p["pattern"], re.IGNORECASE), p.get("where") == "head"
        )
        for p in spec["patterns"]
    )


@lru_cache(maxsize=1)
def any_furniture() -> re.Pattern[str]:
    """All furniture patterns in one, groups unnamed: most lines are body text,
    and one failed match says so faster than fifteen."""
    unnamed = (re.sub(r"\(\?P<\w+>", "(?:", p.regex.pattern) for p in furniture_patterns())
    return re.compile("|".join(f"(?:{u})" for u in unnamed), re.IGNORECASE)


def classify_line(line: str, *, head: bool = False) -> tuple[str, dict[str, str]] | None:
    """``(kind, fields)`` if the stripped ``line`` is page furniture, else None."""
    if not any_furniture().fullmatch(line):
        return None
    for pat in furniture_patterns():
        if pat.head_only and not head:
            continue
        m = pat.regex.fullmatch(line)
        if m:
            fields = {k: " ".join(v.split()) for k, v in m.groupdict().items() if v}
            return pat.kind, fields
    return None


def clean(doc: Document) -> Document:
    """The clean stage: furniture, pages, body chunks and OCR repairs."""
    text = doc.text
    raw_lines: list[tuple[int, int, str, dict[str, str]]] = []
    nonblank = 0
    for s, e in iter_lines(text):
        stripped = text[s:e].strip()
        if not stripped or stripped == "\f":
            raw_lines.append((s, e, "blank", {}))
            continue
        nonblank += 1
        hit = classify_line(stripped, head=nonblank <= HEAD_LINES)
        if hit:
            raw_lines.append((s, e, "furniture:" + hit[0], hit[1]))
        else:
            raw_lines.append((s, e, "body", {}))

    pages = doc.pages
    if len(pages) == 1 and not pages[0].inferred:
        pages = infer_pages(text, raw_lines) or pages
    doc = doc.evolve(pages=pages)

    lines: list[Line] = []
    furniture: list[Furniture] = []
    page_at = page_lookup(pages)
    for s, e, kind, fields in raw_lines:
        page = page_at(s)
        if kind.startswith("furniture:"):
            lines.append(Line(s, e, "furniture", page))
            lo = s + len(text[s:e]) - len(text[s:e].lstrip())
            hi = s + len(text[s:e].rstrip())
            furniture.append(Furniture(kind[10:], text[lo:hi], lo, hi, page, fields))
        else:
            lines.append(Line(s, e, kind, page))

    chunks = build_chunks(doc, lines, furniture)
    chunks, corrections = repair_chunks(chunks)
    return doc.evolve(
        lines=tuple(lines),
        furniture=tuple(furniture),
        chunks=tuple(chunks),
        corrections=tuple(corrections),
        stages=(*doc.stages, "clean"),
    )


def infer_pages(text: str, raw_lines: list[tuple[int, int, str, dict[str, str]]]) -> tuple[Page, ...]:
    """Pages from printed page numbers; a page starts where the furniture
    cluster around its number starts (the break between the previous page's
    foot and this page's head cannot be seen in plain text)."""
    breaks: list[tuple[int, int]] = []
    cluster_start: int | None = None
    last = 0
    for s, _e, kind, fields in raw_lines:
        if kind == "body":
            cluster_start = None
            continue
        if cluster_start is None:
            cluster_start = s
        if kind == "furniture:page_number":
            n = int(fields.get("number", "0"))
            if n > last and n - last <= 20:
                breaks.append((cluster_start, n))
                last = n
    if not breaks:
        return ()
    pages: list[Page] = []
    first_n = max(breaks[0][1] - 1, 1)
    if breaks[0][0] > 0 and first_n < breaks[0][1]:
        pages.append(Page(first_n, 0, breaks[0][0], inferred=True))
    for i, (start, n) in enumerate(breaks):
        end = breaks[i + 1][0] if i + 1 < len(breaks) else len(text)
        pages.append(Page(n, 0 if not pages and i == 0 else start, end, inferred=True))
    return tuple(pages)


def build_chunks(doc: Document, lines: list[Line], furniture: list[Furniture]) -> list[Chunk]:
    """Gather body lines into chunks, splitting at blanks, furniture and list items."""
    text = doc.text
    fur_at = {f.start: f.kind for f in furniture}
    chunks: list[Chunk] = []
    current: list[MappedText] = []
    first_line = ""
    page = 1
    pending: list[str] = []
    last_page = None

    def flush() -> None:
        nonlocal current, pending
        if current:
            view = join_lines(current)
            kinds = tuple(pending)
            chunks.append(Chunk(view, page, _is_break(kinds), first_line, kinds))
            pending = []
        current = []

    for ln in lines:
        if ln.kind == "blank":
            flush()
            continue
        if ln.kind == "furniture":
            flush()
            lo = ln.start + len(text[ln.start : ln.end]) - len(text[ln.start : ln.end].lstrip())
            pending.append(fur_at.get(lo, "furniture"))
            continue
        raw = text[ln.start : ln.end]
        if current and (LIST_ITEM.match(raw) or BULLET.match(raw)):
            flush()
        if not current:
            first_line = raw
            page = ln.page
            if last_page is not None and ln.page != last_page:
                pending.append("page_break")
            last_page = ln.page
        current.append(MappedText.of_source(text, ln.start, ln.end).strip())
    flush()
    return chunks


def _is_break(kinds: tuple[str, ...]) -> bool:
    return any(k in PAGE_BREAK_KINDS or k == "page_break" for k in kinds)


TAIL = 120  # characters of the joined text kept to see its last word


def join_lines(views: list[MappedText]) -> MappedText:
    """Join wrapped lines with spaces, rejoining words hyphenated at line ends.

    Each line is held back until the next one shows whether its final hyphen
    goes (``eliminat-`` + ``ing``); the text joined so far is never copied."""
    b = TextBuilder()
    tail = ""  # the end of the text joined so far, enough to see its last word
    src_end = 0
    held: MappedText | None = None
    for view in views:
        if not view.text:
            continue
        if held is not None:
            joint = _joint(tail, view.text)
            b.extend(held.slice(0, len(held.text) - 1) if joint == "drop" else held)
            src_end = max(src_end, held.source_end)
            if joint == "space":
                b.add(" ", src_end, src_end)
            tail = tail[:-1] if joint == "drop" else tail + (" " if joint == "space" else "")
        held = view
        tail = (tail + view.text)[-TAIL:]
    if held is not None:
        b.extend(held)
    return b.build()


def _joint(at: str, bt: str) -> str:
    """How line ``bt`` joins the text ``at`` before it: ``drop`` the hyphen
    (``com-munist``), ``keep`` it (``Sino-Soviet``), or a ``space``."""
    if len(at) >= 2 and at[-1] == "-" and at[-2].isalpha() and bt[:1].isalpha():
        head = re.search(r"[A-Za-z]+-$", at)
        tail = re.match(r"[A-Za-z]+", bt)
        if bt[0].islower() and head and tail and _drop_hyphen(head.group()[:-1], tail.group()):
            return "drop"
        return "keep"
    return "space"


def join_wrapped(a: MappedText, b: MappedText) -> MappedText:
    """``a`` followed by ``b`` as one line: ``eliminat-`` + ``ing`` is
    ``eliminating``, ``Sino-`` + ``Soviet`` is ``Sino-Soviet``, else a space."""
    return join_lines([a, b])


def _drop_hyphen(left: str, right: str) -> bool:
    """Line-end hyphens are dropped unless both halves are words and the
    joined form is not ("two-year" stays, "com-munist" joins)."""
    if lexicon.is_word(left + right):
        return True
    return not (lexicon.is_word(left) and lexicon.is_word(right))


def repair_chunks(chunks: list[Chunk]) -> tuple[list[Chunk], list[Correction]]:
    """Repair OCR confusions in body chunks; each repair is recorded."""
    seen = Counter(_TOKEN.findall("\n".join(c.text for c in chunks)))
    fixes = {t: r for t in seen if (r := lexicon.repair(t, seen))}
    if not fixes:
        return chunks, []
    out: list[Chunk] = []
    corrections: list[Correction] = []
    wanted = re.compile(r"\b(?:" + "|".join(map(re.escape, fixes)) + r")\b")
    for c in chunks:
        view = c.view
        if not wanted.search(view.text):
            out.append(c)
            continue
        b = TextBuilder()
        pos = 0
        for m in _TOKEN.finditer(view.text):
            fixed = fixes.get(m.group())
            if not fixed:
                continue
            b.extend(view.slice(pos, m.start()))
            s, e = view.span_to_source(m.start(), m.end())
            b.add(fixed, s, e)
            corrections.append(Correction(m.group(), fixed, s, e, "confusion"))
            pos = m.end()
        b.extend(view.slice(pos, len(view.text)))
        out.append(Chunk(b.build(), c.page, c.after_break, c.first_line, c.before))
    return out, corrections
