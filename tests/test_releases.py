"""Releases of one document: pairing, alignment, characterisation, storage, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import declass
from declass.archive.export import to_record, with_releases
from declass.cli.main import app
from declass.corpus.releases import compare_records
from declass.corpus.releases.align import align
from declass.corpus.releases.api import pair_records
from declass.corpus.releases.characterise import methods_in, numbers_in
from declass.corpus.releases.pair import containment, profile
from declass.corpus.releases.text import from_record, tokenize
from declass.evaluate.releases import NEGATIVE_REASONS, evaluate_releases, locate, parse_chunks
from declass.stages.parse import parse

CREST = Path(__file__).resolve().parents[2] / "shared" / "devset" / "crest"
needs_crest = pytest.mark.skipif(not CREST.is_dir(), reason="development set not present")

EARLIER = """CURRENT INTELLIGENCE BULLETIN

12 March 1957

1. Polish elections: The Sejm elections gave Gomulka a strong man-
date. Party officials in Warsaw were pleased with the turnout.

Next 1 Page(s) In Document Exempt

3. Yugoslavia: Tito told the Kuomintang envoy that Belgrade would not
recognise the regime on Taiwan.
"""

LATER = """CURRENT INTELLIGENCE BULLETIN

12 March 1957

1. Polish elections: The Sejm elections gave Gomulka a strong mandate. Party officials
in Warsaw were pleased with the turnout. The Catholic hierarchy urged the faithful to vote
the straight ticket, according to a reliable source in the Warsaw episcopate.

2. USSR: Soviet communications activity suggests that 12 heavy bombers moved
to airfields 300 miles from the border.

3. Yugoslavia: Tito told the Kuomingtang envoy that Belgrade would not recognise the regime on Taiwan.
He also asked the envoy for credits.
"""


def records(earlier: str = EARLIER, later: str = LATER) -> tuple[dict, dict]:
    e = parse(earlier).evolve(id="crest-copy")
    lt = parse(later).evolve(id="foia-copy")
    return to_record(e), to_record(lt)


@pytest.mark.parametrize(("text", "words"), [
    ("a strong man-\ndate", ["a", "strong", "mandate"]),
    ("Congo- lese army", ["congolese", "army"]),
    ("Sino-Soviet talks", ["sino", "soviet", "talks"]),
    ("chargé d'affaires", ["charge", "d", "affaires"]),
])
def test_words_join_line_break_hyphens_and_fold_accents(text: str, words: list[str]) -> None:
    assert [w.norm for w in tokenize(text, 0)] == words


@given(st.text(max_size=300))
@settings(max_examples=60, deadline=None)
def test_tokenize_offsets_point_at_the_word(text: str) -> None:
    for w in tokenize(text, 0):
        assert 0 <= w.start < w.end <= len(text)
        assert w.norm  # never an empty word


@given(st.lists(st.sampled_from(["the", "Soviet", "army", "moved", "Kuomintang", "12", "x"]), max_size=40),
       st.lists(st.sampled_from(["the", "Soviet", "army", "moved", "Kuomingtang", "12", "y"]), max_size=40))
@settings(max_examples=80, deadline=None)
def test_alignment_labels_every_word_and_pairs_in_order(a: list[str], b: list[str]) -> None:
    al = align([w.lower() for w in a], [w.lower() for w in b])
    assert len(al.later) == len(b) and len(al.earlier) == len(a)
    matched = [i for i in al.match if i >= 0]
    assert matched == sorted(matched) and len(set(matched)) == len(matched)
    for j, i in enumerate(al.match):
        assert (i >= 0) == (al.later[j] in ("same", "ocr"))


def test_revealed_text_is_what_only_the_later_release_prints() -> None:
    e, lt = records()
    c = compare_records(e, lt)
    texts = [s.text for s in c.revealed]
    assert any(t.startswith("The Catholic hierarchy urged") for t in texts)
    assert any("300 miles from the border" in t for t in texts)
    revealed = " ".join(texts)
    # hyphenation, line breaks and an OCR variant are not revealed text
    for word in ("mandate", "Kuomingtang", "Warsaw were pleased", "Taiwan"):
        assert word not in revealed
    assert ("Kuomintang", "Kuomingtang") in {(o.earlier, o.later) for o in c.ocr}


def test_revealed_spans_are_tied_to_the_notice_and_characterised() -> None:
    c = compare_records(*records())
    bombers = next(s for s in c.revealed if "bombers" in s.text)
    assert bombers.withheld_by.kind == "exempt_pages"
    assert bombers.withheld_by.pages == 1
    assert bombers.scope == "items"
    assert "12 heavy bombers" in bombers.numbers and "300 miles" in bombers.numbers
    assert ("signals", "communications activity") in {(m.category, m.term) for m in bombers.sources_methods}
    catholic = next(s for s in c.revealed if "Catholic" in s.text)
    assert catholic.scope == "sentences" and "bombers" not in catholic.text  # one span a block
    assert "human_source" in {m.category for m in catholic.sources_methods}
    credits = next(s for s in c.revealed if "credits" in s.text)
    assert (credits.text, credits.scope) == ("He also asked the envoy for credits.", "sentences")
    assert credits.withheld_by.kind == "silent_gap"
    assert c.stats.withheld_share == round(c.stats.revealed_chars / c.stats.later_chars, 4)
    assert c.stats.by_withheld["exempt_pages"] == sum(s.chars for s in c.revealed
                                                      if s.withheld_by.kind == "exempt_pages") >= bombers.chars


@pytest.mark.parametrize(("text", "want"), [
    ("produce 2,000-kilowatt atomic reactors and a 25-Mev cyclotron", ["2,000-kilowatt", "25-Mev"]),
    ("$11,200 was sent to London on 21 July 1960 (Page 3)", ["$11,200"]),
    ("Luang Prabang, 55 miles south", ["55 miles"]),
    ("activity noted on 18-20 July; 16 of 20 scheduled aircraft", ["16", "20 scheduled aircraft"]),
])
def test_numbers_keep_units_and_leave_out_dates_and_pages(text: str, want: list[str]) -> None:
    assert list(numbers_in(text)) == want


def test_sources_and_methods_vocabulary_matches_whole_words() -> None:
    found = {(m.category, m.term) for m in methods_in("Intercepted messages and a liaison report; sourcesless")}
    assert ("signals", "intercepted") in found and ("liaison", "liaison") in found
    assert not methods_in("The resources of the region")


def test_pairing_orders_by_marks_and_keeps_unrelated_documents_apart(nie58, briefing) -> None:
    e, lt = records()
    others = [to_record(nie58), to_record(briefing)]
    pairs = pair_records([lt, *others, e])
    assert [(p.earlier, p.later) for p in pairs] == [("crest-copy", "foia-copy")]
    assert pairs[0].basis == "withholding marks"


def test_containment_is_high_for_a_release_inside_another() -> None:
    e, lt = records()
    assert containment(profile(e), profile(lt)) > 0.5


@needs_crest
def test_development_pairs_all_found_none_wrong_and_revealed_text_measured() -> None:
    samples = [parse(p) for p in sorted(Path(declass.__file__).parent.joinpath("data", "samples").glob("*.txt"))]
    r = evaluate_releases(CREST, samples)
    assert (r.pairs_found, r.pairs_wrong, r.pairs_misordered) == (12, 0, 0)
    assert r.revealed_without_known_errors.recall >= 0.9
    assert r.revealed_without_known_errors.precision >= 0.9
    # the source's misaligned chunk is in both releases: we must not find it revealed
    bad = next(p for p in r.per_pair if p.crest_id == "CIA-RDP79T00975A000100580001-6")
    assert bad.recall < 0.1


@needs_crest
@pytest.mark.parametrize("pair", ["CIA-RDP79T00975A005500490001-7", "CIA-RDP79T00975A002700530001-3",
                                  "CIA-RDP79T00975A001600010001-2", "CIA-RDP79T00975A002200010001-5"])
def test_ocr_noise_between_the_releases_is_not_revealed_text(pair: str) -> None:
    """Words the source repository found read differently in the two releases
    (``ocr_equivalent_to_redacted_text``) are not reported revealed."""
    folder = CREST / pair
    e = to_record(parse(folder / "redacted.transcription.txt").evolve(id="e"))
    lt = to_record(parse(folder / "unredacted.transcription.txt").evolve(id="l"))
    c = compare_records(e, lt)
    rt = from_record(lt)
    norms = [w.norm for w in rt.words]
    revealed_words = {w.norm for s in c.revealed for w in tokenize(s.text, 0)}
    noisy = [ch for ch in parse_chunks((folder / "redaction_chunks.filtered.txt").read_text("utf-8"))
             if "ocr_equivalent_to_redacted_text" in ch.reasons and set(ch.reasons) <= set(NEGATIVE_REASONS)
             | {"short_span_min_tokens"}]
    assert noisy
    for ch in noisy:
        words = [w.norm for w in tokenize(ch.text, 0)]
        if len(words) == 1 and norms.count(words[0]) == 1:  # unambiguous in the later release
            assert words[0] not in revealed_words, ch.text
            assert locate(ch, norms, [None] * len(norms))
    assert c.ocr  # the differences are reported as OCR noise


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_pairs_are_stored_found_again_and_user_decisions_kept(backend: str, tmp_path: Path,
                                                              request: pytest.FixtureRequest) -> None:
    db = str(tmp_path / "r.db") if backend == "sqlite" else str(request.getfixturevalue("pg_url"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crest.txt").write_text(EARLIER)
    (tmp_path / "in" / "foia.txt").write_text(LATER)
    with declass.Archive(db) as a:
        a.ingest([tmp_path / "in"], workers=1)
        pairs = a.find_releases()
        assert [(p.earlier, p.later, p.status) for p in pairs] == [("crest", "foia", "proposed")]
        a.unpair_releases("foia", "crest")
        assert a.find_releases() == []  # a rejected pair is not proposed again
        assert a.releases(include_rejected=True)[0].status == "rejected"
        p = a.pair_releases("foia", "crest")
        assert (p.earlier, p.later) == ("crest", "foia")
        c = a.compare("foia", "crest")
        assert (c.earlier, c.later) == ("crest", "foia") and c.revealed
        rec = next(with_releases(a.records(), a.releases()))
        assert rec["releases"][0]["other"] in ("crest", "foia")
        stats = a.release_stats()
        assert stats.archive.pairs == 1 and stats.archive.revealed_chars > 0
        assert [(r.earlier, r.later) for r in stats.pairs] == [("crest", "foia")] and stats.pairs[0].revealed_chars > 0


def test_cli_lists_compares_and_prints_stats(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crest.txt").write_text(EARLIER)
    (tmp_path / "in" / "foia.txt").write_text(LATER)
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "--db", db, str(tmp_path / "in")]).exit_code == 0
    listed = runner.invoke(app, ["releases", "--db", db, "--json"])
    assert listed.exit_code == 0, listed.output
    assert [(p["earlier"], p["later"]) for p in json.loads(listed.output)] == [("crest", "foia")]
    shown = runner.invoke(app, ["releases", "compare", "crest", "foia", "--db", db])
    assert shown.exit_code == 0, shown.output
    assert "The Catholic hierarchy" in shown.output and "exempt pages" in shown.output
    assert "Kuomintang / Kuomingtang" in shown.output
    data = json.loads(runner.invoke(app, ["releases", "compare", "foia", "crest", "--db", db, "--json"]).output)
    assert data["comparison"]["earlier"] == "crest"
    stats = runner.invoke(app, ["releases", "--db", db, "--no-find", "--stats", "--json"])
    assert json.loads(stats.output)["archive"]["pairs"] == 1
    assert runner.invoke(app, ["releases", "unpair", "crest", "foia", "--db", db]).exit_code == 0
    assert json.loads(runner.invoke(app, ["releases", "--db", db, "--json"]).output) == []
    assert runner.invoke(app, ["releases", "pair", "crest", "nope", "--db", db]).exit_code == 2


def test_web_release_reading_and_releases_page(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from declass.web import create_app

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crest.txt").write_text(EARLIER)
    (tmp_path / "in" / "foia.txt").write_text(LATER)
    db = tmp_path / "w.db"
    with declass.Archive(db) as a:
        a.ingest([tmp_path / "in"], workers=1)
        a.find_releases()
    client = TestClient(create_app(db, cache=False))
    page = client.get("/releases")
    assert page.status_code == 200 and page.text.count("<svg") == 4 and "/doc/foia/release" in page.text
    reading = client.get("/doc/foia/release")
    assert reading.status_code == 200
    assert '<mark class="revealed" id="rev-' in reading.text and "Kuomintang / Kuomingtang" in reading.text
    assert "Next 1 Page(s) In Document Exempt" in reading.text  # the mark a revealed span fills
    assert "<script>" not in reading.text
    assert "what the later release revealed" in client.get("/doc/crest").text
    assert client.get("/doc/crest/release").status_code == 200  # from either release
    assert client.get("/doc/nope/release").status_code == 404
    assert [(p["earlier"], p["later"]) for p in client.get("/api/releases").json()["items"]] == [("crest", "foia")]
    api = client.get("/api/documents/foia/release").json()
    assert api["earlier"] == "crest" and any("Catholic" in s["text"] for s in api["revealed"])
    assert client.get("/api/releases/stats").json()["archive"]["pairs"] == 1
    assert client.get("/api/documents/nope/release").status_code == 404


def test_a_revealed_point_is_tied_to_the_25x1_marker_that_hid_it() -> None:
    earlier = ("MEMORANDUM FOR THE RECORD\n\nSUBJECT: Soviet delegation in Vienna\n\n"
               "1. The Soviet delegation arrived in Vienna on 3 May and was met by the ambassador.\n\n"
               "25X1\n\n3. The talks will continue next week at the Soviet embassy.\n")
    later = ("MEMORANDUM FOR THE RECORD\n\nSUBJECT: Soviet delegation in Vienna\n\n"
             "1. The Soviet delegation arrived in Vienna on 3 May and was met by the ambassador.\n\n"
             "2. A liaison service reported that the delegation carried new instructions from Moscow.\n\n"
             "3. The talks will continue next week at the Soviet embassy.\n")
    c = compare_records(*records(earlier, later))
    [span] = c.revealed
    assert span.text.startswith("A liaison service reported") or span.text.startswith("2. A liaison")
    assert (span.withheld_by.kind, span.withheld_by.code) == ("marker", "25X1")
    assert "liaison" in {m.category for m in span.sources_methods}
    assert c.stats.by_withheld == {"25X1": span.chars}


@given(st.text(alphabet=st.sampled_from(list("Clean Chunk #1\nText: kind=match unred_source_page=3 -original"
                                             " segment: ocr_equivalent_to_redacted_text,")), max_size=400))
@settings(max_examples=60, deadline=None)
def test_chunk_file_parser_takes_any_text(text: str) -> None:
    for c in parse_chunks(text):
        assert c.kept or c.reasons
        assert c.page is None or c.page >= 0


def test_paragraphs_printed_in_another_order_are_moved_not_revealed() -> None:
    a = ("Situation in Laos: government troops withdrew from the Plaine des Jarres road toward Vientiane.\n\n"
         "Congo: Gizenga's forces reinforced Stanleyville and the city is reported calm tonight.\n\n"
         "Jordan: King Husayn wrote to Nasir suggesting that both sides minimise their differences.\n")
    b = ("Jordan: King Husayn wrote to Nasir suggesting that both sides minimise their differences.\n\n"
         "Situation in Laos: government troops withdrew from the Plaine des Jarres road toward Vientiane.\n\n"
         "Congo: Gizenga's forces reinforced Stanleyville and the city is reported calm tonight.\n")
    c = compare_records(*records(a, b))
    assert c.revealed == () and c.removed == ()
    assert c.moved_words >= 10


def _misread(text: str, share: float, seed: int) -> str:
    """``text`` with a letter misread in ``share`` of its words and its lines rewrapped at 60."""
    import random
    import re

    rnd = random.Random(seed)
    out = []
    for w in re.split(r"(\s+)", text):
        if len(w.strip()) > 3 and rnd.random() < share:
            i = rnd.randrange(len(w))
            w = w[:i] + rnd.choice("ilrnoce1") + w[i + 1:]
        out.append(w)
    paras = re.split(r"\n\s*\n", "".join(out))
    return "\n\n".join("\n".join(re.findall(r".{1,60}(?:\s|$)", " ".join(p.split()))) for p in paras)


@needs_crest
@pytest.mark.parametrize("share", [0.02, 0.10])
def test_a_release_against_a_misread_rewrapped_copy_of_itself_reveals_almost_nothing(share: float) -> None:
    text = (CREST / "CIA-RDP79T00975A005500490001-7" / "unredacted.transcription.txt").read_text("utf-8")
    e = to_record(parse(_misread(text, share, seed=3)).evolve(id="copy"))
    c = compare_records(e, to_record(parse(text).evolve(id="original")))
    assert c.stats.withheld_share < 0.02
    assert c.stats.ocr_words >= 10


def test_evidence_read_from_redaction_records_and_omissions_withhold_nothing() -> None:
    from declass.corpus.releases.text import norms_and_marks

    record = {
        "id": "r",
        "blocks": [{"label": "1", "kind": "paragraph", "page": 1, "text": "First item.", "start": 0, "end": 11},
                   {"label": "om", "kind": "omission", "page": 1, "text": "* * * *", "start": 13, "end": 20},
                   {"label": "3", "kind": "paragraph", "page": 3, "text": "Third item.", "start": 60, "end": 71}],
        "furniture": [{"kind": "exempt_pages", "text": "Next 2 Page(s) In Document Exempt", "start": 22, "end": 55,
                       "page": 2}],
        "redactions": [{"kind": "exempt_pages", "marker": "Next 2 Page(s) In Document Exempt", "start": 22,
                        "end": 55, "page": 2, "size": {"pages": 2}},
                       {"kind": "omission", "marker": "* * * *", "start": 13, "end": 20, "page": 1}],
    }
    rt = from_record(record)
    assert [(e.kind, e.pages, e.at) for e in rt.evidence] == [("exempt_pages", 2, 2)]
    assert norms_and_marks(record) == (["first", "item", "third", "item"], 2)


def test_pair_figures_repeat_the_pair_stats_fields_and_fill_each_by_name() -> None:
    from dataclasses import fields

    from declass.corpus.releases.stats import PairFigures, PairStats

    own = [f.name for f in fields(PairStats)]
    assert [f.name for f in fields(PairFigures)] == ["earlier", "later", "date", *own]
    assert list(PairFigures.KEYS) == ["earlier", "later", "date", *own]
    # distinct values in every field: a value filled under another field's name shows
    stats = PairStats(earlier_chars=1, later_chars=2, revealed_chars=3, revealed_spans=4, removed_chars=5,
                      ocr_words=6, withheld_share=0.7, by_scope={"a": 8}, by_withheld={"b": 9},
                      by_kind={"c": 10}, year=1911)
    row = PairFigures.of("e", "l", "1911-01-01", stats).to_dict()
    assert row == {"earlier": "e", "later": "l", "date": "1911-01-01",
                   **{name: getattr(stats, name) for name in own}}
