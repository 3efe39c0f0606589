"""What every ``declass`` command shares: the consoles, one-line errors and exit
codes, opening the archive, tables that fold rather than cut, JSON output.

Rich loads on the first table or styled line, not at start-up: a command
that prints JSON (``declass judgments --json``) never pays for it; nor is Typer
imported here (`declass.cli.quick` answers some command lines without it)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from declass.archive.archive import Archive
from declass.errors import DeclassError, UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

T = TypeVar("T")


class LazyConsole:
    """A Rich console made on first use (Rich costs tens of milliseconds to import)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            options = dict(self._options)
            if callable(options.get("width")):
                options["width"] = options["width"]()
            self._console = Console(**options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


def _width() -> int | None:
    """Piped or under make, Rich would lay tables out in 80 columns: give them room unless COLUMNS says otherwise."""
    return None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160


out = LazyConsole(highlight=False, soft_wrap=False, width=_width)
err = LazyConsole(stderr=True, highlight=False, soft_wrap=True)


def note(line: str) -> None:
    """One plain line on stderr (no Rich: counts and cursors beside JSON output)."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class Exit(SystemExit):
    """Leave with an exit code.  Typer's own ``Exit`` becomes this same ``SystemExit`` in its
    standalone mode, and raising it here needs no Typer."""


def fail(exc: DeclassError) -> Exit:
    """Print a one-line error and choose the exit code for it."""
    note(f"declass: error: {exc.message}")
    return Exit(2 if isinstance(exc, UsageError) else 1)


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
    from rich.table import Table

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


def _exported(value: Any) -> Any:
    """What JSON cannot write as it is (a typed row, `declass.store.rows`), through the one serialiser of the
    API's and the CLI's JSON (`declass.model.records.plain`: its export form)."""
    from declass.model.records import plain

    data = plain(value)
    if data is value:
        raise TypeError(f"{type(value).__name__} is not JSON")
    return data


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_exported) + "\n")


