"""`declass.cli.quick` reads a command line as Typer does, or leaves it to Typer; either way a
store question prints the same, fails the same and exits with the same code."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer._click.exceptions import ClickException
from typer.exceptions import Exit
from typer.testing import CliRunner

from declass.cli import queries, quick
from declass.cli.main import app

CLICK = typer.main.get_command(app)


def click_command(name: str) -> typer.core.TyperCommand:
    return CLICK.commands[name]  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("name", sorted(quick.COMMANDS))
def test_quick_commands_take_what_typer_declares(name: str) -> None:
    """Every option of the Typer command but --gazetteer, under the same parameter, and its
    positionals in order; the function answering takes exactly Typer's parameters."""
    cmd, spec = click_command(name), quick.COMMANDS[name]
    options = {o: p for p in cmd.params if p.param_type_name == "option" for o in p.opts}
    arguments = [p for p in cmd.params if p.param_type_name == "argument"]
    assert set(spec.options) == set(options) - {"--gazetteer"}
    for opt, o in spec.options.items():
        p = options[opt]
        assert o.dest == p.name
        assert (o.kind is bool) == bool(getattr(p, "is_flag", False))
        assert o.envvar == p.envvar
        assert (o.low, o.high) == (getattr(p, "min", None), getattr(p, "max", None)), opt
        if o.kind is not bool:
            assert o.kind is p.get_runtime_param().annotation, opt  # type: ignore[attr-defined]
    assert spec.arguments == tuple(p.name for p in arguments)
    assert spec.required == sum(p.required for p in arguments)
    assert list(inspect.signature(getattr(queries, name)).parameters) == [p.name for p in cmd.params]


def typer_reads(name: str, argv: list[str]) -> dict[str, object] | None:
    """The parameters Typer passes the command for ``argv`` (None: it refuses the line, or shows help)."""
    try:
        ctx = click_command(name).make_context(name, list(argv))
    except (ClickException, Exit):
        return None
    return dict(ctx.params)


def expected(name: str, params: dict[str, object]) -> dict[str, object]:
    """The answering function's defaults, with what quick read over them."""
    sig = inspect.signature(getattr(queries, name))
    return {k: params.get(k, p.default) for k, p in sig.parameters.items()}


VALUES = st.one_of(
    st.sampled_from(["0", "1", "50", "1000", "1001", "0.5", ".5", "1e0", "-1", "-0.5", "nan", "", "x", "kent",
                     "icd203", "NIE-58", "--json", "-", "5 ", "٣", "+7", "0x10", "1_000", "True"]),
    st.text(max_size=8),
    st.integers(-5, 2000).map(str),
)


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[str, list[str]]:
    name = draw(st.sampled_from(sorted(quick.COMMANDS)))
    opts = [o for p in click_command(name).params if p.param_type_name == "option" for o in p.opts]
    tokens: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["opt", "opt=", "positional", "odd"]))
        if kind == "opt":
            tokens.append(draw(st.sampled_from(opts)))
            if draw(st.booleans()):
                tokens.append(draw(VALUES))
        elif kind == "opt=":
            tokens.append(draw(st.sampled_from(opts)) + "=" + draw(VALUES))
        elif kind == "positional":
            tokens.append(draw(VALUES))
        else:
            tokens.append(draw(st.sampled_from(["--help", "--", "-", "--bogus", "--version", "--json=1", "-q"])))
    return name, tokens


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_lines(), st.sampled_from([None, "", "/tmp/from-env.db"]))
def test_what_quick_reads_typer_reads_the_same(line: tuple[str, list[str]], env_db: str | None) -> None:
    name, argv = line
    saved = os.environ.pop("DECLASS_DB", None)
    try:
        if env_db is not None:
            os.environ["DECLASS_DB"] = env_db
        got = quick.read([name, *argv])
        if got is None:
            return  # Typer's to read: nothing to compare
        assert got[0] == name
        want = typer_reads(name, argv)
        assert want is not None, f"quick took a line Typer refuses: {argv}"
        assert want == expected(name, got[1])
        assert all(type(want[k]) is type(v) for k, v in got[1].items())
    finally:
        os.environ.pop("DECLASS_DB", None)
        if saved is not None:
            os.environ["DECLASS_DB"] = saved


@pytest.mark.parametrize("argv", [
    ["judgments", "NIE-58", "--db", "a.db", "--scale", "icd203", "--min", "0.2", "--max=0.9", "--term", "likely",
     "--json", "--csv", "--limit", "7", "--after", "abc"],
    ["timeline", "--entity", "Moscow", "--from", "1952", "--to=1953-06", "--json", "--limit", "1000"],
    ["entities", "--type", "place", "NIE-58", "--after", "x"],
    ["entity", "Port Arthur", "--json", "--limit", "1"],
    ["redactions", "--json"],
    ["judgments"],
])
def test_plain_command_lines_are_answered_quickly(argv: list[str]) -> None:
    got = quick.read(argv)
    assert got is not None
    assert typer_reads(argv[0], argv[1:]) == expected(argv[0], got[1])


@pytest.mark.parametrize("argv", [
    [], ["--help"], ["judgments", "--help"], ["judgments", "--limit", "0"], ["judgments", "--limit", "2000"],
    ["judgments", "--min", "-0.1"], ["judgments", "--scale"], ["judgments", "a", "b"], ["entity"],
    ["timeline", "--gazetteer", "g.yaml"], ["judgments", "--json", "--json"], ["judgments", "--json=yes"],
    ["judgments", "--", "x"], ["list"], ["ingest", "x"], ["judgments", "--limit", "--json"], ["--version", "x"],
])
def test_what_typer_must_read_is_left_to_it(argv: list[str]) -> None:
    assert quick.read(argv) is None


def test_shell_completion_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(quick.COMPLETE_VAR, "bash_complete")
    assert quick.read(["judgments", "--json"]) is None


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from declass import Archive
    from declass.samples import sample_paths

    db = tmp_path_factory.mktemp("quick") / "a.db"
    with Archive(db) as a:
        a.ingest(sample_paths(), workers=1)
    return db


LINES = [
    ["judgments", "--json", "--limit", "3"],
    ["judgments", "--csv", "--scale", "icd203", "--min", "0.5"],
    ["judgments", "--limit", "4"],
    ["judgments", "NIE-58", "--json", "--term", "probably"],
    ["judgments", "no-such-document", "--json"],
    ["judgments", "--json", "--after", "not-a-cursor"],
    ["timeline", "--json", "--limit", "2"],
    ["timeline", "--from", "1953", "--limit", "3"],
    ["entities", "--limit", "5"],
    ["entities", "--type", "place", "--json", "--limit", "2"],
    ["entity", "Peiping", "--limit", "2"],
    ["entity", "Port Arthur", "--json", "--limit", "1"],
    ["redactions", "--json"],
    ["redactions", "--limit", "1"],
    ["--version"],
]


@pytest.mark.parametrize("argv", LINES, ids=lambda a: " ".join(a))
def test_quick_and_typer_answer_alike(argv: list[str], archive: Path) -> None:
    """The console script (quick) and the Typer app print the same and exit with the same code."""
    with_db = argv if argv == ["--version"] else [*argv, "--db", str(archive)]
    assert quick.read(with_db) is not None
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("DECLASS_DB", None)
    proc = subprocess.run([sys.executable, "-c", "from declass.cli.main import run; run()", *with_db],
                          capture_output=True, text=True, env=env)
    typer_run = CliRunner().invoke(app, with_db, env={"COLUMNS": "160", "DECLASS_DB": None})
    assert (proc.returncode, proc.stdout, proc.stderr) == (typer_run.exit_code, typer_run.stdout, typer_run.stderr)


@pytest.mark.parametrize("entry", ["from declass.cli.main import run; run()",
                                   "from declass.cli.app import app; app()"], ids=["quick", "typer"])
def test_a_closed_pipe_is_exit_1_and_quiet(entry: str, archive: Path) -> None:
    """The reader went away before the answer was written: exit 1, no traceback, either way."""
    proc = subprocess.Popen([sys.executable, "-c", entry, "judgments", "--json", "--db", str(archive)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert (proc.wait(), err) == (1, "")


def test_the_fast_path_needs_no_typer(archive: Path) -> None:
    probe = ("import sys, json\nfrom declass.cli.main import run\ntry:\n    run()\nexcept SystemExit as e:\n"
             "    code = e.code\nsys.stderr.write(json.dumps({'code': code, 'typer': 'typer' in sys.modules,"
             " 'tantivy': 'tantivy' in sys.modules}))\n")
    proc = subprocess.run([sys.executable, "-c", probe, "judgments", "--json", "--db", str(archive)],
                          capture_output=True, text=True)
    got = json.loads(proc.stderr.splitlines()[-1])
    assert got == {"code": 0, "typer": False, "tantivy": False}
