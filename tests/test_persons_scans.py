"""People on OCR-damaged text: lists of participants read line by line, names damaged beyond
one letter, a first letter lost, damaged titles, signatures.  Every name and every damage here
is invented: none of it appears in the data files or the development set."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import declass
from declass.stages.entities import damage, participants
from declass.stages.entities.gazetteer import load


def _people(text: str) -> list[tuple[str, str]]:
    return [(m.text, m.method) for m in declass.parse(text).entities if m.type == "person"]


def _names(text: str) -> list[str]:
    return [t for t, _ in _people(text)]


MEMCON = """Memorandum of a Conversation, Washington, May 3, 1957

PARTICIPANTS
The President
secretary Quarmby
Assistant Secretary Tolliver
Assistant Secretary Brackenfield
ambassador Wendholt:
colonel Harnwick
FE--Alvin P, Pellagrew, Assistant Secretary
Osric Vantongeren, Counselor of the Embassy,
Interpreter
United States
Mr. Quarmby opened by explaining to the President that he wished to review the matter.

2. Later Harnwick's memorandum was sent on.
"""


def test_a_list_of_participants_is_read_line_by_line() -> None:
    """Each line names one participant: a title in either case, or a name and its office."""
    people = _people(MEMCON)
    listed = [t for t, method in people if method == "person:listed"]
    assert listed == ["Quarmby", "Tolliver", "Brackenfield", "Wendholt", "Harnwick", "Alvin P, Pellagrew",
                      "Osric Vantongeren"], people
    # the line after a name is no name ("Interpreter", "United States"), nor the office of "The President"
    names = [t for t, _ in people]
    assert "Interpreter" not in names and "United States" not in names and "President" not in names
    # a surname the list shows to be a person's is that person further on
    assert "Harnwick" in [t for t, m in people if m == "person:surname"]


@pytest.mark.parametrize("heading", ["PARTICIPANTS", "Participants:", "PARTIGIPANTS", "PARTIC IPANTS", "Present:"])
def test_the_list_heading_may_be_damaged(heading: str) -> None:
    text = MEMCON.replace("PARTICIPANTS", heading)
    assert "Tolliver" in _names(text)


def test_without_a_heading_lines_are_not_a_list() -> None:
    """Joined lines read as prose: "secretary Quarmby Assistant Secretary Tolliver" is no list."""
    text = MEMCON.replace("PARTICIPANTS\n", "")
    assert not [t for t, m in _people(text) if m == "person:listed"]


@pytest.mark.parametrize(("line", "name"), [
    ("secretary Quarmby", "Quarmby"), ("\u2019 Admiral Tolliver", "Tolliver"),
    ("Ambassador Wendholt\u2019:", "Wendholt"),
    ("NA--Osric T. Vantongeren, Officer in Charge", "Osric T. Vantongeren"),
    ("Secretary of Defense Pellagrew", "Pellagrew"),
])
def test_a_line_of_a_list(line: str, name: str) -> None:
    f = participants.entry(line)
    assert f is not None and line[f.start : f.end] == name


@pytest.mark.parametrize("line", ["The Secretary of State", "Japan", "United States", "Security Affairs",
                                  "Interpreter", "Mr. Quarmby opened by explaining the matter to them",
                                  "Department of State, Central Files"])
def test_a_line_that_names_nobody(line: str) -> None:
    assert participants.entry(line) is None


@pytest.mark.parametrize(("known", "damaged"), [
    ("Brackenfield", "brackenfield"),  # first letter lower-cased
    ("Wendholt", "vendholt"),          # first letter replaced and lower-cased
    ("Vantongeren", "Vantongcrcn"),    # two letters in a long name
    ("Pellagrew", "ellagrew"),         # first letter lost
])
def test_a_damaged_word_is_the_surname_the_document_names(known: str, damaged: str) -> None:
    assert damage.intact_surname(damaged, {known, "Quarmby"}) == known


@pytest.mark.parametrize(("known", "word"), [
    ("Wendholt", "Vendhalts"),   # three edits
    ("Tolliver", "silver"),      # a dictionary word
    ("Quarmby", "Quarmbyxz"),    # two edits in a name of seven letters
    ("Pellagrew", "pellag"),     # too short a remnant
])
def test_what_is_no_damaged_surname(known: str, word: str) -> None:
    assert damage.intact_surname(word, {known}) is None


def test_two_names_equally_near_are_left_alone() -> None:
    assert damage.intact_surname("Wendhalt", {"Wendholt", "Wendhaft"}) is None


@pytest.mark.parametrize(("text", "piece", "intact"), [
    ("Later Mr. V ntonge en raised the question.", "V ntonge en", "Vantongeren"),
    ("Mr, Pellag. ew stated that it was so.", "Pellag. ew", "Pellagrew"),
])
def test_a_name_in_pieces_is_the_name(text: str, piece: str, intact: str) -> None:
    hits = damage.damaged_names(text, frozenset({intact, "Quarmby"}))
    assert {text[s:e]: form for (s, e), form in hits.items()}.get(piece) == intact


def test_ordinary_words_side_by_side_are_no_broken_name() -> None:
    text = "She pard the way. The rest is silence."
    assert not damage.damaged_names(text, frozenset({"Shepardson", "Therest"}))


def test_a_listed_surname_that_lost_its_first_letter() -> None:
    """The gazetteer's people: seven letters or more, the rest intact, one person only."""
    gaz = load()
    tails = damage.gazetteer_tails(gaz)
    person = next(e for e in gaz.entities.values() if e.type == "person" and len(e.name.split()[-1]) >= 8
                  and e.name.split()[-1].isalpha() and e.name.split()[-1][0] != "Q")
    sur = person.name.split()[-1]
    damaged = "Q" + sur[1:]
    assert damage.first_letter_lost(damaged, tails) == sur
    assert damage.first_letter_lost(sur[1:], tails) is None  # lower case, a letter short: not this rule


def test_a_title_before_a_lower_cased_name() -> None:
    assert _names("1. Later Prime Minister quarmbo said that it was hard.") == ["quarmbo"]
    assert _names("1. The Prime Minister replied that it was hard.") == []


@pytest.mark.parametrize(("text", "name"), [
    ("1. The cables were read. D . Vantongeren noted that these had been discussed.", "Vantongeren"),  # r as a space
    ("1. It was over. , s. Pellagrew said that the only evidence was thin.", "Pellagrew"),  # the capital lost
    ("1. In conclusion, Col, Wendholt stated that it was so.", "Wendholt"),  # the point read as a comma
    ("1. Then Gcn. Tolliver left.", "Tolliver"),  # e read as c
    ("1. Then Adrn. Quarmby left.", "Quarmby"),  # m read as rn
    ("1. Then Co1. Harnwick left.", "Harnwick"),  # l read as 1
    ("1. Then Lorcl Brackenfield left.", "Brackenfield"),  # d read as cl
    ("1. Then Arnbassador Wendholt left.", "Wendholt"),  # a long title: one confusion
    ("1. Then Genoral Tolliver left.", "Tolliver"),  # a long title: one edit
    ("33. Memorandum From Harold 8. Vantongeren of the Staff", "Harold 8. Vantongeren"),  # B read as 8
])
def test_a_damaged_title_honorific_or_initial_still_marks_the_name(text: str, name: str) -> None:
    assert name in _names(text), _people(text)


@pytest.mark.parametrize(("damaged", "title"), [("D .", "Dr."), ("M .", None), ("r.", None)])
def test_a_damaged_honorific_titles_the_name_only_when_one_honorific_fits(damaged: str, title: str | None) -> None:
    """A letter read as a space or a capital lost: "D ." can only be Dr.; "M ." is Mr. or Ms., "r."
    Mr. or Dr., so the name is marked as a person's and given no title."""
    people = [m for m in declass.parse(f"1. The cables were read. {damaged} Vantongeren noted them.").entities
              if m.type == "person"]
    assert [(m.text, m.method, m.title) for m in people] == [("Vantongeren", "person:title", title)]


@pytest.mark.parametrize("text", ["1. We went to the s. Store on foot.", "1. The D . Street office closed.",
                                  "1. They climbed Mt. Quarmby.", "1. Then Gcn. Motors left.",
                                  "1. Its aims:\n\n= t. Wendholt's economic aims grew."])
def test_no_honorific_in_ordinary_words(text: str) -> None:
    """A short title damaged is a weaker cue: the word after it must be no English word ("Store",
    "Street", "Motors"); a word no letter shape turns into a title is none ("Mt."); a lone small
    letter and a point is a list's point unless it is an honorific's ("t.", not "r.")."""
    assert not [t for t, m in _people(text) if m == "person:title"], _people(text)


LETTER = "Oame Brackenfield:\n\nI recall our talks.\n\nSincerely,\n\nHarold W.\n\n2 Airgram A-417."


def test_a_letters_signature_and_its_damaged_salutation() -> None:
    """The salutation's honorific (Dame, its D read as O: one glyph stands for both) marks the name."""
    people = _people(LETTER)
    assert ("Brackenfield", "person:title") in people and ("Harold W.", "person:signature") in people


@pytest.mark.parametrize("text", ["Near East:\n\nThe region.", "Year Ending:\n\nA report."])
def test_a_heading_is_no_salutation(text: str) -> None:
    assert not _names(text)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdefghijklmnoprstuvwAEMPRST .,:-\n'\u2019")), max_size=200))
def test_list_reading_on_arbitrary_text(body: str) -> None:
    text = "PARTICIPANTS\n" + body
    for f in participants.listed(text):
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end].strip() == text[f.start : f.end]
    declass.parse(text)


@pytest.mark.parametrize(("text", "name"), [
    ("1. It came with a memorandum from Pellagrew\u2019s special assistant.", "Pellagrew"),
    ("1. Then Green's deputy spoke.", "Green"),
])
def test_one_who_has_an_aide_is_a_person(text: str, name: str) -> None:
    assert (name, "person:possessor") in _people(text)


@pytest.mark.parametrize("text", ["1. The Department's staff met the President's special assistant.",
                                  "1. The Navy's deputy chief came.", "1. The Committee's secretary wrote."])
def test_an_institution_with_an_aide_is_no_person(text: str) -> None:
    assert not _names(text)


def test_a_name_seen_once_beside_a_frequent_near_one_is_that_person() -> None:
    text = ("1. Mr. Wendholt came. Mr. Wendholt spoke. Mr. Wendholt left. Mr. Vendholt said no.\n\n"
            "2. Mr. Quarmby and Mr. Quarmbe met once.")
    clusters = {m.text: m.cluster for m in declass.parse(text).entities if m.type == "person"}
    assert clusters["Vendholt"] == clusters["Wendholt"]
    assert clusters["Quarmbe"] != clusters["Quarmby"]  # neither is seen far more often than the other


def test_a_name_ocr_lower_cased_has_its_own_key() -> None:
    from declass.text.personal_names import key
    assert key("quarmbo") == "quarmbo" and key("Quarmbo") == "quarmbo"


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdeghilmnorstuvwzABGHMQSW .,'-\n01")), max_size=160))
def test_damaged_names_on_arbitrary_text(text: str) -> None:
    known = frozenset({"Wendholt", "Quarmby", "Brackenfield", "Green"})
    for (s, e), form in damage.damaged_names(text, known).items():
        assert 0 <= s < e <= len(text) and form in known


def test_a_sentence_ending_in_a_name_is_no_the_before_a_title() -> None:
    """Regression: "the <Place>." ending the sentence before a title was read as "the" before the title."""
    assert "wendhalt" in _names("1. They left the Morrow Keys. Ambassador wendhalt thought this would be good.")


def test_a_damaged_office_word_is_no_name() -> None:
    """Regression: an office's last word damaged ("Affalrs") was left as the name after the office."""
    assert not _names("1. Present was the Under Secretary of State For Political Affalrs.")
    assert _names("1. Present was the Under Secretary of State Tolliver.") == ["Tolliver"]


def test_a_list_with_crlf_line_ends_reads_as_with_lf() -> None:
    """A transcription's CRLF lines: each line read without its carriage return, the same names at the
    same places."""
    lf = [(f.start, f.end) for f in participants.listed(MEMCON)]
    crlf_text = MEMCON.replace("\n", "\r\n")
    crlf = [crlf_text[f.start : f.end] for f in participants.listed(crlf_text)]
    assert lf and crlf == [MEMCON[s:e] for s, e in lf]
