"""The stages' hottest patterns, rewritten for speed, find what they found as first written.

A pattern that opens with a character class is scanned for that class at C speed; one that opens
with an assertion (``\\b``, a lookbehind, a lookahead) is tried at every position.  The costliest
were rewritten to open with their first character, the assertion checked behind it, and case-blind
alternations to open with `declass.text.patterns.first_letters`.  Each is held
here to its first form on arbitrary text drawn from the characters the patterns care about: the
same matches, at the same places, with the same groups."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declass.stages.entities import damage, entities, persons
from declass.stages.judgments import judgments
from declass.stages.redactions import withholding
from declass.stages.structure import markers, notes
from declass.text import dates, personal_names
from declass.text.patterns import first_letters

ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" "ÀÉÖØÞßéöøÿ" "0123456789"
            "⁰¹²³⁴⁵⁶⁷⁸⁹" " \n\t.,;:'’\"”-/()[]{}|^*_")
DENSE = "aOA10²^[]{}/()-.,'’ \n"
"""Few characters, so that the rare runs (a letter then three digits, "O'" then a capital) come up often."""
WORDS = ["not only", "not", "never", "neither", "isn't", "be no", "there is no", "there are  no", "Through 1955",
         "until mid-1956", "up to early 1960", "to the end of 1957", "during the next five years",
         "through the next two years", "Over the coming decade", "within the following 18 months",
         "for the next several years", "during the period of this estimate", "in the period of this estimate",
         "over the long run", "In the long", "term", "ultimately", "sooner or later", "eventually", "O'Neill",
         "O’Brien", "Mr.", "J.", "McKelvane", "Wendho1t", "Do-young", "the", "of", "Peiping", "itzGerald", "l3",
         "note²", "word,12", "said.*", "it;* ", "^{3}", "[4]", "(b)(3)", "[25X1]", "1/2", "12/3", "/ withheld /",
         "(not declassified)", "{words}", "|a|", "St. John's", "Ch'en", "USSR"]
TEXTS = (st.text(alphabet=ALPHABET, max_size=80) | st.text(alphabet=DENSE, max_size=40)
         | st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))

_UP, _LO = personal_names.UPPER, personal_names.LOWER
_NAME_WORD = (rf"(?:O['\u2019][{_UP}][{_LO}]+|[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?"
              rf"(?:['\u2019](?!s\b)[{_LO}]+)?(?:-[{_UP}{_LO}][{_LO}]*)*)")
_HEADS = damage._heads(frozenset({"Murphy", "O'Neill", "Stalin", "Truman", "Mao"}))
assert _HEADS is not None



FIRST_FORMS: dict[str, tuple[str, re.Pattern[str]]] = {
    "name word": (_NAME_WORD, re.compile(personal_names.NAME_WORD)),
    "name token": (rf"{personal_names.INITIAL}|{_NAME_WORD}|Jr\.|Sr\.|II|III", personal_names.TOKEN),
    "capitalised word": (rf"(?=[{_UP}])(?<![\w'\u2019.-])(?:{_NAME_WORD}\.?|{personal_names.INITIAL}"
                         rf"(?=[ \n]?[{_UP}]))", persons._CAP_TOKEN),
    "capitalised run": (r"\b[A-Z][A-Za-z'\u2019]*(?:-[A-Za-z][A-Za-z'\u2019]*)*"
                        r"(?:\s+(?:of\s+|the\s+|de\s+|van\s+)?[A-Z][A-Za-z'\u2019]*(?:-[A-Za-z]+)*)*",
                        entities.CAPITALISED),
    "damaged capital word": (r"(?<![\w'\u2019.-])[A-Z][a-z01]*[a-z][a-z01]*(?:[A-Z][a-z01]+)?(?![\w'\u2019-])",
                             damage._CAP_WORD),
    "damaged name heads": (r"(?<![\w'\u2019.-])[MOST][A-Za-z]*", _HEADS),
    "footnote mark": (r"(?=[⁰¹²³⁴⁵⁶⁷⁸⁹^\[\d])(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\^\{?\d{1,3}\}?|\[\d{1,3}\]"
                      r"|(?<=[A-Za-z.,;:)”\"’'])\d{1,2}(?=[\s.,;:)]|$))", notes._MARKS),
    "placeholder span": (r"(?:[\[({|]|(?<!\d)/)(?P<body>(?:[^\[\]/(){}|]|(?<=\d)/(?=\d)|\([^()\[\]]{1,30}\)){4,170}?)"
                         r"(?:[\]})|]|/(?!\d))", withholding._SPAN),
    "footnote anchor": (r"[\u00b9\u00b2\u00b3\u2074-\u2079]+|\^\{?\d{1,2}\}?|\[\d{1,2}\]|(?<=[a-z.,;])\*(?=\s|$)",
                        markers.ANCHOR_MARK),
    "negation": (r"\b(?:not(?!\s+only)|never|neither)\b|n't\b", judgments.NEGATION),
    "no after be": (r"(?<=\bbe\s)no\b|(?<=\bthere is\s)no\b|(?<=\bthere are\s)no\b", judgments.NO_AFTER_BE),
    "period of this estimate": (r"\b(?:during|for|within|in)\s+the\s+period\s+of\s+this\s+estimate\b",
                                judgments.PERIOD_REF),
    "open-ended horizon": (r"\b(?:over the long run|in the long run|in the long term|over the long term|in the "
                           r"foreseeable future|sooner or later|eventually|ultimately|in the future)\b",
                           judgments.OPEN_ENDED),
    "period ahead": (r"\b(?:over|during|in|for|within|through)\s+the\s+(?:next|coming|following)\s+(?P<n>\d{1,2}"
                     r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|thirty|fifty"
                     r"|several|few)?\s*(?P<unit>years?|months?|weeks?|decades?)\b", dates.PERIOD),
    "through a year": (r"\b(?:through|until|till|to the end of|up to)\s+(?:(?P<mid>mid-?|early\s+|late\s+))?"
                       r"(?P<year>19\d\d|20\d\d)\b", dates.THROUGH_YEAR),
}


def matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@pytest.mark.parametrize("name", sorted(FIRST_FORMS))
@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_rewritten_patterns_find_what_their_first_forms_found(name: str, text: str) -> None:
    first, rewritten = FIRST_FORMS[name]
    assert matches(rewritten, text) == matches(re.compile(first, rewritten.flags), text)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_the_case_turn_prefilter_never_hides_a_damaged_inner_capital(text: str) -> None:
    """`damage._lower_words` reads `_INNER_CAPITAL` only where `_CASE_TURN` is found."""
    if damage._INNER_CAPITAL.search(text):
        assert damage._CASE_TURN.search(text)


def test_a_rewritten_form_that_differs_is_caught() -> None:
    """The texts reach what tells the forms apart: a mark of three glued digits, a capital after a word,
    a phrase whose first letter a lookahead left out."""
    loose_mark = re.compile(notes._MARKS.pattern.replace(r"\d)\d?(?=", r"\d)\d{0,2}(?="))
    loose_run = re.compile(entities.CAPITALISED.pattern.replace(r"(?<!\w.)", "", 1))
    assert matches(loose_mark, "word123 ") != matches(notes._MARKS, "word123 ")
    assert matches(loose_run, "aB") != matches(entities.CAPITALISED, "aB")
    without_through = first_letters(dates.PERIOD_WORDS[:-1])  # "through" is the last of them
    short_lookahead = re.compile(dates.PERIOD.pattern.replace(first_letters(dates.PERIOD_WORDS), without_through),
                                 dates.PERIOD.flags)
    assert matches(short_lookahead, "through the next two years") != matches(dates.PERIOD, "through the next two years")


def test_first_letters_are_those_the_alternatives_open_with() -> None:
    assert first_letters(["over", "During", r"in\s+the", "n't"]) == "(?=[dino])"
    assert re.compile(first_letters(["during"]) + "during", re.IGNORECASE).match("DURING")
    with pytest.raises(ValueError, match="open with a letter"):
        first_letters([r"\bnot"])
