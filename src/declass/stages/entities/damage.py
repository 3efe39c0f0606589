"""OCR-damaged forms of a person's name, read as the name.

Once a document shows a surname to be a person's ("Mr. Hoover", "Herbert
Hoover"), a word that is that surname damaged by OCR names the same person:

* one confusion of ``data/ocr_confusions.tsv`` ("Rnsk" for Rusk);
* the first letter lower-cased or replaced ("quarmby" for Quarmby, "sreen" for Green);
* edits in proportion to the name's length: one in a word of five to seven
  letters ("Koover" for Hoover), two from eight ("Brandcwcg" for Brandeweg);
* a name broken into pieces by a lost letter or a stray space or point
  ("Vanton eren", "Halv. rsk"), read as the pieces joined.

A surname the gazetteer lists may also have lost its first letter
("Marriman" for Harriman): with the rest intact and seven letters or more,
that is the listed person.

A dictionary word or a name the gazetteer lists is taken as written, and a
form as near to two names as to one is left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein

from declass.stages.entities.gazetteer import Gazetteer
from declass.text import lexicon
from declass.text.personal_names import surname

# a capitalised word where OCR may have damaged a name: digits read for letters ("Wendho1t"), a second
# capital inside ("McKelvane")
_CAP_WORD = re.compile(r"[A-Z](?<![\w'\u2019.-].)[a-z01]*[a-z][a-z01]*(?:[A-Z][a-z01]+)?(?![\w'\u2019-])")
_PIECE = re.compile(r"[A-Za-z][A-Za-z]*")
_GAPS = (" ", ". ")  # what may separate the pieces of one broken name
GAZETTEER_FIRST_LETTER = 7  # letters a listed surname needs before its first letter may be lost


def allowed_edits(n: int) -> int:
    """How many edits a damaged word of ``n`` letters may show and still be read as a name:
    none below five letters (too many short names and words lie one edit apart), one up to
    seven, two from eight."""
    return 0 if n < 5 else 1 if n < 8 else 2


def _nearest(form: str, known: Iterable[str]) -> set[str]:
    """The names of ``known`` nearest ``form`` within the edits the shorter of the two allows
    (case folded)."""
    if not allowed_edits(len(form)):
        return set()
    low = form.lower()
    best = 3
    hits: set[str] = set()
    for k in known:
        allowed = allowed_edits(min(len(k), len(form)))
        if not allowed or abs(len(k) - len(form)) > allowed:
            continue
        d = Levenshtein.distance(k.lower(), low, score_cutoff=allowed)
        if d > allowed:
            continue
        if d < best:
            best, hits = d, {k}
        elif d == best:
            hits.add(k)
    return hits


def intact_surname(word: str, known: Iterable[str]) -> str | None:
    """The surname of ``known`` an OCR-damaged ``word`` is, if exactly one (see the module's
    rules).  A dictionary word or a name the gazetteer lists is taken as written."""
    if len(word) < 4 or word in known or lexicon.is_word(word) or word in lexicon.names():
        return None
    cap = word[:1].upper() + word[1:]
    if cap != word and cap in known:
        return cap  # "ikeda": OCR lower-cased the first letter
    hits = {c for c in lexicon.candidates(cap) if c in known}
    if not hits:
        hits = _nearest(cap, known)
    return hits.pop() if len(hits) == 1 else None


def first_letter_lost(word: str, tails: Mapping[str, frozenset[str]]) -> str | None:
    """The listed surname a capitalised ``word`` of seven letters or more is with only its first
    letter damaged ("Marriman" for Harriman), if exactly one; ``tails`` from ``by_tail``."""
    if len(word) < GAZETTEER_FIRST_LETTER or not word[:1].isupper() or lexicon.is_word(word) \
            or word in lexicon.names():
        return None
    hits = tails.get(word[1:].lower(), frozenset())
    return next(iter(hits)) if len(hits) == 1 else None


def by_tail(names: Iterable[str]) -> dict[str, frozenset[str]]:
    """Single-word ``names`` of seven letters or more by everything after their first letter."""
    out: dict[str, set[str]] = {}
    for n in names:
        if len(n) >= GAZETTEER_FIRST_LETTER and n.isalpha():
            out.setdefault(n[1:].lower(), set()).add(n)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=4)
def gazetteer_tails(gaz: Gazetteer) -> dict[str, frozenset[str]]:
    """The surnames of the gazetteer's people (``by_tail``), for a first letter OCR lost."""
    return by_tail(x for e in gaz.entities.values() if e.type == "person" for f in e.forms if (x := surname(f)))


@lru_cache(maxsize=1024)
def _endings(known: frozenset[str]) -> re.Pattern[str]:
    """The last three letters of the names of ``known`` at a word's end: where a lower-case word
    may be one of them OCR lower-cased ("sreen" for Green)."""
    endings = sorted({k[-3:].lower() for k in known if len(k) >= 5 and k[-3:].isalpha()})
    return re.compile(rf"(?:{'|'.join(map(re.escape, endings)) or '(?!)'})(?![\w'\u2019-])")


_INNER_CAPITAL = re.compile(r"(?<![\w'\u2019.-])[a-z]+[A-Z][a-z]+(?![\w'\u2019-])")  # "itzGerald"
_CASE_TURN = re.compile(r"[A-Z](?<=[a-z][A-Z])")
"""A capital after a lower-case letter, which every `_INNER_CAPITAL` holds: rare in print, and looked
for at C speed (the pattern opens with a class), where `_INNER_CAPITAL` is tried at each word."""


def _lower_words(text: str, known: frozenset[str]) -> Iterator[tuple[int, int]]:
    """Spans of the lower-case words of ``text`` that may be a name of ``known`` OCR lower-cased."""
    for m in _endings(known).finditer(text):
        s = m.start()
        while s and text[s - 1].isalpha():
            s -= 1
        if text[s].islower() and m.end() - s >= 5 and not (s and text[s - 1] in "'\u2019.-"):
            yield s, m.end()
    if _CASE_TURN.search(text):
        for m in _INNER_CAPITAL.finditer(text):
            yield m.span()


@lru_cache(maxsize=1024)
def _heads(known: frozenset[str]) -> re.Pattern[str] | None:
    """Where a name of ``known`` broken into pieces may start: a capitalised word, its first letter."""
    firsts = sorted({k[0].upper() for k in known if len(k) >= 6 and k[0].isalpha()})
    return re.compile(rf"[{''.join(firsts)}](?<![\w'\u2019.-].)[A-Za-z]*") if firsts else None  # (letter first)


def damaged_names(text: str, known: frozenset[str], tails: Mapping[str, frozenset[str]] | None = None,
                  memo: dict[str, str | None] | None = None) -> dict[tuple[int, int], str]:
    """Spans of ``text`` holding a surname of ``known`` damaged by OCR (a word, or a name in
    pieces), or a listed surname that lost its first letter (``tails``), with the intact form.

    ``memo``: the answers for words already read with the same ``known`` and ``tails`` (one
    document's blocks): each distinct word is read once, and a block none of whose words is
    damaged is not walked again word by word."""
    memo = {} if memo is None else memo
    out: dict[tuple[int, int], str] = {}
    words = set(_CAP_WORD.findall(text))
    for w in words.difference(memo):
        form = intact_surname(w, known) if known else None
        if form is None and tails and len(w) >= GAZETTEER_FIRST_LETTER:
            form = first_letter_lost(w, tails)
        memo[w] = form
    if any(memo[w] is not None for w in words):
        for m in _CAP_WORD.finditer(text):
            if (form := memo[m.group()]) is not None:
                out[m.span()] = form
    if known:
        for s, e in _lower_words(text, known):
            word = text[s:e]
            form = memo[word] if word in memo else memo.setdefault(word, intact_surname(word, known))
            if form is not None:
                out[s, e] = form
        out.update(_pieces(text, known, out))
    return out


def _pieces(text: str, known: frozenset[str], taken: Mapping[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    """Names of ``known`` broken into two or three pieces ("Vanton eren", "Halv. rsk")."""
    heads = _heads(known)
    if heads is None:
        return {}
    longest = max(len(k) for k in known) + 2
    out: dict[tuple[int, int], str] = {}
    for first in heads.finditer(text):
        head = joined = first.group()
        pieces = [head]
        end = first.end()
        for _ in range(2):
            gap = " " if text.startswith(" ", end) else ". " if text.startswith(". ", end) else None
            nxt = _PIECE.match(text, end + len(gap)) if gap else None
            if nxt is None:
                break
            pieces.append(nxt.group())
            joined += nxt.group()
            end = nxt.end()
            if len(joined) > longest:
                break
            if all(len(p) >= 3 and lexicon.is_word(p) for p in pieces) or lexicon.is_word(joined):
                continue  # ordinary words side by side ("She said")
            span = (first.start(), end)
            if any(not (e <= span[0] or s >= span[1]) for s, e in taken):
                continue
            if head in known or head in lexicon.names() or len(_nearest(head, known)) == 1:
                break  # a name whole already ("Chamberlain to Carter"), or damaged on its own
            hits = _nearest(joined, known)
            if len(hits) == 1:
                out[span] = hits.pop()
                break
    return out


RARE = 3  # how many times more often the intact form of a name is seen than a damaged one


def rare_forms(counts: Mapping[str, int]) -> dict[str, str]:
    """Of the single-word names a document's people go by (``counts``: how often each), those
    that are an OCR-damaged form of one seen three times as often ("Koover" once beside "Hoover"
    eight times), with that form."""
    out: dict[str, str] = {}
    frequent = {n: frozenset(k for k, m in counts.items() if m >= RARE * n) for n in (1, 2)}
    for form, n in counts.items():
        if n <= 2 and frequent[n] and (intact := intact_surname(form, frequent[n])) is not None:
            out[form] = intact  # seen once or twice: a damaged form; a name seen more is one in its own right
    return out


def mark_rare_forms(people: Iterable[dict[str, Any]]) -> None:
    """Give each unresolved person mention whose one-word name is a damaged form of a name the
    document's people go by far more often that name as its ``intact`` form (its identity)."""
    people = [m for m in people if m["type"] == "person" and m["id"] is None and " " not in m["text"]]
    counts = Counter(m["text"] for m in people)
    if len(counts) < 2:
        return
    rare = rare_forms(counts)
    for m in people:
        if m["text"] in rare and "intact" not in m:
            m["intact"] = rare[m["text"]]
