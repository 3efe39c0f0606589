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
from collections.abc import Mapping
from itertools import chain

from declass.model import Chunk, Correction, Document, Furniture, Line, Page, page_lookup
from declass.stages.clean.furniture import HEAD_LINES, agencies_line, classify_line, echoes_banner
from declass.stages.clean.page_edges import damaged_furniture, edge_flags, repeated_edge_lines
from declass.text import lexicon
from declass.text.crest_id import settle_archive_ids
from declass.text.textmap import MappedText, TextBuilder, iter_lines

PAGE_BREAK_KINDS = frozenset({"page_number", "classification", "release_stamp", "archive_id", "page_marker",
                              "exempt_pages", "running_head"})

LIST_ITEM = re.compile(
    r"""^\s*[-\u2013\u2014\u2022*\u00b7=~>_]{1,2}\s*[A-Za-z0-9\u20ac$(|]{1,2}[.,:;)]\s  # - A.  — €,  ~ D:
      | ^\s*(?:[-\u2022*\u00b7]\s*)?(?:
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
_WORD_TOKEN = re.compile(r"(?<!\w)[A-Za-z]+(?!\w)")
"""A token standing as a whole word (``\\b`` on both sides): the chunks a repair is looked for in."""


def clean(doc: Document, *, positions: Mapping[int, float] | None = None) -> Document:
    """The clean stage: furniture, pages, body chunks and OCR repairs.

    ``positions`` (line start offset -> vertical place on its page, 0 top to
    1 bottom), when the reader measured them, say which lines stand at page
    edges; without them the first and last lines of each page do.  By
    default they are the ones the OCR reader measured (`Document.line_positions`)."""
    if positions is None and doc.line_positions:
        positions = dict(doc.line_positions)
    text = doc.text
    raw_lines = classify_lines(text)
    pages = doc.pages
    if len(pages) == 1 and not pages[0].inferred:
        pages = infer_pages(text, raw_lines) or pages
    doc = doc.evolve(pages=pages)
    raw_lines = classify_edges(text, raw_lines, pages, positions)
    raw_lines, warnings = _settle_ids(raw_lines)

    lines: list[Line] = []
    furniture: list[Furniture] = []
    for (s, e, kind, fields), page in zip(raw_lines, pages_of(raw_lines, pages), strict=True):
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
        warnings=(*doc.warnings, *warnings),
        stages=(*doc.stages, "clean"),
    )


RawLine = tuple[int, int, str, dict[str, str]]
NO_FIELDS: dict[str, str] = {}
"""The fields of a blank or body line: one shared empty dict, never written (a dict a line cost
64 bytes, 1.6 MB a MB of text)."""


def classify_lines(text: str) -> list[RawLine]:
    """Each source line as ``(start, end, kind, fields)``: blank, body or
    ``furniture:<kind>``, read from the line alone."""
    raw_lines: list[RawLine] = []
    nonblank = 0
    for s, e in iter_lines(text):
        stripped = text[s:e].strip()
        if not stripped or stripped == "\f":
            raw_lines.append((s, e, "blank", NO_FIELDS))
            continue
        nonblank += 1
        hit = classify_line(stripped, head=nonblank <= HEAD_LINES)
        raw_lines.append((s, e, "furniture:" + hit[0], hit[1]) if hit else (s, e, "body", NO_FIELDS))
    # "Army and Navy" / "review(s) completed.": the agencies belong to the stamp
    for i, (_s, _e, kind, fields) in enumerate(raw_lines):
        if kind == "furniture:review_stamp" and "by" not in fields:
            j = i - 1
            while j >= 0 and raw_lines[j][2] == "blank":
                j -= 1
            if j >= 0 and raw_lines[j][2] == "body" and agencies_line(text[raw_lines[j][0] : raw_lines[j][1]]):
                js, je, _, _ = raw_lines[j]
                raw_lines[j] = (js, je, "furniture:review_stamp", {"part": "agencies"})
    return raw_lines


def classify_edges(text: str, raw_lines: list[RawLine], pages: tuple[Page, ...],
                   positions: Mapping[int, float] | None) -> list[RawLine]:
    """Lines read again knowing where they stand: at a page edge a damaged
    banner may be one edit further off, and a short line repeating at the
    edges of several pages is a running head or foot."""
    if len(pages) < 2:
        return raw_lines
    line_page = pages_of(raw_lines, pages)
    nonblank = [i for i, r in enumerate(raw_lines) if r[2] != "blank"]
    nonblank_pages = [line_page[i] for i in nonblank]
    at_edge = edge_flags(nonblank_pages, [positions.get(raw_lines[i][0]) for i in nonblank] if positions else None)
    out = list(raw_lines)
    levels = {f["level"] for _, _, k, f in raw_lines if k == "furniture:classification" and "level" in f}
    outermost = {k for k in range(len(nonblank))  # a page's first or last two lines
                 if nonblank_pages[max(k - 2, 0)] != nonblank_pages[k] or k < 2
                 or nonblank_pages[min(k + 2, len(nonblank) - 1)] != nonblank_pages[k] or k > len(nonblank) - 3}
    candidates: list[tuple[str, int, bool]] = []
    where: list[int] = []
    for k, (i, edge) in enumerate(zip(nonblank, at_edge, strict=True)):
        s, e, kind, _ = out[i]
        if kind != "body":
            continue
        line = text[s:e].strip()
        if edge and (hit := classify_line(line, edge=True) or echoes_banner(line, levels, outermost=k in outermost)):
            out[i] = (s, e, "furniture:" + hit[0], hit[1])
            continue
        candidates.append((line, line_page[i], edge))
        where.append(i)
    running = repeated_edge_lines(candidates)
    for k in running:
        s, e, _, _ = out[where[k]]
        out[where[k]] = (s, e, "furniture:running_head", {})
    y = positions.get if positions else lambda _: None
    found = [(r[2][10:], text[r[0]:r[1]].strip(), line_page[i], y(r[0]))
             for i, r in enumerate(out) if r[2].startswith("furniture:")]
    rest = [k for k in range(len(where)) if k not in running]
    echoes = damaged_furniture([(candidates[k][0], candidates[k][1], y(out[where[k]][0]), candidates[k][2])
                                for k in rest], found)
    for j, (kind, fields) in echoes.items():
        s, e, _, _ = out[where[rest[j]]]
        out[where[rest[j]]] = (s, e, "furniture:" + kind, fields)
    return out


def pages_of(raw_lines: list[RawLine], pages: tuple[Page, ...]) -> list[int]:
    """The page number of each line, in one walk (lines and pages are both in text order;
    `page_lookup` gives the same answer, at a search a line)."""
    starts = [p.start for p in pages]
    if not pages or starts != sorted(starts):
        page_at = page_lookup(pages)
        return [page_at(r[0]) for r in raw_lines]
    out: list[int] = []
    k, last = 0, len(pages) - 1
    for r in raw_lines:
        while k < last and starts[k + 1] <= r[0]:
            k += 1
        out.append(pages[k].number)
    return out


def _settle_ids(raw_lines: list[RawLine]) -> tuple[list[RawLine], list[str]]:
    idx = [i for i, r in enumerate(raw_lines) if "archive_id" in r[3]]
    if not idx:
        return raw_lines, []
    fields, warnings = settle_archive_ids([raw_lines[i][3] for i in idx])
    out = list(raw_lines)
    for i, f in zip(idx, fields, strict=True):
        s, e, kind, _ = out[i]
        out[i] = (s, e, kind, f)
    return out, warnings


def infer_pages(text: str, raw_lines: list[RawLine]) -> tuple[Page, ...]:
    """Pages of a plain-text source: from page markers (``[PAGE 03]``) where a
    transcription has them, else from printed page numbers."""
    return _pages_from_markers(text, raw_lines) or _pages_from_numbers(text, raw_lines)


def _pages_from_markers(text: str, raw_lines: list[RawLine]) -> tuple[Page, ...]:
    """A page starts at each marker line (text before the first belongs to it,
    or to the page before it when that one is numbered)."""
    marks = [(s, int(f["number"])) for s, _e, kind, f in raw_lines if kind == "furniture:page_marker"]
    numbers = [n for _, n in marks]
    if not marks or numbers != sorted(set(numbers)):
        return ()
    pages: list[Page] = []
    if text[: marks[0][0]].strip() and marks[0][1] > 1:
        pages.append(Page(marks[0][1] - 1, 0, marks[0][0], inferred=True))
    for i, (start, n) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        pages.append(Page(n, 0 if not pages and i == 0 else start, end, inferred=True))
    return tuple(pages)


def _pages_from_numbers(text: str, raw_lines: list[RawLine]) -> tuple[Page, ...]:
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
    current: list[tuple[int, int]] = []  # the source spans of the chunk's stripped lines
    first_line = ""
    page = 1
    pending: list[str] = []
    last_page = None

    def flush() -> None:
        nonlocal current, pending
        if current:
            view = join_spans(text, current)
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
        lo, hi = len(raw) - len(raw.lstrip()), len(raw.rstrip())
        current.append((ln.start + lo, ln.start + max(hi, lo)))
    flush()
    return chunks


def _is_break(kinds: tuple[str, ...]) -> bool:
    return any(k in PAGE_BREAK_KINDS or k == "page_break" for k in kinds)


TAIL = 120  # characters of the joined text kept to see its last word


def join_lines(views: list[MappedText]) -> MappedText:
    """Join wrapped lines with spaces, rejoining words hyphenated at line ends.

    Each line is held back until the next one shows whether its final hyphen
    goes (``eliminat-`` + ``ing``); the text joined so far is never copied."""
    views = [v for v in views if v.text]
    b = TextBuilder()
    src_end = 0
    for view, joint in zip(views, _joints([v.text for v in views]), strict=True):
        b.extend(view.slice(0, len(view.text) - 1) if joint == "drop" else view)
        src_end = max(src_end, view.source_end)
        if joint == "space":
            b.add(" ", src_end, src_end)
    return b.build()


def join_spans(source: str, spans: list[tuple[int, int]]) -> MappedText:
    """`join_lines` of the lines ``source[start:end]`` of ``spans`` (in order, the source's own
    text): the same view, without a view made for each line first."""
    spans = [(a, z) for a, z in spans if z > a]
    lines = [source[a:z] for a, z in spans]
    b = TextBuilder()
    src_end = 0
    for (a, z), line, joint in zip(spans, lines, _joints(lines), strict=True):
        if joint != "drop":
            b.add(line, a, z)
        elif z - 1 > a:
            b.add(line[:-1], a, z - 1)
        src_end = max(src_end, z)
        if joint == "space":
            b.add(" ", src_end, src_end)
    return b.build()


def _joints(lines: list[str]) -> list[str | None]:
    """How each of ``lines`` (none empty) joins the next (`_joint`); None after the last."""
    out: list[str | None] = []
    tail = ""  # the end of the text joined so far, enough to see its last word
    for k, line in enumerate(lines):
        if k:
            joint = _joint(tail, line)
            out.append(joint)
            tail = tail[:-1] if joint == "drop" else tail + (" " if joint == "space" else "")
        tail = (tail + line)[-TAIL:]
    if lines:
        out.append(None)
    return out


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


FEW_FIXES = 8  # up to this many repairs a document, a chunk is searched for each as a substring first


def repair_chunks(chunks: list[Chunk]) -> tuple[list[Chunk], list[Correction]]:
    """Repair OCR confusions in body chunks; each repair is recorded."""
    # chunk by chunk (the document's every word is never a list at once), counted in one call
    seen: Counter[str] = Counter(chain.from_iterable(_TOKEN.findall(c.text) for c in chunks))
    fixes = {t: r for t in lexicon.repairable_among(seen) if (r := lexicon.repair(t, seen))}
    if not fixes:
        return chunks, []
    out: list[Chunk] = []
    corrections: list[Correction] = []
    few = len(fixes) <= FEW_FIXES
    for c in chunks:
        view = c.view
        # a set look-up a word: one alternation of every fix costs a pass per fix (quadratic in a long document);
        # a few fixes are first looked for as substrings, which most chunks do not hold at all
        if (few and not any(t in view.text for t in fixes)) or fixes.keys().isdisjoint(_WORD_TOKEN.findall(view.text)):
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
