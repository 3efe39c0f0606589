"""The Archive's typed answers (`declass.archive.answers`): their export forms are the JSON the CLI prints,
their fields are what the store's rows hold, and what they work out (shares, per-page rates) is right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import declass
from declass.archive.answers import DocumentSummary, RedactionStatistics, RedactionTotals
from declass.cli.main import app
from declass.model.records import plain
from declass.store import paged
from declass.web import queries

NIE = "1952-09-10-nie-58-sino-soviet-relations"


def cli_json(*args: str) -> object:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


@pytest.mark.parametrize("columns", [paged.SUMMARY, queries.LIST_COLUMNS])
def test_a_summary_has_every_column_the_summary_queries_read(columns: str) -> None:
    """The store's and the web's summary queries select the summary's fields, in its export order."""
    assert tuple(c.strip() for c in columns.split(",")) == DocumentSummary.KEYS


@pytest.mark.parametrize(("counts", "numbered", "pages", "share", "per_page"), [
    ({"markers": 3, "by_exemption": {"25X1": 2, "(b)(3)": 1}, "withheld_blocks": 2, "exempt_pages": 1,
      "omissions": 0, "withheld_share": 0.0, "pages": 1}, 8, 4, 0.2, 0.75),
    ({"markers": 0, "by_exemption": {}, "withheld_blocks": 0, "exempt_pages": 0, "omissions": 2,
      "withheld_share": 0.0, "pages": 1}, 0, 0, 0.0, 0.0),
])
def test_statistics_from_counts(counts: dict[str, object], numbered: int, pages: int, share: float,
                                per_page: float) -> None:
    """A withheld point's share is of the numbered blocks and the withheld points together; markers per
    page over the document's pages (none: 0); exemptions in order."""
    st = RedactionStatistics.from_counts(counts, numbered=numbered, pages=pages)
    assert (st.withheld_share, st.per_page, st.pages) == (share, per_page, pages)
    assert list(st.by_exemption) == sorted(counts["by_exemption"])  # type: ignore[call-overload]
    one = RedactionTotals.of_document(st)
    assert (one.documents, one.markers, one.withheld_blocks, one.exempt_pages) == \
        (1, st.markers, st.withheld_blocks, st.exempt_pages)


def test_answers_export_what_the_cli_prints(sample_db: Path) -> None:
    """Each typed answer, through the one serialiser, is the JSON the CLI prints for it."""
    db = str(sample_db)
    with declass.Archive(sample_db, readonly=True) as a:
        assert plain(a.documents()) == cli_json("list", "--db", db, "--json")
        assert plain(a.redaction_report(limit=50)) == cli_json("redactions", "--db", db, "--json")
        assert plain(a.entities(limit=50)) == cli_json("entities", "--db", db, "--json")
        moscow = a.entity("Moscow", limit=50)
        assert plain(moscow) == cli_json("entity", "Moscow", "--db", db, "--json")
        report = a.redaction_report(NIE)
        terms = a.judgment_terms()
    exported = moscow.to_dict()
    assert exported["entity"]["name"] == moscow.entity.name == "Moscow" and "forms_seen" in exported
    assert all(c.weight >= 1 and c.documents >= 1 for c in moscow.cooccurring)
    assert [d.id for d in report.documents] == [NIE] and report.corpus.documents == 1
    assert report.corpus.markers == report.documents[0].statistics.markers == \
        sum(1 for r in report.documents[0].redactions if r.kind == "marker")
    assert terms and [t.count for t in terms] == sorted((t.count for t in terms), reverse=True)
    assert all(t.range is None or t.range[0] <= t.range[1] for t in terms)


def test_statistics_count_markers_citing_no_exemption_beside_named_ones() -> None:
    """The store counts a marker citing no exemption under None: with a named exemption beside it the
    counts still sort (named in order, None last), and the stage's statistics read them the same way."""
    from declass.model import Exemption, Redaction, RedactionKind
    from declass.stages.redactions.redactions import statistics

    counts = {"markers": 4, "by_exemption": {None: 1, "25X1": 2, "(b)(3)": 1}, "withheld_blocks": 0,
              "exempt_pages": 0, "omissions": 0, "withheld_share": 0.0, "pages": 2}
    st = RedactionStatistics.from_counts(counts)
    assert list(st.by_exemption.items()) == [("(b)(3)", 1), ("25X1", 2), (None, 1)]
    assert st.per_page == 2.0
    marks = [Redaction(kind=RedactionKind.MARKER, block="p1", start=0, end=5, exemption=Exemption("25X1", "")),
             Redaction(kind=RedactionKind.MARKER, block="p2", start=9, end=12)]
    assert list(statistics(marks, [], 1)["by_exemption"].items()) == [("25X1", 1), (None, 1)]
