"""Reading the start of a chunk: numbering markers, headings, footnotes.

These are pure string tests.  Which of several readings a marker gets
("I." is roman one or the letter I) is decided by the builder from the
sequence it would continue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from declass.text import lexicon

ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN_OK = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")

ITEM_DASHES = "-\u2013\u2014\u2022\u00b7>=_"
"""What a typed dash before a point ("- A.") comes out of OCR as: dashes, bullets, "=", ">", "_" (and "~")."""
_SPECK = r"(?:[\u2018\u2019'`\u00b0\u00a2](?=\w))?"
_LEAD = r"^\s*" + _SPECK + r"(?:~~)?(?:(?:[" + ITEM_DASHES + r"]|~(?!~))\s*)?(?:~~)?" + _SPECK
"""Before a point's number or letter: a speck the scan left ("\u201811.", "\u00a2c."), a typed dash,
a struck-through mark."""
_ARTICLE = re.compile(r"^\s*(?:ARTICLE|Article)\s+(\d{1,3}|[IVXLC]{1,6})\b\.?\s*(?:[-\u2014:.]\s*)?")
_ANNEX = re.compile(
    r"^\s*(?:ANNEX|Annex|APPENDIX|Appendix|ENCLOSURE|Enclosure|TAB|Tab)\s+[\"\u201c']?([A-Z]|\d{1,2}|[IVX]{1,4})[\"\u201d']?\.?(?:\s+|$)"
)
_ROMAN = re.compile(_LEAD + r"([IVXLC]{1,7})\.\s+")
_ROMAN_BARE = re.compile(_LEAD + r"([IVXLC]{1,7})\s+(?=[A-Z])")
_UPPER = re.compile(_LEAD + r"([A-Z])[.)]\s+")
_NUMBER = re.compile(_LEAD + r"(\d{1,4})(?:[.)]|[}\]](?=[\s,]))(?:,(?=\s))?\s+(?=\S)")
"""A paragraph number and its full stop or parenthesis; OCR reads the parenthesis as a brace or bracket
("1} The") and leaves a speck after it ("2), The")."""
_LOWER = re.compile(_LEAD + r"(?:([a-z])[.)]|\(([a-z])\))\s+")
_NUMBER_COMMA = re.compile(_LEAD + r"(\d{1,3}),\s+(?=[A-Z])")
_PNUM = re.compile(_LEAD + r"\((\d{1,2})\)\s+")
_DAMAGED_NUMBER = re.compile(_LEAD + r"(?=[\dOoIil|@]*[\dl|])([\dOoIil|@]{2,3})[.,]\s+(?=[A-Z])")
"""A paragraph number with a letter OCR read for one of its digits: "1i. Another", "1@. The", "l2. It", "ll. The"."""
_DIGIT_FOLD = str.maketrans({"O": "0", "o": "0", "@": "0", "I": "1", "i": "1", "l": "1", "|": "1"})
_OCR_POINT = re.compile(r"^\s*(?:[" + ITEM_DASHES + r"]|~(?!~)|7(?=\s?[A-Z][.,:;]\s)){1,2}\s*"
                        r"([A-Za-z0-9\u20ac$(|]{1,2})[.,:;)]\s+(?=\S)")
"""A dashed point whose letter or full stop OCR misread: "- €. Soviet", "— 3. Peiping", "~ D, Moscow"; a blurred
dash read as 7 before a capital and its stop ("7B: Moscow", "7 F. The")."""
_BULLET = re.compile(r"^\s*[-\u2013\u2022\u00b7]\s+(?=\S)")

FOOTNOTE_START = re.compile(
    r"^\s*(?:\[[^\]\n]{1,10}\]|\^\{[^}\n]{0,10}\}|[*\u2020\u2021\u00a7]+(?=\s*[A-Z\"'])"
    r"|[\u00b9\u00b2\u00b3\u2074-\u2079\u2070]+|\d{1,2}/(?=\s*[A-Z])|\^\d{1,2}(?=\s))"
    r"(?:&?#?x?[0-9a-f]{1,4};|&?[a-z]{2,6};)?[\"'\u2018\u201c]?\s*"
)
SOURCE_NOTE = re.compile(r"^\s*\^?\d{1,2}[.,]?\s+(?=Source:)")
"""A FRUS source note: its mark, which OCR may follow with a speck read as a full stop ("1. Source:")."""
# (the character a mark begins with taken first, as in `notes._MARKS`: the scan skips other text at C speed)
ANCHOR_MARK = re.compile(r"[\u00b9\u00b2\u00b3\u2074-\u2079^\[*](?:(?<=[\u00b9\u00b2\u00b3\u2074-\u2079])"
                         r"[\u00b9\u00b2\u00b3\u2074-\u2079]*|(?<=\^)\{?\d{1,2}\}?|(?<=\[)\d{1,2}\]|(?<=[a-z.,;]\*)(?=\s|$))")

MAJOR_HEADINGS = frozenset(
    {
        "THE PROBLEM", "CONCLUSIONS", "CONCLUSION", "DISCUSSION", "SUMMARY", "ESTIMATE", "THE ESTIMATE",
        "BACKGROUND", "ASSUMPTIONS", "RECOMMENDATIONS", "ANALYSIS", "FACTS BEARING ON THE PROBLEM",
        "SCOPE NOTE", "KEY JUDGMENTS", "PRINCIPAL JUDGMENTS", "ANNEX", "APPENDIX", "COMMENT", "COMMENTS",
    }
)
KNOWN_SINGLE_HEADINGS = frozenset(
    {"introduction", "summary", "background", "conclusions", "conclusion", "discussion", "recommendations",
     "comment", "comments", "assessment", "outlook", "annex", "appendix", "enclosure", "attachment", "subject"}
)
HEADER_FIELD = re.compile(
    r"^\s*(MEMORANDUM FOR(?: THE RECORD)?|TO|FROM|THRU|THROUGH|SUBJECT|SUBJ|REFERENCE|REF|DATE|ATTENTION|CC|INFO)"
    r"\s*:\s*",
    re.IGNORECASE,
)
CLOSING = re.compile(r"^\s*(?:Done (?:in|at)\b|DONE (?:IN|AT)\b|IN WITNESS WHEREOF|Signed (?:at|in)\b)")
SIGNATURE_LINE = re.compile(
    r"^\s*(?:>\s*)?(?:On (?:the )?(?:authorization|behalf) of|For the (?:Government|President)|/s/|Signed\b)",
    re.IGNORECASE,
)
# A FRUS heading: the document number, then what the document is ("158. National Intelligence Estimate");
# OCR reads the number's period as a comma as often as not.
FRUS_HEAD = re.compile(
    r"^\s*(\d{1,4})[.,]\s+(?=(?:Memorandum|Telegram|Letter|Despatch|Dispatch|Paper|Editorial Note|Minutes|Notes|"
    r"Report|National Intelligence Estimate|Special National Intelligence Estimate|Draft|Message|Record|"
    r"Circular|Airgram|Instruction|Statement|Diary Entry|Briefing)(?![A-Za-z]))"
)
_HEAD_NUMBER = re.compile(r"^\s*(\d{1,4})(?:([.,])\s+|\s+(?=[A-Za-z]))")
_HEAD_WORDS = ("memorandum", "telegram", "despatch", "dispatch", "editorial", "minutes", "report", "national",
               "special", "message", "record", "circular", "airgram", "instruction", "statement", "briefing")
HEAD_SIMILARITY = 0.85
"""How close (normalised Levenshtein, 0-1) the words after a first line's number must come to a name of a
document kind for OCR damage to be forgiven: one edit in seven letters, two in fourteen ("Memo andum",
"Menorandun of a Conversation")."""


@lru_cache(maxsize=1)
def heading_vocabulary() -> tuple[str, ...]:
    """What a FRUS heading opens with: the kinds above and the document types' printed names and aliases
    (``data/doc_types.yaml``), lower-cased, letters and spaces only, longest first.  A serial's name is
    none: "3 CENTRAL INTELLIGENCE BULLETIN" heads a bulletin's page, not a FRUS document."""
    from declass.stages.doc_types import doc_types, letters

    names = {n for t in doc_types() if not t.get("serial") for n in (t["name"], *t.get("aliases", []))}
    return tuple(sorted({letters(n) for n in (*_HEAD_WORDS, *names)} - {""}, key=len, reverse=True))


def _letters(text: str) -> tuple[str, list[int]]:
    """Lower-case letters and single spaces — what is left of a line's words once OCR specks are dropped —
    and where each of them stands in ``text``."""
    out: list[str] = []
    at: list[int] = []
    for i, ch in enumerate(text):
        for c in ch.casefold():  # (one character may fold to two: "ß"; both stand where it stands)
            if "a" <= c <= "z":
                out.append(c)
                at.append(i)
            elif c.isspace() and out and out[-1] != " ":
                out.append(" ")
                at.append(i)
    while out and out[-1] == " ":
        out.pop()
        at.pop()
    return "".join(out), at


def opening_name(text: str, names: tuple[str, ...]) -> tuple[float, str, int]:
    """How close the start of ``text`` comes to one of ``names`` (lower-case letters and spaces), which
    one, and where in ``text`` the words matched end: the best normalised edit distance, the start cut
    at a word's end near the name's length.  Pairs of letters OCR makes of one letter
    (``data/ocr_confusions.tsv``: "rn" for m) count as that letter: "Telegrarn" is one edit from Telegram."""
    letters, at = _letters(text[:120])
    best = (0.0, "", 0)
    for words_, where in _readings(letters, at):
        for name in names:
            for k in range(max(1, len(name) - 2), min(len(words_), len(name) + 2) + 1):
                if k < len(words_) and words_[k] != " " and k + 1 < len(words_) and words_[k + 1] != " ":
                    continue  # a prefix ending inside a word ("National" in "Nationalist") names nothing; one
                    # letter more is a speck glued to the word ("Conversationl")
                sim = Levenshtein.normalized_similarity(name, words_[:k])
                if sim > best[0]:
                    best = (sim, name, where[k - 1] + 1)
    return best


def _readings(letters: str, at: list[int]) -> list[tuple[str, list[int]]]:
    """The words as read, and with each pair of letters OCR makes of one letter read back as that letter."""
    pairs = {seen: meant for seen, meant in lexicon.confusions() if len(seen) == 2 and len(meant) == 1}
    out, where, i = [], [], 0
    while i < len(letters):
        if letters[i:i + 2] in pairs:
            out.append(pairs[letters[i:i + 2]])
            where.append(at[i + 1])
            i += 2
        else:
            out.append(letters[i])
            where.append(at[i])
            i += 1
    folded = "".join(out)
    return [(letters, at)] + ([(folded, where)] if folded != letters else [])


def frus_head(text: str, *, first: bool = False) -> re.Match[str] | None:
    """A FRUS heading's number; for the document's first line, also through OCR damage to the words
    after it ("158. Natlonal Intelligence Estimate", "63. Menorandun of a Conversation") and to the
    number's full stop when a whole kind's name of several words follows ("232 Memorard.in of
    Conversation"; a lone word, or a year, before it is too weak a sign: "12 Reports", "1952 National
    Intelligence Estimate" on a cover)."""
    m = FRUS_HEAD.match(text)
    if m is not None or not first:
        return m
    m = _HEAD_NUMBER.match(text)
    if m is None:
        return None
    score, name, _ = opening_name(text[m.end():], heading_vocabulary())
    if score < HEAD_SIMILARITY or (m.group(2) is None and (" " not in name or len(m.group(1)) > 3)):
        return None
    return m


COUNT = (r"(?:\d+\s*(?:[-\u2013]\s*|\s)?\d/\d|\d+\s*[\u00bd\u00bc\u00be]|\d/\d|[\u00bd\u00bc\u00be]|\d+"
         r"|one|two|three|four|five|six|seven|eight|nine|ten)")
"""A count as FRUS prints it: ``2``, ``1½``, ``1-1/2``, ``½``, ``three``."""
PLACEHOLDER = re.compile(
    r"\[[^\[\]]{0,160}?\bnot\s+declassified\s*\.?\s*\]"
    r"|\[(?:(?:" + COUNT + r"\s+)?(?:[a-z]+\s+){0,2})(?:deleted|withheld|excised|redacted|sanitized)\s*\]"
    r"|\[(?:redacted|deleted|withheld|excised|sanitized|illegible)\]",
    re.IGNORECASE,
)
"""A placeholder printed where text was withheld: FRUS's ``[1½ lines of
source text not declassified]``, ``[name deleted]``, CREST's ``[redacted]``."""
EXEMPT_PAGES = re.compile(
    r"\bnext\s+(?P<pages>\d{1,3})\s+pages?\s*(?:\(s\))?\s+in\s+document\s+(?:exempt|denied)\b"
    r"|\b(?P<pages2>\d{1,3}\s+)?pages?\s*(?:\(s\))?\s+(?:denied|withheld)\b",
    re.IGNORECASE,
)
"""A CREST slip sheet for withheld pages, wherever it stands in the text."""
BLACKOUT = re.compile(r"[\u2588\u25a0]{2,}(?:[ \u2588\u25a0]*[\u2588\u25a0])?|\bX{5,}\b")
"""Text blacked out in a transcription: runs of full blocks, or of X typed over words."""
_ELLIPSIS_LINE = re.compile(r"^\s*(?:(?:\.\s*){3,}|\u2026+|(?:\*\s*){3,})\s*$")


@lru_cache(maxsize=1)
def omission_openers() -> tuple[str, ...]:
    """The openings of an editor's bracketed omission note (``data/exemptions.yaml``)."""
    from importlib import resources

    from declass.datafile import load_yaml

    raw = resources.files("declass.data").joinpath("exemptions.yaml").read_text("utf-8")
    return tuple(sorted((o.lower() for o in load_yaml(raw)["omissions"]), key=len, reverse=True))


_OPEN, _CLOSE = "[({|/", "])}|/"


def is_omission(text: str) -> bool:
    """True if ``text`` (a whole paragraph) is an editorial omission: ``[Here
    follows …]``, ``[Omitted here …]``, a line of spaced dots.  Not a
    withholding: an editor left the passage out, not a declassifier.  A scan
    may print the brackets as ``(``, ``|`` or ``/`` and damage a letter or two
    of the opening words."""
    if _ELLIPSIS_LINE.match(text):
        return True
    t = " ".join(text.split())
    if len(t) < 8 or t[0] not in _OPEN or t.rstrip(" .")[-1:] not in _CLOSE or PLACEHOLDER.search(t):
        return False
    inner = t[1:].rstrip(" .")[:-1]
    if any(c in inner for c in "[]"):
        return False  # more than one bracketed note
    head = inner.lstrip().lower()
    for opener in omission_openers():
        if t[0] != "[" and len(opener) < 9:
            continue  # "(Summary: …)" is a telegram's own; only a square bracket is the editor's for sure
        if head.startswith(opener) and (len(head) == len(opener) or not head[len(opener)].isalpha()):
            return True
        if len(opener) >= 9 and fuzz.ratio(opener, head[: len(opener)]) >= 85:
            return True
    return False


TERMINAL = re.compile(r"[.!?;:][\"'\u201d\u2019)\]*~]*$")
_WORDS = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")


def roman_value(s: str) -> int | None:
    """The value of an upper-case roman numeral, or None if it is not one."""
    if not s or not _ROMAN_OK.fullmatch(s):
        return None
    total = 0
    for a, b in zip(s, s[1:] + " ", strict=True):
        va, vb = ROMAN_VALUES[a], ROMAN_VALUES.get(b, 0)
        total += -va if va < vb else va
    return total


def to_roman(n: int) -> str:
    out = []
    for v, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                   (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out.append(sym)
            n -= v
    return "".join(out)


def letter_token(kind: str, value: int) -> str:
    if kind == "roman":
        return to_roman(value)
    if kind == "upper":
        return chr(ord("A") + value - 1)
    if kind == "lower":
        return chr(ord("a") + value - 1)
    if kind == "pnum":
        return f"({value})"
    return str(value)


@dataclass(frozen=True, slots=True)
class Marker:
    """One reading of a chunk's leading marker: its type, value and length."""

    kind: str  # roman, upper, number, lower, pnum, bullet, article, annex
    value: int
    token: str
    end: int  # where the text after the marker starts
    bare: bool = False  # counts only where it continues its sequence: a roman numeral without its
    # full stop, a four-digit number (paragraph 1000 after 999, not a year opening a line)
    guessed: bool = False  # a letter read through OCR damage ("- €." as C): it may continue a sequence, not start one
    repaired: bool = False  # a number read from its sequence: ``value`` is the one it continues, ``token`` as printed


def misread_number(token: str, value: int) -> bool:
    """Whether a printed number is ``value`` with its digits read one for another by OCR ("16" for 10,
    "4" for 1: ``lexicon.digit_look_alikes``), every other digit as printed."""
    want = str(value)
    if len(token) != len(want) or token == want or not token.isdigit():
        return False
    return all(a == b or (a, b) in lexicon.digit_look_alikes() for a, b in zip(token, want, strict=True))


def readings(text: str) -> list[Marker]:
    """Every plausible reading of the marker at the start of ``text``."""
    return _read_markers(text[:40])


def _read_markers(text: str) -> list[Marker]:
    out: list[Marker] = []
    if m := _ARTICLE.match(text):
        tok = m.group(1)
        val = int(tok) if tok.isdigit() else (roman_value(tok) or 0)
        return [Marker("article", val, tok, m.end())]
    if m := _ANNEX.match(text):
        tok = m.group(1)
        val = ord(tok) - 64 if tok.isalpha() and len(tok) == 1 else (int(tok) if tok.isdigit() else 0)
        return [Marker("annex", val, tok, m.end())]
    if m := _ROMAN.match(text):
        v = roman_value(m.group(1))
        if v:
            out.append(Marker("roman", v, m.group(1), m.end()))
    elif m := _ROMAN_BARE.match(text):
        v = roman_value(m.group(1))
        if v:
            out.append(Marker("roman", v, m.group(1), m.end(), bare=True))
    if m := _UPPER.match(text):
        out.append(Marker("upper", ord(m.group(1)) - 64, m.group(1), m.end()))
    if m := _NUMBER.match(text):
        out.append(Marker("number", int(m.group(1)), m.group(1), m.end(), bare=len(m.group(1)) == 4))
    elif m := _NUMBER_COMMA.match(text):  # "2, Young, aggressive ...": OCR's comma for a full stop
        out.append(Marker("number", int(m.group(1)), m.group(1), m.end(), bare=True))
    elif m := _DAMAGED_NUMBER.match(text):  # only where it continues its sequence
        token = m.group(1).translate(_DIGIT_FOLD)  # the label is the number; the text keeps what was printed
        out.append(Marker("number", int(token), token, m.end(), guessed=True))
    if m := _LOWER.match(text):
        ch = m.group(1) or m.group(2)
        out.append(Marker("lower", ord(ch) - 96, ch, m.end()))
    if m := _PNUM.match(text):
        out.append(Marker("pnum", int(m.group(1)), f"({m.group(1)})", m.end()))
    if (not out or all(r.kind == "number" for r in out)) and (m := _OCR_POINT.match(text)):
        # "- 3." may be point 3 of a numbered list or a dashed "B." misread: the sequence chooses
        out.extend(r for r in _damaged_point(m) if all((r.kind, r.value) != (o.kind, o.value) for o in out))
    if not out and (m := _BULLET.match(text)):
        out.append(Marker("bullet", 0, "-", m.end()))
    return out


def _damaged_point(m: re.Match[str]) -> list[Marker]:
    """Readings of a dashed point OCR damaged: the letter it may be (``lexicon.letter_shapes``; the sequence
    chooses), or its number."""
    token = m.group(1)
    last = token[-1]
    if last.isdigit() and token.isdigit() and m.group(0).rstrip()[-1] == ".":
        out = [Marker("number", int(token), token, m.end())]
    else:
        out = []
    letters = last if last.isupper() else lexicon.letter_shapes().get(last, last.upper() if last.islower() else "")
    for ch in letters:
        if "A" <= ch <= "Z":
            out.append(Marker("upper", ord(ch) - 64, ch, m.end(), guessed=ch != last))
    return out


def words(text: str) -> list[str]:
    return _WORDS.findall(text)


SPECKS_AT_END = re.compile(r"(?:\s+[^\w\s]{1,3})+$")
"""Specks a scan left after a line's last word, each standing alone ("Secretary of State - .")."""


def is_closed(text: str) -> bool:
    """True if ``text`` ends a sentence (so a following fragment is not its tail)."""
    return bool(TERMINAL.search(text.rstrip()))


def heading_level(text: str) -> int | None:
    """1 for a major heading, 2 for another all-capitals heading, 3 for a
    title-case run-in heading; None if ``text`` is not a heading."""
    t = text.strip()
    if not t or len(t) > 200 or (t.endswith((".", ",", ";")) and not t.isupper()):
        return None
    ws = words(t)
    if not ws or len(ws) > 24:
        return None
    letters = [c for c in t if c.isalpha()]
    if not letters:
        return None
    norm = " ".join(t.upper().rstrip(":.").split())
    if norm in MAJOR_HEADINGS:
        return 1
    upper_share = sum(c.isupper() for c in letters) / len(letters)
    if upper_share > 0.9 and len(letters) >= 4:
        return 2
    if len(ws) > 12 or (TERMINAL.search(t) and not t.endswith(":")):
        return None
    if len(ws) == 1:
        return 3 if ws[0].lower() in KNOWN_SINGLE_HEADINGS else None
    if not ws[0][0].isupper():
        return None
    minor = {"a", "an", "the", "of", "in", "on", "and", "or", "for", "to", "by", "with", "at", "from", "its"}
    content = [w for w in ws if w.lower() not in minor]
    caps = sum(w[0].isupper() for w in content)
    return 3 if content and caps / len(content) >= 0.75 else None
