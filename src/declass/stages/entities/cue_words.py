"""The words that cue a person's name, read through OCR damage.

A title, honorific or salutation before a name ("Ambassador", "Mr.", "Dear"),
a word that is never a name ("Affairs") and an initial ("H.") are cue words
(``data/person_names.yaml``).  A scan damages them as it damages any word, and
one rule reads them all back, scaled to the word's length:

* a word of `LONG` letters or more is the cue word within `max_edits` edits
  ("Amnassador", "Atbassadors", "Affaars") or one confusion of
  ``data/ocr_confusions.tsv`` ("Arnbassador");
* a shorter one has too many neighbours for edit distance ("Mt." is one edit
  from Mr.), so only letter shapes count: one confusion of
  ``data/ocr_confusions.tsv`` ("Gcn." for Gen., "Co1." for Col.), a capital
  read as a glyph or capital of like shape (``data/letter_shapes.tsv``:
  "Oear" for Dear, "4." for an initial), one letter read as a space
  ("D ." for Dr.) or lost from the front ("rs." for Mrs.), the point read as a
  comma or lost ("Mr," for Mr.).  Damage that fits several honorifics ("M ."
  for Mr. or Ms., "r." for Mr. or Dr.) marks the name without naming a title.  A lone small letter and a point is as
  often a list's point ("t. Peiping's aims") as a title that lost its
  capital: it is read only as an honorific (Mr., Dr., Ms.), the commonest
  cue of a name, and a title that lost more than its capital is not read.

A word of three letters or more that is an English word, a name the
gazetteer knows, or (for a title) a given name or East Asian surname of the
cue lists is never a damaged cue word ("Near" is no "Dear").  No damaged form is listed
anywhere: they are all made from the cue words and the two shape tables.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from rapidfuzz.distance import Levenshtein

from declass.text import lexicon
from declass.text.personal_names import UPPER, cues, is_word

Kind = Literal["title", "not_name", "initial"]

LONG = 6
"""Letters from which a cue word is matched by edit distance; a shorter one by its letter shapes alone."""

# a short title damaged where `_CAP_TOKEN` cannot see it: "M .", "Mr,", "Co1.", "r." before a capital
SHORT_TOKEN = re.compile(rf"(?<![\w.,'\u2019-])(?:[{UPPER}] [.,]|[{UPPER}][a-z0-9]{{0,4}}[.,]?|[a-z]{{1,3}}\.)"
                         rf"(?=[ \n]+[{UPPER}])")
_INITIALS = frozenset(f"{chr(c)}." for c in range(ord("A"), ord("Z") + 1))


def max_edits(letters: int) -> int:
    """Edits a damaged long cue word may carry: one, two from twelve letters ("Generalissimo")."""
    return 1 if letters < 12 else 2


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, frozenset[str]]:
    c = cues()
    return {"title": c.title_starts, "not_name": frozenset(w for w in c.not_names if len(w) >= LONG),
            "initial": _INITIALS}


@lru_cache(maxsize=1)
def _long_words() -> dict[str, dict[int, tuple[str, ...]]]:
    """Each vocabulary's words of `LONG` letters or more, by length."""
    out: dict[str, dict[int, tuple[str, ...]]] = {}
    for kind, words in _vocabulary().items():
        by_len: dict[int, list[str]] = {}
        for w in words:
            if _letters(w) >= LONG:
                by_len.setdefault(len(w), []).append(w)
        out[kind] = {n: tuple(sorted(ws)) for n, ws in by_len.items()}
    return out


@lru_cache(maxsize=1)
def _capital_look_alikes() -> dict[str, str]:
    """For a capital or glyph, the capitals it may stand for: a glyph's letters, and the capitals one
    glyph stands for each other's ("0" for D or O: D and O look alike)."""
    out: dict[str, set[str]] = {}
    for glyph, letters in lexicon.letter_shapes().items():
        out.setdefault(glyph, set()).update(letters)
        for a in letters:
            out.setdefault(a, set()).update(b for b in letters if b != a)
    return {k: "".join(sorted(v)) for k, v in out.items()}


def _letters(word: str) -> int:
    return sum(ch.isalpha() for ch in word)


def _shape_readings(word: str) -> set[str]:
    """What a short ``word`` reads as with one letter shape undone."""
    out = set(lexicon.candidates(word))  # one confusion of data/ocr_confusions.tsv
    out.update(alt + word[1:] for alt in _capital_look_alikes().get(word[:1], ""))
    if word.endswith(","):
        out.add(word[:-1] + ".")  # the point read as a comma
    elif not word.endswith("."):
        out.add(word + ".")  # the point lost
    if word[:1].islower():
        out.add(word[:1].upper() + word[1:])  # the capital read as its small letter
        if word.endswith("."):
            out.update(chr(c) + word for c in range(ord("A"), ord("Z") + 1))  # the capital lost
    return out


def _space_for_letter(word: str, cue: str) -> bool:
    """Is ``word`` the cue word with one letter after the first read as a space ("D ." for Dr.; "M ."
    for Mr. and for Ms.)?"""
    if len(word) != len(cue) or word.count(" ") != 1 or word[0] == " ":
        return False
    return all(a == b or (a == " " and b.isalpha()) for a, b in zip(word, cue, strict=True))


@lru_cache(maxsize=65536)
def damaged(word: str, kind: Kind) -> frozenset[str]:
    """The cue words of ``kind`` a damaged ``word`` may stand for (empty if none, or if ``word`` is a
    cue word, an English word or a name the gazetteer knows as printed).  Only the long not-names are
    in the vocabulary (`_vocabulary`), so a not-name is read by edit distance alone: the letter-shape
    readings of a short word, which keep only short cue words, could never give one and are not tried."""
    vocab = _vocabulary()[kind]
    if word in vocab or not word:
        return frozenset()
    core = word.rstrip(".,")
    if kind != "initial" and (not core or (len(core) > 2 and is_word(core)) or core in lexicon.names()):
        return frozenset()
    if kind == "title" and (core in cues().given or core in cues().east_asian):
        return frozenset()  # a name the cue lists know ("Sutan" is one, not a damaged Sultan)
    found: set[str] = set()
    if kind != "initial" and _letters(core) >= LONG - max_edits(LONG):
        found.update(_nearest(core, kind))
        found.update(w for w in lexicon.candidates(core) if w in vocab)  # "rn" for m: one confusion, two edits
    if kind != "not_name" and _letters(core) < LONG:
        found.update(w for w in _shape_readings(word) if w in vocab and _letters(w) < LONG)
        if " " in word:
            found.update(w for w in vocab if _space_for_letter(word, w))
    if kind == "title" and len(core) == 1 and core.islower():
        found &= cues().honorifics  # a lone small letter and a point is as often a list's point ("t.")
    return frozenset(found)


def _nearest(core: str, kind: Kind) -> frozenset[str]:
    """The long cue words nearest ``core`` (a word without its point), within `max_edits` of each."""
    best: list[str] = []
    best_d = 3
    by_len = _long_words()[kind]
    for n in range(len(core) - 2, len(core) + 3):
        for w in by_len.get(n, ()):
            limit = max_edits(_letters(w))
            d = Levenshtein.distance(core, w, score_cutoff=limit)
            if d > limit or d > best_d:
                continue
            if d < best_d:
                best, best_d = [w], d
            else:
                best.append(w)
    return frozenset(best)


def title(word: str) -> tuple[str, str | None] | None:
    """The title, honorific or salutation a damaged ``word`` is, read as printed intact, and the one it
    names (None when several honorifics fit: "r." for Mr. or Dr.); None if it is none, or several
    titles that differ in kind fit."""
    found = damaged(word, "title")
    if not found:
        return None
    if len(found) == 1:
        t = next(iter(found))
        return t, t
    if found <= cues().honorifics:
        return min(found), None
    return None


def is_long(cue: str) -> bool:
    """Is ``cue`` matched by edit distance (its damaged form is as strong a cue as the word)?"""
    return _letters(cue) >= LONG
