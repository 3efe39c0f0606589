"""The word table: the pipeline's compact form of the English word list answers as the list itself."""

from __future__ import annotations

import random
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declass.text import lexicon


@lru_cache(maxsize=1)
def _listed() -> frozenset[str]:
    return frozenset(lexicon.word_list())


def test_every_word_of_the_list_is_in_the_table() -> None:
    words = _listed()
    assert len(words) > 200_000
    assert all(lexicon.in_word_list(w) for w in words)


def test_near_misses_of_words_are_not_in_the_table() -> None:
    """One letter changed, added or dropped: the look-ups a repair makes, against the list's own answer."""
    words = sorted(_listed())
    rng = random.Random(1952)
    probes = []
    for w in rng.sample(words, 5000):
        i = rng.randrange(len(w))
        probes += [w[:i] + "q" + w[i + 1:], w + "x", w[:i] + w[i + 1:]]
    listed = _listed()
    assert sum(p not in listed for p in probes) > 5000  # most probes are not words
    assert [lexicon.in_word_list(p) for p in probes] == [p in listed for p in probes]


@settings(max_examples=300)
@given(st.text(max_size=20))
def test_the_table_answers_as_the_list_for_any_text(text: str) -> None:
    assert lexicon.in_word_list(text) == (text in _listed())


def test_the_table_is_a_small_fraction_of_the_list() -> None:
    table = lexicon._word_table()
    assert table.itemsize * len(table) <= 8 * 2 * len(_listed())  # at most 16 bytes a word; the strings take ~170
    assert len(_listed()) / len(table) <= 2 / 3  # never so full that a miss probes far


def test_repairable_answers_are_kept_within_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-process answers start afresh at their bound, and answer the same after it."""
    monkeypatch.setattr(lexicon, "_REPAIRABLE_MAX", 8)
    monkeypatch.setattr(lexicon, "_REPAIRABLE", {})
    tokens = [f"{w}q" for w in ("estimat", "governm", "soviet", "militar", "politic")] * 3 + \
             ["estimate", "government", "Chungking", "USSR", "abc"] * 3
    first = [lexicon.repairable(t) for t in tokens]
    assert len(lexicon._REPAIRABLE) <= 8
    assert [lexicon.repairable(t) for t in tokens] == first
    assert sorted(lexicon.repairable_among(tokens)) == sorted({t for t, a in zip(tokens, first, strict=True) if a})
    assert first[0] and not first[tokens.index("estimate")] and not first[tokens.index("USSR")]
