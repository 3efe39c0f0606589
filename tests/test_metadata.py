from __future__ import annotations

from typing import Any

import pytest

import declass
from declass.archive.export import to_record
from declass.corpus.cite import citation
from declass.model import Document, MetadataField


def value(doc: Document, key: str) -> Any:
    field = doc.metadata[key]
    return field.value if isinstance(field, MetadataField) else field


NIE58 = {
    "doc_type": "National Intelligence Estimate",
    "doc_number": "NIE-58",
    "title": "Relations Between the Chinese Communist Regime and the USSR: Their Present Character and "
             "Probable Future Courses",
    "date": "1952-09-10",
    "classification": "SECRET",
    "archive_id": None,
    "released": "2004-05",
    "agencies": ["Central Intelligence Agency", "Department of State", "Department of the Army",
                 "Department of the Navy", "Department of the Air Force", "Joint Staff"],
    "concurred": "1952-09-04",
    "period_end": "1954-09-10",
}
BRIEFING = {
    "doc_type": "NSC Briefing",
    "title": "Sino-Soviet Relations",
    "date": "1953-11-04",
    "archive_id": "CIA-RDP80R01443R000200010007-3",
    "released": "2003-08-08",
}


@pytest.mark.parametrize(("key", "expected"), NIE58.items())
def test_nie58_metadata(nie58: Document, key: str, expected: Any) -> None:
    assert value(nie58, key) == expected


@pytest.mark.parametrize(("key", "expected"), BRIEFING.items())
def test_briefing_metadata(briefing: Document, key: str, expected: Any) -> None:
    assert value(briefing, key) == expected


@pytest.mark.parametrize("which", ["nie58", "briefing"])
def test_every_field_cites_its_source(which: str, request: pytest.FixtureRequest) -> None:
    doc: Document = request.getfixturevalue(which)
    for key, field in doc.metadata.items():
        fields = field if isinstance(field, list) else [field]
        for f in fields:
            if not isinstance(f, MetadataField):
                continue
            assert 0 <= f.start < f.end <= len(doc.text), key
            if f.block:
                assert doc.block(f.block) is not None


def test_field_spans_hold_what_was_read(nie58: Document, briefing: Document) -> None:
    md = nie58.metadata
    assert nie58.text[md["date"].start : md["date"].end] == "10 September 1952"
    assert nie58.text[md["concurred"].start : md["concurred"].end] == "4 September 1952"
    assert nie58.text[md["period_end"].start : md["period_end"].end] == "over the next two years"
    assert nie58.text[md["released"].start : md["released"].end] == "MAY 2004"
    a = briefing.metadata["archive_id"]
    assert briefing.text[a.start : a.end] == "CIA-RDP80R01443R000200010007-3"
    for m in md["agencies"].details["mentions"]:
        assert nie58.text[m["start"] : m["end"]] == m["text"]


def test_nie58_reservation_read_from_cover_and_notes_and_conflict_flagged(nie58: Document) -> None:
    res = nie58.metadata["reservations"]
    cover = [r for r in res if r.details["source"] == "cover"]
    notes = [r for r in res if r.details["source"] == "footnote"]
    assert [r.details["paragraphs"] for r in cover] == [["5", "36"]]
    assert sorted(p for r in notes for p in r.details["paragraphs"]) == ["26", "5"]
    assert {r.details["by"] for r in res} == {"Special Assistant, Intelligence, Department of State"}
    assert cover[0].details["missing"] == ["36"]
    (conflict,) = nie58.metadata["reservation_conflicts"]
    assert conflict["cover"] == ["5", "36"] and conflict["footnotes"] == ["5", "26"]
    assert any("36 does not exist" in w for w in nie58.warnings)


def test_self_referencing_supersession_is_not_believed(nie58: Document) -> None:
    sup = nie58.metadata["superseded_by"]
    assert sup.value is None and "own number" in sup.details["note"]
    assert sup.details["printed"] == "Supersided by"


def test_document_date_distinct_from_release(briefing: Document) -> None:
    assert value(briefing, "date") != value(briefing, "released")


def test_citations(nie58: Document, briefing: Document) -> None:
    rec = to_record(nie58)
    block = next(b for b in rec["blocks"] if b["label"] == "23.b")
    assert citation(rec, block) == (
        "National Intelligence Estimate NIE-58, \u201cRelations Between the Chinese Communist Regime and the USSR: "
        "Their Present Character and Probable Future Courses\u201d, 10 September 1952, paragraph 23.b. "
        "Released May 2004."
    )
    rec = to_record(briefing)
    block = next(b for b in rec["blocks"] if b["label"] == "V.F")
    assert citation(rec, block) == (
        "NSC Briefing, \u201cSino-Soviet Relations\u201d, 4 November 1953, point V.F. "
        "CIA-RDP80R01443R000200010007-3, released 8 August 2003."
    )


MEMO = """\
SECRET

MEMORANDUM FOR: Director of Central Intelligence

FROM: Assistant Director, National Estimates

SUBJECT: Soviet Reactions to a Formosa Defense Treaty

DATE: 14 March 1954

1. The Kremlin would probably regard such a treaty as a further step in the
encirclement of the Bloc.

2. We believe the USSR would not take military action:

a. Its commitments in Europe come first;

b. Peiping's own forces are sufficient for a local war.

3. We do not believe the treaty would change Peiping's course over the next
six months.

SECRET
"""

FRUS = """\
123. Memorandum From the Secretary of State (Dulles) to President Eisenhower\u00b9

Washington, March 3, 1953.

SUBJECT

Sino-Soviet Relations After Stalin

The death of Stalin may affect relations between Moscow and Peiping.\u00b2 We have no evidence yet of any change.

Our Embassy in Moscow reports that Chou En-lai attended the funeral.

\u00b9 Source: Department of State, Central Files, 661.93/3-353. Secret.

\u00b2 See Document 120.
"""

OUTLINE = """\
THE OUTLOOK FOR COMMUNIST CHINA

I. Political situation

A. The regime is firmly in control.

1. No organized opposition exists.

2. The party apparatus is loyal:

a. Purges have removed dissidents;

b. Cadres are well trained.

B. Popular support is limited.

II. Economic situation

A. Industrial growth depends on Soviet aid.

1. Credits are small.

2. Technicians are many.
"""


def test_memorandum_layout() -> None:
    doc = declass.parse(MEMO)
    labels = [b.label for b in doc.blocks if b.kind in ("paragraph", "sub-paragraph")]
    assert labels == ["1", "2", "2.a", "2.b", "3"]
    headers = {b.label for b in doc.blocks if b.kind == "header"}
    assert {"header.memorandum for", "header.from", "header.subject", "header.date"} <= headers
    assert value(doc, "doc_type") == "Memorandum"
    assert value(doc, "title") == "Soviet Reactions to a Formosa Defense Treaty"
    assert value(doc, "date") == "1954-03-14"
    assert value(doc, "classification") == "SECRET"
    assert value(doc, "period_end") == "1954-09-14"
    assert doc.block("1").text.endswith("encirclement of the Bloc.")


def test_frus_layout_with_source_note_and_footnotes() -> None:
    doc = declass.parse(FRUS)
    notes = [b for b in doc.blocks if b.kind == "footnote"]
    assert len(notes) == 2
    assert notes[0].text.startswith("Source: Department of State, Central Files")
    assert value(doc, "doc_type") == "Memorandum"
    assert value(doc, "doc_number") == "Document 123"
    assert value(doc, "date") == "1953-03-03"
    assert value(doc, "title").startswith("Memorandum From the Secretary of State (Dulles) to President Eisenhower")
    paras = [b for b in doc.blocks if b.kind == "paragraph"]
    assert len(paras) == 2 and paras[0].text.startswith("The death of Stalin")
    assert notes[1].parent == paras[0].label and notes[1].attrs["anchor_method"] == "mark"
    # the source note annotates the whole document, from the mark on its heading
    assert notes[0].parent is not None and notes[0].parent.startswith("123. Memorandum")
    assert notes[0].attrs["anchor_method"] == "source_note"
    assert value(doc, "subject") == "Sino-Soviet Relations After Stalin"


def test_three_level_outline() -> None:
    doc = declass.parse(OUTLINE)
    assert value(doc, "title") == "The Outlook for Communist China"
    got = [(b.label, b.kind, b.parent) for b in doc.blocks if b.kind in ("section", "point", "sub-paragraph")]
    assert got == [
        ("I", "section", None),
        ("I.A", "point", "I"),
        ("I.A.1", "point", "I.A"),
        ("I.A.2", "point", "I.A"),
        ("I.A.2.a", "sub-paragraph", "I.A.2"),
        ("I.A.2.b", "sub-paragraph", "I.A.2"),
        ("I.B", "point", "I"),
        ("II", "section", None),
        ("II.A", "point", "II"),
        ("II.A.1", "point", "II.A"),
        ("II.A.2", "point", "II.A"),
    ]


@pytest.mark.parametrize(("text", "doc_type"), [
    ("65, Telegram From the Ambassador in the Soviet Union (Bohlen) to the Department of State\n\n"
     "Moscow, January 31, 1955.\n\nMolotov received the British Ambassador this morning and handed him a memo.\n",
     "Telegram"),
    ("CORRENT INTELLIGENCE BULLETIN\n\n15 April 1951\n\n1. Italy excluded from the talks on aid to Yugoslavia.\n",
     "Current Intelligence Bulletin"),
    ("158. Natlonal Intelligence Estimatel\n\nWashington, March 16, 1955.\n\n"
     "1. The Chinese Communist regime appears firmly committed to the seizure of the islands.\n",
     "National Intelligence Estimate"),
    ("55. Memorandum for the Recordl\n\nWashington, October 5, 1964.\n\n"
     "1. The flights were discussed at length with everyone present in the room.\n", "Memorandum for the Record"),
])
def test_document_type_read_through_ocr_damage(text: str, doc_type: str) -> None:
    doc = declass.parse(text)
    assert value(doc, "doc_type") == doc_type


def test_a_damaged_word_after_a_number_is_no_heading_past_the_first_line() -> None:
    doc = declass.parse("SECRET\n\n1. Nations of the bloc will follow the lead of Moscow in this matter.\n\n"
                        "12. Natlonal forces are weak and will remain so for the period of this estimate.\n")
    assert [b.label for b in doc.blocks if b.kind == "paragraph"] == ["1", "12"]


@pytest.mark.parametrize(("text", "iso"), [
    ("MEMORANDUM FOR THE RECORD\n\nWashington, Novembr 4, 1953.\n\nSUBJECT: Meeting of June 22, 1953\n\n"
     "1. The group met on June 22, 1953 to discuss the estimate.\n", "1953-11-04"),
    ("MEMORANDUM FOR THE RECORD\n\nWashington, April 36, 1954.\n\n1. The group met on 2 March 1954.\n",
     "1954-04-30"),
])
def test_a_damaged_dateline_is_the_date_before_a_later_one(text: str, iso: str) -> None:
    doc = declass.parse(text)
    assert value(doc, "date") == iso
    assert doc.metadata["date"].details["damaged"]


def test_a_fuller_type_name_through_damage_beats_the_shorter_one_it_holds() -> None:
    doc = declass.parse("12. Memorandum fo the Record\n\nWashington, May 3, 1962.\n\n1. The meeting opened at ten.\n")
    assert value(doc, "doc_type") == "Memorandum for the Record"


def test_a_speck_above_a_frus_heading_leaves_it_the_title() -> None:
    doc = declass.parse(":\n\n12. Telegram From the Embassy in Italy to the Department of State\n\n"
                        "Rome, May 3, 1962, 4 p.m.\n\n1. The Minister called this morning.\n")
    assert value(doc, "title") == "Telegram From the Embassy in Italy to the Department of State"


def test_a_file_number_line_ocr_spaced_is_no_title() -> None:
    doc = declass.parse("711 .61/4-1250: Telegram :\n\nThe Ambassador in France (Bruce) to the Secretary of State\n\n"
                        "PARIS, April 12, 1950—6 p. m.\n\n1520. The Foreign Minister told me today of the talks.\n")
    assert value(doc, "title").startswith("The Ambassador in ")


def test_a_damaged_dateline_run_into_the_heading_is_read_on_its_own_line() -> None:
    doc = declass.parse("59. Memorandum From the Director of Central Intelligence to the Secretary of State\n"
                        "Washington, Aprll 12,.1956.\nSUBJECT\nThe situation in the area\n\n1. The first point.\n")
    assert value(doc, "date") == "1956-04-12"
    assert doc.text[doc.metadata["date"].start:doc.metadata["date"].end].startswith("Aprll 12")


def test_page_headers_outweigh_one_damaged_dateline() -> None:
    pages = ["2@ February 1962\n\nCENTRAL INTELLIGENCE BULLETIN\n\n1. The Congo situation is worse.\n"] + [
        f"28 Feb 61     Current Intelligence Bulletin     Page {n}\n\n{n}. More on the situation.\n" for n in (2, 3)]
    doc = declass.parse("\n\f\n".join(pages))
    assert value(doc, "date") == "1961-02-28"


def test_specks_above_the_cover_are_no_title() -> None:
    doc = declass.parse("eS (\n\nSOVIET AIMS IN THE FAR EAST\n\n4 May 1955\n\n1. The first point of the estimate.\n")
    assert value(doc, "title") == "Soviet Aims in the Far East"


def test_page_headers_a_scan_damaged_differently_outweigh_nothing() -> None:
    pages = ["1@ October 1956\n\nCURRENT INTELLIGENCE BULLETIN\n\n1. The army arrested ten officers.\n"] + [
        f"{day} Oct 56     Current Intelligence Bulletin     Page {n}\n\n{n}. More on the arrests.\n"
        for n, day in ((2, "16"), (3, "49"))]
    doc = declass.parse("\n\f\n".join(pages))
    assert value(doc, "date") == "1956-10-10"


@pytest.mark.parametrize(("text", "title"), [
    ("159. Memorandum From the Director of Central Intelligence (Dulles) to\nthe Secretary of State (Dulles)1\n"
     "Washington, March 16,.1955.\nSUBJECT\nChinese Nationalist Vulnerability\n\n1. There is reason to believe.\n",
     "Memorandum From the Director of Central Intelligence (Dulles) to the Secretary of State (Dulles)"),
    ("63. Menorandun of a Conversation, Washington, January 30, 1955,\n6:30 p.m.4\n\n"
     "\u2018washington, January 30, 1955, 6:30 p-m..\n\nPARTICIPANTS\nThe President\n\n"
     "Mr. Hoover opened by explaining to the President that he wished to review the understandings.\n",
     "Menorandun of a Conversation, Washington, January 30, 1955, 6:30 p.m."),
    # a heading naming its own date on its second line keeps it: no mark ends the first line
    ("63. Memorandum of a Conversation, Department of State,\nWashington, January 30, 1955\n\n"
     "Mr. Hoover opened by explaining to the President that he wished to review the understandings.\n",
     "Memorandum of a Conversation, Department of State, Washington, January 30, 1955"),
])
def test_a_frus_heading_ends_before_a_dateline_ocr_ran_into_it(text: str, title: str) -> None:
    assert value(declass.parse(text), "title") == title


@pytest.mark.parametrize(("heading", "doc_type"), [
    ("232 Memorard.in of Conversationl", "Memorandum of Conversation"),
    ("63. Menorandun of a Conversation, Washington, January 30, 1955", "Memorandum of Conversation"),
    ("12. Telegrarn From the Embassy in Italy to the Department of State", "Telegram"),
])
def test_a_frus_headings_kind_is_read_through_ocr_damage(heading: str, doc_type: str) -> None:
    doc = declass.parse(f"{heading}\n\nWashington, June 20, 1961.\n\nSUBJECT\n\nKorea\n\n"
                        "The President said that he was glad to see the Prime Minister here for a report.\n")
    assert value(doc, "doc_type") == doc_type


def test_a_heading_that_is_only_a_kinds_name_is_titled_by_the_name() -> None:
    doc = declass.parse("232 Memorard.in of Conversationl\n\nWashington, June 20, 1961.\n\n"
                        "The President said that he was glad to see the Prime Minister here today.\n")
    assert value(doc, "title") == "Memorandum of Conversation"
    assert doc.metadata["title"].details["printed"] == "Memorard.in of Conversationl"
    damaged = declass.parse("33. Memo andum From Robert H. Johnson of the NSC Staff to Mr. Rostow1\n\n"
                            "Washington, June 28, 1961.\n\n1. The meeting of the task force was held.\n")
    assert value(damaged, "title").startswith("Memo andum From Robert")  # more than a name: as printed


def test_specks_after_a_title_line_leave_it_a_title() -> None:
    doc = declass.parse("895 .24/3-1549: Telegram :\n\nThe Charge of the American Mission in Korea (Drumright) to "
                        "the\nSecretary of State - .\n\nSEOUL, March 15, 1949--5 p- m.-\n\n"
                        "240. Mytel 237, March 14. In conversations yesterday evening and again this morning "
                        "President Rhee stated he had instructed Chough to take up the question.\n")
    assert value(doc, "title") == "The Charge of the American Mission in Korea (Drumright) to the Secretary of State"


def test_a_common_word_in_a_covers_prose_names_no_type() -> None:
    doc = declass.parse("3 March 1961\n\nWEEKLY\n\nSUMNARY\n\nLAOS: In the first weeks of the dry season, Pathet "
                        "Lao units moved south of the plain, according to a Royal Army field report forwarded by "
                        "the attache\n")  # (invented; without the rule this read "Report")
    assert doc.metadata.get("doc_type") is None
    cover = declass.parse("SPECIAL REPORT\n\nTHE SITUATION IN LAOS\n\n1. The Pathet Lao hold the north.\n")
    assert value(cover, "doc_type") == "Report"


@pytest.mark.parametrize("line", ["Memo", "CENTRAL"])
def test_a_line_that_is_a_piece_of_a_types_name_does_not_print_it(line: str) -> None:
    doc = declass.parse(f"{line}\n\nTHE SITUATION IN LAOS\n\n1. The Pathet Lao hold the north.\n")
    assert doc.metadata.get("doc_type") is None
