from __future__ import annotations

import re

import pytest

from declass.clean import classify_line, clean
from declass.model import Document
from declass.read import read_text


def cleaned(text: str) -> Document:
    return clean(read_text(text))


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Approved For Release 2003/08/08 : CIA-RDP80R01443R000200010007-3", "release_stamp"),
        ("APPROVED FOR RELEASE DATE: MAY 2004", "release_stamp"),
        ("Sanitized Copy Approved for Release 2010/06/03 : CIA-RDP79R00890A000100040011-9", "release_stamp"),
        ("SECRET", "classification"),
        ("TOP SECRET", "classification"),
        ("CONFIDENTIAL", "classification"),
        ("S-E-C-R-E-T", "classification"),
        ("SECURITY INFORMATION", "classification"),
        ("7", "page_number"),
        ("- 12 -", "page_number"),
        ("COPY NO. 53", "copy_number"),
        ("RECORD COP", "record_copy"),
        ("25X1", "exemption_marker"),
        ("(b) (3)", "exemption_marker"),
        ("(b)(1), (b)(3)", "exemption_marker"),
    ],
)
def test_furniture_lines(line: str, kind: str) -> None:
    hit = classify_line(line)
    assert hit is not None and hit[0] == kind


@pytest.mark.parametrize(
    "line",
    ["SECRET agreements were signed.", "7. The Korean war", "Secretariat", "A. Moscow gives Mao", "1952"],
)
def test_body_lines_are_not_furniture(line: str) -> None:
    assert classify_line(line) is None


def test_release_stamp_fields() -> None:
    _, fields = classify_line("Approved For Release 2003/08/08 : CIA-RDP80R01443R000200010007-3")  # type: ignore[misc]
    assert fields == {"date": "2003/08/08", "archive_id": "CIA-RDP80R01443R000200010007-3"}


STAMP = re.compile(r"^\s*(approved for release.*|secret)\s*$", re.IGNORECASE | re.MULTILINE)


@pytest.mark.parametrize("which", ["nie58", "briefing"])
def test_every_stamp_and_banner_is_furniture(which: str, request: pytest.FixtureRequest) -> None:
    doc: Document = request.getfixturevalue(which)
    expected = {m.start() + len(m.group()) - len(m.group().lstrip()) for m in STAMP.finditer(doc.text)}
    assert expected, "the samples carry stamps and banners"
    got = {f.start for f in doc.furniture if f.kind in ("release_stamp", "classification")}
    assert expected == got
    for b in doc.blocks:
        assert "Approved For Release" not in b.text
        assert "APPROVED FOR RELEASE" not in b.text
        assert not re.search(r"(^|\s)SECRET(\s|$)", b.text), b.label


def test_sample_furniture_kinds(nie58: Document, briefing: Document) -> None:
    kinds = {f.kind for f in nie58.furniture}
    assert {"release_stamp", "classification", "page_number", "copy_number", "record_copy",
            "exemption_marker"} <= kinds
    assert sum(f.kind == "exemption_marker" and f.text == "25X1" for f in briefing.furniture) == 20
    stamps = [f for f in briefing.furniture if f.kind == "release_stamp"]
    assert len(stamps) == 3
    assert all(f.fields["archive_id"] == "CIA-RDP80R01443R000200010007-3" for f in stamps)


def test_furniture_spans_point_at_source(nie58: Document) -> None:
    for f in nie58.furniture:
        assert nie58.text[f.start : f.end] == f.text


def test_pages_inferred_from_printed_numbers(nie58: Document) -> None:
    assert [p.number for p in nie58.pages] == [1, 2, 3, 5, 7, 9]
    assert all(p.inferred for p in nie58.pages)
    at = nie58.text.index("Moreover, as we have previously estimated")
    assert nie58.page_at(at) == 2


def test_hyphenated_words_rejoined(briefing: Document) -> None:
    body = " ".join(c.text for c in briefing.chunks)
    assert "eliminating Western influence" in body
    assert "Far Eastern Communist program" in body
    assert "Sino-Soviet alliance" in body
    assert "eliminat-" not in body


def test_wrapped_lines_join_with_spaces() -> None:
    doc = cleaned("C. Recognizing Peiping's fidelity,\nMalenkov has recently stated\npublicly.\n")
    assert [c.text for c in doc.chunks] == ["C. Recognizing Peiping's fidelity, Malenkov has recently stated publicly."]


def test_compound_hyphen_kept_when_both_halves_are_words() -> None:
    doc = cleaned("a two-\nyear silence on this subject\n")
    assert doc.chunks[0].text == "a two-year silence on this subject"


def test_list_items_start_new_chunks() -> None:
    doc = cleaned("II. Moscow has not moved:\n- A. First point;\n- B. Second point;\n")
    assert len(doc.chunks) == 3


@pytest.mark.parametrize(
    ("original", "corrected"),
    [("Stallnist", "Stalinist"), ("crientation", "orientation"), ("Rallway", "Railway"),
     ("Changehun", "Changchun")],
)
def test_ocr_confusions_repaired_with_provenance(nie58: Document, original: str, corrected: str) -> None:
    fixes = [c for c in nie58.corrections if c.original == original]
    assert fixes and all(c.corrected == corrected for c in fixes)
    for c in fixes:
        assert nie58.text[c.start : c.end] == original
    assert any(corrected in b.text for b in nie58.blocks)


@pytest.mark.parametrize("word", ["intermediaries", "Asis", "Peiping", "Sinkiang", "Vyshinsky", "billetting"])
def test_no_spurious_repairs(nie58: Document, word: str) -> None:
    assert not [c for c in nie58.corrections if c.original == word]


def test_raw_text_never_changes(nie58: Document, nie58_path) -> None:
    assert nie58.text == nie58_path.read_text("utf-8")
