"""A dateline read through OCR damage: "Washington, Jue 28, 1961.", "April 36, 1959", "ii October 1952".

The strict date patterns (`declass.text.dates`) want a month spelled right,
digits that are digits and a day the month has.  A scanned dateline often
has none of these: a letter lost from the month ("Jue", "sentember"), letters
read for digits ("i961", "1@"), a speck beside the comma (",."), or a digit
read as one of its look-alikes (0 and 6, 8 and 3: ``lexicon.digit_look_alikes``,
the table paragraph numbers are read through too).  This reader takes one
short line, finds the month by fuzzy match, folds the letters read for
digits, and where the day is impossible for the month tries the look-alikes
of each digit, keeping a reading only when exactly one valid date results.
It never guesses between two valid dates.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from declass.text import lexicon
from declass.text.dates import DateMatch, first_date, valid_date

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
MONTH_SIMILARITY = 75
"""How close (rapidfuzz ratio, 0-100) a damaged word must come to a month's name: "Jue" (June, 86),
"sentember" (89), "Octobe" (92); the runner-up must trail it by `MONTH_MARGIN`."""
MONTH_MARGIN = 10
MAX_LINE = 100
"""Only a short line is read leniently: a dateline, not a sentence that happens to hold a number and a year."""
YEARS = (1900, 2030)

_DIGITISH = r"[\dOoIil|!SB@]"
_WORD = r"[A-Za-z\u00c0-\u00ff]{3,10}"
_DATELINE = re.compile(
    rf"(?<![\w])(?:(?P<d1>{_DIGITISH}{{1,2}})\s*[.:,']?\s*(?P<m1>{_WORD})\.?"
    rf"|(?P<m2>{_WORD})\.?\s*['\u2018\u2019\s]\s*(?P<d2>{_DIGITISH}{{1,2}}))"
    rf"\s*[.,:;'\u2018\u2019]*\s*[.,'\u2018\u2019]?(?P<year>{_DIGITISH}{{4}})(?!\d\d)"
)
_FOLD = str.maketrans({"O": "0", "o": "0", "@": "0", "I": "1", "i": "1", "l": "1", "|": "1", "!": "1", "S": "5",
                       "B": "8"})


def month_of(word: str) -> int | None:
    """The month a damaged word names, or None when no month is near enough or two are equally near."""
    w = word.casefold()
    if len(w) < 3:
        return None
    exact = [i for i, name in enumerate(MONTH_NAMES) if name.startswith(w)]
    if len(exact) == 1:
        return exact[0] + 1
    best = process.extract(w, MONTH_NAMES, scorer=fuzz.ratio, limit=2)
    if not best or best[0][1] < MONTH_SIMILARITY:
        return None
    if len(best) > 1 and best[0][1] - best[1][1] < MONTH_MARGIN:
        return None
    return best[0][2] + 1


def _days(day: str, year: int, month: int) -> list[int]:
    """The day as read if the month has it; else every day one look-alike digit away that it has."""
    if valid_date(year, month, int(day)):
        return [int(day)]
    out = {int(day[:i] + alt + day[i + 1:]) for i, c in enumerate(day) for seen, alt in lexicon.digit_look_alikes()
           if seen == c}
    return sorted(d for d in out if valid_date(year, month, d))


def damaged_dateline(text: str) -> DateMatch | None:
    """The one date a short line's damaged dateline gives, with its span in ``text``; else None."""
    if len(text) > MAX_LINE:
        return None
    for m in _DATELINE.finditer(text):
        word = m.group("m1") or m.group("m2")
        month = month_of(word)
        if month is None:
            continue
        day = (m.group("d1") or m.group("d2")).translate(_FOLD)
        year_text = m.group("year").translate(_FOLD)
        if not (day.isdigit() and year_text.isdigit()):
            continue
        year = int(year_text)
        if not YEARS[0] <= year <= YEARS[1]:
            continue
        days = _days(day, year, month)
        if len(days) != 1:
            continue
        return DateMatch(f"{year:04d}-{month:02d}-{days[0]:02d}", "day", m.start(), m.end())
    return None


_PLACE = re.compile(r"^[^\w\n]{0,3}[A-Za-z][\w .'\u2019-]{1,40}?,\s*")
"""The place a dateline opens with ("Washington, ", a speck before it: "\u2018washington, ")."""


def opens_with_dateline(line: str) -> bool:
    """Whether a line is a dateline: a date (as printed or through damage) at its start, or after a
    place of a few words and a comma ("Washington, March 16,.1955.", "Taipei, August 26, 1964.")."""
    t = line.strip()
    if not t or len(t) > MAX_LINE:
        return False
    d = damaged_dateline(t)
    return _date_opens(t, None if d is None else d.start)


def damaged_opening(line: str) -> DateMatch | None:
    """The date OCR damage lets ``line`` give (`damaged_dateline`, offsets in ``line``) if the line is a
    dateline (`opens_with_dateline`): the damaged date read once for both."""
    d = damaged_dateline(line)
    if d is None:
        return None
    lead = len(line) - len(line.lstrip())
    return d if _date_opens(line.strip(), d.start - lead) else None


def _date_opens(t: str, damaged_start: int | None) -> bool:
    """Whether a date, as printed or (starting at ``damaged_start``) through damage, opens the stripped
    line ``t``, or follows the place it opens with."""
    m = _PLACE.match(t)
    at = m.end() if m is not None and len(m.group().split()) <= 4 else 0
    printed = first_date(t)
    return (printed is not None and printed.start <= at + 2) or (damaged_start is not None and damaged_start <= at + 2)
