from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import declass
from declass.cli import app
from declass.gazetteer import Gazetteer, fold, load
from declass.model import Document

GOLD = yaml.safe_load((Path(__file__).parent / "fixtures" / "entities_gold.yaml").read_text("utf-8"))
PPO = ("person", "place", "organisation")


def gold_mentions(doc: Document, forms: dict[str, str], gaz: Gazetteer) -> set[tuple[str, int, int, str]]:
    """Every occurrence of a gold form in the blocks (longest first), with the entity it names."""
    out: set[tuple[str, int, int, str]] = set()
    by_len = sorted(forms, key=len, reverse=True)
    for b in doc.blocks:
        taken: list[tuple[int, int]] = []
        for form in by_len:
            for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", b.text):
                if any(not (m.end() <= a or m.start() >= z) for a, z in taken):
                    continue
                taken.append(m.span())
                ent = gaz.lookup(forms[form])
                assert ent is not None, forms[form]
                out.add((b.label, m.start(), m.end(), ent.id))
    return out


def predicted(doc: Document) -> set[tuple[str, int, int, str]]:
    out = set()
    for m in doc.entities:
        if m["type"] in PPO or m.get("as_named"):
            named = m.get("as_named") or m["id"]
            out.add((m["block"], m["in_block"][0], m["in_block"][1], named))
    return out


@pytest.mark.parametrize("which", ["nie58", "briefing"])
def test_precision_and_recall_against_hand_list(which: str, request: pytest.FixtureRequest) -> None:
    doc: Document = request.getfixturevalue(which)
    gaz = load()
    gold = gold_mentions(doc, GOLD[which], gaz)
    got = {p for p in predicted(doc) if gaz.entities[p[3]].type in PPO}
    # a prediction is right when it overlaps a gold mention of the same entity
    # ("the Far East" and "Far East" are the same mention)
    right = {p for p in got if any(g[0] == p[0] and g[3] == p[3] and g[1] < p[2] and p[1] < g[2] for g in gold)}
    found = {g for g in gold if any(g[0] == p[0] and g[3] == p[3] and g[1] < p[2] and p[1] < g[2] for p in got)}
    precision, recall = len(right) / len(got), len(found) / len(gold)
    print(which, f"gold {len(gold)} predicted {len(got)} precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.95, sorted(got - right)[:20]
    assert recall >= 0.95, sorted(gold - found)[:20]


def test_metonymy(nie58: Document, briefing: Document) -> None:
    docs = {"nie58": nie58, "briefing": briefing}
    for case in GOLD["metonymy"]:
        doc = docs[case["doc"]]
        at = fold(doc.text).find(fold(case["context"]))
        assert at >= 0, case
        hits = [m for m in doc.entities
                if m["text"] == case["name"] and at <= m["start"] < at + len(case["context"]) + 5]
        assert hits, case
        assert hits[0]["metonymy"] is case["government"], case
        if case["government"]:
            assert hits[0]["canonical"] in ("Soviet Union", "People's Republic of China")


@pytest.mark.parametrize(
    ("text", "name", "canonical"),
    [
        ("The Krenelin and Mao agreed.", "Krenelin", "Kremlin"),
        ("Troops left Changehun on the railway.", "Changehun", "Changchun"),
        ("Supplies reached Vladivostock by sea.", "Vladivostock", "Vladivostok"),
    ],
)
def test_ocr_damaged_names(text: str, name: str, canonical: str) -> None:
    doc = declass.parse(f"MEMORANDUM\n\n1. {text}\n")
    m = next(m for m in doc.entities if m["text"] == name)
    assert canonical in (m["canonical"] or "") or canonical in (load().entities[m.get("as_named") or m["id"]].name)


@pytest.mark.parametrize("word", ["Rallway", "Railway", "Stalinist", "Western", "Communist"])
def test_damaged_common_words_are_not_entities(word: str) -> None:
    doc = declass.parse(f"MEMORANDUM\n\n1. The {word} question was raised again.\n")
    assert not [m for m in doc.entities if m["text"] == word and m["id"]]


def test_fuzzy_needs_one_clear_winner() -> None:
    gaz = load()
    assert gaz.fuzzy("Kremlim") is not None
    assert gaz.fuzzy("Xqzvbnm") is None


def test_acronyms_match_case_exactly() -> None:
    doc = declass.parse("MEMORANDUM\n\n1. Let us give one copy to ONE and one to the NSC and the CIA.\n")
    texts = [m["text"] for m in doc.entities if m["id"]]
    assert "NSC" in texts and "CIA" in texts and "ONE" in texts
    assert "us" not in texts and "one" not in texts


def test_unknown_names_reported() -> None:
    doc = declass.parse("MEMORANDUM\n\n1. Comrade Zhdanovich met Blorvak in Qxtown yesterday.\n")
    unknown = " | ".join(m["text"] for m in doc.entities if m["type"] == "unknown")
    for name in ("Blorvak", "Qxtown"):
        assert name in unknown
    # a title makes a person of a name the gazetteer lacks: reported, unresolved
    person = next(m for m in doc.entities if m["text"] == "Zhdanovich")
    assert person["type"] == "person" and person["id"] is None and person["title"] == "Comrade"


def test_mentions_in_struck_text(briefing: Document) -> None:
    tibet = [m for m in briefing.entities if m["text"] == "Tibet"]
    assert tibet and tibet[0]["in_deleted_text"]
    assert not next(m for m in briefing.entities if m["text"] == "Inner Mongolia")["in_deleted_text"]


def test_mention_fields_and_spans(nie58: Document) -> None:
    blocks = {b.label: b for b in nie58.blocks}
    for m in nie58.entities:
        assert set(m) >= {"text", "type", "canonical", "id", "block", "start", "end", "metonymy", "in_deleted_text"}
        s, e = m["in_block"]
        assert blocks[m["block"]].text[s:e] == m["text"]
        # the source span, with the OCR repairs inside it applied, holds the same letters
        source = nie58.text[m["start"] : m["end"]]
        for c in nie58.corrections:
            if m["start"] <= c.start and c.end <= m["end"]:
                source = source.replace(c.original, c.corrected, 1)
        assert [ch for ch in source if ch.isalnum()] == [ch for ch in m["text"] if ch.isalnum()], m


def test_user_gazetteer_merges_over_builtin(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("entities:\n  - {id: dc:blorvak, type: person, name: Ivan Blorvak, variants: [Blorvak], "
                    "source: test}\n")
    gaz = load([str(mine)])
    assert gaz.lookup("Blorvak").name == "Ivan Blorvak" and gaz.lookup("Peking").name == "Beijing"
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - {id: x, type: spaceship, name: X}\n")
    with pytest.raises(declass.UsageError):
        load([str(bad)])


def test_gazetteer_data_is_sound() -> None:
    gaz = load()
    assert len(gaz) >= 400
    for e in gaz.entities.values():
        assert e.source, e.id
        if e.metonym_for:
            assert e.metonym_for in gaz.entities
        if e.wikidata:
            assert re.fullmatch(r"Q\d+", e.wikidata) and e.id == e.wikidata
        if e.lat is not None:
            assert -90 <= e.lat <= 90 and -180 <= e.lon <= 180  # type: ignore[operator]


def test_peking_and_peiping_are_one_entity(sample_db: Path) -> None:
    runner = CliRunner()
    a = json.loads(runner.invoke(app, ["entity", "--db", str(sample_db), "--json", "Peking"]).stdout)
    b = json.loads(runner.invoke(app, ["entity", "--db", str(sample_db), "--json", "Peiping"]).stdout)
    assert a["entity"]["id"] == b["entity"]["id"] and a["entity"]["name"] == "Beijing"
    assert set(a["documents"]) == {"1952-09-10-nie-58-sino-soviet-relations",
                                   "1953-11-04-nsc-briefing-sino-soviet-relations"}
    assert {"Peking", "Peiping"} <= set(a["forms_seen"])
    hits = json.loads(runner.invoke(app, ["search", "--db", str(sample_db), "--json", "--entity", "Beijing",
                                          "--limit", "200"]).stdout)
    assert {h["document"] for h in hits} == set(a["documents"])
    assert all(h["highlights"] for h in hits)


def test_entities_and_cooccurrence_cli(sample_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    rows = json.loads(runner.invoke(app, ["entities", "--db", str(sample_db), "--json", "--type", "place"]).stdout)
    assert rows and all(r["type"] == "place" for r in rows)
    out = tmp_path / "edges.csv"
    res = runner.invoke(app, ["cooccurrence", "--db", str(sample_db), "--out", str(out), "--min", "2"])
    assert res.exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "source,source_name,target,target_name,weight,documents" and len(lines) > 5
    assert all(int(line.rsplit(",", 2)[1]) >= 2 for line in lines[1:] if line.count(",") >= 5)

