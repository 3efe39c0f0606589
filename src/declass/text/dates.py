"""Dates as these documents write them, read into ISO form with a precision.

Full dates ("10 September 1952", "September 10, 1952", "2003/08/08"),
months ("MAY 2004", "mid-1951" is left to the events stage) and spans of
time in words ("the next two years").  Pure functions over strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from declass.text.patterns import first_letters

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
PAGE_HEADER_DATE = re.compile(
    rf"^[ \t]*(?P<day>\d{{1,2}})[ \t]+{_MONTH}[ \t]+(?P<year>\d\d)\b(?=[^\n]*\bPage[ \t]+\d+[ \t]*$)",
    re.IGNORECASE | re.MULTILINE,
)
"""A page header with the issue date in short form: "22 Jan 57    Current Intelligence Bulletin    Page 2"."""
DAY_MONTH_YEAR = re.compile(rf"\b(?P<day>\d{{1,2}})\s+{_MONTH}\s*,?\s+(?P<year>1[89]\d\d|20\d\d)\b", re.IGNORECASE)
MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})\s*,\s*(?P<year>1[89]\d\d|20\d\d)\b", re.IGNORECASE)
ISO_LIKE = re.compile(r"\b(?P<year>1[89]\d\d|20\d\d)[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})\b")
MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?P<year>1[89]\d\d|20\d\d)\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?P<year>1[89]\d\d|20\d\d)\b")
ANY_YEAR = re.compile(r"1[89]\d\d|20\d\d")
"""Digits that could be a year, anywhere: a cheap test before the date patterns."""

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "eighteen": 18, "twenty": 20, "thirty": 30, "fifty": 50, "several": None,
    "a": 1, "an": 1, "the": 1,
}
PERIOD_WORDS = ("over", "during", "in", "for", "within", "through")
"""What opens a period ahead ("during the next five years"); the pattern opens with `first_letters`."""
PERIOD = re.compile(
    rf"{first_letters(PERIOD_WORDS)}\b(?:{'|'.join(PERIOD_WORDS)})\s+the\s+(?:next|coming|following)\s+"
    r"(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|thirty|fifty"
    r"|several|few)?\s*(?P<unit>years?|months?|weeks?|decades?)\b",
    re.IGNORECASE,
)
_UNTIL = ("through", "until", "till", "to the end of", "up to")
THROUGH_YEAR = re.compile(
    rf"{first_letters(_UNTIL)}\b(?:{'|'.join(_UNTIL)})\s+(?:(?P<mid>mid-?|early\s+|late\s+))?(?P<year>19\d\d|20\d\d)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in text: ISO value, precision (day, month, year), span."""

    iso: str
    precision: str
    start: int
    end: int

    @property
    def date(self) -> date:
        parts = [int(p) for p in self.iso.split("-")] + [1, 1]
        return date(parts[0], parts[1], parts[2])


def valid_date(y: int, m: int, d: int) -> bool:
    """Whether the calendar has this day (no 31 April, 29 February only in leap years)."""
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _accent_fold() -> dict[int, str]:
    """Accented Latin letters to their base letter, one for one (offsets stay put): OCR reads "June" as "Juné"."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x180):
        base = unicodedata.normalize("NFKD", chr(code))[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    return table


_ACCENTS = _accent_fold()


def find_dates(text: str) -> list[DateMatch]:
    """Full dates and month-year dates in ``text``, in order, not overlapping."""
    if not ANY_YEAR.search(text):  # every form has a year: most sentences end here
        return []
    text = text.translate(_ACCENTS)
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for rx in (DAY_MONTH_YEAR, MONTH_DAY_YEAR, ISO_LIKE):
        for m in rx.finditer(text):
            mo = m.group("month")
            month = int(mo) if mo.isdigit() else MONTHS[mo.lower()[:4] if mo.lower().startswith("sept") else
                                                         mo.lower()[:3]]
            y, d = int(m.group("year")), int(m.group("day"))
            if valid_date(y, month, d) and free(m.start(), m.end()):
                found.append(DateMatch(f"{y:04d}-{month:02d}-{d:02d}", "day", m.start(), m.end()))
                taken.append((m.start(), m.end()))
    for m in MONTH_YEAR.finditer(text):
        if free(m.start(), m.end()):
            month = MONTHS[m.group("month").lower()[:3]]
            found.append(DateMatch(f"{int(m.group('year')):04d}-{month:02d}", "month", m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def first_date(text: str, *, precision: str | None = None) -> DateMatch | None:
    for d in find_dates(text):
        if precision is None or d.precision == precision:
            return d
    return None


def period_end(text: str, start: date) -> tuple[str, int, int, str] | None:
    """End of a period stated in words, counted from ``start``:
    ``(iso, start, end, phrase)`` of the first such phrase, or None."""
    m = PERIOD.search(text)
    if m:
        raw = (m.group("n") or "one").lower()
        n = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw)
        if n is None:
            return None
        unit = m.group("unit").lower().rstrip("s")
        delta = {"year": relativedelta(years=n), "month": relativedelta(months=n), "week": relativedelta(weeks=n),
                 "decade": relativedelta(years=10 * n)}[unit]
        return ((start + delta).isoformat(), m.start(), m.end(), m.group())
    m = THROUGH_YEAR.search(text)
    if m:
        y = int(m.group("year"))
        mid = (m.group("mid") or "").strip().lower()
        end = {"mid-": date(y, 6, 30), "mid": date(y, 6, 30), "early": date(y, 3, 31)}.get(mid, date(y, 12, 31))
        return (end.isoformat(), m.start(), m.end(), m.group())
    return None


def format_date(iso: str) -> str:
    """``1952-09-10`` → ``10 September 1952``; ``2004-05`` → ``May 2004``."""
    names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
    parts = iso.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {names[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{names[int(parts[1]) - 1]} {parts[0]}"
    return iso


def page_header_date(text: str) -> DateMatch | None:
    """The issue date a serial prints in its page headers ("22 Jan 57 ... Page 2").

    The two-digit year is of the 1900s: the short form belongs to the
    typewritten serials of the 1950s-1980s that use it.
    """
    for m in PAGE_HEADER_DATE.finditer(text):
        y, mo, d = 1900 + int(m["year"]), MONTHS[m["month"].lower()[:3]], int(m["day"])
        if valid_date(y, mo, d):
            return DateMatch(f"{y:04d}-{mo:02d}-{d:02d}", "day", m.start("day"), m.end("year"))
    return None
