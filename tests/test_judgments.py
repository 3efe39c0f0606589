from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import declass
from declass.model import Document, Judgment
from declass.stages.judgments.judgments import (
    _BE_BEFORE,
    _IS_BEFORE,
    ADJECTIVAL,
    _before,
    hedges,
    positive,
)
from declass.stages.judgments.scales import BUILTIN, derive_survey, load_scale, probability
from declass.text.sentences import sentences

GOLD = yaml.safe_load((Path(__file__).parent / "fixtures" / "judgments_gold.yaml").read_text("utf-8"))


def match(doc: Document, gold: list[dict[str, Any]]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Pair gold items with found judgments (same block, gold snippet in the judgment's sentence)."""
    found = list(doc.judgments)
    pairs: list[tuple[dict, Judgment]] = []
    missed: list[dict] = []
    for g in gold:
        hit = next((j for j in found if j.block == g["block"] and g["snippet"] in j.text), None)
        if hit is None:
            missed.append(g)
        else:
            pairs.append((g, hit))
            found.remove(hit)
    return pairs, missed, found


def horizon_kind(j: Judgment) -> str:
    return j.horizon.kind if j.horizon.kind != "explicit" else "period"


def scores(doc: Document, gold: list[dict[str, Any]]) -> dict[str, float]:
    pairs, missed, extra = match(doc, gold)
    n = len(pairs)
    return {
        "precision": n / (n + len(extra)),
        "recall": n / (n + len(missed)),
        "term": sum(g["term"] == j.term for g, j in pairs) / n,
        "polarity": sum(g["polarity"] == j.polarity for g, j in pairs) / n,
        "horizon": sum(g["horizon"] == horizon_kind(j) for g, j in pairs) / n,
    }


@pytest.mark.parametrize("which", ["nie58", "briefing"])
def test_detection_and_accuracy_against_hand_labels(which: str, request: pytest.FixtureRequest) -> None:
    doc: Document = request.getfixturevalue(which)
    got = scores(doc, GOLD[which])
    print(which, {k: round(v, 3) for k, v in got.items()})
    for key, value in got.items():
        assert value >= 0.9, (key, value, match(doc, GOLD[which])[1:])


def test_conclusion_2_three_judgments(nie58: Document) -> None:
    js = [j for j in nie58.judgments if j.block == "2"]
    assert [(j.term, j.polarity) for j in js] == [
        ("we believe", "positive"), ("unlikely", "negative"), ("almost certain", "negative")]
    assert all(j.horizon_end == "1954-09-10" for j in js)
    assert js[0].claim == "Moscow will try to extend and intensify its control over Communist China"
    assert js[2].claim == "the Kremlin will attempt to achieve such control by military force"
    _, hi = js[2].probability["kent"]
    assert hi <= 0.13  # almost certainly not
    assert js[1].probability["kent"] == (0.2, 0.3)  # Kent: unlikely, about one in four


def test_reservation_is_a_dissent_on_5_and_26(nie58: Document) -> None:
    dissented = {j.block for j in nie58.judgments if j.dissent}
    assert dissented == {"5", "26"}
    for j in nie58.judgments:
        for d in j.dissent:
            assert d.by == "Special Assistant, Intelligence, Department of State"


def test_conclusions_restate_discussion(nie58: Document) -> None:
    by_id = {j.id: j for j in nie58.judgments}
    two = [j for j in nie58.judgments if j.block == "2"]
    for j in two:
        assert any(by_id[r].block == "24" for r in j.restates)


def test_struck_judgment_is_reported_as_such(briefing: Document) -> None:
    (j,) = [j for j in briefing.judgments if j.block == "V.G"]
    assert j.in_deleted_text and j.term == "we doubt"


def test_scale_changes_ranges_and_nothing_else(nie58: Document) -> None:
    for j in nie58.judgments:
        assert set(j.probability) == set(BUILTIN)
    j = next(j for j in nie58.judgments if j.term == "probable")
    assert j.probability["kent"] != j.probability["icd203"]


@pytest.mark.parametrize(
    ("sentence", "term", "polarity", "claim"),
    [
        ("We estimate that the regime will probably survive through 1955.", "probable", "positive",
         "the regime will survive through 1955"),
        ("It is highly unlikely that Moscow will invade.", "almost certainly not", "negative", "Moscow will invade"),
        ("We do not think that Peiping would accept such terms.", "we doubt", "negative",
         "Peiping would accept such terms"),
        ("The Soviets will almost certainly not withdraw from Port Arthur.", "almost certainly not", "negative",
         "The Soviets will withdraw from Port Arthur"),
        ("There is a roughly even chance that talks resume.", "even", "positive", "talks resume"),
        ("Chinese intervention is possible.", "may", "positive", "Chinese intervention is possible"),
        ("We judge that the alliance is likely to endure.", "probable", "positive", "the alliance will endure"),
    ],
)
def test_other_phrasings(sentence: str, term: str, polarity: str, claim: str) -> None:
    doc = declass.parse(f"MEMORANDUM\n\n1. {sentence}\n")
    (j,) = doc.judgments
    assert (j.term, j.polarity) == (term, polarity)
    assert j.claim == claim


@pytest.mark.parametrize(
    "sentence",
    ["The Korean war greatly increased Communist China's economic dependence on the USSR.",
     "Soviet advisors are attached to certain economic and security organs.",
     "Peiping has insisted that the Party will continue to be modeled on the Soviet Party."],
)
def test_statements_of_fact_are_not_judgments(sentence: str) -> None:
    assert declass.parse(f"MEMORANDUM\n\n1. {sentence}\n").judgments == ()


def test_sentences_respect_abbreviations() -> None:
    text = "The U.S. Embassy reported. Sov. learned lesson. A second sentence."
    assert [text[s:e] for s, e in sentences(text)] == ["The U.S. Embassy reported.",
                                                       "Sov. learned lesson.", "A second sentence."]


def test_negation_inside_condition_is_not_the_claims() -> None:
    assert positive("if they do not, a clash is certain") == ("if they do not, a clash is certain", False)
    assert positive("the Kremlin will not attempt it") == ("the Kremlin will attempt it", True)


def test_adjectival_uses_are_not_hedges() -> None:
    assert hedges("the possible effect of Western actions") == []
    assert hedges("the probable courses of these relations") == []


def test_unmapped_terms_never_get_a_silent_guess() -> None:
    band, why = probability("may", "might", load_scale("kent"))
    assert band is None and why.startswith("unmapped")


def test_survey_scale_is_derived_from_the_shipped_csv() -> None:
    from importlib import resources

    csv_text = resources.files("declass.data").joinpath("scales", "probly.csv").read_text("utf-8")
    shipped = load_scale("survey")
    derived = derive_survey(csv_text)
    assert [(b.name, [b.low, b.high]) for b in shipped.bands] == [(b["band"], b["range"]) for b in derived["bands"]]
    unlikely = next(b for b in shipped.bands if b.name == "unlikely")
    assert (unlikely.low, unlikely.high, unlikely.point) == (0.10, 0.2875, 0.2)


def test_user_scale_file(tmp_path: Path) -> None:
    p = tmp_path / "mine.yaml"
    p.write_text("name: mine\nbands:\n  - band: likely\n    range: [0.6, 0.7]\n    terms: [likely, probable]\n")
    band, _ = probability("probable", "probably", load_scale(str(p)))
    assert band is not None and (band.low, band.high) == (0.6, 0.7)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nbands:\n  - band: x\n    range: [0.9, 0.1]\n")
    with pytest.raises(declass.UsageError):
        load_scale(str(bad))


def test_cli_judgments(sample_db: Path) -> None:
    import csv
    import io
    import json

    from typer.testing import CliRunner

    from declass.cli.main import app

    runner = CliRunner()
    res = runner.invoke(app, ["judgments", "--db", str(sample_db), "NIE-58", "--json", "--limit", "1000"])
    rows = json.loads(res.stdout)
    assert res.exit_code == 0 and len(rows) == len(GOLD["nie58"])
    first = runner.invoke(app, ["judgments", "--db", str(sample_db), "NIE-58", "--json"])
    assert len(json.loads(first.stdout)) == min(50, len(GOLD["nie58"]))  # a page at a time by default
    blocks = [r["block"] for r in rows]
    assert blocks.index("2") < blocks.index("24")
    res = runner.invoke(app, ["judgments", "--db", str(sample_db), "--scale", "icd203", "--max", "0.2", "--csv"])
    got = list(csv.DictReader(io.StringIO(res.stdout)))
    assert res.exit_code == 0 and got and all(float(r["high"]) <= 0.2 for r in got)
    kent = runner.invoke(app, ["judgments", "--db", str(sample_db), "--json"])
    icd = runner.invoke(app, ["judgments", "--db", str(sample_db), "--json", "--scale", "icd203"])
    strip = [{k: v for k, v in r.items() if k not in ("range", "scale")} for r in json.loads(kent.stdout)]
    assert strip == [{k: v for k, v in r.items() if k not in ("range", "scale")} for r in json.loads(icd.stdout)]
    assert runner.invoke(app, ["judgments", "--db", str(sample_db), "--scale", "nonsense"]).exit_code == 2


def test_restatement_index_proposes_every_pair_all_pairs_would(nie58: declass.Document,
                                                               briefing: declass.Document) -> None:
    """The word index behind link_restatements misses no pair the all-pairs comparison finds,
    on the samples' claims and on restatements of them (words dropped, added, reordered,
    capitalised, punctuated), and proposes far fewer pairs than all of them."""
    import random

    from rapidfuzz import fuzz

    from declass.stages.judgments.judgments import restatement_candidates

    items = [(j["term"], j["claim"]) for d in (nie58, briefing) for j in declass.to_record(d)["judgments"]]
    rng = random.Random(7)
    for term, claim in list(items):
        w = claim.split()
        how = rng.randrange(5)
        if how == 0 and len(w) > 4:
            w.pop(rng.randrange(len(w)))
        elif how == 1:
            w.insert(rng.randrange(len(w) + 1), rng.choice(["however", "still", "Moscow"]))
        elif how == 2:
            rng.shuffle(w)
        elif how == 3:
            w = [x.upper() if rng.random() < 0.3 else x for x in w]
        else:
            w = [x + "," if rng.random() < 0.2 else x for x in w]
        items.append((term, " ".join(w)))
    every = {(i, k) for i in range(len(items)) for k in range(i + 1, len(items))
             if items[i][0] == items[k][0] and fuzz.token_set_ratio(items[i][1], items[k][1]) >= 85}
    found = set(restatement_candidates(items))
    assert every and every <= found
    assert len(found) < len(items) ** 2 / 8


_WORDS = st.sampled_from(["the", "a", "an", "is", "it is", "it was", "seems", "appears", "lathe", "this", "Their",
                          "be", "", " ", "  ", "\n", "x", "-", "theses", "thé", "IS"])


@pytest.mark.parametrize("rx, reach", [(ADJECTIVAL, 5), (_BE_BEFORE, 7), (_IS_BEFORE, 6)])
@given(parts=st.lists(_WORDS, max_size=12), back=st.integers(min_value=0, max_value=3))
def test_before_reads_as_the_whole_prefix(rx, reach, parts, back):
    """Regression: hedges read the text before each hedge from the sentence's start (quadratic
    in a long sentence of hedges); the bounded look-back must answer exactly as the full prefix."""
    text = " ".join(parts) + " possible"
    end = max(len(text) - len("possible") - back, 0)  # at the hedge, or a little before it
    assert _before(rx, text, end, reach) == (rx.search(text[:end]) is not None)
