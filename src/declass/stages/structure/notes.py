"""Footnotes printed as a bare number at the foot of a page: ``2 Telegram 1203 from Moscow ...``.

A number at the start of a line is usually a paragraph number, so a bare
number is taken as a footnote only when the text above has printed its
mark: a superscript (``¹``), a caret or bracket form, or — what OCR makes of
a superscript — a digit glued to the end of a word (``Estimate1``,
``groups3``).  Each mark is used once, in order, so a paragraph "2" cannot
pass for note 2 unless a mark 2 was printed and is still unclaimed.
"""

from __future__ import annotations

import re

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
BARE_NOTE = re.compile(r"^\s*[\u2018\u2019'`]?(\d{1,3})\s+(?=[A-Z\"'“‘\[(])")
_MARKS = re.compile(
    r"[⁰¹²³⁴⁵⁶⁷⁸⁹^\[\d]"  # what a mark begins with, taken first: the scan skips other text at C speed
    r"(?:(?<=[⁰¹²³⁴⁵⁶⁷⁸⁹])[⁰¹²³⁴⁵⁶⁷⁸⁹]*"  # superscripts
    r"|(?<=\^)\{?\d{1,3}\}?|(?<=\[)\d{1,3}\]"  # ^2, ^{2}, [2]
    r"|(?<=[A-Za-z.,;:)”\"’']\d)\d?(?=[\s.,;:)]|$))"  # a digit glued to a word: OCR's superscript
)


def marks_in(text: str) -> set[int]:
    """The footnote numbers whose marks ``text`` prints."""
    out: set[int] = set()
    for m in _MARKS.finditer(text):
        digits = re.sub(r"\D", "", m.group().translate(SUPERSCRIPTS))
        if digits:
            out.add(int(digits))
    return out


def note_number(token: str | None) -> int | None:
    """The number a footnote's own mark gives (``²``, ``[2]``, ``^2``, ``2``), if any."""
    digits = re.sub(r"\D", "", (token or "").translate(SUPERSCRIPTS))
    return int(digits) if digits and len(digits) <= 3 else None


class NoteMarks:
    """The footnote marks printed so far and not yet claimed by a note."""

    def __init__(self) -> None:
        self.open: list[int] = []
        self.last = 0

    def saw(self, text: str) -> None:
        """Record the marks in a piece of body text."""
        for n in sorted(marks_in(text)):
            if n > self.last and n not in self.open:
                self.open.append(n)

    def note(self, text: str) -> re.Match[str] | None:
        """The bare-number prefix of ``text`` if it is the note for a printed, unclaimed mark."""
        m = BARE_NOTE.match(text)
        if m is None:
            return None
        n = int(m.group(1))
        if n not in self.open:
            return None
        self.open = [k for k in self.open if k > n]
        self.last = n
        return m
