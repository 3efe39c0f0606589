from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import declass
from declass.cli.main import app
from declass.model import Document


def events_of(doc: Document, kind: str | None = None) -> list[tuple[str, str | None, str]]:
    return [(e.date, e.date_end, e.phrase) for e in doc.events if kind is None or e.kind == kind]


def test_treaty_signing_transfer_deadline_and_aid_agreement(nie58: Document, briefing: Document) -> None:
    assert ("1950-02-14", None, "February 14, 1950") in events_of(nie58, "event")
    deadlines = events_of(nie58, "deadline")
    assert ("1952-12-31", None, "not later than the end of 1952") in deadlines
    summer = [e for e in briefing.events if e.phrase == "summer 1953"]
    assert summer and summer[0].date == "1953-06-01" and summer[0].block == "V.H"


def test_durations_relative_to_the_treaty(nie58: Document) -> None:
    durations = {e.phrase: (e.date, e.date_end) for e in nie58.events if e.kind == "duration"}
    assert durations["valid for thirty years"] == ("1950-02-14", "1980-02-14")
    assert durations["remain in force for another five years"] == ("1980-02-14", "1985-02-14")
    notice = next(e for e in nie58.events if e.phrase == "one year before the expiration")
    assert notice.date == "1979-02-14" and notice.kind == "deadline"
    within = [e for e in nie58.events if e.phrase.startswith("within three months after")]
    assert within and all(e.date == "1950-05-14" for e in within)


def test_this_year_is_the_documents_year(briefing: Document) -> None:
    this_year = [e for e in briefing.events if e.phrase == "this year"]
    assert this_year and {e.date for e in this_year} == {"1953"}


@pytest.mark.parametrize(
    ("text", "date", "date_end", "precision"),
    [
        ("since mid-1951 the line has held", "1951-04-01", None, "mid-year"),
        ("from 1948 to mid-1951 the war went on", "1948", "1951-09-30", "year"),
        ("talks began in August 1952 in Moscow", "1952-08", None, "month"),
        ("the agreement signed in summer 1953", "1953-06-01", "1953-08-31", "season"),
        ("withdrawal not later than the end of 1952", "1952-12-31", None, "day"),
        ("On 4 September 1952 the board met", "1952-09-04", None, "day"),
        ("the early 1954 talks", "1954-01-01", "1954-04-30", "early-year"),
    ],
)
def test_date_forms(text: str, date: str, date_end: str | None, precision: str) -> None:
    doc = declass.parse(f"MEMORANDUM\n\n1. {text[0].upper() + text[1:]}.\n")
    first = doc.events[0]
    assert (first.date, first.date_end, first.precision) == (date, date_end, precision)


def test_event_spans_are_exact(nie58: Document) -> None:
    for e in nie58.events:
        assert " ".join(nie58.text[e.start : e.end].split()) == e.phrase


def test_timeline_cli(sample_db: Path) -> None:
    res = CliRunner().invoke(app, ["timeline", "--db", str(sample_db), "--json", "--from", "1950", "--to", "1953"])
    import json

    rows = json.loads(res.stdout)
    assert res.exit_code == 0
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    assert all((r["date_end"] or r["date"])[:4] >= "1950" and r["date"][:4] <= "1953" for r in rows)  # overlap
    assert any(r["date"] == "1952-12-31" and "Annex B / Article" in r["citation"] for r in rows)


@pytest.mark.parametrize(("text", "iso"), [
    ("THE POLISH ELECTIONS\n\n22 Jan 57    Current Intelligence Bulletin    Page 2\n", "1957-01-22"),
    ("3 Sept 59   Central Intelligence Bulletin   Page 4\n", "1959-09-03"),
    ("22 Jan 57 was a Tuesday.\n", None),  # not a page header
])
def test_issue_date_from_a_page_header(text: str, iso: str | None) -> None:
    from declass.text import dates

    d = dates.page_header_date(text)
    assert (d.iso if d else None) == iso


def test_a_month_ocr_read_with_an_accent_is_still_a_month() -> None:
    from declass.text import dates

    (d,) = dates.find_dates("Washington, Juné 13, 1961.")
    assert d.iso == "1961-06-13" and (d.start, d.end) == (12, 25)
