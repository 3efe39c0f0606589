from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import declass
from declass.model import Document
from declass.stages.structure.markers import frus_head, heading_vocabulary, opening_name

# NIE-58, paragraph by paragraph: how each begins and ends once the OCR's
# page breaks, banners and interleaved footnotes are put right.
NIE58_PARAGRAPHS = {
    "1": ("The Peiping regime accepts Moscow leadership", "formulation of Communist policy in the Far East."),
    "2": ("We believe that Moscow will try to extend", "to achieve such control by military force."),
    "3": ("Over the long run, Sino-Soviet solidarity", "in relation to other world Communist objectives."),
    "4": ("We believe that during the period", "elimination of Western influence from the Far East."),
    "5": ("Although the Peiping regime will undoubtedly", "solidarity during the period of this estimate."),
    "6": ("Communist China and the USSR present a united front", "relations between the two states.²"),
    "7": ("The Chinese Communist Party (CCP), unlike", "during the period from 1945 to 1949."),
    "8": ("The high command of most Communist parties", "it possesses a capacity for independent action."),
    "9": ("The Chinese Communists claim for Mao Tse-tung", "Both desire to spread the Communist world revolu-"),
    "10": ("Soviet political and economic", "or the implementation of these policies."),
    "11": ("The Korean war greatly increased", "(outside of Manchuria and Sinkiang)."),
    "12": ("The Korean war appears to be directed", "in the Korean war without Soviet approval."),
    "13": ("Except for captured equipment", "dependent upon the USSR for equipment and supply."),
    "14": ("In Manchuria, the influence", "would not greatly lessen Soviet influence in Manchuria."),
    "15": ("Soviet advisors and commercial enterprises", "strength of Chinese influence appears to be growing."),
    "16": ("In Sinkiang, Peiping has stationed 70,000 troops", "in the service of the provincial government."),
    "17": ("Soviet influence in the border areas", "an increase in Chinese Communist administrative control."),
    "18": ("From a consideration of the available evidence", "in developing its economy."),
    "19": ("We believe also that the size and potential", "shaping of Communist policy in the Far East."),
    "20": ("The Chinese Communist regime appears willing", "without ending China's independence."),
    "21": ("The Kremlin appears to recognize", "an important political and psychological asset."),
    "22": ("We believe that the following factors", "during the period of this estimate:"),
    "23": ("On the other hand, the following factors may", "weaken Sino-Soviet solidarity:"),
    "24": ("We believe that Moscow will try to extend", "a long, difficult, and expensive process."),
    "25": ("We believe that for the period of this estimate", "elimination of Western influence from the Far East."),
    "26": ("Although the Peiping regime will undoubtedly", "solidarity during the period of this estimate."),
}
NIE58_SUBPARAGRAPHS = {
    "22.a": "The cohesive force of common ideology",
    "22.b": "The military and economic dependence",
    "22.c": "Continued US assistance to the Nationalist Government",
    "22.d": "Neither the USSR nor Communist China now appears capable",
    "23.a": "The history of Sino-Russian relations is full of conflicts",
    "23.b": "Having provided assistance and advice",
    "23.c": "At present, the interests of China",
    "23.d": "The Chinese Communist program of industrialization",
    "23.e": "We have estimated that the ultimate objective",
}
# Fragments the OCR moved away from their paragraph, and where they belong.
NIE58_TAILS = {
    "3": "disputes over Soviet economic and military assistance",
    "5": "Moreover, as we have previously estimated",
    "8": "have been dictated from Moscow. In contrast, the CCP",
    "18": "in the world Communist movement, a common ideology",
    "21": "borderlands. Furthermore, a friendly Communist China",
    "23.a": "ended such border disputes. It is difficult to believe",
    "23.e": "Whether future leaders of China will do so is a question",
}
FOREIGN = ("SECRET", "Approved For Release", "APPROVED FOR RELEASE", "Special Assistant", "published text",
           "See Annex", "quot;", "^{")


def numbered(doc: Document) -> list[str]:
    return [b.label for b in doc.blocks if b.kind == "paragraph" and b.label.isdigit()]


def test_nie58_paragraphs_1_to_26_in_order(nie58: Document) -> None:
    assert numbered(nie58) == [str(i) for i in range(1, 27)]


@pytest.mark.parametrize(("label", "ends"), NIE58_PARAGRAPHS.items())
def test_nie58_paragraph_holds_its_own_text(nie58: Document, label: str, ends: tuple[str, str]) -> None:
    block = nie58.block(label)
    assert block is not None
    assert block.text.startswith(ends[0]), block.text[:80]
    assert block.text.endswith(ends[1]), block.text[-80:]
    for junk in FOREIGN:
        assert junk not in block.text, (label, junk)


@pytest.mark.parametrize(("label", "tail"), NIE58_TAILS.items())
def test_nie58_broken_paragraphs_are_rejoined(nie58: Document, label: str, tail: str) -> None:
    block = nie58.block(label)
    assert block is not None and tail in block.text


@pytest.mark.parametrize(("label", "start"), NIE58_SUBPARAGRAPHS.items())
def test_nie58_subparagraphs(nie58: Document, label: str, start: str) -> None:
    block = nie58.block(label)
    assert block is not None and block.kind == "sub-paragraph"
    assert block.text.startswith(start)
    assert block.parent == label.split(".")[0]


def test_nie58_lost_numbers_are_inferred(nie58: Document) -> None:
    inferred = {b.label for b in nie58.blocks if b.label_inferred and b.kind == "paragraph"}
    assert inferred == {"1", "3", "8", "23"}


def test_nie58_sections_and_headings(nie58: Document) -> None:
    heads = {b.label: b for b in nie58.blocks if b.kind == "heading"}
    assert {"THE PROBLEM", "CONCLUSIONS", "DISCUSSION", "Situation in the Border Areas"} <= set(heads)
    assert nie58.block("1").parent == "CONCLUSIONS"
    assert nie58.block("14").parent == "Situation in the Border Areas"
    assert nie58.block("THE PROBLEM ¶1").text.startswith("To estimate the present nature")


def test_nie58_annexes_and_articles(nie58: Document) -> None:
    annexes = [b for b in nie58.blocks if b.kind == "annex"]
    assert [a.label for a in annexes] == ["Annex A", "Annex B"]
    assert "TREATY OF FRIENDSHIP, ALLIANCE, AND MUTUAL ASSISTANCE" in annexes[0].text
    assert "CHANGCHUN RAILWAY, PORT ARTHUR, AND DAIREN" in annexes[1].text
    for annex, n in (("Annex A", 6), ("Annex B", 4)):
        arts = [b.label for b in nie58.blocks if b.kind == "article" and b.parent == annex]
        assert arts == [f"{annex} / Article {i}" for i in range(1, n + 1)]
    art6 = nie58.block("Annex A / Article 6")
    assert "valid for thirty years" in art6.text
    art5 = nie58.block("Annex A / Article 5")
    assert art5.text.endswith("to carry out necessary economic cooperation.")  # rejoined over a page break
    assert "not later than the end of 1952" in nie58.block("Annex B / Article 1").text


def test_nie58_footnotes_linked(nie58: Document) -> None:
    notes = [b for b in nie58.blocks if b.kind == "footnote"]
    assert len(notes) == 4
    anchors = {b.text[:30]: (b.parent, b.attrs["anchor_method"]) for b in notes}
    assert anchors["The published text of the treat"[:30]] == ("6", "mark")
    by_parent = {b.parent: b for b in notes}
    assert "paragraph five" in by_parent["5"].text
    assert "paragraph twenty-six" in by_parent["26"].text
    assert by_parent["14"].text.startswith("See Annex")


BRIEFING_POINTS = {
    "I": "ABCD", "II": "ABCDFG", "III": "ABCD", "IV": "ABCDEF", "V": "AFGHIJKLMN", "VI": "ACD",
    "VII": "ABCD", "VIII": "ABCDEFG", "IX": "", "X": "",
}


def test_briefing_sections_and_points_as_printed(briefing: Document) -> None:
    sections = [b.label for b in briefing.blocks if b.kind == "section"]
    assert sections == list(BRIEFING_POINTS)
    for sec, letters in BRIEFING_POINTS.items():
        points = [b.label for b in briefing.blocks if b.kind == "point" and b.parent == sec]
        assert points == [f"{sec}.{c}" for c in letters], sec
    assert not any(b.label_inferred for b in briefing.blocks if b.kind in ("section", "point"))


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("II.A", "Moscow gives Mao Tse-tung special stature", "non-Russian Communist leaders:"),
        ("III.C", "Recognizing Peiping's fidelity, Malenkov", 'the future of China is "in reliable hands";'),
        ("V.J", "Other evidence of integration", "will be about the same this year;"),
        ("VIII.D", "Moscow may attempt to intervene", 'moves from "new democracy" to "socialism";'),
        ("VII.A", "Soviet propaganda, while recognizing", "rather than originating his own;"),
    ],
)
def test_briefing_points_rejoined_across_markers(briefing: Document, label: str, start: str, end: str) -> None:
    b = briefing.block(label)
    assert b is not None and b.text.startswith(start) and b.text.endswith(end)
    assert "25X1" not in b.text and "Approved For Release" not in b.text


def test_briefing_margin_words_are_not_body(briefing: Document) -> None:
    margins = [b.text for b in briefing.blocks if b.kind == "margin_note"]
    assert {"Shuo-", "Chart", "clean"} <= set(margins)


@pytest.mark.parametrize("which", ["nie58", "briefing"])
def test_blocks_point_into_the_source(which: str, request: pytest.FixtureRequest) -> None:
    doc: Document = request.getfixturevalue(which)
    labels = [b.label for b in doc.blocks]
    assert len(labels) == len(set(labels))
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= len(doc.text)
        assert b.parent is None or b.parent in labels
        for s, e in b.segments:
            assert 0 <= s <= e <= len(doc.text)
        # the first words of a block are found at its start in the source
        head = b.text.split()[0] if b.text.split() else ""
        assert head[:3] in doc.text[b.start : b.start + 200]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("IVXabcdAB12.-()\n \t:;~*^{}[]Article ANNEX SECRET 25X1")), max_size=400))
def test_any_text_parses_and_spans_stay_inside(text: str) -> None:
    try:
        doc = declass.parse(text)
    except declass.InputError:
        return  # empty or unreadable input is refused, not crashed on
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= len(doc.text)
        for s, e in b.segments:
            assert 0 <= s <= e <= len(doc.text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=600))
def test_arbitrary_unicode_never_crashes(text: str) -> None:
    try:
        doc = declass.parse(text)
    except declass.InputError:
        return
    assert all(0 <= b.start <= b.end <= len(doc.text) for b in doc.blocks)


# -- footnotes printed as a bare number at the foot of a page -------------------------

PRINTED = """12. Memorandum From the Ambassador (Bohlen) to the Department¹

Washington, January 31, 1955.

1. Molotov received the British Ambassador this morning and handed him a memo.² He said nothing more.

2 Telegrams from the British were not printed.

3. The Ambassador replied that the matter was closed.

1 Source: Department of State, Central Files. Secret.
"""


def test_bare_number_footnotes_need_their_printed_mark() -> None:
    doc = declass.parse(PRINTED)
    notes = {b.text[:20]: b for b in doc.blocks if b.kind == "footnote"}
    assert set(notes) == {"Telegrams from the B", "Source: Department o"}
    assert notes["Telegrams from the B"].parent == "1"  # the paragraph printing mark ²
    assert notes["Source: Department o"].attrs["anchor_method"] == "source_note"
    assert [b.label for b in doc.blocks if b.kind == "paragraph"] == ["1", "3"]


@pytest.mark.parametrize("glued", ["memo2 He", "memo.2 He"])
def test_ocr_superscripts_glued_to_words_are_marks(glued: str) -> None:
    text = PRINTED.replace("memo.² He", glued)
    doc = declass.parse(text)
    note = next(b for b in doc.blocks if b.kind == "footnote" and b.text.startswith("Telegrams"))
    assert note.parent == "1"


def test_a_number_without_a_printed_mark_stays_a_paragraph() -> None:
    doc = declass.parse(PRINTED.replace("memo.² He", "memo. He"))
    assert not any(b.kind == "footnote" and b.text.startswith("Telegrams") for b in doc.blocks)


# -- typed outlines read through OCR -----------------------------------------------------

DAMAGED_OUTLINE = """NSC BRIEFING

4 November 1953

I. No fundamental change in the relationship since the death of Stalin:

- A. Peiping's status in the bloc remains far superior to that
of the European satellites;
\u2014 B. At the same time, Peiping remains firmly committed to the
world program;
- \u20ac. Peiping's economic and military dependence is great and increasing;
~ D, Prospect is for the alliance to remain firm.

II. Moscow has not moved farther toward direct control of Peiping:

= A. Moscow gives Mao special stature among the other leaders;
- 3. Moscow gives China special mention in its propaganda.
"""


def test_dashed_points_read_through_ocr_damage() -> None:
    doc = declass.parse(DAMAGED_OUTLINE)
    labels = [b.label for b in doc.blocks if b.kind == "point"]
    assert labels == ["I.A", "I.B", "I.C", "I.D", "II.A", "II.B"]
    assert doc.block("I.B").text.startswith("At the same time")
    assert doc.block("I.A").text.endswith("European satellites;")


@pytest.mark.parametrize(("text", "labels", "inferred"), [
    ("4. New effective economic and social planning.\n\n2. Young, capable people in government.\n\n"
     "3. Better relations with Japan.\n", ["1", "2", "3"], ["1"]),
    ("1. The first point is made here.\n\n2. The second point follows it.\n\n8. The third was misread.\n\n"
     "4. The fourth point ends the list.\n", ["1", "2", "3", "4"], ["3"]),
    ("1. New effective economic and social planning.\n\n2, Young, capable people in government.\n\n"
     "3, Better relations with Japan.\n", ["1", "2", "3"], []),
    ("4. New effective economic and social planning.\n\n2, Young, capable people in government.\n\n"
     "3, Better relations with Japan.\n", ["1", "2", "3"], ["1"]),
])
def test_numbers_misread_by_ocr_take_the_value_their_neighbours_leave(text: str, labels: list[str],
                                                                       inferred: list[str]) -> None:
    doc = declass.parse("SECRET\n\nThe task force named three factors as the basis for some optimism:\n\n" + text)
    got = [b for b in doc.blocks if b.kind == "paragraph" and b.number]
    assert [b.label for b in got] == labels
    assert [b.label for b in got if b.label_inferred] == inferred


def test_a_list_that_really_starts_late_is_left_alone() -> None:
    doc = declass.parse("[Here follows discussion of unrelated subjects.]\n\n"
                        "6. I then brought up the question of a flight over the targets.\n")
    assert [b.label for b in doc.blocks if b.kind == "paragraph" and b.number] == ["6"]


def test_initials_in_a_participants_list_are_not_lettered_points() -> None:
    """'J. Graham Parsons' is a name's initial, not point J: the numbered paragraphs after the
    participants stay 1 and 2 instead of becoming J.1 and J.2 (names here are not in any data file)."""
    text = ("MEMORANDUM OF CONVERSATION\n\nWashington, March 3, 1958\n\nSUBJECT\nIndonesian Situation\n\n"
            "PARTICIPANTS\nThe Secretary\nQ. Harlan Vostrick, Deputy Assistant Secretary\nAmbassador Jones\n"
            "W. Tolliver Brandt\n\n"
            "1. The Secretary opened the conversation by saying that the situation was serious.\n\n"
            "2. Mr. Vostrick said the rebels would probably hold out for some weeks.\n")
    doc = declass.parse(text)
    labels = [b.label for b in doc.blocks if b.kind in ("paragraph", "point", "sub-paragraph")]
    assert labels == ["1", "2"]
    assert not any(b.kind == "point" for b in doc.blocks)


def test_a_lettered_list_may_start_one_letter_late() -> None:
    """OCR may lose a list's 'A.': a list starting at 'B.' is still a list."""
    text = ("1. The situation has three aspects.\n\n"
            "B. Soviet capabilities are growing in every field of interest.\n\n"
            "C. Chinese capabilities are growing more slowly than expected.\n")
    doc = declass.parse(text)
    assert [b.label for b in doc.blocks if b.kind == "point"] == ["1.B", "1.C"]


@pytest.mark.parametrize(("printed", "label"), [("1@", "10"), ("1i", "11"), ("l2", "12")])
def test_a_paragraph_number_with_a_look_alike_letter_continues_its_list(printed: str, label: str) -> None:
    first = int(label) - 1
    text = "".join(f"{n}. Point {n} of the estimate is set out here.\n\n" for n in range(1, first + 1))
    text += f"{printed}. The next point is set out here.\n"
    doc = declass.parse(text)
    assert [b.label for b in doc.blocks if b.kind == "paragraph"][-1] == label


def test_a_look_alike_number_out_of_sequence_is_no_point() -> None:
    doc = declass.parse("1. The first point.\n\n2. The second point.\n\nl9. Nineteen is no continuation.\n")
    assert "19" not in [b.label for b in doc.blocks]


@pytest.mark.parametrize(("speck", "label"), [("\u2018", "3"), ("- \u00a2", "2.c")])
def test_a_speck_before_a_points_mark_leaves_the_mark(speck: str, label: str) -> None:
    text = ("1. The first point is made here.\n\n2. The second point has parts:\n\n- a. one part;\n\n- b. another;\n\n"
            + ("- \u00a2c. a third part.\n" if label == "2.c" else "\u20183. The third point closes.\n"))
    doc = declass.parse(text)
    assert [b.label for b in doc.blocks if b.kind in ("paragraph", "sub-paragraph")][-1] == label


def test_a_dash_read_as_seven_before_a_points_letter() -> None:
    text = ("I. The first section opens here:\n\n- A. The first point is made.\n\n7B: The second point follows.\n\n"
            "- C. The third point.\n\n7 E. The fifth point, the fourth withheld.\n\n7 men went to the meeting.\n")
    doc = declass.parse(text)
    assert [b.label for b in doc.blocks if b.kind == "point"] == ["I.A", "I.B", "I.C", "I.E"]


def _numbered(values: list[int | str]) -> list[str]:
    doc = declass.parse("\n\n".join(f"{v}. Point number {k} is made here at some length." for k, v in
                                    enumerate(values, start=1)))
    return [b.label for b in doc.blocks if b.kind == "paragraph"]


@pytest.mark.parametrize(("printed", "labels"), [
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 11, 12], [str(n) for n in range(1, 13)]),  # "16." for 10, 11 after it
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 16, "ll", 12], [str(n) for n in range(1, 13)]),  # and 11 itself damaged
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 19, 11], [str(n) for n in range(1, 12)]),
])
def test_a_number_misread_as_a_look_alike_is_read_from_both_neighbours(printed: list[int | str],
                                                                        labels: list[str]) -> None:
    assert _numbered(printed) == labels


@pytest.mark.parametrize("printed", [
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17],  # a real jump: six paragraphs lost or withheld, not a misread
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 19, 44],  # two look-alikes in order: no proof either is misread
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 16],  # nothing after it to confirm
    [1, 2, 3, 13, 14],  # "13" is no look-alike of 4
])
def test_a_look_alike_number_without_a_confirming_neighbour_is_kept(printed: list[int]) -> None:
    assert _numbered(printed)[-2:] == [str(v) for v in printed[-2:]]


def test_a_misread_number_keeps_what_was_printed() -> None:
    doc = declass.parse("\n\n".join(f"{v}. Point {v} is made here." for v in (8, 9, 16, 11)))
    block = doc.block("10")
    assert block is not None and block.attrs.get("printed") == "16" and block.label_inferred


@pytest.mark.parametrize("mark", ["1 ", "1. ", "1, "])
def test_a_source_note_with_a_speck_after_its_mark_is_a_footnote(mark: str) -> None:
    doc = declass.parse("158. National Intelligence Estimate\n\nWashington, March 16, 1955.\n\n"
                        "1. The regime appears firmly committed to the seizure of the islands.\n\n"
                        f"{mark}Source: Department of State, INR-NIE Files. Secret.\n\n"
                        "2. In view of the US commitment, the Communists cannot seize Taiwan.\n")
    assert [b.label for b in doc.blocks if b.kind == "paragraph"] == ["1", "2"]
    assert any(b.kind == "footnote" and b.text.startswith("Source:") for b in doc.blocks)


@pytest.mark.parametrize(("first", "number"), [
    ("63. Menorandun of a Conversation, Washington, January 30, 1955", "63"),
    ("232 Memorard.in of Conversationl", "232"),
    ("33. Memo andum From Robert H. Johnson of the National Security Council Staff", "33"),
    ("12. Telegrarn From the Embassy in Italy to the Department of State", "12"),
    ("158. Natlonal Intelligence Estimate", "158"),
])
def test_a_frus_heading_damaged_by_ocr_is_the_heading(first: str, number: str) -> None:
    doc = declass.parse(f"{first}\n\nWashington, May 3, 1962.\n\nThe Minister called on me this morning "
                        "and we spoke at length about the matters before the Council.\n")
    heading = doc.blocks[0]
    assert heading.kind == "heading" and heading.number == number


@pytest.mark.parametrize("first", [
    "1. Memoranda have been exchanged between the two governments on this question.",
    "1952 National Intelligence Estimate",
    "12 Reports were received from the field during the week.",
    "1. Nationalist forces on the islands number about 50,000 men.",
])
def test_a_first_line_merely_near_a_heading_is_no_frus_heading(first: str) -> None:
    doc = declass.parse(f"{first}\n\n2. The second point is made here at some length.\n")
    assert doc.blocks[0].kind != "heading"


@pytest.mark.parametrize(("first", "second"), [("1}", "2),"), ("1]", "2)"), ("1)", "2),")])
def test_a_paragraph_numbers_parenthesis_read_as_a_brace_or_with_a_speck(first: str, second: str) -> None:
    doc = declass.parse("I could summarize the situation by relating two circumstances as follows:\n\n"
                        f"{first} The very excellent step taken by Ambassador Kirk in setting up the committee.\n\n"
                        f"{second} The worsening situation in Southeast Asia has revealed the possibilities.\n")
    assert [b.label for b in doc.blocks if b.kind == "paragraph" and b.number] == ["1", "2"]


def test_a_chain_of_look_alikes_is_read_where_an_omission_names_the_next_paragraph() -> None:
    paras = "\n\n".join(f"{v}. Point {k} is made here at some length." for k, v in
                        enumerate([1, 2, 3, 4, 5, 6, 7, 8, 9, 19, 44], start=1))
    doc = declass.parse(paras + "\n\n[Here follow paragraphs 12-66, a more detailed discussion.]\n")
    assert [b.label for b in doc.blocks if b.kind == "paragraph"] == [str(n) for n in range(1, 12)]
    alone = declass.parse(paras + "\n\n[Here follows a more detailed discussion.]\n")
    assert [b.label for b in alone.blocks if b.kind == "paragraph"][-2:] == ["19", "44"]


def test_a_serials_name_after_a_number_is_no_frus_heading() -> None:
    doc = declass.parse("3 CENTRAL INTELLIGENCE BULLETIN\n\n1. USSR MAKES NEW OVERTURE FOR TURKISH FRIENDSHIP\n\n"
                        "A renewal of Soviet attempts to establish a closer rapport with Turkey can be expected.\n")
    assert doc.blocks[0].kind != "heading"


@given(st.text(max_size=120))
@settings(max_examples=200, deadline=None)
def test_a_frus_heading_on_any_text_is_a_number_at_its_start(text: str) -> None:
    m = frus_head(text, first=True)
    assert m is None or (m.group(1).isdigit() and text[:m.start(1)].strip() == "")
    score, name, end = opening_name(text, heading_vocabulary())
    assert 0 <= score <= 1 and 0 <= end <= len(text) and (name in heading_vocabulary() or score == 0)
