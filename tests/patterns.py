"""Hold a pattern rewritten for speed to the form it was first written in.

A pattern that opens with a character class is scanned for that class at C speed; one
that opens with an assertion (``\\b``, ``(?<!...)``, ``(?=...)``) is tried at every position.
The stages' hottest patterns were rewritten to open with their first character, the
assertion checked behind it; these helpers check, on arbitrary text drawn from the
characters the patterns care about, that every rewritten pattern finds what the first
form found, at the same places, with the same groups."""

from __future__ import annotations

import re

from hypothesis import strategies as st

ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" "ÀÉÖØÞßéöøÿ" "0123456789"
            "⁰¹²³⁴⁵⁶⁷⁸⁹" " \n\t.,;:'’\"”-/()[]{}|^*_")
DENSE = "aOA10²^[]{}/()-.,'’ \n"
"""Few characters, so that the rare runs (a letter then three digits, "O'" then a capital) come up often."""
TEXTS = st.text(alphabet=ALPHABET, max_size=80) | st.text(alphabet=DENSE, max_size=40) | st.lists(
    st.sampled_from(["O'Neill", "O’Brien", "Mr.", "J.", "McKelvane", "Wendho1t", "Do-young", "the", "of",
                     "Peiping", "itzGerald", "l3", "note²", "word,12", "^{3}", "[4]", "(b)(3)", "[25X1]", "1/2", "12/3",
                     "/ withheld /", "(not declassified)", "{words}", "|a|", "St. John's", "Ch'en", "USSR"]),
    max_size=12).map(" ".join)


def matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def assert_same(first: str, rewritten: re.Pattern[str], text: str) -> None:
    """``rewritten`` finds in ``text`` exactly what ``first`` (its first form, compiled with its flags) finds."""
    old = re.compile(first, rewritten.flags)
    assert matches(rewritten, text) == matches(old, text), text
