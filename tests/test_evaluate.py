"""The evaluation harness: gold from TEI and CREST, measures that can fail, the report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from declass.evaluate import harness, report
from declass.evaluate.align import character_error_rate, offset_map
from declass.evaluate.gold import crest_gold, frus_gold, size_of, with_person_lexicon
from declass.evaluate.measures import score
from declass.frus import parse_tei
from declass.model import Document
from declass.tei import iter_documents

FIXTURES = Path(__file__).parent / "fixtures" / "frus"
NIE = FIXTURES / "frus1955-57v02_d158_nie-100-4-55-offshore-islands-taiwan.xml"
WITHHELD = FIXTURES / "frus1958-60v19_d378_dci-memo-tibetan-resistance-supplies.xml"
DEVSET = Path(__file__).resolve().parents[2] / "shared" / "devset"


def perfect(path: Path) -> tuple[Document, object]:
    """The TEI reader's document: structure and metadata straight from the gold markup."""
    tei = next(iter_documents(path))
    gold = with_person_lexicon([frus_gold(tei)])[0]
    return next(parse_tei(str(path), str(path))), gold


@pytest.mark.parametrize("path", [NIE])
def test_markup_reading_scores_full_marks_on_what_it_reads_from_markup(path: Path) -> None:
    doc, gold = perfect(path)
    s = score(doc, gold, "tei")
    for measure in ("type", "title", "date", "classification", "labels", "footnotes.found", "footnotes.linked",
                    "paragraphs.recall"):
        assert s.tallies[measure].value == 1.0, (measure, s.misses.get(measure))


@pytest.mark.parametrize("path", [NIE])
def test_every_measure_can_fail(path: Path) -> None:
    """A deliberately wrong reading scores below 1 on every measure."""
    doc, gold = perfect(path)
    md = dict(doc.metadata)
    md |= {"doc_type": {"value": "Letter"}, "title": {"value": "Copy No. 57"},
           "date": {"value": "1900-01-01", "start": 0, "end": 1}, "classification": {"value": "UNCLASSIFIED"}}
    relabelled = tuple(b.evolve(label=f"x{b.label}") if b.kind != "footnote" else b.evolve(parent=None)
                       for b in doc.blocks)
    merged = (relabelled[0].evolve(view=relabelled[0].view),)  # one block: paragraph boundaries lost
    wrong = doc.evolve(metadata=md, blocks=relabelled, entities=(), events=(),
                       redactions=({"kind": "withheld_block", "start": 0, "end": 1, "inferred_labels": ["2"]},))
    s = score(wrong, gold, "wrong")
    for measure in ("type", "title", "date", "classification", "labels", "footnotes.linked", "persons.recall",
                    "dates"):
        assert s.tallies[measure].value is not None and s.tallies[measure].value < 1, measure
    assert s.counts["invented_withheld"] == 1
    s = score(doc.evolve(blocks=merged), gold, "merged")
    assert s.tallies["paragraphs.recall"].value < 0.2
    assert s.tallies["footnotes.found"].value == 0


def test_withheld_notes_need_their_size() -> None:
    doc, gold = perfect(WITHHELD)
    assert len(gold.withheld) == 5
    unsized = doc.evolve(redactions=tuple({**r, "size": {}} for r in doc.redactions))
    s = score(unsized, gold, "unsized")
    assert s.tallies["withheld.found"].value == 1.0
    assert s.tallies["withheld.size"].value < 1.0  # "2 lines" without its size is not a full reading
    assert score(doc.evolve(redactions=()), gold, "none").tallies["withheld.found"].value == 0


@pytest.mark.parametrize(("note", "size", "less"), [
    ("[1-1/2 lines of source text not declassified]", (("lines", 1.5),), False),
    ("[1½ lines of source text not declassified]", (("lines", 1.5),), False),
    ("[less than 1 line of source text not declassified]", (), True),
    ("[2 paragraphs (14 lines of source text) not declassified]", (("lines", 14.0), ("paragraphs", 2.0)), False),
    ("[name not declassified]", (), False),
])
def test_gold_sizes(note: str, size: tuple[tuple[str, float], ...], less: bool) -> None:
    assert size_of(note) == (size, less)


def test_alignment_maps_gold_offsets_into_ocr_text() -> None:
    gold = "The Chinese Communists will probably attack Quemoy."
    ocr = "SECRET\n\nThe Chlnese Communists wi11 probably attack\nQuemoy ."
    to = offset_map(gold, ocr)
    q = gold.index("Quemoy")
    assert ocr[to(q):to(q) + 6] == "Quemoy"
    assert ocr[to(0):to(0) + 3] == "The"
    assert 0 < character_error_rate(gold, ocr) < 0.3


@pytest.mark.skipif(not (DEVSET / "crest").is_dir(), reason="the development set is beside the repository")
def test_crest_gold_reads_exempt_pages_and_the_printed_title() -> None:
    pair = DEVSET / "crest" / "CIA-RDP79T00975A000900010001-0"
    gold = crest_gold(pair / "redacted.transcription.txt", "redacted")
    assert gold.date == "1952-10-11" and gold.title == "Current Intelligence Bulletin"
    assert [x.pages for x in gold.exempt] == [1]


@pytest.mark.skipif(not (DEVSET / "frus").is_dir(), reason="the development set is beside the repository")
def test_clean_run_over_the_development_set_reports_every_genre() -> None:
    scores = harness.run(DEVSET, None, harness.Settings(scans=False, cache=None), workers=1, only="d378|d232|A0009")
    assert {s.id for s in scores} >= {"frus1958-60v19-d378", "frus1961-63v22-d232"}
    data = report.to_json(scores)
    groups = data["groups"]
    assert isinstance(groups, dict) and "all" in groups and "Memorandum of Conversation" in groups
    rows = report.table_rows(report.summarise(scores))
    assert any(r[1] == "persons.recall" for r in rows)
    assert all(isinstance(f["first_difference"], str) for f in data["failures"])


def test_bars_are_checked_against_the_whole_set() -> None:
    summary = report.summarise([])
    assert report.bar_check(summary) == []
    s = harness.DocScore("d", "Memo", "clean")
    s.add("labels", 9, 10)
    s.count("invented_withheld", 2)
    missed = report.bar_check(report.summarise([s]))
    assert any("labels" in m for m in missed) and any("invented_withheld" in m for m in missed)


def test_sample_reference_reading_is_its_own_gold(samples: Path) -> None:
    gold = harness.sample_gold(samples / "1953-11-04_nsc-briefing_sino-soviet-relations.txt")
    doc = harness.run_stages(harness.read_bytes((samples / "1953-11-04_nsc-briefing_sino-soviet-relations.txt")
                                                .read_bytes(), name="b.txt"), harness.stages_for())
    s = score(doc, replace(gold), "clean")
    assert s.tallies["labels"].value == 1.0 and s.tallies["title"].value == 1.0
