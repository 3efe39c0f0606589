"""Cue words of a name (titles, honorifics, salutations, words never a name, initials) read through
OCR damage by one rule.  The damage is made here from the cue words and the shape tables, never
taken from a document."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from declass.stages.entities import cue_words, persons
from declass.text import lexicon
from declass.text.personal_names import cues, is_word

_LONG_TITLES = sorted(t for t in cues().title_starts if t.isalpha() and len(t) >= cue_words.LONG)
_SHORT_ABBREVIATIONS = sorted(t for t in cues().title_starts if t.endswith(".") and len(t) <= 5 and t[:-1].isalpha())
_LETTER_PAIRS = [(s, m) for s, m in lexicon.confusions() if s.isalpha() and m.isalpha()]


@pytest.mark.parametrize(("word", "kind", "read"), [
    ("Amnassador", "title", {"Ambassador"}),  # one letter replaced
    ("Ambasador", "title", {"Ambassador"}),  # one letter lost
    ("Arnbassador", "title", {"Ambassador"}),  # m read as rn: one confusion
    ("Dr,", "title", {"Dr."}),  # the point read as a comma
    ("Sgt", "title", {"Sgt."}),  # the point lost
    ("D .", "title", {"Dr."}),  # a letter read as a space
    ("rs.", "title", {"Mrs."}),  # the capital lost
    ("Oame", "title", {"Dame"}),  # D and O: one glyph ("0") stands for both
    ("Affalrs", "not_name", {"Affairs"}),
    ("8.", "initial", {"B."}),
    ("0.", "initial", {"D.", "O."}),
])
def test_damaged_cue_words_read_back(word: str, kind: cue_words.Kind, read: set[str]) -> None:
    assert cue_words.damaged(word, kind) == read


@pytest.mark.parametrize(("word", "kind"), [
    ("Near", "title"),  # an English word as printed ("Dear" one letter off)
    ("Mt.", "title"),  # one edit from Mr., but t is no look-alike of r
    ("Mr.", "title"),  # intact: not damaged
    ("Ambassadxyz", "title"),  # three edits
    ("Affairs", "not_name"),
    ("9.", "initial"),  # 9 stands for no capital in the shape table
])
def test_what_is_no_damaged_cue_word(word: str, kind: cue_words.Kind) -> None:
    assert not cue_words.damaged(word, kind)


def test_several_honorifics_mark_a_name_without_naming_the_title() -> None:
    assert cue_words.damaged("r.", "title") == {"Mr.", "Dr."}
    read = cue_words.title("r.")
    assert read is not None and read[1] is None


def test_titles_of_different_kinds_leave_a_word_alone() -> None:
    """"en." is Gen. or Sen. with the capital lost: a rank or an office, so neither."""
    assert cue_words.title("en.") is None


@given(st.sampled_from(_LONG_TITLES), st.integers(min_value=1, max_value=40),
       st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
def test_a_long_title_with_one_letter_replaced_reads_back(title: str, at: int, letter: str) -> None:
    at %= len(title)
    assume(at > 0 and title[at] != letter)
    word = title[:at] + letter + title[at + 1 :]
    assume(word not in cues().title_starts and not is_word(word) and word not in lexicon.names())
    assert title in cue_words.damaged(word, "title")


def _short_damage() -> list[tuple[str, str]]:
    """Every short abbreviated title with one letter confusion of the table applied, where the result
    is no title and no English word as printed."""
    out = []
    for title in _SHORT_ABBREVIATIONS:
        for seen, meant in _LETTER_PAIRS:
            at = title.lower().find(meant)
            if at < 0:
                continue
            word = title[:at] + (seen.upper() if title[at].isupper() else seen) + title[at + len(meant) :]
            core = word.rstrip(".")
            if word not in cues().title_starts and not (len(core) > 2 and is_word(core)):
                out.append((title, word))
    return out


@pytest.mark.parametrize(("title", "word"), _short_damage())
def test_a_short_title_with_one_confusion_reads_back(title: str, word: str) -> None:
    assert title in cue_words.damaged(word, "title")


def _persons(text: str) -> list[tuple[str, str, str | None]]:
    return [(text[f.start : f.end], f.cue, f.title) for f in persons.find(text, bytearray(len(text)))]


@pytest.mark.parametrize(("title", "word"), [(t, w) for t, w in _short_damage() if sum(ch.isupper() for ch in w) == 1])
def test_a_name_after_a_damaged_short_title_is_found_as_after_the_title_printed(title: str, word: str) -> None:
    """The damage made from the confusion table's own letters: the name after it is the person the
    intact title gives, titled alike (a confusion that makes one capital two, "RN" for M, is left out:
    a damaged short title is looked for as one capital and small letters)."""
    rest = " Halvorsk met the delegation."
    intact = _persons(title + rest)
    assert [(name, cue, t) for name, cue, t in _persons(word + rest)] == intact


@pytest.mark.parametrize("given_name", sorted(
    g for g in cues().given | cues().east_asian
    if any(Levenshtein.distance(g, t) <= cue_words.max_edits(len(t)) for t in _LONG_TITLES)))
def test_a_given_name_near_a_title_is_read_as_the_name_it_is(given_name: str) -> None:
    """A given name of the cue lists one edit from a title ("Sutan", Sultan) begins the person's name:
    it is not read as the damaged title of the surname after it."""
    assert _persons(f"{given_name} Halvorsk met the delegation.") == \
        [(f"{given_name} Halvorsk", "given-name", None)]
