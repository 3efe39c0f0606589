"""Datelines read through OCR damage, and only datelines."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declass.stages.dateline import MONTH_NAMES, damaged_dateline, damaged_opening, month_of, opens_with_dateline
from declass.stages.structure.markers import misread_number
from declass.text import lexicon


@pytest.mark.parametrize(("line", "iso"), [
    ("Paris, Novembr 4, 1948.", "1948-11-04"),  # a letter lost from the month
    ("Cairo, Februray l7, 1957, 3 p.m.", "1957-02-17"),  # letters read for digits
    ("Tokyo, August 9,.1950.", "1950-08-09"),  # a speck after the comma
    ("Bonn, Septenber 3l, 1956.", None),  # no 31st in September, and no look-alike of 31 is a day of it
    ("O3 Decenber 1953", "1953-12-03"),
    ("2@ Janaury 1959", "1959-01-20"),
])
def test_damaged_datelines(line: str, iso: str | None) -> None:
    d = damaged_dateline(line)
    assert (d.iso if d else None) == iso
    assert d is None or line[d.start:d.end].strip()[0].isalnum()


@pytest.mark.parametrize("line", [
    "Washington, June 31, 1961.",  # no look-alike of 31 is a June day
    "Washington, Febuary 38, 1955.",  # 30, 33, 36, 39, 88: none a February day
    "The 12 men met in 1955 and again later.",
    "Copy 12 of 1955",
    "Section 4 Paragraph 1955",
    "Washington, Mxyz 12, 1955.",
])
def test_no_date_where_none_or_two_could_be_meant(line: str) -> None:
    assert damaged_dateline(line) is None


@pytest.mark.parametrize(("line", "iso"), [("May 36, 1950", "1950-05-30"), ("May 39, 1950", "1950-05-30"),
                                         ("April 38, 1950", "1950-04-30"), ("February 29, 1955", None)])
def test_an_impossible_day_is_read_only_when_one_look_alike_is_a_day(line: str, iso: str | None) -> None:
    # 38 in April: of 30, 33, 36, 39 and 88 only 30 is a day; 29 February 1955: 20 and 28 both are, so neither
    d = damaged_dateline(line)
    assert (d.iso if d else None) == iso


def test_no_lenient_reading_of_a_long_line() -> None:
    line = "In a long sentence about the negotiations the delegates agreed on Jue 28, 1961 to meet again soon after."
    assert damaged_dateline(line) is None


@pytest.mark.parametrize(("word", "month"), [("Jue", 6), ("sentember", 9), ("Octobe", 10), ("Mar", 3), ("Ju", None),
                                             ("Ma", None), ("Julne", 6), ("Juxy", 7), ("Xyzzy", None)])
def test_month_of_a_damaged_word(word: str, month: int | None) -> None:
    assert month_of(word) == month


@pytest.mark.parametrize("seed", range(30))
def test_generated_damage_reads_back_or_stays_unread(seed: int) -> None:
    """One letter dropped from the month, one digit read as a letter: the date comes back, never another."""
    rng = random.Random(seed)
    day0 = date(1946, 1, 1) + timedelta(days=rng.randrange(0, 365 * 25))
    name = MONTH_NAMES[day0.month - 1].capitalize()
    if len(name) > 4:
        k = rng.randrange(1, len(name))
        name = name[:k] + name[k + 1:]
    year = str(day0.year).replace("1", rng.choice("1lI"), 1)
    line = f"Washington, {name} {day0.day}, {year}."
    got = damaged_dateline(line)
    assert got is None or got.iso == day0.isoformat(), line


def test_look_alikes_are_digit_pairs_both_ways() -> None:
    pairs = lexicon.digit_look_alikes()
    assert pairs and all(a.isdigit() and b.isdigit() and a != b and (b, a) in pairs for a, b in pairs)


@pytest.mark.parametrize(("line", "printed", "meant"), [
    ("Rome, May 41, 1950.", "41", 11),  # a serifed 1 read as 4
    ("Rome, May 38, 1950.", "38", 30),
])
def test_datelines_and_paragraph_numbers_read_one_table(line: str, printed: str, meant: int) -> None:
    """A look-alike the dateline reader undoes is one a paragraph number is read through, and back."""
    d = damaged_dateline(line)
    assert d is not None and d.iso == f"1950-05-{meant:02d}"
    assert misread_number(printed, meant)


@given(st.text(max_size=120))
def test_any_text_gives_a_valid_date_or_none(text: str) -> None:
    d = damaged_dateline(text)
    if d is not None:
        date.fromisoformat(d.iso)
        assert 0 <= d.start < d.end <= len(text)


@pytest.mark.parametrize(("line", "dateline"), [
    ("Washington, March 16,.1955.", True),
    ("\u2018washington, January 30, 1955, 6:30 p-m..", True),
    ("SEOUL, March 15, 1949--5 p- m.-", True),
    ("Washington, Jue 28, 1961.", True),
    ("March 3, 1955", True),
    ("6:30 p.m.4", False),
    ("the Secretary of State (Dulles)1", False),
    ("Memorandum of a Conversation, Washington, January 30, 1955,", False),
    ("The meeting of the Council held on the morning of May 3, 1961 decided", False),
])
def test_a_line_opening_with_a_dateline(line: str, dateline: bool) -> None:
    assert opens_with_dateline(line) is dateline


@given(st.one_of(st.text(max_size=60), st.sampled_from([
    "Washington, Jue 28, 1961.", "  Rome, May 41, 1950.", "Paris, Novembr 4, 1948. The talks",
    "In 1955 on May 36, 1950", "ii October 1952", "The 12 men met in 1955.", " \u2018washington, January 39, 1955,"])))
def test_damaged_opening_is_a_dateline_and_its_damaged_date(line: str) -> None:
    """Read once, the same as asking whether the line is a dateline and reading its damaged date."""
    want = damaged_dateline(line) if opens_with_dateline(line) else None
    assert damaged_opening(line) == want
