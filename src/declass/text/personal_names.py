"""What a personal name looks like in these documents.

The cue lists of ``data/person_names.yaml`` (titles, given names, East Asian
surnames, words that are never names, ...) compiled once, the words of a
name, its surname (the family name, whichever end it is written at), and
the archive-wide key under which the forms of one name meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from declass.datafile import load_yaml
from declass.text import lexicon

UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿ"
# a capitalised word of a name: "McConaughy", "O'Neill", "Ch'en", "Do-young" (never a possessive "'s"),
# after its capital.  Written capital first (the "O" of "O'Neill" checked behind): a pattern that opens
# with a character class is scanned for that class at C speed, where one that opens with an assertion
# or an alternation is tried at every position (`tests/test_patterns.py` holds the forms equal)
NAME_TAIL = (rf"(?:(?<=O)['\u2019][{UPPER}][{LOWER}]+|[{LOWER}]+(?:[{UPPER}][{LOWER}]+)?)"
             rf"(?:['\u2019](?!s\b)[{LOWER}]+)?(?:-[{UPPER}{LOWER}][{LOWER}]*)*")
NAME_WORD = rf"(?:[{UPPER}]{NAME_TAIL})"
INITIAL = rf"[{UPPER}]\."
PARTICLE = r"(?:de|van|von|der|den|da|di|del|du|la|le|bin|ibn)"
NAME_SEQ = (rf"(?:{INITIAL}[ \n]?)*{NAME_WORD}(?:[ \n](?:{INITIAL}[ \n])*(?:{PARTICLE}[ \n])?{NAME_WORD}){{0,3}}"
            r"(?:,? Jr\.| Sr\.| II\b| III\b)?")
TOKEN = re.compile(rf"{INITIAL}|{NAME_WORD}|Jr\.|Sr\.|II|III")
_ADVERBS = "(?:also|then|again|later|further|immediately|briefly|strongly|quickly)"
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
    title_starts: frozenset[str]
    eponym_heads: frozenset[str]
    speech_after: re.Pattern[str]
    addressing_verbs: frozenset[str]
    addressed_after: re.Pattern[str]
    speech_starts: frozenset[str]  # the first two letters of every speech verb and adverb before one
    capital_next: re.Pattern[str]
    list_headings: frozenset[str]  # the headings of a list of participants, letters only, lower case
    possessor_re: re.Pattern[str]  # "Murphy's special assistant": the name of one who has an aide
    lower_name_re: re.Pattern[str]  # a title, then a lower-case word ("Minister ikeda": OCR lower-cased the name)


# Titles that are also everyday adjectives or nouns ("Major problems",
# "General conclusions", "Representative government"): these make a person
# only of a name that is not an English word or is already known as a name.
WEAK = frozenset({"Major", "General", "Representative", "Justice", "Speaker", "Father", "Judge", "Commander",
                  "Chief", "Captain", "Marshal", "Counselor", "Administrator", "Professor", "Lieutenant", "King",
                  "Queen", "Prince", "Princess", "Emperor", "Consul", "Bishop", "Cardinal", "Corporal", "Sergeant"})


def alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def cues() -> Cues:
    raw = load_yaml(resources.files("declass.data").joinpath("person_names.yaml").read_text("utf-8"))
    for k, v in raw.items():
        if isinstance(v, list) and not all(isinstance(x, str) for x in v):
            raise ValueError(f"person_names.yaml: {k} holds a non-string (quote YAML words such as No)")
    titles = raw["titles"]
    east_asian = raw["east_asian_surnames"]
    singular = [*titles["civil"], *titles["military"]]
    honorifics = raw["honorifics"]
    plural = [*titles["plural"], "Messrs.", "Mmes."]
    every = [*honorifics, *singular, *plural]
    title_re = re.compile(
        rf"(?=[{UPPER}])(?<![\w.])(?P<title>{alternation(every)})"
        rf"(?:[ \n]+of[ \n]+(?:the[ \n]+)?(?P<office>[A-Z][a-z]+(?:[ \n]+[A-Z][a-z]+)*?))?"
        rf"(?:(?<=\.)[ \n]*|[ \n]+)(?P<name>{NAME_SEQ})")
    return Cues(
        honorifics=frozenset(honorifics), strong_titles=frozenset(t for t in singular if t not in WEAK),
        weak_titles=frozenset(t for t in singular if t in WEAK), plural_titles=frozenset(plural),
        not_names=frozenset(raw["not_names"]), given=frozenset(raw["given_names"]),
        east_asian=frozenset(east_asian), title_re=title_re,
        paren_re=re.compile(rf"\((?=[{UPPER}])(?P<name>{NAME_SEQ})\)"),
        role_re=re.compile(rf"\b(?:{alternation(raw['role_words'])})\b"),
        by_re=re.compile(rf"\b(?:{alternation(raw['by_verbs'])})[ \n]+by[ \n]+(?P<names>{NAME_SEQ}"
                         rf"(?:(?:,[ \n]+|[ \n]+and[ \n]+|,[ \n]+and[ \n]+){NAME_SEQ})*)"),
        title_starts=frozenset(t.split()[0] for t in every),
        eponym_heads=frozenset(raw["eponym_heads"]),
        addressing_verbs=frozenset(raw["addressing_verbs"]),
        addressed_after=re.compile(r"[ \n]+(?:to[ \n]+[a-z]+|that)\b"),
        speech_starts=frozenset(w[:2] for w in [*raw["speech_verbs"], *_ADVERBS.strip("(?:)").split("|")]),
        speech_after=re.compile(rf"[ \n]+(?:{_ADVERBS}[ \n]+)?(?:{alternation(raw['speech_verbs'])})\b"),
        capital_next=re.compile(rf"[ \n]+[{UPPER}]"),
        possessor_re=re.compile(rf"(?P<name>{NAME_WORD})['\u2019]s[ \n]+(?:[a-z]+[ \n]+)?"
                                rf"(?:{alternation(raw['possessed_roles'])})\b"),
        lower_name_re=re.compile(rf"(?P<title>{alternation(every)})(?:(?<=\.)[ \n]*|[ \n]+)(?P<name>[{LOWER}]{{4,}})"
                                 r"(?![\w'\u2019-])"),
        list_headings=frozenset("".join(ch for ch in h.lower() if ch.isalpha()) for h in raw["list_headings"]),
    )


def tokens(name: str) -> list[str]:
    return TOKEN.findall(name)


def is_word(tok: str) -> bool:
    return lexicon.is_word(tok.replace("\u2019", "'"))


# One syllable of a romanised Chinese, Korean or Vietnamese given name
# (Wade-Giles, McCune-Reischauer, Vietnamese without diacritics): an onset of
# up to four consonants, a vowel group, an optional final n/ng/m/k/p/l/h/t.
_SYLLABLE = r"[bcdfghjklmnpqrstvwxz']{0,4}(?:[aeiouyüŭŏ]{1,3})(?:ng|n|m|k|p|l|h|t)?"
_GIVEN_PART = re.compile(rf"(?:{_SYLLABLE}){{1,2}}", re.IGNORECASE)


def is_east_asian(toks: list[str], c: Cues) -> bool:
    """Surname first, then a given name of romanised syllables: "Chou En-lai",
    "Park Chung Hee", "Chang Myon" (a two-letter surname such as No or Ho
    needs a hyphenated given name: "No Titist" is not a name)."""
    if len(toks) < 2 or len(toks) > 3 or toks[0] not in c.east_asian:
        return False
    rest = toks[1:]
    if not all(_GIVEN_PART.fullmatch(p) for t in rest for p in t.split("-")):
        return False
    if any("-" in t for t in rest):  # the syllable after the hyphen is lower case: "En-lai", not "Sino-Soviet"
        return all(p[:1].islower() for t in rest for p in t.split("-")[1:])
    return len(toks[0]) > 2 and all(t not in c.given and not is_word(t) for t in rest)


@lru_cache(maxsize=65536)
def surname(name: str) -> str | None:
    """The surname of a name as written (the family name, whichever end it is at)."""
    c = cues()
    toks = [t for t in tokens(name) if not t.endswith(".") and t not in SUFFIXES]
    if not toks:
        return None
    return toks[0] if is_east_asian(toks, c) else toks[-1]


@lru_cache(maxsize=65536)
def key(name: str) -> str:
    """An archive-wide key for a name: folded, no accents, no initials or suffixes."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("\u2019", "'")
    if text[:1].islower():  # a name OCR lower-cased ("ikeda"): its words as a name would be written
        text = " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    toks = [t for t in tokens(text) if not re.fullmatch(r"[A-Z]\.", t) and t not in SUFFIXES]
    return " ".join(t.lower().replace("-", " ").replace("'", "") for t in toks)
