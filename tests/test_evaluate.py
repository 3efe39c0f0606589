"""The evaluation harness: gold from TEI and CREST, measures that can fail, the report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from declass.evaluate import harness, report
from declass.evaluate.align import character_error_rate, offset_map
from declass.evaluate.gold import crest_gold, frus_gold, size_of, with_person_lexicon
from declass.evaluate.measures import score
from declass.model import Document, Mention, Redaction, RedactionKind
from declass.stages.frus import parse_tei
from declass.stages.read.tei import iter_documents
from declass.text.textmap import MappedText

FIXTURES = Path(__file__).parent / "fixtures" / "frus"
NIE = FIXTURES / "frus1955-57v02_d158_nie-100-4-55-offshore-islands-taiwan.xml"
WITHHELD = FIXTURES / "frus1958-60v19_d378_dci-memo-tibetan-resistance-supplies.xml"
MEMCON = FIXTURES / "frus1961-63v22_d232_memcon-kennedy-ikeda-korea.xml"
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
                       redactions=(Redaction(kind=RedactionKind.WITHHELD_BLOCK, block=None, start=0, end=1,
                                             inferred_labels=("2",)),))
    s = score(wrong, gold, "wrong")
    for measure in ("type", "title", "date", "classification", "labels", "footnotes.linked", "dates"):
        assert s.tallies[measure].value is not None and s.tallies[measure].value < 1, measure
    assert s.counts["invented_withheld"] == 1
    s = score(doc.evolve(blocks=merged), gold, "merged")
    assert s.tallies["paragraphs.recall"].value < 0.2
    assert s.tallies["footnotes.found"].value == 0


def test_person_recall_can_fail() -> None:
    """The NIE names no person once its islands are adjudicated; a memorandum of conversation does."""
    doc, gold = perfect(MEMCON)
    assert score(doc, gold, "tei").tallies["persons.recall"].value is not None
    assert score(doc.evolve(entities=()), gold, "none").tallies["persons.recall"].value == 0


def test_withheld_notes_need_their_size() -> None:
    doc, gold = perfect(WITHHELD)
    assert len(gold.withheld) == 5
    unsized = doc.evolve(redactions=tuple(replace(r, size={}) for r in doc.redactions))
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


def test_person_precision_and_clusters_can_fail() -> None:
    doc, gold = perfect(NIE)
    people = [m for m in doc.entities if m.type == "person"]
    # a "person" where the markup tags a place or an acronym, and every person split into its own entity
    glossed = next(n for n in next(iter_documents(NIE)).names if n.kind == "gloss")
    wrong = Mention(text="USSR", type="person", block=None, start=glossed.start, end=glossed.end, id=None,
                    in_block=(0, 4), method="test")
    split = tuple(replace(m, id=f"split-{i}", cluster=None, canonical=None) for i, m in enumerate(people))
    s = score(doc.evolve(entities=(*split, wrong)), gold, "wrong")
    assert s.tallies["persons.precision"].value < 1
    if "persons.same_entity" in s.tallies:
        assert s.tallies["persons.same_entity"].value < 1


def test_paragraph_precision_omissions_and_exempt_pages_can_fail(tmp_path: Path) -> None:
    doc, gold = perfect(WITHHELD)
    halves = tuple(x for b in doc.blocks if b.kind != "footnote" and len(b.text) > 40
                   for x in (b.evolve(view=b.view.slice(0, 20)), b.evolve(label=b.label + "+", view=b.view.slice(
                       len(b.text) // 2, len(b.text)))))
    s = score(doc.evolve(blocks=halves), gold, "split")
    assert s.tallies["paragraphs.precision"].value < 1
    text = "SUMMARY\n\n1. Soviet decree.\n\nNext 2 Page(s) In Document Exempt\n\nPage Denied\n"
    pair = tmp_path / "CIA-RDP79T00975A000000000001-1"
    pair.mkdir()
    (pair / "redacted.transcription.txt").write_text(text)
    (pair / "pair_metadata.json").write_text('{"csv_row": ["", "", "", "", "1/2/1955", "", "", "", '
                                             '"CENTRAL INTELLIGENCE BULLETIN"]}')
    crest = crest_gold(pair / "redacted.transcription.txt", "redacted")
    assert [x.pages for x in crest.exempt] == [2, 1]
    read = harness.run_stages(harness.read_text(text, name="r.txt"), harness.stages_for())
    assert score(read, crest, "clean").tallies["exempt_pages"].value == 1.0
    assert score(read.evolve(redactions=()), crest, "none").tallies["exempt_pages"].value == 0


def test_omissions_and_furniture_counts_can_fail() -> None:
    path = FIXTURES.parent.parent.parent.parent / "shared" / "devset" / "frus" / \
        "frus1964-68v30_d42_mfr-mccone-303-committee-u2-south-china.xml"
    if not path.exists():
        pytest.skip("the development set is beside the repository")
    doc, gold = perfect(path)
    assert gold.omissions
    assert score(doc.evolve(redactions=()), gold, "none").tallies["omissions.found"].value == 0
    banner = replace(gold, furniture=(*gold.furniture, "S E C R E T"))
    leaked = doc.blocks[0].evolve(view=doc.blocks[0].view.slice(0, 0))
    s = score(doc.evolve(blocks=(*doc.blocks, leaked.evolve(label="x", view=MappedText.of_source("SECRET")))),
              banner, "leak")
    assert s.counts["furniture_blocks"] == 1


def test_hand_checked_untagged_people_do_not_excuse_other_words() -> None:
    doc, gold = perfect(NIE)
    gold = replace(gold, untagged_people=frozenset({"rhee"}))
    text = doc.text
    at = text.index("Quemoy")
    fake = Mention(text="Quemoy", type="person", block=None, start=at, end=at + 6, in_block=(0, 6), method="test")
    rhee = Mention(text="Rhee", type="person", block=None, start=0, end=4, in_block=(0, 4), method="test")
    s = score(doc.evolve(entities=(fake, rhee)), gold, "x")
    assert s.tallies["persons.precision"].hits == 1 and s.tallies["persons.precision"].total == 2
    assert s.tallies["persons.precision_markup"].hits == 0
