"""Cue words of a name (titles, honorifics, salutations, words never a name, initials) read through
OCR damage by one rule.  The damage is made here from the cue words and the shape tables, never
taken from a document."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from declass.stages.entities import cue_words
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


@given(st.text(alphabet=st.sampled_from(list("abcdeilmnorstDGMOS .,01")), max_size=8),
       st.sampled_from(["title", "not_name", "initial"]))
def test_any_word_reads_as_cue_words_of_its_kind_or_none(word: str, kind: cue_words.Kind) -> None:
    vocab = {"title": cues().title_starts, "not_name": cues().not_names,
             "initial": {f"{chr(c)}." for c in range(65, 91)}}[kind]
    assert cue_words.damaged(word, kind) <= vocab


def test_no_name_of_the_cue_lists_reads_as_a_damaged_title() -> None:
    c = cues()
    assert not [g for g in sorted(c.given | c.east_asian) if cue_words.damaged(g, "title")]
