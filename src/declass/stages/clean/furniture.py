"""Page furniture: recognising stamps, banners and page marks through OCR damage.

A scan's furniture is rarely printed as the patterns spell it: banners are
letter-spaced ("S E C R E T"), stamps lose letters to speckle ("SECREF",
"Appr0ved Fer Re1ease") and CREST ids pick up O/0 and I/1 confusions.  A
line is recognised in three tiers, each only if the one before found
nothing:

1. the patterns of ``data/furniture.yaml``, matched whole;
2. the same patterns on the line with its letter-spacing closed up, its
   OCR confusions folded (digits among letters, letters among digits) and
   any known stamp phrase found by fuzzy alignment put back in its printed
   form;
3. the line's capitals within a few edits of a classification banner.

Position helps where it is known: a line at the top or bottom of a page is
allowed one more edit (`classify_line` ``edge``), and a short line repeating
at the edges of several pages is a running head (`declass.stages.clean.page_edges`).
CREST ids are repaired by `declass.text.crest_id`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from declass.datafile import load_yaml
from declass.text import lexicon
from declass.text.crest_id import ID_TO_DIGIT, repair_archive_id, repair_squeezed

HEAD_LINES = 5
"""Patterns marked ``where: head`` apply only to this many first non-blank lines."""


@dataclass(frozen=True, slots=True)
class FurniturePattern:
    kind: str
    regex: re.Pattern[str]
    head_only: bool
    edge_only: bool = False


@dataclass(frozen=True, slots=True)
class Phrase:
    kind: str
    phrase: str


@dataclass(frozen=True, slots=True)
class Spec:
    patterns: tuple[FurniturePattern, ...]
    any_pattern: re.Pattern[str]
    review_agencies: re.Pattern[str]
    banners: tuple[tuple[str, str, str], ...]  # (skeleton, level, printed form)
    phrases: tuple[Phrase, ...]


@lru_cache(maxsize=1)
def spec() -> Spec:
    """``data/furniture.yaml``, compiled."""
    raw = load_yaml(resources.files("declass.data").joinpath("furniture.yaml").read_text("utf-8"))
    patterns = tuple(
        FurniturePattern(p["kind"], re.compile(p["pattern"], re.IGNORECASE), p.get("where") == "head",
                         p.get("where") == "edge")
        for p in raw["patterns"]
    )
    # All patterns in one, groups unnamed: most lines are body text, and one
    # failed match says so faster than twenty.
    unnamed = (re.sub(r"\(\?P<\w+>", "(?:", p.regex.pattern) for p in patterns)
    banners = tuple(
        (skeleton(f"{level} {caveat}"), level, f"{level} {caveat}".strip())
        for level in raw["banners"]["levels"] for caveat in raw["banners"]["caveats"]
    )
    return Spec(
        patterns=patterns,
        any_pattern=re.compile("|".join(f"(?:{u})" for u in unnamed), re.IGNORECASE),
        review_agencies=re.compile(raw["review_agencies"], re.IGNORECASE),
        banners=banners,
        phrases=tuple(Phrase(p["kind"], p["phrase"]) for p in raw["phrases"]),
    )


def furniture_patterns() -> tuple[FurniturePattern, ...]:
    return spec().patterns


# -- normalising a damaged line ----------------------------------------------

_TO_LETTER = str.maketrans({"0": "O", "1": "l", "5": "S", "8": "B", "$": "S", "|": "l", "€": "E"})
_TO_DIGIT = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "l": "1", "I": "1", "|": "1", "i": "1",
                           "!": "1", "S": "5", "s": "5", "$": "5", "B": "8", "Z": "2", "z": "2", "G": "6"})
_STRAY = re.compile(r"[°º·•^`~´¨'\u2018\u2019\"_]")
_TOKEN = re.compile(r"\S+")
_NEEDS_FOLD = re.compile(r"[\d°º·•^`~´¨'\u2018\u2019\"_|$€]|[A-Z]l|l[A-Z]|[CG][I1l|!][A4]")
_ARCHIVE_TOKEN = re.compile(r"[CG][I1l|!][A4]\s*[-~–—.]*\s*R\s*[DO0]\s*P", re.IGNORECASE)


def skeleton(text: str) -> str:
    """The letters of ``text`` in capitals, digits read as the letters they resemble."""
    return re.sub(r"[^A-Z]", "", text.translate(_TO_LETTER).upper())


def close_spacing(line: str) -> str:
    """``S E C R E T`` → ``SECRET``, ``T O P  S E C R E T`` → ``TOP SECRET``:
    a line of mostly one-character tokens was typed letter-spaced."""
    tokens = line.split()
    if len(tokens) < 3 or sum(len(t) <= 2 for t in tokens) < 0.6 * len(tokens):
        return line
    words = re.split(r"\s{2,}|\s*/\s*", line.strip())
    if len(words) > 1 and all(len(w.split()) >= 2 or len(w) <= 2 for w in words):
        return " ".join(w.replace(" ", "") for w in words)
    return line.replace(" ", "")


def fold(line: str) -> str:
    """OCR confusions folded token by token: in a word of letters, digits become
    the letters they resemble (``Re1ease``); in a number, letters become digits
    (``2OO3/O8/08``).  Archive ids are left for `repair_archive_id`."""
    if not _NEEDS_FOLD.search(line):
        return " ".join(line.split())
    line = _STRAY.sub("", line)
    if (a := _ARCHIVE_TOKEN.search(line)) and len(rest := re.sub(r"\s+", "", line[a.end():])) <= 26:
        rest = re.sub(r"(?<=\d)[.,](?=\d)", "", rest).rstrip("-.,")
        line = line[: a.start()] + "CIA-RDP" + rest  # one id, split by specks
    # a date split by specks ("2003/0 8/08")
    line = re.sub(r"\d[\dOoIlS .,'-]{0,5}/[\dOoIlS .,'-]{1,5}/[\dOoIlS .,'-]{0,5}\d",
                  lambda m: re.sub(r"[ .,'-]", "", m.group()), line)
    out = []
    for m in _TOKEN.finditer(line):
        tok = m.group()
        if a := _ARCHIVE_TOKEN.match(tok):
            out.append("CIA-RDP" + tok[a.end():])
            continue
        if "l" in tok and len(tok) >= 2 and tok.replace("l", "").isupper():
            tok = tok.replace("l", "I")  # "DlA", "ClA": a capital I read as l
        letters = sum(c.isalpha() for c in tok)
        digits = sum(c.isdigit() for c in tok)
        if digits and (letters > digits or (letters == digits and tok[0].isalpha())):
            tok = tok.translate(_TO_LETTER)
        elif digits >= letters:
            tok = tok.translate(_TO_DIGIT)
        if digits >= 3:  # a speck inside a number or a date
            tok = re.sub(r"(?<=\d)[.,'](?=\d)|[.,'-]+(?=/)|(?<=/)[.,'-]+", "", tok)
        out.append(tok)
    return " ".join(out)


# -- classifying one line ----------------------------------------------------

def exact(line: str, *, head: bool = False, edge: bool = False) -> tuple[str, dict[str, str]] | None:
    """``(kind, fields)`` if a pattern matches the whole ``line`` (``where: head``
    patterns only among the first lines, ``where: edge`` only at a page edge)."""
    s = spec()
    if not s.any_pattern.fullmatch(line):
        return None
    for pat in s.patterns:
        if (pat.head_only and not head) or (pat.edge_only and not edge):
            continue
        m = pat.regex.fullmatch(line)
        if m:
            return pat.kind, {k: " ".join(v.split()) for k, v in m.groupdict().items() if v}
    return None


def classify_line(line: str, *, head: bool = False, edge: bool = False) -> tuple[str, dict[str, str]] | None:
    """``(kind, fields)`` if the stripped ``line`` is page furniture, else None.

    ``head``: among the first lines of the document; ``edge``: at the top or
    bottom of a page (where a damaged banner may be one edit further off).

    Answers are remembered: banners, stamps and page numbers repeat on every
    page and across documents, and they are the lines the costly tiers read."""
    hit = _classify(line, head, edge)
    return None if hit is None else (hit[0], dict(hit[1]))  # a fresh dict: callers may keep or change it


@lru_cache(maxsize=8192)
def _classify(line: str, head: bool, edge: bool) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    hit = exact(line, head=head, edge=edge)
    if hit is None and len(line) <= 160:
        hit = _damaged(line, head=head, edge=edge)
    if hit is not None and "archive_id" in hit[1]:
        hit = (hit[0], _with_repaired_id(hit[1]))
    return None if hit is None else (hit[0], tuple(hit[1].items()))


_INNER_SPECK = re.compile(r"(?<=\w)[.,'°`](?=[^\s/:])")
_EDGE_SPECKS = re.compile(r"^[\s.,:;'`_~>|-]+(?=\w)|(?<=[\w.)])[\s,:;'`_~>|-]+$")


_PROSE_WORD = re.compile(r"(?<![\w-])[a-z]{4,}\b")
_STAMP_WORDS = frozenset(
    "approved release sanitized copy declassified part review reviews completed page pages document exempt "
    "denied next relations foreign volume army navy force state department".split()
)


def _prose(line: str) -> bool:
    """Three ordinary lower-case words no stamp uses: a line of running text,
    which no amount of OCR damage makes furniture (checked before the costly tiers)."""
    return sum(w not in _STAMP_WORDS for w in _PROSE_WORD.findall(line)) >= 3


_DAMAGED_25X = re.compile(r"[\W_]{0,2}25\s*[xX×%]\s*([1-9]|[lLI|\])}!])?[\W\d_]{0,3}")
"""A 25X1 marker standing alone, as OCR reads it: "25x]", "25XL", "-25%1", "25X12 ,"."""


_DAMAGED_PAGE_NUMBER = re.compile(r"[-\u2013\u2014=~_.,:;'\"\u201c\u201d{}()\[\]\s]*(?=[\dIl|\]&\u00a7{]{0,2}\d)"
                                  r"[\dIl|\]&\u00a7{]{1,3}[-\u2013\u2014=~_.,:;'\"\u201c\u201d{}()\[\]\s]*")
"""A typed page number ("- 5 -") as OCR reads it at a page edge: "= 5 =", "-]2-", "=13-\u2014", "2."."""
_YEAR = re.compile(r"\b1[89]\d\d\b")
_PAGE_AT_END = re.compile(r"^\W{0,3}\d{1,4}\s|\s\d{1,4}\W{0,3}$")  # a running head carries its page number outside
_RUNNING_TEXT = re.compile(r"\b(?!of\b|the\b|vol|part\b)[a-z]{2,}\b")  # "is printed in": a sentence, not a head
_CITED_PAGES = re.compile(r"\bpp?\.\s*\d", re.IGNORECASE)  # "pp. 100-102": a citation of the volume, not its head
_VOLUME = re.compile(r",\s*V\w{4,5}\s+[IVXLCZTl1|]{1,6}\b(?!,?\s+Part\b)")
"""A running head's "Volume XXII" through damage ("Votume XIX", "Volume XXIT"); its years and page number may be
too damaged to read ("1 @1-19 3", "7€5"), and a citation says "vol." (or "Volume V, Part 1", with pages)."""


def _damaged_edge(line: str) -> tuple[str, dict[str, str]] | None:
    """What only a page edge makes furniture: a damaged page number, a damaged FRUS running head."""
    bare = line.strip()
    if len(bare) <= 10 and _DAMAGED_PAGE_NUMBER.fullmatch(bare):
        return "page_number", {"number": re.sub(r"\D", "", bare), "damaged": "1"}
    if (len(bare) <= 90 and ((_YEAR.search(bare) and _PAGE_AT_END.search(bare)) or _VOLUME.search(bare))
            and not _CITED_PAGES.search(bare) and not _RUNNING_TEXT.search(bare)
            and fuzz.partial_ratio("foreign relations", bare.lower()) >= 85):
        return "running_head", {"damaged": "1"}
    return None


def _damaged(line: str, *, head: bool, edge: bool) -> tuple[str, dict[str, str]] | None:
    if _prose(line):
        return None
    closed = close_spacing(_EDGE_SPECKS.sub("", line))
    folded = fold(closed)
    despecked = _INNER_SPECK.sub("", folded)  # "Vo.lume", "1965.–1974"
    for candidate in dict.fromkeys((closed, folded, despecked)):
        if candidate != line and (hit := exact(candidate, head=head, edge=edge)):
            return hit[0], {**hit[1], "damaged": "1"}
    if hit := _phrase(folded, head=head, edge=edge):
        return hit[0], {**hit[1], "damaged": "1"}
    if hit := release_stamp(line):
        return hit
    if hit := banner(closed, edge=edge):
        return hit
    if edge and (hit := _damaged_edge(line)):
        return hit
    if m := _DAMAGED_25X.fullmatch(line.strip()):
        digit = m.group(1) if m.group(1) and m.group(1).isdigit() else "1"
        return "exemption_marker", {"marker": f"25X{digit}", "damaged": "1", "printed": line.strip()}
    if _ARCHIVE_TOKEN.match(folded) and len(folded) <= 40:
        return "archive_id", {"archive_id": folded.replace(" ", ""), "damaged": "1"}
    return None


def _phrase(line: str, *, head: bool, edge: bool) -> tuple[str, dict[str, str]] | None:
    """A known stamp phrase found by fuzzy alignment, put back in its printed
    form, and the line read again with the patterns of that kind."""
    numbers = re.findall(r"\d+", line)
    line = re.sub(r"\d+", "#", line)  # phrases spell a number as "#"
    low = line.lower()
    for p in spec().phrases:
        n = len(p.phrase)
        if len(low) < n - 2:
            continue
        cutoff = 80 if n >= 18 else 85
        repaired: list[str] = []
        if len(low) <= n + 2 and fuzz.ratio(p.phrase, low) >= cutoff:
            repaired.append(p.phrase)  # the whole line is the phrase
        if len(low) >= n and (al := fuzz.partial_ratio_alignment(p.phrase, low, score_cutoff=cutoff)) is not None \
                and al.dest_end - al.dest_start >= n - 3:
            lo, hi = _word_bounds(low, al.dest_start, al.dest_end)
            keep = line if len(line) == len(low) else low
            # letters split off the phrase's first or last word ("A pproved",
            # "Releas e") go with it
            after = re.match(r" [a-z]{1,2}\b", low[hi:])
            before = re.search(r"\b[a-z]{1,2} $", low[:lo])
            los = [lo, *([lo - len(before.group())] if before else [])]
            his = [hi, *([hi + after.end()] if after else [])]
            repaired += [keep[:a] + p.phrase + keep[b:] for a in los for b in his]
        for r in repaired:
            hit = _reread(r, numbers, head=head, edge=edge)
            if hit and hit[0] == p.kind:
                return hit
    return None


def _reread(line: str, numbers: list[str], *, head: bool, edge: bool) -> tuple[str, dict[str, str]] | None:
    """``line`` with its numbers put back in place of ``#``, read with the patterns."""
    if line.count("#") != len(numbers):
        return None
    for n in numbers:
        line = line.replace("#", n, 1)
    return exact(line, head=head, edge=edge)


def _word_bounds(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Widen ``[lo, hi)`` to whole words (an alignment may stop inside one)."""
    while lo > 0 and (text[lo - 1].isalnum() or text[lo - 1] == "#"):
        lo -= 1
    while hi < len(text) and (text[hi].isalnum() or text[hi] == "#"):
        hi += 1
    return lo, hi


def banner(line: str, *, edge: bool = False) -> tuple[str, dict[str, str]] | None:
    """A classification banner read from the line's capitals, within a few
    edits of a known level (and caveat): ``SECREF``, ``SJE C°R ET``."""
    if len(line) > 60:
        return None
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 5 or sum(c.isupper() for c in letters) < 0.75 * len(letters):
        return None
    if sum(c.isalnum() for c in line) < 0.6 * len(line.replace(" ", "")):
        return None
    skels = {skeleton(line)}
    if sum(c.isupper() for c in line) >= 5:
        skels.add(re.sub(r"[^A-Z]", "", line))  # lower-case specks around capitals ("ae CONFIDENITAL")
    best: tuple[int, str, str] | None = None
    for (form, level, printed), skel in ((b, k) for b in spec().banners for k in skels):
        allowed = (1 if len(form) <= 7 else 2 if len(form) <= 14 else 3) + (1 if edge and len(form) >= 8 else 0)
        if abs(len(form) - len(skel)) > allowed:
            continue
        d = Levenshtein.distance(skel, form, score_cutoff=allowed)
        if d <= allowed and (best is None or d < best[0]):
            best = (d, level, printed)
    if best is None:
        return None
    fields = {"level": best[1], "read_as": best[2]}
    if best[0] or skeleton(line) != re.sub(r"[^A-Z]", "", line.upper()):
        fields["damaged"] = "1"
    return "classification", fields


def echoes_banner(line: str, levels: Iterable[str], *, outermost: bool) -> tuple[str, dict[str, str]] | None:
    """A line at a page edge that is a damaged copy of a banner the document
    prints elsewhere (``SecRe2``, ``SECRAP`` in a SECRET document): within two
    edits of it, three on a page's first or last line."""
    if len(line) > 30 or len(line.split()) > 3:
        return None
    tokens = [t.strip(".,:;'\"|") for t in line.split()]
    if any(t.isalpha() and len(t) >= 3 and lexicon.is_word(t.lower()) for t in tokens):
        return None  # "DECREE", "Secretary": words of their own, not a damaged banner
    skel = skeleton(line.upper())
    for level in levels:
        form = skeleton(level)
        allowed = max(2, len(form) // 4) + (1 if outermost else 0)
        if abs(len(skel) - len(form)) <= 1 and Levenshtein.distance(skel, form, score_cutoff=allowed) <= allowed:
            return "classification", {"level": level, "read_as": level, "damaged": "1"}
    return None


_DATE = re.compile(r"([0-9OoIlSB|]{4})/*([0-9OoIlSB|]{2})/*([0-9OoIlSB|]{2})")


def release_stamp(line: str) -> tuple[str, dict[str, str]] | None:
    """A release stamp read leniently: the phrase found by fuzzy alignment,
    then a date (yyyy/mm/dd) and an archive id with specks, splits and
    confusions taken out."""
    low = line.lower()
    al = fuzz.partial_ratio_alignment("approved for release", low, score_cutoff=80)
    if al is None or al.dest_start > 45 or al.dest_end - al.dest_start < 17:
        return None
    _, hi = _word_bounds(low, al.dest_start, al.dest_end)
    rest = re.sub(r"^\s*[.,'°-]*\s*[a-z]{1,2}(?=\s)", "", line[hi:])  # letters split off "release"
    squeezed = re.sub(r"[\s.,'°`~_:;\-–—]", "", rest)
    m = _DATE.match(squeezed)
    if not m:
        return None
    y, mo, d = (int(g.upper().translate(ID_TO_DIGIT)) for g in m.groups())
    if 1970 <= y <= 2099 and 1 <= mo <= 12 and 1 <= d <= 31:
        fields = {"date": f"{y:04d}/{mo:02d}/{d:02d}", "damaged": "1"}
    elif al.score >= 90:  # the phrase is plain and a date's shape follows: a stamp whose date OCR garbled
        fields = {"date_printed": m.group(0), "damaged": "1"}
    else:
        return None
    tail = squeezed[m.end():].upper()
    if tail:
        fixed = repair_squeezed(tail)
        at = re.search(r"[CcGg][\W_]{0,2}[IiLl1|!]", rest)
        printed = (rest[at.start():] if at else tail).strip(" :;")
        fields["archive_id"] = fixed or printed
        if fixed is None:  # still a stamp; the document's other stamps may settle its id
            fields["archive_id_unrepaired"] = "1"
        fields["archive_id_printed"] = printed
    return "release_stamp", fields


def _with_repaired_id(fields: dict[str, str]) -> dict[str, str]:
    printed = fields["archive_id"]
    fixed = repair_archive_id(printed)
    if fixed == printed:
        return fields
    if fixed is None:
        return {**fields, "archive_id_unrepaired": "1"}
    return {**fields, "archive_id": fixed, "archive_id_printed": printed}


def agencies_line(text: str) -> bool:
    """True if ``text`` is only agency names (the first line of a two-line review stamp)."""
    return bool(spec().review_agencies.fullmatch(text.strip()))
