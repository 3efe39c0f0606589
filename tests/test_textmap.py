from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declass.stages.clean.clean import join_lines
from declass.text.textmap import MappedText, TextBuilder, iter_lines


@pytest.mark.parametrize("source", ["alpha beta gamma"])
def test_copy_view_maps_each_character(source: str) -> None:
    v = MappedText.of_source(source, 6, 10)
    assert v.text == "beta"
    assert v.span_to_source(0, 4) == (6, 10)
    assert v.span_to_source(1, 3) == (7, 9)


@pytest.mark.parametrize(("lines", "joined"), [(["eliminat-", "ing Western"], "eliminating Western")])
def test_hyphen_join_maps_back_to_both_lines(lines: list[str], joined: str) -> None:
    source = "\n".join(lines)
    views = [MappedText.of_source(source, s, e) for s, e in iter_lines(source)]
    v = join_lines(views)
    assert v.text == joined
    i = v.text.index("Western")
    s, e = v.span_to_source(i, i + len("Western"))
    assert source[s:e] == "Western"
    s, e = v.span_to_source(0, len("eliminating"))
    assert source[s:e] == "eliminat-\ning"


def test_replacement_maps_to_whole_original() -> None:
    b = TextBuilder()
    b.add("the ", 0, 4)
    b.add("Railway", 4, 11)  # repaired from "Rallway"
    b.add(" line", 11, 16)
    v = b.build()
    assert v.span_to_source(4, 11) == (4, 11)
    assert v.span_to_source(0, len(v.text)) == (0, 16)


@given(st.text(alphabet="ab- \ncd\tXY", max_size=200))
def test_any_slice_of_any_join_lies_inside_the_source(source: str) -> None:
    views = [MappedText.of_source(source, s, e).strip() for s, e in iter_lines(source)]
    v = join_lines(views)
    for i in range(0, len(v.text) + 1, 3):
        for j in range(i, len(v.text) + 1, 5):
            s, e = v.span_to_source(i, j)
            assert 0 <= s <= e <= len(source)


@given(st.text(max_size=300))
def test_sub_and_strip_keep_spans_in_bounds(source: str) -> None:
    v = MappedText.of_source(source).sub(re.compile(r"\s+"), " ").strip()
    for i in range(0, len(v.text) + 1, 7):
        s, e = v.span_to_source(i, len(v.text))
        assert 0 <= s <= e <= len(source)
