"""What every ``declass`` command shares: the consoles, one-line errors and exit
codes, opening the archive, tables that fold rather than cut, JSON output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from declass.archive.archive import Archive
from declass.errors import DeclassError, UsageError

T = TypeVar("T")

# Piped or under make, Rich would lay tables out in 80 columns: give them room unless COLUMNS says otherwise.
out = Console(highlight=False, soft_wrap=False,
              width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(exc: DeclassError) -> typer.Exit:
    """Print a one-line error and choose the exit code for it."""
    err.print(f"declass: error: {exc.message}", markup=False)
    return typer.Exit(2 if isinstance(exc, UsageError) else 1)


def open_archive(db: str | None, *, readonly: bool = False) -> Archive:
    try:
        return Archive(db, readonly=readonly)
    except DeclassError as exc:
        raise fail(exc) from None


def ask(db: str | None, question: Callable[[Archive], T], *, readonly: bool = True) -> T:
    """Open the archive, ask it one thing, close it; errors become one line and an exit code."""
    with open_archive(db, readonly=readonly) as archive:
        try:
            return question(archive)
        except DeclassError as exc:
            raise fail(exc) from None


ID_COLUMNS = frozenset({"id", "document", "judgment", "restated as"})


def table_(*headers: str, **options: Any) -> Table:
    """A table whose long ids and claims fold onto further lines rather than being cut
    (a cut id cannot be used); on a wide console an id column keeps to one line."""
    t = Table(**options)
    for h in headers:
        t.add_column(h, overflow="fold", no_wrap=h in ID_COLUMNS and out.width >= 120)
    return t


def first_words(text: str, n: int = 70) -> str:
    """The opening of ``text``, cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    return text[:n].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def short_ids(archive: Archive) -> dict[str, str]:
    """Each document's number where it has one (NIE-58): shorter than its id, and
    ``declass show`` takes either."""
    return {d["id"]: d["doc_number"] or d["id"] for d in archive.documents()}


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


