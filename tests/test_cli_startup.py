"""The CLI's start-up: a store question loads neither Pydantic, Rich, the document model nor the
pipeline (only the typed records its rows are: `declass.model.records`), and the plain option values
read without Pydantic are the values Typer's own adapter reads."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from typer._adapters import build_leaf_adapter
from typer.models import OptionInfo

from declass.cli.plainargs import plain_value

PROBE = """
import io, json, sys
sys.argv = ["declass", "judgments", "--json", "--limit", "5", "--db", sys.argv[1]]
sys.stdout = io.StringIO()
from declass.cli.main import run
try:
    run()
except SystemExit as exc:
    code = exc.code
out = sys.stdout.getvalue()
sys.stdout = sys.__stdout__
heavy = sorted({m.split(".")[0] if not m.startswith("declass.") else ".".join(m.split(".")[:2])
                for m in sys.modules
                if m.split(".")[0] in ("pydantic", "rich", "yaml", "rapidfuzz", "numpy", "PIL", "pypdfium2")
                or m.startswith(("declass.stages.parse", "declass.stages.pipeline", "declass.corpus",
                                 "declass.model.document", "declass.text.textmap"))})
print(json.dumps({"code": code, "rows": len(json.loads(out)), "heavy": heavy}))
"""


def test_judgments_json_loads_no_heavy_module(tmp_path):
    from declass import Archive
    from declass.samples import sample_paths

    db = tmp_path / "a.db"
    with Archive(db) as a:
        a.ingest(sample_paths(), workers=1)
    got = json.loads(subprocess.run([sys.executable, "-c", PROBE, str(db)], capture_output=True, text=True,
                                    check=True).stdout)
    assert got["code"] in (0, None) and got["rows"] == 5
    assert got["heavy"] == [], got["heavy"]


def typer_reads(annotation, value, **bounds):
    """What Typer's own Pydantic adapter makes of ``value`` (None: it refuses it)."""
    adapter: TypeAdapter = build_leaf_adapter(annotation, OptionInfo(**bounds))
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


NUMBERISH = st.one_of(st.text(max_size=12), st.from_regex(r"[+-]?\d{1,6}(\.\d{0,4})?([eE][+-]?\d{1,2})?",
                                                        fullmatch=True), st.integers().map(str))


@settings(max_examples=300, deadline=None)
@given(NUMBERISH, st.sampled_from([int, float]), st.sampled_from([(None, None), (0, 1), (1, 1000)]))
def test_plain_numbers_read_as_typer_reads_them(text, annotation, bounds):
    low, high = bounds
    ok, value = plain_value(annotation, text, low=low, high=high)
    if ok:  # whatever the shortcut takes, Typer's adapter takes too, to the same value and type
        want = typer_reads(annotation, text, min=low, max=high)
        assert want == value and type(want) is type(value)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=20))
def test_plain_text_is_the_text(text):
    assert plain_value(str, text) == (True, text) == (True, typer_reads(str, text))


def test_what_is_not_plain_goes_to_typer():
    assert plain_value(int, "0", low=1) == (False, None)  # out of bounds: Typer's own message
    assert plain_value(int, "1.5") == (False, None)
    assert plain_value(float, "nan") == (False, None)
    assert plain_value(int, True) == (False, None)  # a bool is not a plain int
    assert plain_value(bool, "yes") == (False, None)
    assert plain_value(list, "a") == (False, None)
    assert plain_value(int, "50", low=1, high=1000) == (True, 50)
    assert plain_value(float, ".5", low=0.0, high=1.0) == (True, 0.5)
