"""The stage runner: order checked up front, errors name the stage, writes checked against ``assigns``."""

from __future__ import annotations

from pathlib import Path

import pytest

from declass.errors import StageError
from declass.model import Correction, Document, Source
from declass.stages.pipeline import (
    BASE_STAGES,
    DOCUMENT_FIELDS,
    Stage,
    check_order,
    run_stages,
    stages_for,
    written,
)
from declass.stages.read.reader import read_bytes

TEXT = b"""SECRET

NATIONAL INTELLIGENCE ESTIMATE

THE PROBLEM

To estimate Soviet intentions.

CONCLUSIONS

1. We believe that the USSR will probably not attack Moscow's allies in 1953.

2. It is unlikely that Peiping will break with Moscow before 1955.
"""


def _doc() -> Document:
    return read_bytes(TEXT, name="estimate.txt")


def _noop(doc: Document) -> Document:
    return doc.evolve(stages=(*doc.stages, "noop"))


@pytest.mark.parametrize("check", [True, False])
def test_full_pipeline_runs_with_the_check(check: bool) -> None:
    doc = run_stages(_doc(), check=check)
    assert doc.stages[-1] == "events"
    assert doc.judgments and doc.entities


def test_every_stage_declares_what_it_writes() -> None:
    """Each stage of the real pipeline, run alone, writes only the fields it declares."""
    doc = _doc()
    for st in stages_for():
        after = st.run(doc)
        undeclared = set(written(doc, after)) - set(st.assigns) - {"stages"}
        assert not undeclared, f"{st.name} writes {undeclared}"
        doc = after


@pytest.mark.parametrize("field", ["metadata", "corrections", "warnings"])
def test_an_undeclared_write_fails_naming_the_stage_and_field(field: str) -> None:
    value = {"metadata": {"title": None}, "corrections": (Correction("Moscou", "Moscow", 0, 6, "confusion"),),
             "warnings": ("x",)}[field]

    def sneaky(doc: Document) -> Document:
        return doc.evolve(stages=(*doc.stages, "sneaky"), **{field: value})

    stage = Stage("sneaky", sneaky, ("read",), ("entities",))
    with pytest.raises(StageError) as caught:
        run_stages(_doc(), [stage], check=True)
    assert caught.value.code == "E205"
    assert "sneaky" in str(caught.value) and field in str(caught.value)
    # unchecked (production), the same stage runs
    assert getattr(run_stages(_doc(), [stage], check=False), field) == value


def test_a_declared_write_passes_and_bookkeeping_is_free() -> None:
    def tidy(doc: Document) -> Document:
        return doc.evolve(warnings=("w",), stages=(*doc.stages, "tidy"))

    doc = run_stages(_doc(), [Stage("tidy", tidy, ("read",), ("warnings",))], check=True)
    assert doc.warnings == ("w",) and doc.stages[-1] == "tidy"


def test_checking_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    def sneaky(doc: Document) -> Document:
        return doc.evolve(warnings=("x",))

    stage = Stage("sneaky", sneaky, ("read",), ())
    monkeypatch.setenv("DECLASS_CHECK_STAGES", "0")
    assert run_stages(_doc(), [stage]).warnings == ("x",)
    monkeypatch.setenv("DECLASS_CHECK_STAGES", "1")
    with pytest.raises(StageError, match="E205"):
        run_stages(_doc(), [stage])


def test_declaring_an_unknown_field_fails_at_definition() -> None:
    with pytest.raises(StageError) as caught:
        Stage("typo", _noop, ("read",), ("judgements",))
    assert caught.value.code == "E206" and "judgements" in str(caught.value)


def test_assigns_name_real_fields() -> None:
    for st in stages_for():
        assert set(st.assigns) <= DOCUMENT_FIELDS, st.name


def test_order_is_checked_before_anything_runs() -> None:
    ran: list[str] = []

    def first(doc: Document) -> Document:
        ran.append("first")
        return doc

    stages = [Stage("first", first, ("read",), ()), Stage("late", _noop, ("structure",), ())]
    with pytest.raises(StageError) as caught:
        run_stages(_doc(), stages)
    assert caught.value.code == "E202" and "late needs structure" in str(caught.value)
    assert ran == []


@pytest.mark.parametrize("names", [("clean", "structure"), ("clean", "markup", "structure", "amend")])
def test_check_order_accepts_a_valid_prefix(names: tuple[str, ...]) -> None:
    by_name = {s.name: s for s in BASE_STAGES}
    check_order([by_name[n] for n in names])


def test_stages_already_run_count_as_done() -> None:
    by_name = {s.name: s for s in BASE_STAGES}
    doc = run_stages(_doc(), [by_name["clean"]])
    with pytest.raises(StageError, match="E202"):
        check_order([by_name["structure"]])
    check_order([by_name["structure"]], doc.stages)
    assert run_stages(doc, [by_name["structure"]]).blocks


def test_a_stage_bug_names_the_stage_and_the_document() -> None:
    def broken(doc: Document) -> Document:
        raise KeyError("period_end")

    with pytest.raises(StageError) as caught:
        run_stages(_doc(), [Stage("broken", broken, ("read",), ())])
    assert caught.value.code == "E201"
    assert "stage broken: KeyError" in str(caught.value) and "estimate.txt" in str(caught.value)


def test_a_stage_returning_something_else_fails() -> None:
    def wrong(doc: Document) -> Document:
        return None  # type: ignore[return-value]

    with pytest.raises(StageError, match="E207"):
        run_stages(_doc(), [Stage("wrong", wrong, ("read",), ())])


def test_an_empty_document_runs_through() -> None:
    doc = Document(id="empty", text="", source=Source(path=str(Path("empty.txt")), sha256="0"), stages=("read",))
    out = run_stages(doc, check=True)
    assert out.blocks == () and out.judgments == ()


def test_the_frus_pipeline_declares_what_it_writes() -> None:
    """The TEI reader's own stages (markup metadata, notes, names) run checked too."""
    from declass.stages import frus
    from declass.stages.read.tei import iter_documents

    path = Path(__file__).parent / "fixtures" / "frus" / "frus1958-60v19_d378_dci-memo-tibetan-resistance-supplies.xml"
    tei = next(iter_documents(str(path), name=str(path)))
    doc = run_stages(frus.document(tei, str(path)), frus.stages(tei), check=True)
    assert doc.redactions and doc.entities and doc.metadata["frus"]["volume"]
    assert all(s in DOCUMENT_FIELDS for st in frus.stages(tei) for s in st.assigns)
