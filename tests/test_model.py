"""The typed model: spans, their export form, enums, the metadata accessor."""

from __future__ import annotations

import json
import pickle
from dataclasses import FrozenInstanceError, replace
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declass.model import (
    Block,
    BlockKind,
    Document,
    Edit,
    EditOp,
    Event,
    Judgment,
    Mention,
    MetadataField,
    Redaction,
    RedactionKind,
    ReleasePair,
    Span,
    field_text,
    field_value,
    from_dicts,
    metadata_fields,
)
from declass.text.textmap import MappedText

MENTION = {"text": "Moscow", "block": "3", "start": 120, "end": 126, "in_block": [4, 10], "method": "exact",
           "metonymy": True, "in_deleted_text": False, "as_named": "Q649", "type": "org", "canonical": "Soviet Union",
           "id": "Q15180", "wikidata": "Q15180"}
WITHHELD = {"kind": "withheld_block", "inferred_labels": ["II.E"], "marker": None, "exemption": None, "block": "II.D",
            "after": None, "before": "II.F", "start": 10, "end": 20, "page": 2,
            "evidence": [{"kind": "exemption_marker", "text": "25X1", "start": 12, "end": 16}], "confidence": 0.9,
            "reason": "exemption marker beside the gap"}
MARKER = {"kind": "marker", "marker": "[1 line not declassified]", "exemption": None, "block": "4", "position": "in",
          "start": 300, "end": 325, "page": 1, "withholding": "not_declassified", "what": "lines",
          "size": {"lines": 1}, "in_block": [40, 65]}
EVENT = {"date": "1954-09-10", "date_end": None, "precision": "day", "kind": "deadline", "phrase": "within 30 days",
         "text": "Within 30 days of signature.", "block": "Annex A / Article 2", "in_block": [0, 14], "start": 50,
         "end": 64, "sentence_start": 50, "sentence_end": 78, "page": 3, "relative_to": "the agreement's date",
         "anchor": "1950-02-14"}
EDIT = {"op": "delete", "text": "not", "start": 5, "end": 8, "marker": "~~", "page": 1, "block": "II.A"}
JUDGMENT = {"id": "24#1", "block": "24", "text": "We believe X will probably happen.", "claim": "X will happen",
            "term": "probably", "expression": "will probably", "other_expressions": ["we believe"],
            "polarity": "positive", "negated_claim": False,
            "probability": {"kent": [0.63, 0.87], "icd203": None}, "mapping": {"kent": "kent: probable"},
            "flat": False, "horizon_end": "1954-09-10",
            "horizon": {"end": "1954-09-10", "kind": "period", "phrase": "over the next two years"},
            "dissent": [{"by": "State", "text": "reservation of State", "source": "footnote", "block": "fn1"}],
            "by": None, "in_deleted_text": False, "start": 100, "end": 134, "in_block": [0, 34], "page": 4,
            "restates": ["3#1"]}

CASES = [(Mention, MENTION), (Redaction, WITHHELD), (Redaction, MARKER), (Event, EVENT), (Edit, EDIT),
         (Judgment, JUDGMENT)]


@pytest.mark.parametrize(("cls", "record"), CASES, ids=lambda x: getattr(x, "__name__", ""))
def test_export_form_round_trips_byte_for_byte(cls: type[Span], record: dict[str, object]) -> None:
    typed = cls.from_dict(record, "doc-1")
    assert typed.document == "doc-1"
    assert json.dumps(typed.to_dict()) == json.dumps(record)  # same keys, same order, same values


@pytest.mark.parametrize(("cls", "record"), CASES, ids=lambda x: getattr(x, "__name__", ""))
def test_from_row_takes_the_document_from_the_row(cls: type[Span], record: dict[str, object]) -> None:
    assert cls.from_row({**record, "doc_id": "d7", "rowid": 3}).document == "d7"
    assert cls.from_row({**record, "document": "d8"}).document == "d8"


def test_optional_keys_are_left_out_when_unset() -> None:
    m = Mention.from_dict({k: v for k, v in MENTION.items() if k != "as_named"})
    assert "as_named" not in m.to_dict() and "cluster" not in m.to_dict()
    assert m.to_dict()["wikidata"] == "Q15180"
    unknown = replace(m, wikidata=None, id=None, canonical=None, type="unknown")
    assert unknown.to_dict()["wikidata"] is None  # always written, even empty


def test_an_inferred_block_always_says_what_it_lies_between() -> None:
    r = Redaction.from_dict(WITHHELD)
    assert r.after is None and r.to_dict()["after"] is None
    marker = Redaction.from_dict(MARKER)
    assert "after" not in marker.to_dict() and "before" not in marker.to_dict()


def test_records_are_frozen_typed_and_picklable() -> None:
    j = Judgment.from_dict(JUDGMENT)
    with pytest.raises(FrozenInstanceError):
        j.term = "likely"  # type: ignore[misc]
    assert j.probability["kent"] == (0.63, 0.87) and j.probability["icd203"] is None
    assert j.horizon.kind == "period" and j.horizon_end == "1954-09-10"
    assert j.dissent[0].by == "State" and j.restates == ("3#1",)
    assert j.range_under("kent") == (0.63, 0.87)
    assert pickle.loads(pickle.dumps(j)) == j


def test_records_are_read_by_attribute_not_as_dicts() -> None:
    """A record is its fields; its export form is `to_dict` (there is no dict view to read it through)."""
    r = Redaction.from_dict(MARKER)
    assert r.kind == "marker" and r.in_block == (40, 65) and r.label is None
    assert r.to_dict() == MARKER and list(r.to_dict()) == list(MARKER)
    with pytest.raises(TypeError):
        r["kind"]  # type: ignore[index]
    with pytest.raises(TypeError):
        dict(r)  # type: ignore[call-overload]


def test_enums_are_their_strings() -> None:
    r = Redaction.from_dict(MARKER)
    assert r.kind is RedactionKind.MARKER and r.kind == "marker"
    assert json.dumps(r.to_dict()["kind"]) == '"marker"'
    assert Edit.from_dict(EDIT).op is EditOp.DELETE
    assert BlockKind("sub-paragraph") is BlockKind.SUB_PARAGRAPH
    with pytest.raises(ValueError):
        RedactionKind("gap")


def test_block_kind_is_an_enum_and_an_unknown_kind_fails_at_once() -> None:
    view = MappedText.of_source("Text.")
    b = Block(label="1", kind="paragraph", parent=None, view=view, page=1)  # type: ignore[arg-type]
    assert b.kind is BlockKind.PARAGRAPH and b.kind == "paragraph"
    assert b.evolve(kind=BlockKind.POINT).kind is BlockKind.POINT
    with pytest.raises(ValueError):
        Block(label="1", kind="paragraf", parent=None, view=view, page=1)  # type: ignore[arg-type]


def test_from_dicts_passes_typed_records_through() -> None:
    m = Mention.from_dict(MENTION, "d")
    out = from_dicts(Mention, [m, MENTION], "d")
    assert out[0] is m and out[1] == m


@pytest.mark.parametrize(("metadata", "value", "text"), [
    ({"title": {"value": "  Sino-Soviet Relations ", "block": "title", "start": 0, "end": 20}},
     "  Sino-Soviet Relations ", "Sino-Soviet Relations"),
    ({"title": None}, None, None),
    ({}, None, None),
    ({"title": {"value": "", "block": None, "start": 0, "end": 0}}, "", None),
    ({"title": {"value": ["CIA", "State"], "block": "cover", "start": 0, "end": 9}}, ["CIA", "State"], "CIA, State"),
    ({"title": "plain"}, "plain", "plain"),
    ({"title": MetadataField(block="t", start=0, end=5, value="NIE 58")}, "NIE 58", "NIE 58"),
])
def test_one_metadata_accessor(metadata: dict[str, object], value: object, text: str | None) -> None:
    assert field_value(metadata, "title") == value
    assert field_text(metadata, "title") == text


def test_metadata_field_keeps_its_details_in_order() -> None:
    raw = {"value": "1952-09-10", "block": "cover", "start": 10, "end": 27, "source": "dateline", "precision": "day"}
    f = MetadataField.from_dict(raw, "d")
    assert f.details == {"source": "dateline", "precision": "day"}
    assert json.dumps(f.to_dict()) == json.dumps(raw)
    assert f.details["precision"] == "day" and f.value == "1952-09-10" and "source" in f.details


def test_metadata_fields_types_the_span_fields_only() -> None:
    md = {"title": {"value": "T", "block": "title", "start": 0, "end": 1}, "frus": {"volume": "1955-57v02"},
          "reservations": [{"value": "r", "block": "fn1", "start": 5, "end": 9, "by": "State"}], "date": None}
    found = dict(metadata_fields(md, "d"))
    assert set(found) == {"title", "reservations"}
    assert found["reservations"].details == {"by": "State"} and found["title"].document == "d"


def test_release_pair() -> None:
    p = ReleasePair.from_row({"earlier": "a", "later": "b", "method": "text", "score": 0.93, "basis": "length",
                              "status": "proposed"})
    assert p.to_dict() == {"earlier": "a", "later": "b", "method": "text", "score": 0.93, "basis": "length",
                           "status": "proposed"}
    assert "status" not in ReleasePair("a", "b", "text", 0.9, "length").to_dict()


def test_document_fields_are_typed(nie58: Document) -> None:
    assert nie58.judgments and all(isinstance(j, Judgment) for j in nie58.judgments)
    assert all(isinstance(m, Mention) and m.document == nie58.id for m in nie58.entities)
    assert all(isinstance(e, Event) for e in nie58.events)
    assert all(isinstance(r, Redaction) and isinstance(r.kind, RedactionKind) for r in nie58.redactions)
    assert all(isinstance(b.kind, BlockKind) for b in nie58.blocks)


_text = st.text(max_size=20)
_opt = st.none() | _text


@given(st.fixed_dictionaries({
    "text": _text, "block": _opt, "start": st.integers(0, 10**6), "end": st.integers(0, 10**6),
    "in_block": st.tuples(st.integers(0, 999), st.integers(0, 999)).map(list), "method": _text,
    "metonymy": st.booleans(), "in_deleted_text": st.booleans(), "type": _text, "canonical": _opt, "id": _opt,
    "wikidata": _opt,
}, optional={"as_named": _text, "title": _text, "cluster": _text, "frus_id": _text}))
def test_any_mention_round_trips(record: dict[str, object]) -> None:
    order = Mention.KEYS
    canonical = {k: record[k] for k in order if k in record}
    assert json.dumps(Mention.from_dict(record).to_dict()) == json.dumps(canonical)


def test_document_metadata_fields_are_typed(nie58: Document) -> None:
    md = nie58.metadata
    assert isinstance(md["date"], MetadataField) and md["date"].value == "1952-09-10"
    assert all(isinstance(r, MetadataField) for r in md["reservations"]) and md["reservations"]
    assert md["reservations"][0].details["by"].startswith("Special Assistant")
    assert isinstance(md["reservation_conflicts"][0], dict)  # not a span field: left as it is


@pytest.mark.parametrize("cls", [Mention, Judgment, Event, Redaction, Edit, MetadataField, ReleasePair],
                         ids=lambda c: c.__name__)
def test_every_export_key_is_an_attribute(cls: type) -> None:
    from dataclasses import fields

    names = {f.name for f in fields(cls)}
    missing = [k for k in cls.KEYS if k not in names and not isinstance(getattr(cls, k, None), property)]
    assert not missing
    assert set(cls.OPTIONAL) <= set(cls.KEYS)


def test_every_span_knows_its_page(nie58: Document) -> None:
    """Mentions and metadata fields do not export their page, but carry it."""
    assert all(m.page == nie58.page_at(m.start) for m in nie58.entities)
    assert {m.page for m in nie58.entities} > {1}  # not a default: the sample has several pages
    assert nie58.metadata["date"].page == nie58.page_at(nie58.metadata["date"].start)
    assert "page" not in nie58.entities[0].to_dict()


def test_evolve_is_dataclasses_replace() -> None:
    """Document.evolve and Block.evolve copy fields without replace's keyword round trip:
    the same result, an unknown field still refused, a block's kind still checked."""

    from declass.model import Block, BlockKind, Document, Source

    doc = Document("d", "text", Source("p", "0" * 64, "text/plain", 4, "utf-8", False))
    assert doc.evolve(stages=("read",), warnings=("w",)) == replace(doc, stages=("read",), warnings=("w",))
    block = Block(label="1", kind=BlockKind.PARAGRAPH, parent=None, view=MappedText.of_source("text"), page=1)
    assert block.evolve(amended_text="t", deleted=True) == replace(block, amended_text="t", deleted=True)
    assert block.evolve(kind="point").kind is BlockKind.POINT
    with pytest.raises(TypeError):
        doc.evolve(nonsense=1)
    with pytest.raises(ValueError):
        block.evolve(kind="no such kind")


def test_a_record_without_its_own_keys_exports_its_fields_in_order() -> None:
    """``KEYS`` defaults to the dataclass's fields; a record that lists its own keeps them."""
    from dataclasses import dataclass, fields

    from declass.model.records import Exported
    from declass.model.redaction import Exemption
    from declass.store.rows.links import Link

    @dataclass(frozen=True, slots=True)
    class Plain(Exported):
        b: int
        a: str | None

    @dataclass(frozen=True, slots=True)
    class Listed(Exported):
        KEYS: ClassVar[tuple[str, ...]] = ("a",)
        b: int
        a: str | None

    assert Plain.KEYS == ("b", "a") and Plain(1, None).to_dict() == {"b": 1, "a": None}
    assert list(Plain(2, "x").to_dict()) == ["b", "a"]
    assert Listed(1, "y").to_dict() == {"a": "y"}
    for cls in (Exemption, Link):
        assert tuple(f.name for f in fields(cls)) == cls.KEYS
