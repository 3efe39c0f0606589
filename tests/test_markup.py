from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import declass
from declass.model import Document
from declass.stages.markup import _PAIRED, find_markup, in_deleted_text, typed_and_edits
from declass.text.textmap import MappedText

# Counted by hand in the sample briefing: 32 "~~" make 16 struck passages,
# 9 "^{...}" insertions, 2 "*...*" notes, and one "[^]" caret.
BRIEFING_COUNTS = {"delete": 16, "insert": 9, "note": 2, "mark": 1}


def test_briefing_edit_counts(briefing: Document) -> None:
    assert Counter(e.op for e in briefing.edits) == BRIEFING_COUNTS
    assert all(e.block for e in briefing.edits)


@pytest.mark.parametrize(
    ("label", "typed", "amended"),
    [
        ("II.C", "Soviet propaganda has begun to insist that China is a world power politically and militarily;",
         "Soviet propaganda presents as China a world power politically and militarily;"),
        ("V.A", "Moscow has been careful to treat Peiping fairly in economic matters;",
         "Moscow has been careful to treat Peiping with consideration in economic matters;"),
        ("IV.E", "both seem to wish to liquidate an inconclusive war, to avoid an expansion of hostilities,",
         "both seem to wish to delay, prevent an expansion of hostilities,"),
        ("VIII.F", "However, the record of Chinese Communist fidelity to Moscow,",
         "the record of Chinese Communist fidelity to Moscow,"),
        ("III.D", "Soviet lead in all foreign affairs;", "Soviet lead in foreign affairs;"),
        ("II.F", "Port Arthur naval base area continues to be occupied [redacted] at Peiping's request; and",
         "Port Arthur Dairen naval base area continues to be occupied [redacted] at Peiping's request; under "
         "extension of 1950 agreement."),
    ],
)
def test_two_readings(briefing: Document, label: str, typed: str, amended: str) -> None:
    b = briefing.block(label)
    assert b is not None
    assert typed in b.text
    assert amended in (b.amended_text or "")


def test_struck_point_is_deleted_not_lost(briefing: Document) -> None:
    b = briefing.block("V.G")
    assert b is not None and b.deleted
    assert b.text.startswith("It is doubtful that this program would have been launched")
    assert b.amended_text == ""


def test_redline_segments(briefing: Document) -> None:
    b = briefing.block("V.A")
    ops = [(op, text.strip()) for op, text in b.redline if op != "same"]
    assert ops == [("insert", "with consideration"), ("delete", "fairly")]


def test_handwritten_points(briefing: Document) -> None:
    hand = {b.label for b in briefing.blocks if b.handwritten and b.kind != "margin_note"}
    assert hand == {"VIII.G", "IX", "X"}
    assert not any(b.handwritten for b in briefing.blocks if b.label in ("VIII.F", "I.A", "V.N"))


def test_spans_in_struck_text_are_known(briefing: Document) -> None:
    i = briefing.text.index("Northeast China")
    assert in_deleted_text(briefing, i, i + len("Northeast China"))
    j = briefing.text.index("Inner Mongolia")
    assert not in_deleted_text(briefing, j, j + 5)


def test_edit_spans_point_at_their_text(briefing: Document) -> None:
    for e in briefing.edits:
        if e.op in ("delete", "insert", "note"):
            assert " ".join(briefing.text[e.start : e.end].split()) == e.text


@pytest.mark.parametrize(
    ("text", "ops"),
    [
        ("The <del>old</del><ins>new</ins> plan.", ["delete", "insert"]),
        ("A <s>struck</s> and <strike>struck</strike> word.", ["delete", "delete"]),
        ("Peiping [handwritten: check this] agreed.", ["note"]),
        ("It was [strikethrough: not] agreed.", ["delete"]),
        ("It was [strikethrough]never[/strikethrough] agreed.", ["delete"]),
        ("Nested ^{a {b} c} braces.", ["insert"]),
        ("Unbalanced ~~strike and ^{brace here.", []),
        ("A footnote marker * alone, and 5 * 3.", []),
    ],
)
def test_markup_forms(text: str, ops: list[str]) -> None:
    assert [s.op for s in find_markup(text)] == ops


def test_documents_without_markup_have_one_reading(nie58: Document) -> None:
    assert nie58.edits == ()
    assert all(b.amended_text == b.text and not b.deleted for b in nie58.blocks)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("~^{}*[]ab c\n")), max_size=120))
def test_markup_never_crashes_or_loses_text(text: str) -> None:
    view = MappedText.of_source(text)
    typed, edits = typed_and_edits(view)
    letters = Counter(c for c in text if c.isalnum())
    kept = Counter(c for c in typed.text if c.isalnum())
    kept.update(c for e in edits if e.op in ("insert", "note") for c in str(e.text) if c.isalnum())
    assert kept == letters
    for e in edits:
        assert 0 <= int(e.start) <= int(e.end) <= len(text)


def test_struck_label_still_numbers_the_point() -> None:
    doc = declass.parse("I. Section one:\n\nA. First;\n\n~~B. Struck point;~~\n\nC. Third.\n")
    assert [b.label for b in doc.blocks if b.kind == "point"] == ["I.A", "I.B", "I.C"]
    assert doc.block("I.B").deleted
    assert re.search("Struck point", doc.block("I.B").text)


@pytest.mark.parametrize(
    ("raw", "typed"),
    [("Of the \\$600,000,000 to \\$700,000,000", "Of the $600,000,000 to $700,000,000"),
     ("> On the authorization of the Government", "On the authorization of the Government"),
     ("a \\*starred\\* word and 3 > 2", "a *starred* word and 3 > 2"),
     ("C:\\Windows stays", "C:\\Windows stays")],
)
def test_markdown_escapes_and_quote_markers_are_read_away(raw: str, typed: str) -> None:
    view, _ = typed_and_edits(MappedText.of_source(raw))
    assert view.text == typed
    dollar = view.text.find("$")
    if dollar >= 0:  # the character maps back to the escape it was read from
        assert raw[slice(*view.span_to_source(dollar, dollar + 1))].endswith("$")


def test_sample_text_reads_without_markdown(briefing: Document, nie58: Document) -> None:
    assert "$600,000,000" in next(b.text for b in briefing.blocks if b.label == "V.K")
    assert not any("\\$" in b.text or b.text.startswith(">") for d in (briefing, nie58) for b in d.blocks)


@given(st.text(alphabet="~<>[]^*{}/:delinsstrikhandwrte \nDELINSa", max_size=60))
def test_every_markup_match_opens_with_its_markers_first_character(text: str) -> None:
    """find_markup skips a pattern whose marker's first character the text lacks: sound only if
    every match of it opens with that character."""
    for _op, rx, marker in _PAIRED:
        assert all(m.group()[0] == marker[0] for m in rx.finditer(text))
