"""Store questions answered without loading Typer.

Importing Typer and building its commands costs several times what a store question
does (``declass judgments --json --limit 50``: some 110 ms of a 170 ms call, the
question itself under 10 ms).  A command line that holds only what these commands
take, each option once with a plain value within its bounds, is read here exactly as
Typer reads it, and the same function (`declass.cli.queries`) answers.  Anything else
(``--help``, a value Typer must check or refuse, an unknown option, a second positional,
``--``, shell completion) returns None, and Typer reads the line and answers or refuses
as always.  ``tests/test_cli_quick.py`` holds both readers to the same values.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence
from typing import Any

from declass.archive.archive import MAX_LIMIT
from declass.cli.plainargs import plain_value


class Opt:
    """An option: the parameter it sets, its type (``bool``: a flag), its bounds, its environment variable.
    (Plain classes, not dataclasses: making a dataclass costs about a millisecond at start-up.)"""

    __slots__ = ("dest", "envvar", "high", "kind", "low")

    def __init__(self, dest: str, kind: type, low: float | None = None, high: float | None = None,
                 envvar: str | None = None) -> None:
        self.dest, self.kind, self.low, self.high, self.envvar = dest, kind, low, high, envvar


class Command:
    """A command's positionals in order (the first ``required`` of them required) and its options."""

    __slots__ = ("arguments", "options", "required")

    def __init__(self, arguments: tuple[str, ...], options: dict[str, Opt], required: int = 0) -> None:
        self.arguments, self.options, self.required = arguments, options, required


DB = Opt("db", str, envvar="DECLASS_DB")
JSON = Opt("as_json", bool)
LIMIT = Opt("limit", int, 1, MAX_LIMIT)
AFTER = Opt("after", str)
PAGED = {"--db": DB, "--json": JSON, "--limit": LIMIT, "--after": AFTER}

COMMANDS = {
    "judgments": Command(("doc",), {**PAGED, "--scale": Opt("scale", str), "--min": Opt("low", float, 0.0, 1.0),
                                    "--max": Opt("high", float, 0.0, 1.0), "--term": Opt("term", str),
                                    "--csv": Opt("as_csv", bool)}),
    "timeline": Command((), {**PAGED, "--entity": Opt("entity", str), "--from": Opt("start", str),
                             "--to": Opt("end", str)}),
    "entities": Command(("doc",), {**PAGED, "--type": Opt("type_", str)}),
    "entity": Command(("name",), PAGED, required=1),
    "redactions": Command(("doc",), PAGED),
}
"""What each command takes here: every option Typer declares for it but ``--gazetteer`` (a list of paths,
left to Typer).  The functions of `declass.cli.queries` of the same names answer."""

COMPLETE_VAR = "_DECLASS_COMPLETE"
"""Set when a shell asks Typer to complete a word: Typer's business."""


def read(argv: Sequence[str]) -> tuple[str, dict[str, Any]] | None:
    """``(command, parameters)`` as Typer would read ``argv``, or None when Typer should read it."""
    if not argv or COMPLETE_VAR in os.environ:
        return None
    if list(argv) == ["--version"]:
        return "--version", {}
    command = COMMANDS.get(argv[0])
    if command is None:
        return None
    params: dict[str, Any] = {}
    positional: list[str] = []
    i = 1
    while i < len(argv):
        token = argv[i]
        i += 1
        if not token.startswith("-"):
            positional.append(token)
            continue
        name, eq, inline = token.partition("=")
        opt = command.options.get(name)
        if opt is None or opt.dest in params:  # unknown, --help, "--", "-", or given twice
            return None
        if opt.kind is bool:
            if eq:
                return None
            params[opt.dest] = True
            continue
        if eq:
            value = inline
        elif i < len(argv) and not argv[i].startswith("-"):
            value = argv[i]
            i += 1
        else:  # no value, or one that looks like an option: Typer decides what it means
            return None
        ok, parsed = plain_value(opt.kind, value, low=opt.low, high=opt.high)
        if not ok:
            return None
        params[opt.dest] = parsed
    if not command.required <= len(positional) <= len(command.arguments):
        return None
    params.update(zip(command.arguments, positional, strict=False))
    for opt in command.options.values():
        if opt.envvar and opt.dest not in params and os.environ.get(opt.envvar):
            params[opt.dest] = os.environ[opt.envvar]
    return argv[0], params


def run(argv: Sequence[str]) -> int | None:
    """Answer ``argv`` and return the exit code, or None when Typer should take it.
    An error a command reports leaves as its `SystemExit` (``declass.cli.common.fail``)."""
    call = read(argv)
    if call is None:
        return None
    name, params = call
    if name == "--version":
        from declass import __version__

        sys.stdout.write(f"declass {__version__}\n")
        return 0
    from declass.cli import queries

    try:
        getattr(queries, name)(**params)
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 130  # as Typer does
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        # the reader went away (``| head``): as Typer, exit 1, and nothing more is written to the pipe
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0
