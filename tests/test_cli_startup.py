"""The CLI's start-up: a store question loads neither Pydantic, Rich, the document model nor the
pipeline (only the typed records its rows are: `declass.model.records`), only the modules a page of
judgments needs, and the plain option values
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

JUDGMENTS_PATH = frozenset({
    "declass", "declass.archive", "declass.archive.archive", "declass.cli", "declass.cli.common",
    "declass.cli.main", "declass.cli.plainargs", "declass.cli.queries", "declass.cli.quick", "declass.errors",
    "declass.limits", "declass.model", "declass.model.judgment", "declass.model.records", "declass.stages",
    "declass.stages.judgments", "declass.store", "declass.store.dialect", "declass.store.page",
    "declass.store.cursors", "declass.store.paged", "declass.store.rows", "declass.store.rows.common",
    "declass.store.rows.judgments", "declass.store.schema", "declass.store.sql", "declass.store.sqlite",
})
"""The declass modules ``declass judgments --json`` may load: the store, its judgments' rows and their types.
Not the pipeline (``stages.parse``, reading, OCR), the scales' module, the migrations, the writing
(``store.tables``, ``store.base``), the search index and its hits, the other kinds of record and row,
the corpus, the web or the evaluation."""

NEVER_ON_THE_JUDGMENTS_PATH = ("dask", "distributed", "tantivy", "jinja2", "fastapi", "starlette", "uvicorn",
                               "pytesseract", "ocrmypdf", "pypdfium2", "fitz", "pymupdf", "PIL", "numpy",
                               "matplotlib", "yaml", "rapidfuzz", "pydantic", "rich", "typer", "click",
                               "msgspec", "psycopg")
"""Third-party packages a page of judgments does not need (msgspec: 50 rows read faster with json.loads
than its import costs, `declass.store.rows.common.MSGSPEC_AFTER`)."""

LOADED = """
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
print(json.dumps({"code": code, "rows": len(json.loads(out)), "modules": sorted(sys.modules)}))
"""


def test_judgments_json_loads_only_what_it_needs(tmp_path):
    """The modules a page of judgments loads, checked in a fresh process: a start-up cost won back (the
    pipeline, the migrations, other record types, msgspec, Typer, Rich) cannot come back unnoticed."""
    from declass import Archive
    from declass.samples import sample_paths

    db = tmp_path / "a.db"
    with Archive(db) as a:
        a.ingest(sample_paths(), workers=1)
    got = json.loads(subprocess.run([sys.executable, "-c", LOADED, str(db)], capture_output=True, text=True,
                                    check=True).stdout)
    assert got["code"] in (0, None) and got["rows"] == 5  # (the limit honoured)
    declass_modules = {m for m in got["modules"] if m == "declass" or m.startswith("declass.")}
    assert declass_modules <= JUDGMENTS_PATH, sorted(declass_modules - JUDGMENTS_PATH)
    assert "declass.store.rows.judgments" in declass_modules  # (the probe did read judgments)
    third_party = sorted({m.split(".")[0] for m in got["modules"]} & set(NEVER_ON_THE_JUDGMENTS_PATH))
    assert third_party == [], third_party


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
