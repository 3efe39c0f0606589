"""Furniture told by where the document prints its own: damaged copies at page edges."""

from __future__ import annotations

import pytest

from declass.stages.clean.page_edges import damaged_furniture

STAMP = "Approved For Release 2004/03/11 : CIA-RDP91T01172R000300010022-5"
FOUND = [("release_stamp", STAMP, 1, 0.03), ("release_stamp", STAMP, 2, 0.03),
         ("page_number", "- 2 -", 2, 0.93), ("page_number", "- 3 -", 3, 0.93)]


@pytest.mark.parametrize("mark", ["-A.", "-\u00a7-", "- a -", "=@-", "~7 ="])
def test_a_damaged_page_number_where_the_others_stand(mark: str) -> None:
    assert damaged_furniture([(mark, 4, 0.935, True)], FOUND) == {0: ("page_number", {"damaged": "1",
                                                                                      "printed": mark})}


@pytest.mark.parametrize(("line", "y", "edge"), [
    ("-A.", 0.55, True),  # not where page numbers stand
    ("-A.", None, True),  # no measured place
    ("-ab-", 0.93, True),  # a word, not a number
    ("A.", 0.93, True),  # no dash around it: may open a point
    ("-A.", 0.93, False),
])
def test_marks_elsewhere_stay_body(line: str, y: float | None, edge: bool) -> None:
    assert damaged_furniture([(line, 4, y, edge)], FOUND) == {}


def test_a_stamp_damaged_past_its_patterns_echoes_the_documents_own() -> None:
    damaged = "ee For Re1ease 2004/03/11 : CIA- RDP91TO1172R0003000l0022-¢ -5"
    got = damaged_furniture([(damaged, 3, 0.03, True), ("The stamp on this page was hard to read.", 3, 0.05, True)],
                            FOUND)
    assert got == {0: ("release_stamp", {"damaged": "1", "echoes": "1"})}


def test_a_running_head_on_the_cover_is_no_echo() -> None:
    found = [("running_head", "Soviet Capabilities in the Far East", 2, 0.05)]
    damaged = "Soviet Capabilities in the Far Eest"
    lines = [(damaged, 1, 0.05, True), (damaged, 3, 0.05, True)]
    assert set(damaged_furniture(lines, found)) == {1}


def test_a_framed_number_closing_a_short_page_is_its_page_number() -> None:
    lines = [("The elections are to be held on 9 June.", 4, 0.19, False), ("= 7 =", 4, 0.21, False),
             ("Next page's text begins here.", 5, 0.10, True), ("= 8 -", 5, 0.5, False),
             ("and ends here.", 5, 0.55, False)]
    assert set(damaged_furniture(lines, [])) == {1}  # the second stands inside its page's text


@pytest.mark.parametrize(("line", "pages"), [("Nexl 2 Pagc(s) ln Docunent Exempl", "2"),
                                           ("Ncxt i Pages In Dccument Denicd", "1")])
def test_a_damaged_slip_sheet_alone_on_its_page(line: str, pages: str) -> None:
    lines = [("The report continues on the next page.", 1, 0.5, False), (line, 2, 0.1, True),
             ("It resumes here.", 3, 0.1, True)]
    got = damaged_furniture(lines, [])
    assert got == {1: ("exempt_pages", {"damaged": "1", "printed": line, "pages": pages})}
    beside = [*lines[:2], ("A second line on the same page.", 2, 0.3, False)]
    assert damaged_furniture(beside, []) == {}  # with other text on its page it is no slip sheet
