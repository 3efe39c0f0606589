"""A release as a stream of words, each tied to its block, plus where it withholds.

Comparison works on the body (blocks, never page furniture) of the export
record, so it runs the same on a parsed `Document` and on a stored archive.
Each word keeps its block and its offsets inside the block's text: those
are what a citation and the web reading need.  Withholding notices
("Next 2 Page(s) In Document Exempt", "Page Denied", a ``25X1`` marker,
a withheld block inferred from numbering) are not words: they are
*evidence*, placed between the words where they stand.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

WORD = re.compile(r"[^\W_]+", re.UNICODE)
# a word broken at a line end, "Congo-\nlese" or as some transcriptions keep it "Congo- lese"
BROKEN_GAP = re.compile(r"-[ \t]*\n[ \t]*|- ")
# notices a release prints where it withholds whole pages or documents; the redactions
# stage may also record them (kind "exempt_pages"; an editor's "omission" withholds nothing)
NOTICE = re.compile(
    r"^\s*(?:next\s+(?P<n>\d+)\s+page\(?s?\)?\s+in\s+document\s+(?:exempt|denied)"
    r"|page\s+denied|document\s+denied|pages?\s+\d+(?:\s*(?:-|through|to)\s*\d+)?\s+(?:exempt|denied|withheld))\s*$",
    re.IGNORECASE,
)
INLINE_MARK = re.compile(r"\b25\s?X\s?[1-9][A-Z]?\b|\(b\)\s?\(\d\)(?:\s?\([A-Za-z]\))?", re.IGNORECASE)
SKIP_KINDS = frozenset({"redaction"})
NOTICE_FURNITURE = frozenset({"exempt_pages", "page_denied", "document_denied"})


@lru_cache(maxsize=1 << 16)
def norm(word: str) -> str:
    """A word as compared: lower case, accents and ligatures folded (chargé = charge)."""
    if word.isascii():
        return word.lower()
    folded = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a release's body: its compared form and where it is."""

    norm: str
    block: int  # index into ReleaseText.blocks
    start: int  # offsets in the block's text
    end: int


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A body block of a release, as stored (label, kind, page, text, source start)."""

    label: str
    kind: str
    page: int
    text: str
    start: int
    paragraph_starts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a release prints, or what the pipeline inferred, where text is withheld.

    ``kind``: ``exempt_pages`` (a notice that whole pages are exempt or denied),
    ``marker`` (``25X1``, ``(b)(1)``, a placeholder), ``withheld_block`` (a point
    missing from a numbered sequence).  ``at`` is the index of the first word
    after it; ``pages`` the number of pages a notice says are withheld.
    """

    kind: str
    text: str
    at: int
    block: str | None
    page: int
    pages: int | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseText:
    """A release read for comparison."""

    id: str
    words: tuple[Word, ...]
    blocks: tuple[TextBlock, ...]
    evidence: tuple[Evidence, ...]

    def block_runs(self, i: int, j: int) -> Iterator[tuple[TextBlock, Word, Word]]:
        """Words ``i..j`` (exclusive) in runs within one block: each run's block, first and last word."""
        k = i
        while k < j:
            b = self.words[k].block
            m = k
            while m + 1 < j and self.words[m + 1].block == b:
                m += 1
            yield self.blocks[b], self.words[k], self.words[m]
            k = m + 1

    def span_text(self, i: int, j: int) -> str:
        """The text of words ``i..j`` (exclusive) as printed, block by block."""
        return " ".join(blk.text[first.start:last.end] for blk, first, last in self.block_runs(i, j))

    def chars(self, i: int, j: int) -> int:
        """Letters and digits in words ``i..j``: a length that line breaks and spacing do not change."""
        return sum(len(w.norm) for w in self.words[i:j])


def is_notice(text: str) -> bool:
    return NOTICE.match(text) is not None


def _notice_pages(text: str) -> int | None:
    m = NOTICE.match(text)
    if m and m.group("n"):
        return int(m.group("n"))
    return 1 if m and re.search(r"page\s+denied", text, re.I) else None


def tokenize(text: str, block: int) -> list[Word]:
    """Words of one block's text; a word broken at a line end is one word."""
    spans = [m.span() for m in WORD.finditer(text)]
    out: list[Word] = []
    i, n = 0, len(spans)
    while i < n:
        s, e = spans[i]
        w = text[s:e]
        while (i + 1 < n and text.startswith("-", e) and text[spans[i + 1][0]].islower()
               and BROKEN_GAP.fullmatch(text, e, spans[i + 1][0])):
            i += 1
            w += text[spans[i][0]:spans[i][1]]
            e = spans[i][1]
        out.append(Word(norm(w), block, s, e))
        i += 1
    return out


JOIN = re.compile(r"(?<=[^\W_])-(?:[ \t]*\n[ \t]*| )(?=[^\W\d_])")


def _join_broken(m: re.Match[str]) -> str:
    return "" if m.string[m.end()].islower() else m.group()


def norms_and_marks(record: dict[str, Any]) -> tuple[list[str], int]:
    """The compared words of a release and its count of printed withholding marks
    (a notice counts the pages it names), without placing them: what pairing needs,
    about eight times faster than `from_record`.  Same words, same rules."""
    words: list[str] = []
    notices: dict[int, int] = {}
    for b in sorted(record.get("blocks") or [], key=lambda b: (b["start"], b["end"])):
        text = b["text"]
        if is_notice(text):
            notices[b["start"]] = _notice_pages(text) or 1
            continue
        if b["kind"] in SKIP_KINDS:
            continue
        text = INLINE_MARK.sub(" ", text) if "25" in text or "(b)" in text else text
        words.extend(map(norm, WORD.findall(JOIN.sub(_join_broken, text))))
    for f in record.get("furniture") or []:
        if f.get("kind") in NOTICE_FURNITURE or is_notice(str(f.get("text") or "")):
            notices.setdefault(f["start"], _notice_pages(str(f["text"])) or 1)
    marks = 0
    for r in record.get("redactions") or []:
        if r.get("kind") == "marker":
            marks += 1
        elif r.get("kind") == "exempt_pages" and r.get("start") not in notices:
            pages = r.get("pages") or r.get("page_count") or (r.get("size") or {}).get("pages")
            notices[int(r.get("start", -1))] = int(pages) if pages else 1
    return words, marks + sum(notices.values())


def _paragraph_starts(text: str) -> tuple[int, ...]:
    return (0, *(m.end() for m in re.finditer(r"\n[ \t]*\n\s*", text)))


def from_record(record: dict[str, Any]) -> ReleaseText:
    """Read an export record (see `declass.archive.export`) for comparison."""
    raw = sorted(record.get("blocks") or [], key=lambda b: (b["start"], b["end"]))
    blocks: list[TextBlock] = []
    words: list[Word] = []
    notices: list[tuple[int, dict[str, Any]]] = []  # (source offset, notice)
    for b in raw:
        text = b["text"]
        if is_notice(text):
            notices.append((b["start"], {"kind": "exempt_pages", "text": text, "page": b.get("page") or 1,
                                         "block": b["label"], "pages": _notice_pages(text)}))
            continue
        if b["kind"] in SKIP_KINDS:  # a placeholder standing alone: the redactions stage records it
            continue
        idx = len(blocks)
        blocks.append(TextBlock(b["label"], b["kind"], b.get("page") or 1, text, b["start"],
                                _paragraph_starts(text)))
        marks = [m.span() for m in INLINE_MARK.finditer(text)]  # 25X1 in the text is a marker, not words
        words.extend(w for w in tokenize(text, idx) if not any(s <= w.start < e for s, e in marks))
    evidence = _evidence(record, blocks, words, notices)
    return ReleaseText(str(record["id"]), tuple(words), tuple(blocks), tuple(evidence))


def _evidence(record: dict[str, Any], blocks: list[TextBlock], words: list[Word],
              notices: list[tuple[int, dict[str, Any]]]) -> list[Evidence]:
    """Withholding evidence, each placed at the index of the first word after it."""
    block_starts = [b.start for b in blocks]
    first_word = _first_word_of_blocks(words, len(blocks))
    by_label = {b.label: i for i, b in enumerate(blocks)}

    def at_source(offset: int) -> int:
        k = bisect_left(block_starts, offset)
        return first_word[k] if k < len(first_word) else len(words)

    def in_block(label: str, offset: int) -> int | None:
        k = by_label.get(label)
        if k is None:
            return None
        for i in range(first_word[k], len(words)):
            if words[i].block != k or words[i].start >= offset:
                return i
        return len(words)

    for f in record.get("furniture") or []:  # the clean stage may keep notices as page furniture
        if f.get("kind") in NOTICE_FURNITURE or is_notice(str(f.get("text") or "")):
            notices.append((f["start"], {"kind": "exempt_pages", "text": f["text"], "page": f.get("page") or 1,
                                         "block": None, "pages": _notice_pages(str(f["text"]))}))
    out: list[Evidence] = [
        Evidence(n["kind"], n["text"], at_source(s), n["block"], n["page"], n["pages"]) for s, n in notices
    ]
    seen_notices = {(e.text.strip().casefold(), e.at) for e in out}
    for r in record.get("redactions") or []:
        kind = r.get("kind")
        code = (r.get("exemption") or {}).get("code") if isinstance(r.get("exemption"), dict) else None
        text = str(r.get("marker") or r.get("text") or "")
        at = None
        if r.get("in_block") and r.get("block") is not None:
            at = in_block(r["block"], int(r["in_block"][0]))
        if at is None:
            at = at_source(int(r.get("start", 0)) if kind != "withheld_block" else int(r.get("end", 0)))
        if kind == "withheld_block":
            text = ", ".join(r.get("inferred_labels") or []) or text
            out.append(Evidence("withheld_block", text, at, r.get("before"), r.get("page") or 1))
        elif kind == "marker":
            out.append(Evidence("marker", text, at, r.get("block"), r.get("page") or 1, code=code))
        elif kind == "exempt_pages":  # a slip sheet the redactions stage recorded (exempt pages, page denied)
            if (text.strip().casefold(), at) in seen_notices:
                continue
            pages = r.get("pages") or r.get("page_count") or (r.get("size") or {}).get("pages")
            out.append(Evidence("exempt_pages", text or str(kind), at, r.get("block"), r.get("page") or 1,
                                int(pages) if pages else None))
    out.sort(key=lambda e: (e.at, e.kind))
    return out


def _first_word_of_blocks(words: list[Word], n_blocks: int) -> list[int]:
    """For each block, the index of its first word (or of the next block's, if it has none)."""
    first = [len(words)] * (n_blocks + 1)
    for i in range(len(words) - 1, -1, -1):
        first[words[i].block] = i
    for k in range(n_blocks - 1, -1, -1):
        first[k] = min(first[k], first[k + 1])
    return first[:n_blocks]
