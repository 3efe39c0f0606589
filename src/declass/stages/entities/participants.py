"""The people of a list of participants, read line by line from the source.

A FRUS memorandum of conversation lists one participant a line under a
heading ("PARTICIPANTS", "Present:"): "The Secretary", "Ambassador Lodge",
"colonel Goodpaster", "FE--Osric T. Vantongeren, Assistant Secretary",
"Koichiro Asakai, Japanese Ambassador to the United States".  Once the lines
are joined into a block, a name no longer opens a line, and OCR may have
lower-cased the title that marks it ("secretary Hoover"), so such lists are
read here from the source's own lines, each line on its own:

* an office code and its dashes before the name are dropped ("FE--", "NA -");
* "The President", "The Secretary of State": an office, no name;
* a title (its first letter in either case, or OCR-damaged: ``cue_words``)
  followed by a name makes that name a person's;
* without a title, a name of two words or more followed by a comma or a dash
  and the office ("Kiichi Miyazawa, Member of the Upper House") is one, if
  not every word of it is an English word.

The list ends at the first line that reads as prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz.distance import Levenshtein

from declass.stages.entities.persons import Found, TitleAt, damaged_title, name_ok, trim_office
from declass.text.personal_names import NAME_SEQ, NAME_WORD, Cues, cues, is_word, tokens
from declass.text.textmap import MappedText, iter_lines

MAX_LINES = 60  # a list of participants is never longer; past this it is prose we failed to see end
_HEAD = re.compile(r"^[^\S\n]*[^\w\n]{0,3}[^\S\n]*(?P<h>[A-Za-z][A-Za-z .]{5,24}?)[^\S\n]*[:.]?[^\S\n]*$", re.M)
_LEAD = re.compile(r"[^A-Za-z\n]*")
_CODE = re.compile(r"[A-Z][A-Z/]{0,4}[^\S\n]*(?:--|[-\u2013\u2014])[^\S\n]*(?=[A-Za-z])")
_QUOTES = str.maketrans({q: " " for q in "'\u2018\u2019\"\u201c\u201d`"})
# "Osric T, Vantongeren": an initial's point read as a comma
_COMMA_INITIAL = re.compile(r"(?<![\w.])([A-Z]),(?= [A-Z])")
_NAME = re.compile(rf"(?=[A-Z]){NAME_SEQ}")
_AFTER = re.compile(r"[^\S\n]*(?:[,;\u2013\u2014]|--|-[^\S\n])")
_NOISE_ONLY = re.compile(r"[^A-Za-z0-9]*$")
_LOWER_WORD = re.compile(r"\b[a-z]{2,}\b")


def _heading(line: str, c: Cues) -> bool:
    """Is ``line`` a list's heading, OCR damage allowed ("PARTIC1 PANTS", "PARTICIPAHTS")?"""
    letters = "".join(ch for ch in line.lower() if ch.isalpha())
    return any(letters == h or (len(h) >= 8 and Levenshtein.distance(letters, h, score_cutoff=2) <= 2)
               for h in c.list_headings)


_FIRST = re.compile(rf"{NAME_WORD}[.,]?|[A-Z] [.,]")


def _shadow(rest: str) -> str:
    """``rest`` as a name list would print it: the first letter a capital, quotes as spaces, an
    initial's comma a point; letter for letter, so offsets keep."""
    shadow = (rest[:1].upper() + rest[1:]).translate(_QUOTES)
    return _COMMA_INITIAL.sub(r"\1.", shadow)


def _opening_title(shadow: str) -> TitleAt:
    """The line's first word as a title read through damage ("Ambassadcr", "Mr,"), else as printed."""
    first = _FIRST.match(shadow)
    return (damaged_title(first) if first is not None else None) or TitleAt(0, 0, "")


def entry(line: str, c: Cues | None = None) -> Found | None:
    """The person one line of a list names, offsets within ``line``, if any."""
    c = c or cues()
    i = _LEAD.match(line).end()  # type: ignore[union-attr]  # matches the empty string at worst
    if (code := _CODE.match(line, i)) is not None:
        i = code.end()
    rest = line[i:]
    if not rest or rest.split(None, 1)[0].lower() == "the":
        return None  # "The President", "The Secretary of State": an office
    shadow = _shadow(rest)
    opening = _opening_title(shadow)
    hit = opening.match(shadow, c.title_re)
    if hit is not None:
        m, shift = hit
        s, e = m.start("name") + shift, m.end("name") + shift
        title = opening.named(m.group("title"))
        if m.group("office"):  # "Secretary of Defense McNamara"
            trimmed = trim_office(m.group("name"), s, c)
            if trimmed is None:
                return None
            s = trimmed[0]
        strong = opening.strong()
    elif (n := _NAME.match(shadow)) is not None:
        s, e, title = n.start(), n.end(), None
        words = [t for t in tokens(n.group()) if not t.endswith(".")]
        if len(tokens(n.group())) < 2 or not _AFTER.match(shadow, e) or not shadow[e:].strip(" ,;-\u2013\u2014"):
            return None  # a name alone, without its office: too like a heading ("United States")
        if any(w in c.not_names for w in words):
            return None
        strong = False
    else:
        return None
    after = shadow[e:]
    if not (_NOISE_ONLY.match(after) or _AFTER.match(after)):
        return None  # "Mr. Hoover opened by explaining ...": prose
    if not name_ok(shadow[s:e], c, frozenset(), strong):
        return None
    return Found(i + s, i + e, "listed", title)


# a letter's complimentary close, its signature on the next line that is not blank
_CLOSE = re.compile(r"^[^\S\n]*(?:Sincerely|Respectfully|Faithfully|Cordially|Yours|Best wishes|Best regards)"
                    r"[A-Za-z ]{0,16},[^\S\n]*\n(?:[^\S\n]*\n){0,3}", re.M)
_SIGNATURE = re.compile(rf"[^\S\n]*(?P<name>{NAME_WORD}(?:[^\S\n]+(?:[A-Z]\.|{NAME_WORD})){{0,3}})[.,]?[^\S\n]*$",
                        re.M)


def _signatures(source: str, c: Cues) -> Iterator[Found]:
    """The name signed under a letter's complimentary close ("Sincerely, / Jerry W.")."""
    for m in _CLOSE.finditer(source):
        sig = _SIGNATURE.match(source, m.end())
        if sig is None:
            continue
        toks = tokens(sig.group("name"))
        words = [t for t in toks if not t.endswith(".")]
        if not words or any(w in c.not_names for w in words):
            continue
        if words[0] in c.given or (len(words) >= 2 and not all(is_word(w) for w in words)):
            yield Found(sig.start("name"), sig.end("name"), "signature")


def listed(source: str) -> list[Found]:
    """The participants every list of ``source`` names, and the signature under a letter's close, as
    source spans."""
    c = cues()
    out: list[Found] = [*_signatures(source, c)]
    for h in _HEAD.finditer(source):
        if not _heading(h.group("h"), c):
            continue
        for k, (s, e) in enumerate(iter_lines(source, h.end() + 1)):
            line = source[s:e]
            if k >= MAX_LINES:
                break
            f = entry(line, c)
            if f is not None:
                out.append(Found(s + f.start, s + f.end, f.cue, f.title))
            elif len(_LOWER_WORD.findall(line)) >= 4:
                break  # prose: the list has ended
    return out


def listed_in(view: MappedText, found: list[Found]) -> list[Found]:
    """The names of ``found`` (source spans) that lie in the block text ``view``, as its offsets."""
    lo, hi = view.source_start, view.source_end
    out = []
    for f in found:
        if f.end <= lo or f.start >= hi:
            continue
        s = _to_view(view, f.start, end=False)
        e = _to_view(view, f.end, end=True)
        if s is not None and e is not None and s < e:
            out.append(Found(s, e, f.cue, f.title))
    return out


def _to_view(view: MappedText, src: int, *, end: bool) -> int | None:
    """The offset in ``view`` of source offset ``src`` (a repaired word maps as a whole)."""
    for t0, s0, tl, sl in view.runs:
        if s0 <= src < s0 + sl or (end and s0 < src <= s0 + sl):
            if tl == sl:
                return t0 + src - s0
            return t0 + tl if end else t0
    return None
