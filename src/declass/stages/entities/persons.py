"""People the gazetteer does not list, and the forms of one name clustered.

The gazetteer cannot know every official, so a person is also recognised by
the cues a reader uses (``data/person_names.yaml`` lists them with sources):

* a title or honorific before a name ("Mr. McConaughy", "Ambassador Berger",
  "Lieutenant Colonel Kim Chong-pil", "Generals Taylor and Decker"), also
  through OCR damage (``cue_words``: "Amnassador Berger", "Gcn. Taylor");
* a name shaped like one: initials ("Allen W. Dulles", "U. Alexis Johnson"),
  a known given name ("Roger Hilsman"), an East Asian surname before a
  romanised given name ("Chou En-lai", "Park Chung Hee", "Chang Myon");
* a surname in brackets after an office in a heading ("The Chargé in Korea
  (Drumright) to the Secretary of State");
* a FRUS drafting line ("Drafted by Lutkins and Martin; approved by
  Robertson");
* and then every other occurrence of a surname the document has shown to
  be a person's ("Green reported ...").

Who each person is, once found, is settled by ``declass.stages.entities.identity``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from declass.stages.entities import cue_words
from declass.stages.entities.damage import intact_surname
from declass.text import lexicon
from declass.text.personal_names import (
    INITIAL,
    LOWER,
    NAME_SEQ,
    NAME_TAIL,
    NAME_WORD,
    SUFFIXES,
    TOKEN,
    UPPER,
    Cues,
    alternation,
    cues,
    is_east_asian,
    is_word,
    surname,
    tokens,
)

__all__ = ["Found", "TitleAt", "eponym_after", "find", "given_names_before", "intact_surname", "name_ok",
           "surname_pattern", "surnames", "trim_office"]

_NAME_RE = re.compile(rf"(?=[{UPPER}]){NAME_SEQ}")
# a capitalised word where a name or title may start ("Mr.", "McConaughy", "O'Neill", "Do-young")
# (capital first, what stands before it checked behind: see `NAME_TAIL`)
_CAP_TOKEN = re.compile(rf"[{UPPER}](?<![\w'\u2019.-].)(?:{NAME_TAIL}\.?|\.(?=[ \n]?[{UPPER}]))")
_INITIAL_ONLY = re.compile(INITIAL)
_BEFORE = re.compile(rf"({NAME_WORD}|{INITIAL})[ \n]")
_NEXT_WORD = re.compile(rf"[ \n]+({NAME_WORD})")
_THE_BEFORE = re.compile(rf"\b[Tt]he(?:[ \n]+[{UPPER}][\w-]*)*[ \n]+$")  # "the (Prime) Minister"
_MORE = re.compile(rf"(?:,[ \n]+|[ \n]+and[ \n]+|,[ \n]+and[ \n]+)(?P<n>{NAME_SEQ})")
_REACH = 240  # characters after a damaged title within which its office and name are read

@dataclass(frozen=True, slots=True)
class TitleAt:
    """A title, honorific or salutation in a text, ``text[start:end]``, as printed or damaged."""

    start: int
    end: int
    reads: str  # the word intact ("Mr." for "Mr,"): the title's pattern is matched from it
    damaged: bool = False
    names: str | None = None  # the title a damaged word names; None when several honorifics fit ("r.")

    def match(self, text: str, pattern: re.Pattern[str]) -> tuple[re.Match[str], int] | None:
        """``pattern`` matched at the title read intact, and what to add to the match's offsets for
        ``text``'s: the words after the title keep their offsets, the title's own may not."""
        if not self.damaged:
            m = pattern.match(text, self.start)
            return None if m is None else (m, 0)
        m = pattern.match(self.reads + text[self.end : self.end + _REACH])
        return None if m is None else (m, self.end - len(self.reads))

    def named(self, read: str) -> str | None:
        """The title to record for the name it cues (``read`` from the text or the word intact), unless
        the damaged word fits several honorifics ("r.": Mr. or Dr.)."""
        return read if not self.damaged or self.names is not None else None

    def strong(self) -> bool:
        """Is the word as good a cue as printed?  A short title damaged ("M .", "r.") has near
        neighbours that are no title: the name after it must be no English word, or a known name."""
        return not self.damaged or cue_words.is_long(self.reads)


@dataclass(frozen=True, slots=True)
class Found:
    """A person's name in a block's text: ``text[start:end]`` without its title."""

    start: int
    end: int
    cue: str
    title: str | None = None


def _free(taken: bytearray, s: int, e: int) -> bool:
    return 1 not in taken[s:e]


def trim_office(name: str, start: int, c: Cues) -> tuple[int, str] | None:
    """``Minister of National Defense Kim``: the office's last words precede the name."""
    toks = list(re.finditer(rf"{INITIAL}|{NAME_WORD}", name))
    while toks and (toks[0].group() in c.not_names or (is_word(toks[0].group()) and len(toks) > 1)):
        toks.pop(0)
    if not toks:
        return None
    return start + toks[0].start(), name[toks[0].start():]


def name_ok(name: str, c: Cues, known: frozenset[str], strong: bool) -> bool:
    toks = [t for t in tokens(name) if not t.endswith(".")]
    if not toks or toks[0] in c.not_names or toks[-1] in c.not_names or toks[0] in c.title_starts:
        return False  # "Mr. President", "Dear Sir": an office addressed, not a name
    if len(toks) == 1 and cue_words.damaged(toks[0], "not_name"):
        return False  # a word that is never a name, damaged ("Econornic Affaxrs")
    if strong or any(t in known for t in toks):
        return True
    return any(not is_word(t) for t in toks)


def _by_title(text: str, taken: bytearray, c: Cues, known: frozenset[str], titles: list[TitleAt]) -> list[Found]:
    out: list[Found] = []
    for t in titles:
        hit = t.match(text, c.title_re)
        if hit is None:
            continue
        m, shift = hit
        title = m.group("title")
        ns, name = m.start("name") + shift, m.group("name")
        office = m.group("office")
        if office and any(w in c.given or w in c.east_asian for w in office.split()):
            continue  # "Foreign Minister of Chang Myon's government": a name, not an office
        if office:
            trimmed = trim_office(name, ns, c)
            if trimmed is None:
                continue
            ns, name = trimmed
        if title in c.plural_titles:
            names = [(ns, name)]
            pos = m.end("name") + shift
            while more := _MORE.match(text, pos):
                names.append((more.start("n"), more.group("n")))
                pos = more.end()
        else:
            names = [(ns, name)]
        strong = t.strong() and (title in c.honorifics or title in c.strong_titles or title in c.plural_titles
                                 or bool(m.group("office")))  # "Secretary of Defense Gates"
        for s, n in names:
            e = s + len(n)
            if _free(taken, s, e) and name_ok(n, c, known, strong):
                out.append(Found(s, e, "title", t.named(title)))
    return out


def _lower_after_title(text: str, taken: bytearray, c: Cues, titles: list[TitleAt]) -> list[Found]:
    """A title, then a lower-case word no dictionary knows: a name whose first letter OCR
    lower-cased ("Minister ikeda", "Ambassador icdge")."""
    out = []
    for t in titles:
        hit = t.match(text, c.lower_name_re)
        if hit is None:
            continue
        m, shift = hit
        if not t.strong() or m.group("title") in c.weak_titles or len(m.group("name")) < 5 \
                or _THE_BEFORE.search(text, max(0, t.start - 40), t.start):
            continue  # "The Prime Minister replied": an office, no name after it
        s, e = m.start("name") + shift, m.end("name") + shift
        name = m.group("name")
        if _free(taken, s, e) and not lexicon.is_word(name) and name.capitalize() not in lexicon.names():
            out.append(Found(s, e, "title", t.named(m.group("title"))))
    return out


def _possessor(text: str, taken: bytearray, c: Cues) -> list[Found]:
    """A name whose holder has an aide, a deputy, a successor ("Murphy's special assistant")."""
    out = []
    for m in c.possessor_re.finditer(text):
        s, e = m.span("name")
        name = m.group("name")
        if _free(taken, s, e) and name not in c.not_names and name not in c.title_starts \
                and (e - s > 3) and name not in lexicon.names() and s == _name_start(text, s):
            out.append(Found(s, e, "possessor"))
    return out


def _name_start(text: str, s: int) -> int:
    """``s``, unless a word joins the name before it ("New York's"): then a position before it."""
    return s - 1 if s and (text[s - 1].isalnum() or text[s - 1] in "-'\u2019.") else s


def _in_brackets(text: str, taken: bytearray, c: Cues, known: frozenset[str]) -> list[Found]:
    out = []
    for m in c.paren_re.finditer(text):
        s, e = m.span("name")
        if not _free(taken, s, e) or not c.role_re.search(text[max(0, m.start() - 80) : m.start()]):
            continue
        if name_ok(m.group("name"), c, known, strong=True):
            out.append(Found(s, e, "brackets"))
    return out


def _drafted_by(text: str, taken: bytearray, c: Cues, known: frozenset[str]) -> list[Found]:
    out: list[Found] = []
    if "ed by" not in text and "ed\nby" not in text:  # every verb of the list ends in -ed
        return out
    for m in c.by_re.finditer(text):
        for n in _NAME_RE.finditer(m.group("names")):
            s, e = m.start("names") + n.start(), m.start("names") + n.end()
            if _free(taken, s, e) and name_ok(n.group(), c, known, strong=True):
                out.append(Found(s, e, "drafted-by"))
    return out


def _classify(seg: list[re.Match[str]], c: Cues) -> str | None:
    """The cue a run of name tokens fits by its shape alone, if any."""
    toks = [t.group() for t in seg]
    words = [t for t in toks if not t.endswith(".") and t not in SUFFIXES]
    if not words:
        return None
    if is_east_asian(words, c) and toks[0] == words[0]:
        return "east-asian"
    if len(words) == len(toks) and words[0] in c.given and len(words) >= 2 \
            and not all(is_word(w) for w in words[:2]):
        return "given-name"
    if len(words) < len(toks) and (words[0] in c.given or (toks[0].endswith(".") and not is_word(words[-1]))):
        return "initials"
    return None


def _shaped(text: str, taken: bytearray, c: Cues, caps: list[re.Match[str]]) -> list[Found]:
    """Names recognisable by their shape alone: "Roger Hilsman", "U. Alexis
    Johnson", "Park Chung Hee".  A name of this kind starts at an initial, a
    known given name or an East Asian surname, and ends before a word that is
    never a name ("Robert H. Johnson of the Staff", "Gorky Park")."""
    starts = [m.start() for m in caps if (g := m.group()) in c.given or g in c.east_asian
              or (len(g) == 2 and g[1] == ".")]
    out: list[Found] = []
    done = -1
    for start in starts:
        if start < done:
            continue
        m = _NAME_RE.match(text, start)
        if m is None or (" " not in m.group() and "\n" not in m.group()):
            continue
        seg = []
        for t in TOKEN.finditer(text, m.start(), m.end()):
            if t.group() in c.not_names and t.group() not in c.given and t.group() not in c.east_asian:
                break
            seg.append(t)
        if len(seg) < 2 or not _free(taken, start, seg[-1].end()):
            continue
        cue = _classify(seg, c)
        if cue:
            out.append(Found(start, _unpossessed(text, start, seg[-1].end()), cue))
            done = seg[-1].end()
    return out


def _unpossessed(text: str, s: int, e: int) -> int:
    """The end of a name without its possessive "'s"."""
    return e - 2 if e - s > 3 and text[e - 2 : e] in ("'s", "\u2019s") else e


def _mid_sentence(text: str, s: int) -> bool:
    """Is ``text[s]`` inside a sentence, after a lower-case word or a comma?"""
    before = text[max(0, s - 40) : s].rstrip(" ")
    return bool(before) and not before.endswith(("\n", ".", "!", "?", ":", ";", "\u2014", "(", '"', "\u201c")) \
        and not re.search(rf"(?:\b[Tt]he|[{UPPER}][\w'\u2019-]*\.?)$", before)


def _bare_east_asian(text: str, taken: bytearray, c: Cues, caps: list[re.Match[str]]) -> list[Found]:
    """A lone East Asian surname written mid-sentence ("meeting with Wang")."""
    out = []
    for m in caps:
        s, e = m.span()
        after = text[e : e + 1]
        if after in ("-", ".") or after.isdecimal() or after.isalpha():
            continue  # part of something else: "Sin0-Soviet" (an OCR-damaged "Sino-")
        if _free(taken, s, e) and not c.capital_next.match(text, e) and _mid_sentence(text, s):
            out.append(Found(s, e, "east-asian"))
    return out


def _speaker(text: str, taken: bytearray, c: Cues, caps: list[re.Match[str]],
             repaired: frozenset[str] = frozenset()) -> list[Found]:
    """A name that speaks, asks or agrees ("Lemnitzer interrupted", "Green reported").
    A dictionary word the clean stage made by repairing a letter ("Rostow" ->
    "restow") is no evidence of a common word."""
    out = []
    for m in caps:
        s, e = m.span()
        name = m.group()
        if text[e + 1 : e + 3] not in c.speech_starts or name.endswith(".") or not c.speech_after.match(text, e):
            continue
        if not _free(taken, s, e) or name in c.not_names or name in c.east_asian:
            continue
        if is_word(name) and name not in repaired and not _mid_sentence(text, s):
            continue
        if re.search(rf"(?:\b[Tt]he|[{UPPER}][\w'\u2019-]*)[ \n]+$", text[max(0, s - 30) : s]):
            continue  # "the Pravda stated", "Radio Moscow said"
        out.append(Found(s, e, "speaker"))
    return out


def _addressed(text: str, taken: bytearray, c: Cues, caps: list[re.Match[str]]) -> list[Found]:
    """A name told or asked to do something ("authorized Beam to inform Wang", "told Green that")."""
    out = []
    for m in caps:
        s, e = m.span()
        name = m.group()
        if text[e + 1 : e + 3] not in ("to", "th") or name.endswith(".") or name in c.not_names:
            continue
        if not _free(taken, s, e):
            continue
        before = text[max(0, s - 16) : s]
        if not before.endswith((" ", "\n")) or not before.split() or before.split()[-1] not in c.addressing_verbs:
            continue
        if c.addressed_after.match(text, e):
            out.append(Found(s, e, "addressed"))
    return out


# an initial read as a glyph of like shape after a given name ("Harold 4. Quarmby": data/letter_shapes.tsv)
_GLYPH_INITIAL = re.compile(rf"(?P<given>[{UPPER}][{LOWER}]+) (?P<glyph>[^\sA-Za-z])(?=\. [{UPPER}][{LOWER}])")


def _initials_restored(text: str, c: Cues) -> str:
    """``text`` with each initial OCR read as a glyph of like shape written as a letter it stands
    for, in place, so every span keeps ("Harold 4. Quarmby" -> "Harold A. Quarmby")."""
    fixes = [(m.start("glyph"), min(read)) for m in _GLYPH_INITIAL.finditer(text)
             if m.group("given") in c.given and (read := cue_words.damaged(m.group("glyph") + ".", "initial"))]
    if not fixes:
        return text
    out = list(text)
    for at, initial in fixes:
        out[at] = initial[0]
    return "".join(out)


def damaged_title(word: re.Match[str]) -> TitleAt | None:
    """The matched ``word`` read as a damaged title, honorific or salutation (`cue_words.title`); None
    when it is one printed intact, or none."""
    g = word.group()
    if g in cues().title_starts or (read := cue_words.title(g)) is None:
        return None
    return TitleAt(word.start(), word.end(), read[0], True, read[1])


def titles_in(text: str, taken: bytearray, caps: Iterable[re.Match[str]]) -> list[TitleAt]:
    """The titles, honorifics and salutations of ``text`` outside ``taken``, as printed (``caps``:
    its capitalised words) or damaged (``cue_words``), in text order."""
    c = cues()
    out: dict[int, TitleAt] = {}
    for m in caps:
        g = m.group()
        if g in c.title_starts:
            out[m.start()] = TitleAt(m.start(), m.end(), g)
        elif len(g) >= cue_words.LONG and (t := damaged_title(m)) is not None:
            out[m.start()] = t
    for m in cue_words.SHORT_TOKEN.finditer(text):
        if m.start() not in out and not taken[m.start()] and (t := damaged_title(m)) is not None:
            out[m.start()] = t
    return [out[k] for k in sorted(out)]


def find(text: str, taken: bytearray, known: frozenset[str] = frozenset(),
         repaired: frozenset[str] = frozenset(), listed: Iterable[Found] = ()) -> list[Found]:
    """Person names in ``text`` outside ``taken`` (the spans other entities hold), by their cues;
    ``repaired``: the words the clean stage made by repair; ``listed``: the names of a list of
    participants in this text (``listed_in``), read from the source's lines."""
    c = cues()
    found: list[Found] = []
    mark = bytearray(taken)
    for f in listed:
        if _free(mark, f.start, f.end):
            found.append(f)
            mark[f.start : f.end] = b"\x01" * (f.end - f.start)
    caps: list[re.Match[str]] = []
    starts: list[re.Match[str]] = []
    lone: list[re.Match[str]] = []
    speaking: list[re.Match[str]] = []
    addressed: list[re.Match[str]] = []
    given, east_asian, speech_starts = c.given, c.east_asian, c.speech_starts
    for m in _CAP_TOKEN.finditer(text):  # one pass sorts the capitalised words by the cues they may open
        if taken[m.start()]:
            continue
        caps.append(m)
        g = m.group()
        if g in given or g in east_asian or (len(g) == 2 and g[1] == "."):
            starts.append(m)
            if g in east_asian and len(g) >= 3:
                lone.append(m)
        e = m.end()
        nxt = text[e + 1 : e + 3]
        if nxt in speech_starts:
            speaking.append(m)
        if nxt == "to" or nxt == "th":
            addressed.append(m)
    titles = titles_in(text, taken, caps)
    possessed = "'s" in text or "\u2019s" in text
    if not (titles or starts or speaking or addressed or possessed or "(" in text or "ed by" in text
            or "ed\nby" in text):
        return found
    for f in [*_by_title(text, mark, c, known, titles), *_lower_after_title(text, mark, c, titles)]:
        if _free(mark, f.start, f.end):
            found.append(f)
            mark[f.start : f.end] = b"\x01" * (f.end - f.start)
    for finder in (_in_brackets, _drafted_by):
        for f in finder(text, mark, c, known):
            if _free(mark, f.start, f.end):
                found.append(f)
                mark[f.start : f.end] = b"\x01" * (f.end - f.start)
    for f in [*_shaped(_initials_restored(text, c), mark, c, starts), *_bare_east_asian(text, mark, c, lone),
              *_speaker(text, mark, c, speaking, repaired), *_addressed(text, mark, c, addressed),
              *(_possessor(text, mark, c) if possessed else ())]:
            if _free(mark, f.start, f.end):
                found.append(f)
                mark[f.start : f.end] = b"\x01" * (f.end - f.start)
    return sorted(found, key=lambda f: f.start)


def given_names_before(text: str, s: int) -> int | None:
    """Where a name starts if given names or initials stand right before the
    surname at ``s`` ("John Eisenhower", "Joseph W. Scott"), else None."""
    c = cues()
    before = list(_BEFORE.finditer(text, max(0, s - 48), s))
    start = None
    for m in reversed(before):
        if m.end() != (start if start is not None else s):
            break
        word = m.group(1)
        if word in c.given or _INITIAL_ONLY.fullmatch(word):
            start = m.start()
        else:
            break
    return start


def eponym_after(text: str, e: int) -> bool:
    """Is the name ending at ``e`` part of something named after a person ("Eisenhower Library")?"""
    m = _NEXT_WORD.match(text, e)
    return m is not None and m.group(1) in cues().eponym_heads


def surnames(names: Iterable[str]) -> frozenset[str]:
    """The surnames of ``names`` that can stand alone (three letters or more, never a non-name word)."""
    c = cues()
    return frozenset(x for n in names if (x := surname(n)) and len(x) >= 3 and x not in c.not_names)


@lru_cache(maxsize=1024)
def surname_pattern(names: frozenset[str]) -> re.Pattern[str]:
    """A pattern for the surnames ``names`` as whole capitalised words."""
    return re.compile(rf"(?<![\w.-])(?:{alternation(names)})(?![\w-])")
