"""People the gazetteer does not list, and the forms of one name clustered.

The gazetteer cannot know every official, so a person is also recognised by
the cues a reader uses (``data/person_names.yaml`` lists them with sources):

* a title or honorific before a name ("Mr. McConaughy", "Ambassador Berger",
  "Lieutenant Colonel Kim Chong-pil", "Generals Taylor and Decker");
* a name shaped like one: initials ("Allen W. Dulles", "U. Alexis Johnson"),
  a known given name ("Roger Hilsman"), an East Asian surname before a
  romanised given name ("Chou En-lai", "Park Chung Hee", "Chang Myon");
* a surname in brackets after an office in a heading ("The Chargé in Korea
  (Drumright) to the Secretary of State");
* a FRUS drafting line ("Drafted by Lutkins and Martin; approved by
  Robertson");
* and then every other occurrence of a surname the document has shown to
  be a person's ("Green reported ...").

Clustering (``cluster_people``): a bare surname takes the identity of the
nearest fuller form of that surname in the same document (the nearest one
before it, else the nearest after), so "Dulles" in a memorandum signed
"Allen W. Dulles" is the Director, not the Secretary of State, and a
surname the gazetteer maps to one person follows the document where it
names another.  A person the gazetteer lacks gets an archive-wide key, the
normalised full name without initials (``person:allen dulles``); a name the
document never gives in full keeps its surname as key (``person:rhee``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from declass import lexicon
from declass.datafile import load_yaml

_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿ"
NAME_WORD = (rf"(?:O['\u2019][{_UP}][{_LO}]+|[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?(?:['\u2019][{_LO}]+)?"
             rf"(?:-[{_UP}{_LO}][{_LO}]*)*)")
INITIAL = rf"[{_UP}]\."
PARTICLE = r"(?:de|van|von|der|den|da|di|del|du|la|le|bin|ibn)"
NAME_SEQ = (rf"(?:{INITIAL}[ \n]?)*{NAME_WORD}(?:[ \n](?:{INITIAL}[ \n])*(?:{PARTICLE}[ \n])?{NAME_WORD}){{0,3}}"
            r"(?:,? Jr\.| Sr\.| II\b| III\b)?")
_NAME_RE = re.compile(NAME_SEQ)
_MORE = re.compile(rf"(?:,[ \n]+|[ \n]+and[ \n]+|,[ \n]+and[ \n]+)(?P<n>{NAME_SEQ})")
_TOKEN = re.compile(rf"{INITIAL}|{NAME_WORD}|Jr\.|Sr\.|II|III")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\u2014]['\"\u201d\u2019)]*|\n)\s*$")
SUFFIXES = frozenset({"Jr.", "Sr.", "II", "III"})


@dataclass(frozen=True, slots=True)
class Cues:
    """The word lists of ``data/person_names.yaml``, compiled."""

    honorifics: frozenset[str]
    strong_titles: frozenset[str]
    weak_titles: frozenset[str]
    plural_titles: frozenset[str]
    not_names: frozenset[str]
    given: frozenset[str]
    east_asian: frozenset[str]
    title_re: re.Pattern[str]
    paren_re: re.Pattern[str]
    role_re: re.Pattern[str]
    by_re: re.Pattern[str]
    shaped_re: re.Pattern[str]


# Titles that are also everyday adjectives or nouns ("Major problems",
# "General conclusions", "Representative government"): these make a person
# only of a name that is not an English word or is already known as a name.
WEAK = frozenset({"Major", "General", "Representative", "Justice", "Speaker", "Father", "Judge", "Director",
                  "Commander", "Chief", "Captain", "Marshal", "Counselor", "Administrator", "Commissioner",
                  "Professor", "Governor", "Minister", "Secretary", "Chairman", "Lieutenant", "King", "Queen",
                  "Prince", "Princess", "Emperor", "Consul", "Bishop", "Cardinal", "Corporal", "Sergeant"})


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def cues() -> Cues:
    raw = load_yaml(resources.files("declass.data").joinpath("person_names.yaml").read_text("utf-8"))
    titles = raw["titles"]
    singular = [*titles["civil"], *titles["military"]]
    honorifics = raw["honorifics"]
    plural = [*titles["plural"], "Messrs.", "Mmes."]
    every = [*honorifics, *singular, *plural]
    title_re = re.compile(
        rf"(?<![\w.])(?P<title>{_alternation(every)})"
        rf"(?:[ \n]+of[ \n]+(?:the[ \n]+)?(?P<office>[A-Z][a-z]+(?:[ \n]+[A-Z][a-z]+)*?))?"
        rf"(?:(?<=\.)[ \n]*|[ \n]+)(?P<name>{NAME_SEQ})")
    return Cues(
        honorifics=frozenset(honorifics), strong_titles=frozenset(t for t in singular if t not in WEAK),
        weak_titles=frozenset(t for t in singular if t in WEAK), plural_titles=frozenset(plural),
        not_names=frozenset(raw["not_names"]), given=frozenset(raw["given_names"]),
        east_asian=frozenset(raw["east_asian_surnames"]), title_re=title_re,
        paren_re=re.compile(rf"\((?P<name>{NAME_SEQ})\)"),
        role_re=re.compile(rf"\b(?:{_alternation(raw['role_words'])})\b"),
        by_re=re.compile(rf"\b(?:{_alternation(raw['by_verbs'])})[ \n]+by[ \n]+(?P<names>{NAME_SEQ}"
                         rf"(?:(?:,[ \n]+|[ \n]+and[ \n]+|,[ \n]+and[ \n]+){NAME_SEQ})*)"),
        shaped_re=re.compile(NAME_SEQ),
    )


@dataclass(frozen=True, slots=True)
class Found:
    """A person's name in a block's text: ``text[start:end]`` without its title."""

    start: int
    end: int
    cue: str
    title: str | None = None


def tokens(name: str) -> list[str]:
    return _TOKEN.findall(name)


def _is_word(tok: str) -> bool:
    return lexicon.is_word(tok.replace("\u2019", "'").split("'")[0])


def is_east_asian(toks: list[str], c: Cues) -> bool:
    """Surname first: "Chou En-lai", "Park Chung Hee", "Chang Myon"."""
    if len(toks) < 2 or len(toks) > 3 or toks[0] not in c.east_asian:
        return False
    rest = toks[1:]
    if any("-" in t for t in rest):
        return all(len(p) <= 8 for t in rest for p in t.split("-"))
    return all(len(t) <= 6 and t not in c.given and not _is_word(t) for t in rest)


def surname(name: str, c: Cues | None = None) -> str | None:
    """The surname of a name as written (the family name, whichever end it is at)."""
    c = c or cues()
    toks = [t for t in tokens(name) if not t.endswith(".") and t not in SUFFIXES]
    if not toks:
        return None
    return toks[0] if is_east_asian(toks, c) else toks[-1]


def key(name: str) -> str:
    """An archive-wide key for a name: folded, no accents, no initials or suffixes."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("\u2019", "'")
    toks = [t for t in tokens(text) if not re.fullmatch(r"[A-Z]\.", t) and t not in SUFFIXES]
    return " ".join(t.lower().replace("-", " ").replace("'", "") for t in toks)


def _free(taken: bytearray, s: int, e: int) -> bool:
    return 1 not in taken[s:e]


def _trim_office(name: str, start: int, c: Cues) -> tuple[int, str] | None:
    """``Minister of National Defense Kim``: the office's last words precede the name."""
    toks = list(re.finditer(rf"{INITIAL}|{NAME_WORD}", name))
    while toks and (toks[0].group() in c.not_names or (_is_word(toks[0].group()) and len(toks) > 1)):
        toks.pop(0)
    if not toks:
        return None
    return start + toks[0].start(), name[toks[0].start():]


def _name_ok(name: str, c: Cues, known: frozenset[str], strong: bool) -> bool:
    toks = [t for t in tokens(name) if not t.endswith(".")]
    if not toks or toks[0] in c.not_names or toks[-1] in c.not_names:
        return False
    if strong or any(t in known for t in toks):
        return True
    return any(not _is_word(t) for t in toks)


def _by_title(text: str, taken: bytearray, c: Cues, known: frozenset[str]) -> list[Found]:
    out: list[Found] = []
    for m in c.title_re.finditer(text):
        title = m.group("title")
        ns, name = m.start("name"), m.group("name")
        if m.group("office"):
            trimmed = _trim_office(name, ns, c)
            if trimmed is None:
                continue
            ns, name = trimmed
        if title in c.plural_titles:
            names = [(ns, name)]
            pos = m.end("name")
            while more := _MORE.match(text, pos):
                names.append((more.start("n"), more.group("n")))
                pos = more.end()
        else:
            names = [(ns, name)]
        strong = title in c.honorifics or title in c.strong_titles or title in c.plural_titles
        for s, n in names:
            e = s + len(n)
            if _free(taken, s, e) and _name_ok(n, c, known, strong):
                out.append(Found(s, e, "title", title))
    return out


def _in_brackets(text: str, taken: bytearray, c: Cues, known: frozenset[str]) -> list[Found]:
    out = []
    for m in c.paren_re.finditer(text):
        s, e = m.span("name")
        if not _free(taken, s, e) or not c.role_re.search(text[max(0, m.start() - 80) : m.start()]):
            continue
        if _name_ok(m.group("name"), c, known, strong=True):
            out.append(Found(s, e, "brackets"))
    return out


def _drafted_by(text: str, taken: bytearray, c: Cues, known: frozenset[str]) -> list[Found]:
    out = []
    for m in c.by_re.finditer(text):
        for n in _NAME_RE.finditer(m.group("names")):
            s, e = m.start("names") + n.start(), m.start("names") + n.end()
            if _free(taken, s, e) and _name_ok(n.group(), c, known, strong=True):
                out.append(Found(s, e, "drafted-by"))
    return out


def _shaped(text: str, taken: bytearray, c: Cues) -> list[Found]:
    """Names recognisable by their shape alone."""
    out = []
    for m in _NAME_RE.finditer(text):
        s, e = m.span()
        if not _free(taken, s, e):
            continue
        name = m.group()
        toks = tokens(name)
        words = [t for t in toks if not t.endswith(".") and t not in SUFFIXES]
        initials = len(toks) - len(words)
        # a capitalised sentence opener ("The", "In") is not part of a name
        while words and (words[0] in c.not_names and words[0] not in c.given):
            cut = name.find(words[0]) + len(words[0])
            s, name = s + cut + 1, name[cut + 1 :]
            toks = tokens(name)
            words = [t for t in toks if not t.endswith(".") and t not in SUFFIXES]
            initials = len(toks) - len(words)
        if not words or any(w in c.not_names for w in words):
            continue
        e = s + len(name.rstrip())
        if is_east_asian(words, c):
            out.append(Found(s, e, "east-asian"))
        elif words[0] in c.given and len(words) >= 2 and not all(_is_word(w) for w in words[:2]):
            out.append(Found(s, e, "given-name"))
        elif initials and (words[0] in c.given or (toks[0].endswith(".") and not _is_word(words[-1]))):
            out.append(Found(s, e, "initials"))
    return out


def _bare_east_asian(text: str, taken: bytearray, c: Cues) -> list[Found]:
    """A lone East Asian surname written mid-sentence ("meeting with Wang")."""
    out = []
    for m in re.finditer(rf"(?<![\w-]){NAME_WORD}(?![\w-])", text):
        tok = m.group()
        base = tok.split("\u2019")[0].split("'")[0]
        if base not in c.east_asian or len(base) < 3 or not _free(taken, m.start(), m.start() + len(base)):
            continue
        if _SENTENCE_END.search(text[: m.start()]) or re.match(rf"[ \n]+[{_UP}]", text[m.end() :]):
            continue
        if re.search(rf"[{_UP}][{_LO}]*[ \n]+$", text[: m.start()]):
            continue
        out.append(Found(m.start(), m.start() + len(base), "east-asian"))
    return out


def find(text: str, taken: bytearray, known: frozenset[str] = frozenset()) -> list[Found]:
    """Person names in ``text`` outside ``taken`` (the spans other entities hold), by their cues."""
    c = cues()
    found: list[Found] = []
    mark = bytearray(taken)
    for finder in (_by_title, _in_brackets, _drafted_by):
        for f in finder(text, mark, c, known):
            if _free(mark, f.start, f.end):
                found.append(f)
                mark[f.start : f.end] = b"\x01" * (f.end - f.start)
    for finder2 in (_shaped, _bare_east_asian):
        for f in finder2(text, mark, c):
            if _free(mark, f.start, f.end):
                found.append(f)
                mark[f.start : f.end] = b"\x01" * (f.end - f.start)
    return sorted(found, key=lambda f: f.start)


def surname_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for the bare surnames of ``names`` as whole capitalised words."""
    c = cues()
    s = {x for n in names if (x := surname(n, c)) and len(x) >= 2 and x not in c.not_names}
    if not s:
        return None
    return re.compile(rf"(?<![\w.-])(?:{_alternation(s)})(?![\w-])")
