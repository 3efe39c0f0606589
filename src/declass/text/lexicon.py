"""The English lexicon and OCR confusion table behind text repair.

Words come from the `english-words` package (Webster's Second and GCIDE
lists, both public domain), plus a few suffix rules so inflected forms
("eliminating", "rejoined") count as words without shipping a full
morphological dictionary.  Loaded once per process.

The answers kept per process are bounded by what an OCR'd collection costs when every look-up
is a new token (garbage OCR is mostly new tokens): full, `is_word`'s keep about 13 MB, the
repair candidates' about 9 MB, in each ingest worker (at 262,144 and 65,536 entries they
were 43 and 70 MB).
"""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources

_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ing", ("", "e")),
    ("ed", ("", "e")),
    ("es", ("", "e")),
    ("ies", ("y",)),
    ("s", ("",)),
    ("ly", ("", "le")),
    ("ions", ("e", "")),
    ("ion", ("e", "")),
    ("ation", ("e", "")),
    ("er", ("", "e")),
    ("ers", ("", "e")),
    ("ment", ("",)),
    ("ments", ("",)),
    ("ness", ("",)),
    ("ity", ("", "e")),
    ("al", ("", "e")),
)


def word_list() -> set[str]:
    """The full word list, lower-cased, read afresh: some 43 MB of strings, for tests and tools.
    The pipeline asks `in_word_list`, which keeps only the words' hashes."""
    from english_words import get_english_words_set

    words: set[str] = get_english_words_set(["web2", "gcide"], lower=True, alpha=True)
    return words


@lru_cache(maxsize=1)
def _word_table() -> array[int]:
    """The word list as an open-addressing table of its words' hashes, 4 MB where a set of the
    262,866 strings is 43 MB: every worker process holds one, and ingest runs a forkserver and
    two workers, so the set alone was about 130 MB of the run's resident memory.  Two different
    words share a 64-bit hash with odds of about 1 in 10^14 per look-up, which is as exact as
    this list needs.  Hashes are Python's own, so the table is built in each process (or its
    forkserver) and never stored."""
    words = word_list()
    size = 1 << (3 * len(words) // 2).bit_length()  # a power of two, at most two thirds full
    table = array("q", bytes(8 * size))
    mask = size - 1
    for word in words:
        h = hash(word) or 1  # 0 marks an empty slot
        i = h & mask
        while table[i] and table[i] != h:
            i = (i + 1) & mask  # linear probing
        table[i] = h
    return table


def in_word_list(word: str) -> bool:
    """Whether the lower-cased ``word`` is in the word list as it stands."""
    table = _word_table()
    mask = len(table) - 1
    h = hash(word) or 1
    i = h & mask
    while True:
        slot = table[i]
        if slot == h:
            return True
        if not slot:
            return False
        i = (i + 1) & mask


def load() -> None:
    """Build the tables every document consults (the word table, the gazetteer's name words),
    so that a process's first document does not pay for them, and a forkserver can build them
    once for every worker it forks."""
    _word_table()
    names()


@lru_cache(maxsize=65536)
def is_word(token: str) -> bool:
    """True if ``token`` (any case) is an English word or a regular inflection of one."""
    w = token.lower()
    if in_word_list(w):
        return True
    for suffix, restores in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            stem = w[: -len(suffix)]
            if any(in_word_list(stem + r) for r in restores):
                return True
            if len(stem) > 3 and stem[-1] == stem[-2] and in_word_list(stem[:-1]):
                return True  # doubled consonant: "controlled", "billetting"
    return False


_NAME_WORD = re.compile(r"[A-Z][a-z]{3,}")


@lru_cache(maxsize=1)
def names() -> frozenset[str]:
    """Capitalised words of the bundled gazetteer's names and variants ("France",
    "Kremlin", "Changchun"): proper names the English word lists lack, which repair
    must never "correct" into the nearest dictionary word ("France" -> "franco")."""
    from declass.datafile import bundled_yaml

    out: set[str] = set()
    folder = resources.files("declass.data").joinpath("gazetteer")
    for item in folder.iterdir():
        if not item.name.endswith(".yaml"):
            continue
        for entry in (bundled_yaml(f"gazetteer/{item.name}") or {}).get("entities") or []:
            for form in [entry.get("name"), *(entry.get("variants") or ())]:
                out.update(_NAME_WORD.findall(str(form or "")))
    return frozenset(out)


@lru_cache(maxsize=1)
def confusions() -> tuple[tuple[str, str], ...]:
    """``(seen, meant)`` pairs from ``data/ocr_confusions.tsv``."""
    text = resources.files("declass.data").joinpath("ocr_confusions.tsv").read_text("utf-8")
    rows = csv.reader((ln for ln in text.splitlines() if ln and not ln.startswith("#")), delimiter="\t")
    next(rows)  # header
    return tuple((seen, meant) for seen, meant in rows)


@lru_cache(maxsize=1)
def digit_look_alikes() -> frozenset[tuple[str, str]]:
    """The ``(seen, meant)`` digit pairs of ``data/ocr_confusions.tsv`` ("6" read for 0): the one table
    paragraph numbers and datelines read through OCR damage."""
    return frozenset((seen, meant) for seen, meant in confusions()
                     if len(seen) == len(meant) == 1 and seen.isdigit() and meant.isdigit())


@lru_cache(maxsize=1)
def letter_shapes() -> dict[str, str]:
    """``glyph -> capitals`` from ``data/letter_shapes.tsv``: the capital letters a glyph OCR
    printed may stand for ("0" for D or O, "4" for A)."""
    text = resources.files("declass.data").joinpath("letter_shapes.tsv").read_text("utf-8")
    rows = csv.reader((ln for ln in text.splitlines() if ln and not ln.startswith("#")), delimiter="\t")
    next(rows)  # header
    return {glyph: letters for glyph, letters in rows}


@lru_cache(maxsize=8192)
def candidates(token: str) -> frozenset[str]:
    """Every single-confusion substitute of ``token``."""
    out: set[str] = set()
    low = token.lower()
    for seen, meant in confusions():
        start = low.find(seen)
        while start >= 0:
            cand = token[:start] + meant + token[start + len(seen) :]
            if token[:1].isupper():
                cand = cand[:1].upper() + cand[1:]
            out.add(cand)
            start = low.find(seen, start + 1)
    out.discard(token)
    return frozenset(out)


@lru_cache(maxsize=8192)
def lexicon_candidates(token: str) -> frozenset[str]:
    """The candidates of ``token`` that are dictionary words as they stand."""
    return frozenset(c for c in candidates(token) if in_word_list(c.lower()))


def _could_be_damaged(token: str) -> bool:
    if len(token) < 4 or not token.isalpha() or token.isupper() or (token[0].isupper() and len(token) < 5):
        return False
    return not is_word(token) and token not in names()


_REPAIRABLE: dict[str, bool] = {}
"""`repairable`'s answers, kept per process: it is asked of every distinct token of every document, and
most are ordinary words met in every document."""
_REPAIRABLE_MAX = 1 << 17


def repairable(token: str) -> bool:
    """Whether ``token`` could be an OCR-damaged word at all, whatever its document: long
    enough, all letters, not an acronym or a short name, not a word as it stands and not
    a name the gazetteer knows."""
    answer = _REPAIRABLE.get(token)
    if answer is None:
        if len(_REPAIRABLE) >= _REPAIRABLE_MAX:
            _REPAIRABLE.clear()  # bounded: a new start costs one document's look-ups again
        answer = _REPAIRABLE[token] = _could_be_damaged(token)
    return answer


def repairable_among(tokens: Iterable[str]) -> list[str]:
    """The distinct ``tokens`` that are `repairable`, in no particular order."""
    return [t for t in set(tokens) if repairable(t)]


def repair(token: str, seen: Mapping[str, int] | None = None) -> str | None:
    """The single repair of an unknown ``token``, or None.

    ``seen`` counts the words of the same document: a candidate seen intact
    there (a proper name the lexicon lacks, such as "Changchun") counts as a
    word, and a token seen three times or more is taken as a real name.  A
    repair is made only when exactly one candidate is a word: ambiguity
    means leave it alone.
    """
    seen = seen or {}
    if not repairable(token) or seen.get(token, 0) >= 3:
        return None
    hits = set(lexicon_candidates(token))
    hits.update(c for c in candidates(token) if seen.get(c, 0) > 0)
    return hits.pop() if len(hits) == 1 else None
