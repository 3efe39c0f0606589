"""The FRUS TEI reader: parsing, rendering, volumes streamed, ingest, citations."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

import declass
from declass.stages.frus import parse_tei
from declass.stages.read.tei import TEI_NS, iter_documents, iter_slices, looks_like_tei, volume_label

FIXTURES = Path(__file__).parent / "fixtures" / "frus"
NIE = FIXTURES / "frus1955-57v02_d158_nie-100-4-55-offshore-islands-taiwan.xml"
WITHHELD = FIXTURES / "frus1958-60v19_d378_dci-memo-tibetan-resistance-supplies.xml"
MEMCON = FIXTURES / "frus1961-63v22_d232_memcon-kennedy-ikeda-korea.xml"
TELEGRAM = FIXTURES / "frus1949v07p2_d205_telegram-seoul-drumright-korean-arms.xml"


def volume_xml(slices: list[bytes], volume: str = "frus1955-57v02") -> bytes:
    """A volume-shaped TEI file: header, chapter divs, the document slices inside."""
    body = b"".join(b'<div type="chapter"><head>Chapter</head>' + s + b"</div>" for s in slices)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="{TEI_NS}" '
        f'xmlns:frus="http://history.state.gov/frus/ns/1.0" xml:id="{volume}"><teiHeader><fileDesc><titleStmt>'
        f'<title type="complete">Foreign Relations of the United States, 1955–1957, China, Volume II</title>'
        f"</titleStmt></fileDesc></teiHeader><text><body>"
    ).encode() + body + b"</body></text></TEI>"


@pytest.mark.parametrize("path", [NIE])
def test_estimate_renders_as_printed_with_its_markup(path: Path) -> None:
    (doc,) = list(iter_documents(path))
    assert doc.id == "frus1955-57v02-d158"
    assert doc.text.startswith("158. National Intelligence Estimate¹\n\nWashington, March 16, 1955.")
    assert doc.title == "National Intelligence Estimate" and doc.date == "1955-03-16"
    assert doc.classification == "SECRET"
    labels = [b.label for b in doc.blocks if b.kind in ("p", "item") and b.label and b.label.isdigit()]
    assert labels == [str(n) for n in range(1, 12)]
    # a footnote is printed at the foot of its page, and knows the paragraph holding its mark
    note = next(n for n in doc.notes if doc.text[n.start:n.end].startswith("Wherever Taiwan"))
    anchor = doc.blocks[note.anchor_block]
    assert doc.text[anchor.start:anchor.end].startswith("COMMUNIST CAPABILITIES")
    assert doc.text[note.anchor_start:note.anchor_end] == "²"
    # page breaks print a running head; a paragraph broken by one spans it
    assert "Foreign Relations, 1955–1957, Volume II    377" in doc.text
    people = [n for n in doc.names if n.kind == "person" and n.ref]
    assert all(doc.text[n.start:n.end] == n.text for n in doc.names)
    assert people and all(n.ref.startswith("p_") for n in people)


def test_withheld_notes_and_inline_source_note() -> None:
    (doc,) = list(iter_documents(WITHHELD))
    withheld = [m.text for m in doc.marks if m.kind == "withheld"]
    assert len(withheld) == 5 and withheld[-1] == "[1-1/2 lines of source text not declassified]"
    (tel,) = list(iter_documents(TELEGRAM))
    assert tel.source_note == "895.24/3–1549: Telegram"
    assert "SECRET" in tel.text  # small capitals are printed as capitals


def test_a_bare_slice_and_a_volume_are_both_tei() -> None:
    assert looks_like_tei(NIE.read_bytes()[:4096])
    assert looks_like_tei(volume_xml([NIE.read_bytes()])[:4096])
    assert not looks_like_tei(b"<html><body>not tei</body></html>")
    assert volume_label("frus1949v07p2") == "1949, vol. VII, pt. 2"


def test_volume_file_yields_every_document_with_its_volume(tmp_path: Path) -> None:
    vol = tmp_path / "frus1955-57v02.xml"
    vol.write_bytes(volume_xml([p.read_bytes() for p in (NIE, WITHHELD, MEMCON)]))
    docs = list(iter_documents(vol))
    assert [d.xml_id for d in docs] == ["d158", "d378", "d232"]
    assert all(d.volume == "frus1955-57v02" for d in docs)
    assert docs[0].volume_title and "Volume II" in docs[0].volume_title
    assert [s.xml_id for s in iter_slices(vol)] == ["d158", "d378", "d232"]


@pytest.mark.slow
def test_a_multi_megabyte_volume_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    one = NIE.read_bytes()
    copies = [one.replace(b'xml:id="d158" n="158"', f'xml:id="d{i}" n="{i}"'.encode()) for i in range(600)]
    vol = tmp_path / "frus1955-57v02.xml"
    vol.write_bytes(volume_xml(copies))
    assert vol.stat().st_size > 15_000_000
    tracemalloc.start()
    n = sum(1 for _ in iter_slices(vol))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n == 600
    assert peak < 8_000_000, f"peak {peak / 1e6:.1f} MB while streaming a {vol.stat().st_size / 1e6:.0f} MB volume"


def test_reader_takes_structure_and_metadata_from_the_markup() -> None:
    (doc,) = list(parse_tei(str(NIE), str(NIE)))
    md = doc.metadata
    assert md["doc_type"].value == "National Intelligence Estimate"
    assert md["date"].value == "1955-03-16" and md["classification"].value == "SECRET"
    assert md["frus"]["citation"] == "FRUS, 1955–1957, vol. II, doc. 158"
    para3 = doc.block("3")
    assert para3 is not None and para3.text.startswith("We believe that the Chinese Communists")
    note = next(b for b in doc.blocks if b.kind == "footnote" and b.text.startswith("In the context"))
    assert note.parent == "3" and note.attrs["anchor_method"] == "markup"
    assert doc.judgments, "the later stages run on TEI documents too"
    with_ids = [m for m in doc.entities if m.frus_id]
    assert with_ids and all(m.frus_id.startswith(("p_", "t_")) for m in with_ids)


def test_reader_records_every_declassification_note() -> None:
    (doc,) = list(parse_tei(str(WITHHELD), str(WITHHELD)))
    notes = [r for r in doc.redactions if "not declassified" in doc.text[r.start:r.end]]
    assert len(notes) == 5


def test_ingest_a_slice_and_a_volume_with_frus_ids(tmp_path: Path) -> None:
    vol = tmp_path / "volume" / "frus1961-63v22.xml"
    vol.parent.mkdir()
    vol.write_bytes(volume_xml([MEMCON.read_bytes(), WITHHELD.read_bytes()], "frus1961-63v22"))
    bad = tmp_path / "volume" / "broken.xml"
    bad.write_bytes(b'<div type="document" xml:id="d1"><p>unclosed')
    with declass.Archive(tmp_path / "a.db") as archive:
        report = archive.ingest([NIE, vol.parent], workers=1)
        assert report.count("added") == 3
        (failed,) = report.failed
        assert "broken.xml" in (failed.error or "") and "E110" in (failed.error or "")
        again = archive.ingest([NIE, vol.parent], workers=1)
        assert again.count("unchanged") == 3 and again.count("added") == 0
        record = archive.get("frus1961-63v22-d232")
        assert record is not None
        people = [m for m in record["entities"] if m["type"] == "person" and m.get("frus_id")]
        places = [m for m in record["entities"] if m["type"] == "place" and m.get("frus_id")]
        assert people, "persName corresp ids are kept on people"
        assert any(m["text"] == "Ikeda" for m in people)
        assert places or any(m["type"] == "place" for m in record["entities"])
        from declass.corpus.cite import citation

        block = next(b for b in record["blocks"] if b["label"] == "¶2")
        assert citation(record, block).startswith("FRUS, 1961–1963, vol. XXII, doc. 232, “Memorandum of Conversation”")
        assert citation(record, block).endswith("paragraph 2.")


def test_parse_gives_the_first_document_of_a_tei_file() -> None:
    doc = declass.parse(MEMCON)
    assert doc.id == "frus1961-63v22-d232"
    assert doc.metadata["doc_type"].value == "Memorandum of Conversation"
