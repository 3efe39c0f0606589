from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

import declass
from declass.cli.main import app
from declass.corpus.score import Scored, brier, calibration, log_score, summarise

SAMPLES = Path(declass.__file__).parent / "data" / "outcomes" / "samples.yaml"


def test_brier_and_log_by_hand() -> None:
    assert brier(0.75, 1) == pytest.approx(0.0625)
    assert brier(0.07, 0) == pytest.approx(0.0049)
    assert brier(0.25, 1) == pytest.approx(0.5625)
    assert log_score(0.75, 1) == pytest.approx(-math.log(0.75))
    assert log_score(0.25, 0) == pytest.approx(-math.log(0.75))
    assert log_score(1.0, 0) == pytest.approx(-math.log(0.01))  # clipped, never infinite
    base = ("doc", "1#1", "1", "likely", "a claim", True, "", "test", "CIA")
    items = [Scored(*base, (0.7, 0.8), 0.75, 1, 0.0625, -math.log(0.75)),
             Scored(*base, (0.05, 0.09), 0.07, 0, 0.0049, -math.log(0.93)),
             Scored(*base, (0.2, 0.3), 0.25, 1, 0.5625, -math.log(0.25))]
    s = summarise(items)
    assert s.brier == pytest.approx((0.0625 + 0.0049 + 0.5625) / 3, abs=1e-4)
    assert s.brier_0_2 == pytest.approx(2 * s.brier, abs=1e-4)
    cal = {r.band: r for r in calibration(items)}
    assert cal["0.7-0.8"].n == 1 and cal["0.7-0.8"].observed == 1.0
    assert cal["0.2-0.3"].observed == 1.0 and cal["0.0-0.1"].observed == 0.0
    assert summarise([]).to_dict() == {"n": 0, "brier": None, "brier_0_2": None, "log": None}  # nothing to average


def test_sample_outcomes_scored(sample_db: Path, tmp_path: Path) -> None:
    with declass.Archive(sample_db, readonly=True) as a:
        r = a.score(SAMPLES, by="term")
    assert r.summary.n == 13
    assert len(r.ambiguous) == 3 and r.unmatched == ()
    assert {x.judgment for x in r.no_probability} == {"VIII.A#1", "V.L#1"}
    by_id = {x.judgment: x for x in r.scored if x.document.startswith("1952")}
    force = by_id["2#3"]
    assert force.o == 0 and force.p == pytest.approx(0.07)  # almost certainly not, and it did not happen
    assert force.brier == pytest.approx(0.0049)
    mean = sum(x.brier for x in r.scored) / 13
    assert r.summary.brier == pytest.approx(mean, abs=1e-4)
    assert r.by is not None and set(r.by["term"]) == {x.term for x in r.scored}


def test_ambiguous_are_excluded_not_scored(sample_db: Path, tmp_path: Path) -> None:
    f = tmp_path / "o.yaml"
    f.write_text(
        "outcomes:\n"
        "  - {document: NIE-58, block: '2', match: 'by military force', outcome: ambiguous, source: test}\n"
        "  - {document: NIE-58, block: '2', match: 'nothing like this', outcome: true, source: test}\n"
        "  - {document: NIE-99, block: '1', outcome: true, source: test}\n"
    )
    with declass.Archive(sample_db, readonly=True) as a:
        r = a.score(f)
    assert r.summary.n == 0 and r.summary.brier is None
    assert len(r.ambiguous) == 1 and len(r.unmatched) == 2
    # an unmatched entry is written as the file gave it, with the reason
    assert {u.to_dict()["reason"] for u in r.unmatched} == {"no judgment in that block matches", "no such document"}
    assert r.unmatched[1].to_dict()["document"] == "NIE-99"


def test_scale_changes_the_score(sample_db: Path) -> None:
    with declass.Archive(sample_db, readonly=True) as a:
        kent, icd = a.score(SAMPLES), a.score(SAMPLES, scale="icd203")
    assert kent.summary.n == icd.summary.n
    assert kent.summary.brier != icd.summary.brier


def test_bad_outcomes_file(sample_db: Path, tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("outcomes:\n  - {document: NIE-58, block: '2', outcome: maybe, source: x}\n")
    res = CliRunner().invoke(app, ["score", "--db", str(sample_db), str(f)])
    assert res.exit_code == 2 and "outcome must be" in res.stderr


def test_score_cli_writes_plots(sample_db: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "cal"
    res = CliRunner().invoke(app, ["score", "--db", str(sample_db), str(SAMPLES), "--plot", str(prefix), "--json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["summary"]["n"] == 13
    png, svg = Path(f"{prefix}.png"), Path(f"{prefix}.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert "<svg" in svg.read_text()
