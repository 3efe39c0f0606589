from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import declass
from declass.cli.main import app
from declass.corpus.link import signature, similarity, stance


def test_synonyms_make_the_same_judgment() -> None:
    a, sa = signature("the continuation of Sino-Soviet solidarity during the period of this estimate")
    b, sb = signature("the Sino-Soviet alliance to remain firm")
    assert similarity(a, b) == 1.0 and sa == sb == 1
    c, sc = signature("there will be significant weakening of the Sino-Soviet alliance")
    assert similarity(a, c) == 1.0 and sc == -1
    assert stance("negative", sc) == stance("positive", sb) == 1  # "no weakening" agrees with "remain firm"


def test_unrelated_claims_do_not_link() -> None:
    a, _ = signature("the Korean war is directed from joint Sino-Soviet military headquarters")
    b, _ = signature("the Sino-Soviet alliance to remain firm")
    assert similarity(a, b) < 0.5


def test_nie58_to_briefing_alliance_link_and_track(tmp_path: Path, samples: Path) -> None:
    db = tmp_path / "a.db"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "--db", str(db), "-q", str(samples)]).exit_code == 0
    res = runner.invoke(app, ["link", "find", "--db", str(db), "--json"])
    links = json.loads(res.stdout)
    pair = next(lk for lk in links if lk["a"] == "22#1" and lk["b"] == "I.D#1")
    assert pair["agree"] is True and pair["a_doc"].startswith("1952") and pair["b_doc"].startswith("1953")
    res = runner.invoke(app, ["track", "--db", str(db), "NIE-58:22#1", "--json"])
    track = json.loads(res.stdout)["trajectory"]
    assert [r["date"] for r in track] == sorted(r["date"] for r in track)
    assert {"1952-09-10", "1953-11-04"} <= {r["date"] for r in track}
    firm = next(r for r in track if r["judgment"] == "I.D#1")
    assert firm["aligned_range"] == firm["range"] == [0.63, 0.87]
    weakened = next(r for r in track if r["judgment"] == "26#2")
    assert weakened["flipped"] and weakened["aligned_range"] == [0.6, 0.8]
    # a rejected link stays rejected when links are found again
    assert runner.invoke(app, ["link", "reject", "--db", str(db), "NIE-58:22#1", "1953-11-04:I.D#1"]).exit_code == 0
    runner.invoke(app, ["link", "find", "--db", str(db)])
    with declass.Archive(db, readonly=True) as a:
        assert not any(lk.a == "22#1" and lk.b == "I.D#1" for lk in a.links())
        assert any(lk.status == "rejected" for lk in a.links(include_rejected=True))
    assert runner.invoke(app, ["track", "--db", str(db), "no such thing at all whatsoever"]).exit_code == 2


def test_lexical_method_needs_no_extra(tmp_path: Path, samples: Path) -> None:
    with declass.Archive(tmp_path / "l.db") as a:
        a.ingest([samples], workers=1)
        links = a.find_links(method="lexical")
    assert links and {lk.method for lk in links} == {"lexical+entities"}


def test_unknown_method_is_refused(sample_db: Path) -> None:
    from declass.corpus.link import candidates

    with declass.Archive(sample_db, readonly=True) as a, pytest.raises(declass.UsageError):
        candidates(list(a.records()), method="telepathy")


def test_embeddings_find_restatements_in_other_words(tmp_path: Path, samples: Path) -> None:
    """The optional extra (installed by 'make test'): NIE-58's "Moscow will try to extend
    and intensify its control over Communist China" and the briefing's "Moscow may attempt
    to intervene in Chinese internal affairs" share almost no words; the model links them."""
    from declass.corpus.link import embedder

    if embedder() is None:
        pytest.skip("the embeddings extra is not installed ('make test' installs it)")
    with declass.Archive(tmp_path / "e.db") as a:
        a.ingest([samples], workers=1)
        lexical = {(lk.a, lk.b) for lk in a.find_links(method="lexical")}
        links = a.find_links(method="embeddings")
    found = {(lk.a, lk.b): lk for lk in links}
    assert ("2#1", "VIII.D#1") not in lexical
    assert found[("2#1", "VIII.D#1")].method == "embeddings"
    assert found[("2#1", "VIII.D#1")].score >= 0.65
    assert found[("22#1", "I.D#1")].score == 1.0  # lexical matches keep their score
    assert len(found) > len(lexical)


TOKENS = st.sampled_from(["@Q148", "@Q15180", "ALLIANCE", "DURABILITY", "china", "soviet", "aid", "treaty", "trade",
                          "war", "korea", "japan", "port", "arthur", "dairen", "railway"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.frozensets(TOKENS, max_size=8), max_size=30), st.sampled_from([0.2, 0.34, 0.5, 0.75, 1.0]))
def test_token_index_misses_no_pair_that_passes(sets: list[frozenset[str]], threshold: float) -> None:
    """Prefix filtering (candidate pairs from the token index) finds every pair all-pairs would."""
    from declass.corpus.link import candidate_pairs

    found = set(candidate_pairs(sets, threshold))
    every = {(i, k) for i in range(len(sets)) for k in range(i + 1, len(sets))
             if sets[i] and sets[k] and similarity(sets[i], sets[k]) >= threshold}
    assert every <= found
    assert all(i < k for i, k in found)
