from __future__ import annotations

import re

import pytest

import declass
from declass.model import Document
from declass.redactions import exemption_of, statistics


def withheld(doc: Document) -> list[list[str]]:
    return [r["inferred_labels"] for r in doc.redactions if r["kind"] == "withheld_block"]


def markers(doc: Document) -> list[dict]:
    return [r for r in doc.redactions if r["kind"] == "marker"]


def test_briefing_25x1_markers_all_found(briefing: Document) -> None:
    expected = [m.start() for m in re.finditer(r"(?m)^25X1$", briefing.text)]
    assert len(expected) == 20
    found = sorted(r["start"] for r in markers(briefing) if r["marker"] == "25X1")
    assert found == expected
    for r in markers(briefing):
        if r["marker"] == "25X1":
            assert r["exemption"]["code"] == "25X1" and "source" in r["exemption"]["description"]
            assert r["block"]


def test_briefing_withheld_points_and_no_others(briefing: Document) -> None:
    assert withheld(briefing) == [["II.E"], ["V.B", "V.C", "V.D", "V.E"], ["VI.B"]]
    by_first = {r["inferred_labels"][0]: r for r in briefing.redactions if r["kind"] == "withheld_block"}
    assert by_first["V.B"]["confidence"] > by_first["II.E"]["confidence"]
    assert any(e["text"] == "25X1" for e in by_first["VI.B"]["evidence"])
    assert (by_first["V.B"]["after"], by_first["V.B"]["before"]) == ("V.A", "V.F")


def test_inline_placeholder_in_its_block(briefing: Document) -> None:
    (r,) = [r for r in markers(briefing) if r["marker"] == "[redacted]"]
    assert r["block"] == "II.F" and r["position"] == "in"
    assert briefing.text[r["start"] : r["end"]] == "[redacted]"


def test_nie58_b3_and_no_invented_gaps(nie58: Document) -> None:
    (r,) = markers(nie58)
    assert r["exemption"]["code"] == "(b)(3)"
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
    got = [(r["marker"], r.get("size"), r["block"]) for r in markers(doc)]
    assert got == [
        ("[text not declassified]", None, "1"),
        ("[1 line not declassified]", {"lines": 1}, "1"),
        ("[name not declassified]", None, "2"),
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

    from declass.cli import app

    res = CliRunner().invoke(app, ["redactions", "--db", str(sample_db), "--json"])
    assert res.exit_code == 0
    import json

    report = json.loads(res.stdout)
    assert report["corpus"]["markers"] == 22 and report["corpus"]["withheld_blocks"] == 6
    res = CliRunner().invoke(app, ["show", "--db", str(sample_db), "1953-11-04", "V.A", "--reading", "amended"])
    assert res.exit_code == 0 and "with consideration" in res.stdout and "fairly" not in res.stdout


def test_frus_notes_of_uncertain_size() -> None:
    doc = declass.parse("1. The report [less than 1 line not declassified] came from Hong Kong and\n"
                        "[3½ lines of source text not declassified] was confirmed.\n")
    got = [(r["marker"], r.get("size")) for r in markers(doc)]
    assert got == [("[less than 1 line not declassified]", None),
                   ("[3½ lines of source text not declassified]", None)]
