"""Errors with stable codes, in one catalogue.

Hierarchy::

    DeclassError                 every error declass raises on purpose
    ├── InputError               one input document cannot be used (E1xx)
    ├── StageError               a pipeline stage failed on a document (E2xx)
    ├── StoreError               the archive database cannot be used (E3xx)
    └── UsageError               a caller asked for something impossible (E4xx)

Codes never change meaning once published; messages say what a reader can
do about the problem.  `str(error)` is always a single line.
"""

from __future__ import annotations

from pathlib import Path

CATALOGUE: dict[str, str] = {
    "E101": "the file is empty",
    "E102": "the file is binary data, not a document",
    "E103": "the file is larger than the size limit",
    "E104": "the PDF is damaged or truncated",
    "E105": "the file disappeared before it could be read",
    "E106": "the file type is not supported",
    "E107": "no readable text (garbage OCR or an empty scan)",
    "E108": "OCR failed",
    "E109": "the file cannot be read (permission or I/O error)",
    "E110": "the XML is not well-formed TEI",
    "E111": "the document took longer than the time budget",
    "E201": "a pipeline stage failed",
    "E202": "a pipeline stage ran before the stages it requires",
    "E203": "the worker process reading the document died",
    "E204": "worker processes could not start (no document was at fault)",
    "E205": "a pipeline stage wrote a document field it does not declare",
    "E206": "a pipeline stage declares a field documents do not have",
    "E207": "a pipeline stage returned something other than a document",
    "E301": "the database file is read-only",
    "E302": "the database file is corrupt or not a declass archive",
    "E303": "the database cannot be opened",
    "E304": "the database was written by a newer declass",
    "E305": "the query took too long and was stopped",
    "E401": "no such document",
    "E402": "no such block in the document",
    "E403": "invalid search query",
    "E404": "invalid option value",
    "E405": "no such file or folder",
}


class DeclassError(Exception):
    """Base of all declass errors: a stable `code` and a one-line message."""

    code = "E000"

    def __init__(self, code: str, detail: str = "", *, path: str | Path | None = None) -> None:
        self.code = code
        self.detail = printable(" ".join(detail.split()))
        self.path = str(path) if path is not None else None
        super().__init__(self.message)

    @property
    def message(self) -> str:
        what = CATALOGUE.get(self.code, "error")
        text = f"{what}: {self.detail}" if self.detail else what
        prefix = f"{printable(self.path)}: " if self.path else ""
        return f"{prefix}{text} [{self.code}]"


def printable(text: str) -> str:
    """``text`` safe to print on one line: control, format and separator characters
    (newlines, terminal escapes, bidi overrides) as Python escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class InputError(DeclassError):
    """One input document cannot be read; the rest of a run goes on."""


class StageError(DeclassError):
    """A pipeline stage failed on one document."""


class StoreError(DeclassError):
    """The archive database cannot be opened or written."""


class UsageError(DeclassError):
    """A request names something that does not exist or is malformed."""
