from __future__ import annotations

import re

import pytest

import declass
from declass.model import Document
from declass.stages.redactions.redactions import exemption_of, statistics


def withheld(doc: Document) -> list[list[str]]:
    return [list(r.inferred_labels or ()) for r in doc.redactions if r.kind == "withheld_block"]


def markers(doc: Document) -> list[dict]:
    return [r for r in doc.redactions if r.kind == "marker"]


def test_briefing_25x1_markers_all_found(briefing: Document) -> None:
    expected = [m.start() for m in re.finditer(r"(?m)^25X1$", briefing.text)]
    assert len(expected) == 20
    found = sorted(r.start for r in markers(briefing) if r.marker == "25X1")
    assert found == expected
    for r in markers(briefing):
        if r.marker == "25X1":
            assert r.exemption.code == "25X1" and "source" in r.exemption.description
            assert r.block


def test_briefing_withheld_points_and_no_others(briefing: Document) -> None:
    assert withheld(briefing) == [["II.E"], ["V.B", "V.C", "V.D", "V.E"], ["VI.B"]]
    by_first = {r.inferred_labels[0]: r for r in briefing.redactions if r.kind == "withheld_block"}
    assert by_first["V.B"].confidence > by_first["II.E"].confidence
    assert any(e.text == "25X1" for e in by_first["VI.B"].evidence)
    assert (by_first["V.B"].after, by_first["V.B"].before) == ("V.A", "V.F")


def test_inline_placeholder_in_its_block(briefing: Document) -> None:
    (r,) = [r for r in markers(briefing) if r.marker == "[redacted]"]
    assert r.block == "II.F" and r.position == "in"
    assert briefing.text[r.start : r.end] == "[redacted]"


def test_nie58_b3_and_no_invented_gaps(nie58: Document) -> None:
    (r,) = markers(nie58)
    assert r.exemption.code == "(b)(3)"
    assert withheld(nie58) == []


FRUS = """\
45. Telegram From the Embassy in the Soviet Union to the Department of State

Moscow, March 10, 1953.

1. The Embassy has learned [text not declassified] that the funeral arrangements were
made by Malenkov. [1 line not declassified]

2. [name not declassified] reported that Chou En-lai met Molotov.

[2 paragraphs (14 lines of source text) not declassified]

4. Further reports follow.
"""


def test_frus_bracketed_notes() -> None:
    doc = declass.parse(FRUS)
    got = [(r.marker, r.size, r.block) for r in markers(doc)]
    assert got == [
        ("[text not declassified]", None, "1"),
        ("[1 line not declassified]", {"lines": 1}, "1"),
        ("[name not declassified]", {"names": 1}, "2"),
        ("[2 paragraphs (14 lines of source text) not declassified]", {"paragraphs": 2, "lines": 14}, "2"),
    ]
    assert withheld(doc) == [["3"]]


def test_document_with_no_redactions() -> None:
    doc = declass.parse("MEMORANDUM\n\n1. First point.\n\n2. Second point.\n\n3. Third point.\n")
    assert doc.redactions == ()


@pytest.mark.parametrize(("marker", "code"), [("25X1", "25X1"), ("25X6", "25X6"), ("(b) (3)", "(b)(3)"),
                                              ("(b)(1)", "(b)(1)"), ("[redacted]", None)])
def test_exemptions(marker: str, code: str | None) -> None:
    got = exemption_of(marker)
    assert (got or {}).get("code") == code


def test_statistics(briefing: Document) -> None:
    rec = declass.to_record(briefing)
    st = statistics(rec["redactions"], rec["blocks"], 1)
    assert st["markers"] == 21 and st["by_exemption"] == {"25X1": 20, "[redacted]": 1}
    assert st["withheld_blocks"] == 6
    numbered = sum(1 for b in rec["blocks"] if b["attrs"].get("sequence"))
    assert st["withheld_share"] == round(6 / (numbered + 6), 4)


def test_cli_redactions(sample_db) -> None:
    from typer.testing import CliRunner

    from declass.cli.main import app

    res = CliRunner().invoke(app, ["redactions", "--db", str(sample_db), "--json"])
    assert res.exit_code == 0
    import json

    report = json.loads(res.stdout)
    assert report["corpus"]["markers"] == 22 and report["corpus"]["withheld_blocks"] == 6
    res = CliRunner().invoke(app, ["show", "--db", str(sample_db), "1953-11-04", "V.A", "--reading", "amended"])
    assert res.exit_code == 0 and "with consideration" in res.stdout and "fairly" not in res.stdout


def test_frus_notes_of_uncertain_size() -> None:
    """Fractions are numbers (3½ → 3.5); "less than 1 line" keeps its bound."""
    doc = declass.parse("1. The report [less than 1 line not declassified] came from Hong Kong and\n"
                        "[3½ lines of source text not declassified] was confirmed.\n")
    got = [(r.marker, r.size) for r in markers(doc)]
    assert got == [("[less than 1 line not declassified]", {"lines": 1, "less_than": True}),
                   ("[3½ lines of source text not declassified]", {"lines": 3.5})]


# -- the grammar of withholding ------------------------------------------------

from pathlib import Path  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from declass.stages.redactions.withholding import number, parse  # noqa: E402
from declass.stages.structure.markers import PLACEHOLDER, is_omission  # noqa: E402


@pytest.mark.parametrize(
    ("text", "kind", "size"),
    [
        ("[name not declassified]", "not_declassified", {"names": 1}),
        ("[1 line not declassified]", "not_declassified", {"lines": 1}),
        ("[1½ lines of source text not declassified]", "not_declassified", {"lines": 1.5}),
        ("[1-1/2 lines of source text not declassified]", "not_declassified", {"lines": 1.5}),
        ("[1\u20131/2 lines of source text not declassified]", "not_declassified", {"lines": 1.5}),
        ("[less than 1 line of source text not declassified]", "not_declassified", {"lines": 1, "less_than": True}),
        ("[less than\n   1 line of source text not declassified]", "not_declassified",
         {"lines": 1, "less_than": True}),
        ("[text not declassified]", "not_declassified", None),
        ("[codeword not declassified]", "not_declassified", {"words": 1}),
        ("[Footnote in the source text (1 line) not declassified.]", "not_declassified", {"lines": 1}),
        ("[2 paragraphs (14 lines of source text) not declassified]", "not_declassified",
         {"paragraphs": 2, "lines": 14}),
        ("[name deleted]", "deleted", {"names": 1}),
        ("[names deleted]", "deleted", {"names": 2, "at_least": True}),
        ("[REDACTED]", "redacted", None),
        ("Next 2 Page(s) In Document Exempt", "exempt_pages", {"pages": 2}),
        ("Page Denied", "exempt_pages", {"pages": 1}),
        ("\u2588\u2588\u2588\u2588\u2588", "blackout", None),
        ("XXXXXXXX", "blackout", None),
    ],
)
def test_withholding_grammar(text: str, kind: str, size: dict | None) -> None:
    w = parse(text)
    assert w is not None and w.kind == kind
    assert w.size_record() == size


@pytest.mark.parametrize(("text", "value"), [("1½", 1.5), ("1-1/2", 1.5), ("1 1/2", 1.5), ("½", 0.5), ("3", 3),
                                             ("three", 3), ("2¾", 2.75), ("x", None)])
def test_numbers(text: str, value: float | None) -> None:
    assert number(text) == value


@pytest.mark.parametrize("text", ["[It may exist]", "[Footnote in the source text.]", "[1]", "25 lines of text",
                                  "The names deleted from the list were restored."])
def test_not_a_withholding(text: str) -> None:
    assert parse(text) is None


@given(st.integers(min_value=0, max_value=40), st.sampled_from(["", "½", "-1/2", " 1/2", "\u20131/2"]),
       st.sampled_from(["line", "lines", "paragraph", "paragraphs", "page", "pages"]),
       st.booleans(), st.sampled_from(["", " of source text"]))
@settings(max_examples=300, deadline=None)
def test_placeholder_sizes_any_count(n: int, frac: str, unit: str, less: bool, source: str) -> None:
    text = f"[{'less than ' if less else ''}{n}{frac} {unit}{source} not declassified]"
    w = parse(text)
    assert w is not None and w.kind == "not_declassified"
    key = unit.rstrip("s") + "s"
    assert w.size[key] == n + (0.5 if frac else 0)
    assert (w.bound == "less_than") == less


@given(st.text(max_size=120))
@settings(max_examples=400, deadline=None)
def test_parser_total_on_any_text(text: str) -> None:
    w = parse(text)
    assert w is None or (w.kind and all(isinstance(v, int | float) for v in w.size.values()))
    for m in PLACEHOLDER.finditer(text):
        assert parse(m.group()) is not None


@given(st.text(alphabet=st.characters(blacklist_characters="[]", blacklist_categories=("Cs",)), max_size=80))
@settings(max_examples=300, deadline=None)
def test_omission_is_a_bracketed_editorial_note(body: str) -> None:
    """A whole bracketed note opening as an editor's does is an omission (unless it
    is a withholding placeholder); text around it, or prose, is not."""
    note = f"[Here follows {body}]"
    assert is_omission(note) == (PLACEHOLDER.search(note) is None)
    assert not is_omission(f"The President {body} [Here follows {body}]")
    assert not is_omission(f"[Footnote in the source text. {body}]")


NSC = """\
NATIONAL SECURITY COUNCIL

Notes of the 485th Meeting, June 13, 1961

1. U.S. Policy Toward Laos

a. The Council noted the President's statement on Laos and the
progress of the Geneva talks.

b. Noted that the Secretary of State would report next week.

c. Agreed that the Task Force should continue its work.

[Here follows discussion of agenda items 4 and 5. For text of the
Record of Actions, see Document 230.]

6. U.S. Policy Toward Korea

a. The Council discussed the report of the Task Force on Korea.

b. Agreed that force levels should not be reduced at this time.

. . . . . . .

d. The President asked for a further report.
"""


def test_omissions_are_records_never_points_nor_gaps() -> None:
    doc = declass.parse(NSC)
    labels = [b.label for b in doc.blocks if b.kind != "front_matter"]
    assert labels == ["1", "1.a", "1.b", "1.c", "omission.1", "6", "6.a", "6.b", "omission.2", "6.d"]
    omissions = [r for r in doc.redactions if r.kind == "omission"]
    assert [r.marker[:25] for r in omissions] == ["[Here follows discussion ", ". . . . . . ."]
    assert withheld(doc) == []


def test_gap_in_one_list_is_withheld_but_not_across_a_heading() -> None:
    doc = declass.parse("MEMORANDUM\n\n1. First point of the memo.\n\n2. Second point of the memo.\n\n"
                        "4. Fourth point of the memo.\n\nANNEX MATTERS\n\n7. Seventh point of the memo.\n")
    assert withheld(doc) == [["3"]]


def test_exempt_pages_records() -> None:
    doc = declass.parse("[PAGE 01]\nCENTRAL INTELLIGENCE BULLETIN\n\n[PAGE 02]\nNext 2 Page(s) In Document Exempt\n\n"
                        "[PAGE 04]\nThe text goes on. Page Denied\n\n[PAGE 05]\nPage Denied\n")
    recs = [(r.marker, r.size) for r in doc.redactions if r.kind == "exempt_pages"]
    assert recs == [("Next 2 Page(s) In Document Exempt", {"pages": 2}), ("Page Denied", {"pages": 1}),
                    ("Page Denied", {"pages": 1})]
    st = statistics(list(doc.redactions), [], 5)
    assert st["exempt_pages"] == 4 and st["markers"] == 0


def test_inline_withholding_kinds() -> None:
    doc = declass.parse("1. The agent \u2588\u2588\u2588\u2588\u2588 reported that [names deleted] met "
                        "[name deleted] at XXXXXXX on 25X1A grounds.\n")
    got = [(r.marker, r.withholding, r.size) for r in markers(doc)]
    assert got == [("\u2588\u2588\u2588\u2588\u2588", "blackout", None),
                   ("[names deleted]", "deleted", {"names": 2, "at_least": True}),
                   ("[name deleted]", "deleted", {"names": 1}),
                   ("XXXXXXX", "blackout", None), ("25X1A", None, None)]
    assert [r.block for r in markers(doc)] == ["1"] * 5


CREST = Path("/work/shared/devset/crest")
FRUS_DIR = Path("/work/shared/devset/frus")


@pytest.mark.skipif(not CREST.exists(), reason="development set not present")
def test_crest_exempt_pages_match_the_manifest() -> None:
    rows = [ln.split("\t") for ln in (CREST / "MANIFEST.tsv").read_text("utf-8").splitlines()[1:]]
    for row in rows:
        text = (CREST / row[0] / "redacted.transcription.txt").read_text("utf-8")
        doc = declass.parse(text)
        recs = [r for r in doc.redactions if r.kind == "exempt_pages"]
        next_n = [r for r in recs if r.marker.startswith("Next")]
        assert len(next_n) == int(row[8]), row[0]
        want = [int(m) for m in re.findall(r"(?m)^Next (\d+) Page\(s\) In Document Exempt", text)]
        assert [r.size["pages"] for r in next_n] == want
        assert len(recs) - len(next_n) == len(re.findall(r"(?m)^Page Denied", text)), row[0]


@pytest.mark.skipif(not FRUS_DIR.exists(), reason="development set not present")
def test_frus_not_declassified_notes_match_the_manifest() -> None:
    """Each FRUS document rendered as plain text (what an OCR'd copy says): every
    declassification note the MANIFEST lists is found with its size, every
    editorial omission is an omission, and no withheld block is invented."""
    from declass.stages.read.tei import iter_documents

    rows = [ln.split("\t") for ln in (FRUS_DIR / "MANIFEST.tsv").read_text("utf-8").splitlines()[1:]]
    total = 0
    for row in rows:
        (tei,) = list(iter_documents(FRUS_DIR / row[0]))
        doc = declass.parse(tei.text)
        listed = int(re.search(r"not_declassified=(\d+)", row[8]).group(1))
        notes = [r for r in doc.redactions if r.withholding == "not_declassified"]
        assert len(notes) == listed, (row[0], [r.marker for r in notes])
        for r in notes:
            w = parse(r.marker)
            assert w is not None and r.size == w.size_record()
            if "line" in r.marker and "less than" not in r.marker:
                assert r.size["lines"] in (1, 1.5, 2, 3, 9), r.marker
        gold_omissions = [m for m in tei.marks if m.kind == "omission"]
        found = [r for r in doc.redactions if r.kind == "omission"]
        assert all(any(r.start <= m.start < r.end or m.start <= r.start < m.end for r in found)
                   for m in gold_omissions), row[0]
        assert withheld(doc) == [], row[0]
        total += len(notes)
    assert total == 17


DAMAGE = {"o": "0", "e": "c", "i": "l", "a": "e", "s": "a", "n": "u", "l": "1", "c": "e", "d": "cl", "t": "f"}


def ocr_damage(text: str, rng: __import__("random").Random, edits: int) -> str:
    """Letters confused as typewritten text under OCR, at ``edits`` random places (never the counts)."""
    chars = list(text)
    for i in rng.sample([k for k, c in enumerate(chars) if c in DAMAGE], edits):
        chars[i] = DAMAGE[chars[i]]
    return "".join(chars)


@pytest.mark.parametrize("seed", range(40))
def test_damaged_placeholders_are_read(seed: int) -> None:
    """A FRUS note printed through OCR (words confused, brackets read as slashes)
    is found with the size of the note as printed."""
    import random

    rng = random.Random(seed)
    count, value = rng.choice([("1", 1), ("2", 2), ("1-1/2", 1.5), ("1½", 1.5), ("9", 9)])
    note = rng.choice([f"{count} lines of source text not declassified",
                       "less than 1 line of source text not declassified",
                       f"{count} lines not declassified"])
    note = note.replace("1 lines", "1 line")
    body = ocr_damage(note, rng, edits=rng.randint(1, 3))
    left, right = rng.choice([("/", "/"), ("[", "]"), ("(", ")"), ("[", "/"), ("|", "]")])
    doc = declass.parse(f"1. The preparations are under way {left}{body}{right} and will continue.\n")
    (r,) = markers(doc)
    assert r.block == "1" and (r.read_as or r.marker).startswith("[")
    want = {"lines": 1, "less_than": True} if note.startswith("less") else {"lines": value}
    assert r.size == want, (body, r)


@pytest.mark.parametrize("text", ["1. The report (see paragraph 3 above) came from Hong Kong.\n",
                                  "1. He read (2 lines of source text) aloud.\n",
                                  "1. The names of the sources (Hong Kong, Macao) are known.\n",
                                  "1. The (b) and (c) courses / both unlikely / were discussed.\n"])
def test_parentheticals_are_not_damaged_placeholders(text: str) -> None:
    assert markers(declass.parse(text)) == []


@pytest.mark.parametrize(
    ("text", "omission"),
    [("[Here follows discussion unrelated to Korea.]", True), ("(Here fo1lows discussion unrelated to Korea.)", True),
     ("|Omitted hcre is discussion of agenda item 3.]", True), (". . . . . . .", True), ("[Not printed.]", True),
     ("[Footnote in the source text.]", False), ("[It may exist]", False), ("(Summary: the Soviets agreed.)", False),
     ("[Here follows discussion] and more [x]", False), ("[less than 1 line of source text not declassified]", False)],
)
def test_omission_forms(text: str, omission: bool) -> None:
    assert is_omission(text) is omission


def test_damaged_slip_sheet_keeps_its_page_count() -> None:
    doc = declass.parse("[PAGE 01]\nCENTRAL INTELLIGENCE BULLETIN\n\n[PAGE 02]\nNext 2 Pagc(s) ln Docurnent Exernpt\n\n"
                        "[PAGE 04]\nThe text.\n")
    assert [(r.kind, r.size) for r in doc.redactions] == [("exempt_pages", {"pages": 2})]


@pytest.mark.parametrize("text", ["[less than line of source text not declassified]",
                                  "[lesa than 1 linc of source text not declassified]"])
def test_damaged_bound_is_kept(text: str) -> None:
    (r,) = markers(declass.parse(f"1. The report {text} came from Hong Kong.\n"))
    assert r.size == {"lines": 1, "less_than": True}


def test_counts_are_whole_words() -> None:
    """ "than line": the "an" inside "than" is not a count."""
    assert parse("[less than line of source text not declassified]").size == {}


@given(st.text(max_size=60))
@settings(max_examples=400, deadline=None)
def test_list_marker_readings_never_read_an_omission(text: str) -> None:
    """Whatever follows, an editor's bracketed omission never reads as a numbered point."""
    from declass.stages.structure.markers import readings

    for opening in ("[Here follows ", "[Omitted here ", "(Here follows "):
        note = opening + text.replace("[", "").replace("]", "").replace("(", "").replace(")", "") + "]"
        assert readings(note) == [] or not is_omission(note)


def _numbered(values: list[str], between: dict[int, str] | None = None) -> Document:
    parts = ["MEMORANDUM FOR THE RECORD", ""]
    for k, v in enumerate(values):
        if between and k in between:
            parts += [between[k], ""]
        parts += [f"{v}. Paragraph text number {k} of the memorandum, a full sentence here.", ""]
    return declass.parse("\n".join(parts))


@pytest.mark.parametrize(
    ("values", "expected"),
    [(["8", "9", "18", "11", "12"], []),  # 10 misread as 18: the list goes on from 9
     (["1", "2", "18", "8", "4", "5"], []),  # the list goes on from before the stray number
     (["1", "2", "3", "8", "5"], []),  # 4 misread as 8, then the list goes on
     (["1", "2", "5", "6", "7"], [["3", "4"]]),  # a real gap: the list goes on from 5
     (["6", "7", "9", "10"], [["8"]])],
)
def test_ocr_misread_numbers_are_not_gaps(values: list[str], expected: list[list[str]]) -> None:
    assert withheld(_numbered(values)) == expected


def test_misread_number_with_a_marker_beside_it_is_still_a_gap() -> None:
    doc = _numbered(["8", "9", "18", "19"], between={2: "25X1"})
    assert withheld(doc) == [[str(n) for n in range(10, 18)]]


def _as_scanned(text: str) -> Document:
    from dataclasses import replace

    from declass.stages.pipeline import run_stages, stages_for
    from declass.stages.read.reader import read_text

    doc = read_text(text, name="scan.txt")
    return run_stages(replace(doc, source=replace(doc.source, ocr=True)), stages_for())


_GAP = ("SECRET\n\n1. The first point is stated here at some length.\n\n2. The second point follows it.\n\n"
        "{between}4. The fourth point closes the list.\n")


@pytest.mark.parametrize(("between", "scanned", "expected"), [
    ("", False, [["3"]]),  # clean text: a gap in the numbering is reported
    ("", True, []),  # a scan: the OCR lost the number far oftener than a declassifier left no mark
    ("25X1\n\n", True, [["3"]]),  # a marker beside the gap: withheld, scan or not
])
def test_a_scans_unmarked_gap_is_no_withheld_block(between: str, scanned: bool, expected: list[list[str]]) -> None:
    text = _GAP.format(between=between)
    doc = _as_scanned(text) if scanned else declass.parse(text)
    assert withheld(doc) == expected
