"""The ``declass`` command line: Typer's declaration of every command, over the `Archive` API.

Exit codes: 0 success; 1 some documents failed, or the archive could not
be used; 2 a usage error (bad option, unknown document or label).

The store questions' bodies are in `declass.cli.queries`, which `declass.cli.quick` also calls
when a command line needs nothing of Typer's (``declass.cli.main.run`` decides).
"""

from __future__ import annotations

import csv
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core

from declass import __version__
from declass.archive.archive import DEFAULT_LIMIT, MAX_LIMIT
from declass.cli import plainargs, queries
from declass.cli.common import ask, err, fail, first_words, open_archive, out, print_json, table_
from declass.cli.queries import page_footer
from declass.cli.releases import releases_app
from declass.errors import DeclassError, UsageError, printable
from declass.evaluate.cli import eval_command
from declass.limits import DEFAULT_TIME_BUDGET
from declass.store import default_db
from declass.store.page import Page

if TYPE_CHECKING:  # what only some commands use loads in them: a store question starts without it
    from rich.text import Text

    from declass.store import Hit
    from declass.store.rows import Link


def _flag_type_hidden(display: Callable[[Any, Any], str | None]) -> Callable[[Any, Any], str | None]:
    """Help lists an option's value type (``<str>``); a flag takes no value, so its
    ``<bool>`` only puzzles: show nothing there."""

    def shown(self: Any, ctx: Any) -> str | None:
        return None if getattr(self, "is_flag", False) else display(self, ctx)

    return shown


plainargs.install()  # plain option values without importing Pydantic
typer.core.TyperOption.display_type_rich = _flag_type_hidden(  # type: ignore[method-assign, assignment]
    typer.core.TyperOption.display_type_rich)

app = typer.Typer(
    name="declass",
    help="Turn declassified documents into a structured, searchable, checkable archive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="DECLASS_DB", help="Archive database (default ./declass.db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
GazetteerOption = Annotated[
    list[Path] | None,
    typer.Option("--gazetteer", help="Your own gazetteer file (YAML), merged over the built-in one; repeatable."),
]


LimitOption = Annotated[int, typer.Option("--limit", min=1, max=MAX_LIMIT,
                                          help=f"Rows per page (at most {MAX_LIMIT}).")]
AfterOption = Annotated[
    str | None, typer.Option("--after", help="Start after this cursor (printed at the end of the previous page).")
]


class Reading(StrEnum):
    typed = "typed"
    amended = "amended"
    redline = "redline"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


_INTERRUPTED: list[int] = []
"""Signals received during an ingest: an error raised while one is handled (SQLite's own
"interrupted", a pool torn down) is that interrupt, not a failure of its own."""


def _interrupt(signum: int, frame: object) -> None:
    _INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"declass {__version__}\n")  # (not through Rich: the version alone should not load it)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """declass: read, structure and search declassified documents."""


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (searched recursively) or globs.")],
    db: DbOption = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes (default: all cores; 1 runs in this process, without the time limit).")] = None,
    max_size: Annotated[int, typer.Option(min=1, help="Largest file to read, in MiB.")] = 64,
    ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="OCR scans and images with Tesseract.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    gazetteer: GazetteerOption = None,
    dask: Annotated[
        str | None, typer.Option("--dask", help="Run the pipeline on a Dask cluster (scheduler address).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option(min=1, help="Most seconds one document may take in a worker before it is stopped.")
    ] = DEFAULT_TIME_BUDGET,
) -> None:
    """Ingest documents into the archive (re-running is safe: unchanged files are skipped)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from declass.archive.ingest import GLOB_CHARS, FileResult, count_files  # the pipeline, only when ingesting

    for p in paths:  # a mistyped name is a usage error, before anything is read
        if not any(c in GLOB_CHARS for c in p) and not os.path.lexists(p):
            raise fail(UsageError("E405", path=p))
    archive = open_archive(db)
    started = time.perf_counter()
    show_bar = not quiet and err.is_terminal
    total = count_files(paths) if show_bar else None
    with Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err.console, disable=not show_bar, transient=True,
    ) as bar:
        task = bar.add_task("ingesting", total=total)

        def on_result(res: FileResult) -> None:
            bar.advance(task)
            if res.status == "failed":
                err.print(f"declass: failed: {res.error}", markup=False)

        previous = signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops as Ctrl-C does
        try:
            report = archive.ingest(paths, workers=workers, max_bytes=max_size * 2**20, ocr=ocr,
                                    gazetteer=gazetteer or (), on_result=on_result, dask=dask,
                                    time_budget=time_limit)
        except (DeclassError, KeyboardInterrupt) as exc:
            if isinstance(exc, DeclassError) and not _INTERRUPTED:
                raise fail(exc) from None
            archive.close()  # what is stored stays stored, and the index is brought up to date
            err.print("declass: interrupted: run the same command again to finish (stored files are skipped)",
                      markup=False)
            raise typer.Exit(130) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
            archive.close()
    elapsed = time.perf_counter() - started
    n = len(report.results)
    if n == 0:
        err.print("declass: error: no documents found in " + " ".join(printable(p) for p in paths), markup=False)
        raise typer.Exit(1)
    err.print(
        f"{n} file{'s' if n != 1 else ''}: {report.count('added')} added, "
        f"{report.count('replaced')} replaced, {report.count('unchanged')} unchanged, "
        f"{len(report.failed)} failed; {report.pages} pages in {elapsed:.1f} s",
        markup=False,
    )
    if report.failed:
        raise typer.Exit(1)


@app.command()
def reindex(db: DbOption = None) -> None:
    """Rebuild the search index (e.g. after copying an archive file without its .tantivy folder)."""
    n = ask(db, lambda archive: archive.reindex(), readonly=False)
    err.print(f"indexed {n:,} blocks")


@app.command("list")
def list_documents(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the documents in the archive."""
    archive = open_archive(db, readonly=True)
    with archive:
        docs = archive.documents()
    if as_json:
        print_json(docs)
        return
    table = table_("id", "type", "number", "date", "class.", "pages", "blocks", "title")
    for d in docs:
        table.add_row(d.id, d.doc_type or "", d.doc_number or "", d.date or "", d.classification or "",
                      str(d.pages), str(d.blocks), d.title or "")
    out.print(table)
    out.print(f"{len(docs)} document{'s' if len(docs) != 1 else ''}")


@app.command()
def show(
    doc: Annotated[str, typer.Argument(help="Document id, id prefix, or number (e.g. NIE-58).")],
    label: Annotated[str | None, typer.Argument(help="A block label (e.g. 23.b).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    reading: Annotated[
        Reading, typer.Option(help="typed: as typed; amended: handwritten edits applied; redline: both, marked.")
    ] = Reading.typed,
) -> None:
    """Show a document's outline, or one block of it, in a chosen reading."""
    from rich.text import Text

    from declass.corpus.cite import citation

    record, block = ask(db, lambda archive: archive.record_and_block(doc, label))
    if block is not None:
        if as_json:
            print_json({"document": record["id"], "citation": citation(record, block), **block})
            return
        out.print(Text(citation(record, block), style="bold"))
        out.print(f"[{block['kind']}, page {block['page']}, characters {block['start']}-{block['end']}]",
                  markup=False, style="dim")
        out.print(render_reading(block, reading))
        return
    if as_json:
        print_json(record)
        return
    if reading is not Reading.typed:
        for b in record["blocks"]:
            out.print(Text(b["label"], style="bold"), render_reading(b, reading))
        return
    print_outline(record)


# wdiff's marks for a redline read as plain text: [-struck-] {+inserted+}, and a note written beside
PLAIN_MARKS = {"delete": "[-{}-]", "insert": "{{+{}+}}", "note": "{{+note: {}+}}"}


def render_reading(block: dict[str, Any], reading: Reading) -> Text:
    """A block's text as typed, as amended, or as a redline with Rich styles."""
    from rich.text import Text

    from declass.stages.markup import OPS_STYLE

    if reading is Reading.amended:
        return Text(block.get("amended_text", block["text"]))
    if reading is Reading.redline and block.get("redline"):
        text = Text()
        plain = not out.is_terminal or out.no_color  # piped, a style would be lost: mark edits in text
        for op, part in block["redline"]:
            if plain and op in PLAIN_MARKS:
                lead, core, trail = part[: len(part) - len(part.lstrip())], part.strip(), part[len(part.rstrip()):]
                part = lead + PLAIN_MARKS[op].format(core) + trail
            text.append(part, style="" if plain else OPS_STYLE.get(op, ""))
        return text
    return Text(block["text"])


def print_outline(record: dict[str, Any]) -> None:
    """Metadata, then one line per block, indented by depth."""
    from rich.text import Text

    from declass.corpus.cite import citation
    from declass.model import field_value

    out.print(Text(citation(record), style="bold"))
    out.print(f"  id: {record['id']}", markup=False)
    for key, value in record["metadata"].items():
        v = field_value(record["metadata"], key)
        if isinstance(value, list):
            v = "; ".join(f"{r['by']} on {', '.join(r.get('paragraphs', []))} ({r.get('source')})"
                          for r in value if isinstance(r, dict) and "by" in r and "source" in r) or None
        if v not in (None, "", []):
            out.print(f"  {key}: {', '.join(v) if isinstance(v, list) else v}", markup=False)
    for w in record.get("warnings", []):
        out.print(f"  warning: {w}", markup=False, style="yellow")
    parents = {b["label"]: b["parent"] for b in record["blocks"]}
    table = table_("label", "kind", "page", "text", box=None, pad_edge=False)
    for b in record["blocks"]:
        depth, parent = 0, b["parent"]
        while parent and depth < 8:
            depth += 1
            parent = parents.get(parent)
        label_text = "  " * depth + b["label"] + ("*" if b.get("label_inferred") else "")
        table.add_row(label_text, b["kind"], str(b["page"]), first_words(b["text"]))
    out.print(table)
    out.print("* number inferred from the sequence (lost in OCR)", style="dim")


@app.command("cite")
def cite_command(
    doc: Annotated[str, typer.Argument(help="Document id, id prefix, or number (e.g. NIE-58).")],
    label: Annotated[str | None, typer.Argument(help="A block label (e.g. 23.b); omit to cite the document.")] = None,
    db: DbOption = None,
) -> None:
    """Print a full citation: type, number, title, date, paragraph, archive id."""
    from declass.corpus.cite import citation

    record, block = ask(db, lambda archive: archive.record_and_block(doc, label))
    sys.stdout.write(citation(record, block) + "\n")


@app.command("redactions")
def redactions_command(
    doc: Annotated[str | None, typer.Argument(help="One document (default: the whole archive).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    limit: LimitOption = DEFAULT_LIMIT,
    after: AfterOption = None,
) -> None:
    """What the release withholds: exemption markers and withheld points, with statistics."""
    queries.redactions(doc, db, as_json, limit, after)


@app.command("judgments")
def judgments_command(
    doc: Annotated[str | None, typer.Argument(help="One document (default: the whole archive).")] = None,
    db: DbOption = None,
    scale: Annotated[str, typer.Option(help="kent, icd203, phia, survey, or a scale file (YAML).")] = "kent",
    low: Annotated[float, typer.Option("--min", min=0.0, max=1.0, help="Keep ranges at or above this.")] = 0.0,
    high: Annotated[float, typer.Option("--max", min=0.0, max=1.0, help="Keep ranges at or below this.")] = 1.0,
    term: Annotated[str | None, typer.Option("--term", help="Only this term (e.g. probably).")] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    limit: LimitOption = DEFAULT_LIMIT,
    after: AfterOption = None,
) -> None:
    """Estimative judgments: term, probability range under a scale, horizon, dissent."""
    queries.judgments(doc, db, scale, low, high, term, as_json, as_csv, limit, after)


@app.command("timeline")
def timeline_command(
    db: DbOption = None,
    entity: Annotated[str | None, typer.Option("--entity", help="Only events whose sentence names it.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="ISO date (or year) to start from.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="ISO date (or year) to end at.")] = None,
    gazetteer: GazetteerOption = None,
    as_json: JsonOption = False,
    limit: LimitOption = DEFAULT_LIMIT,
    after: AfterOption = None,
) -> None:
    """Dated events, deadlines and durations across the archive, in order, cited."""
    queries.timeline(db, entity, start, end, gazetteer or (), as_json, limit, after)


link_app = typer.Typer(help="Judgments restated across documents: find, list, confirm, reject.",
                       no_args_is_help=True)
app.add_typer(link_app, name="link")
app.add_typer(releases_app, name="releases")


@link_app.command("find")
def link_find(
    db: DbOption = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Least similarity for a link.")] = 0.5,
    method: Annotated[str, typer.Option(help="lexical, embeddings (optional extra), or auto.")] = "auto",
    as_json: JsonOption = False,
) -> None:
    """Propose links between judgments of different documents (kept in the archive)."""
    with open_archive(db) as archive:
        try:
            links = archive.find_links(threshold=threshold, method=method)
        except DeclassError as exc:
            raise fail(exc) from None
    print_links(links, as_json)


@link_app.command("list")
def link_list(
    db: DbOption = None,
    include_rejected: Annotated[bool, typer.Option("--all", help="Show rejected links too.")] = False,
    as_json: JsonOption = False,
    limit: LimitOption = DEFAULT_LIMIT,
    after: AfterOption = None,
) -> None:
    """The stored links, best first."""
    with open_archive(db, readonly=True) as archive:
        try:
            links = archive.links(include_rejected=include_rejected, limit=limit, after=after)
        except DeclassError as exc:
            raise fail(exc) from None
    print_links(links, as_json)


def _judge(a: str, b: str, db: str | None, status: str) -> None:
    with open_archive(db) as archive:
        try:
            archive.judge_link(a, b, status)
        except DeclassError as exc:
            raise fail(exc) from None
    err.print(f"{status}: {a} <-> {b}")


@link_app.command("confirm")
def link_confirm(
    a: Annotated[str, typer.Argument(help="A judgment: DOC:BLOCK#N, e.g. NIE-58:22#1.")],
    b: Annotated[str, typer.Argument(help="Another judgment.")],
    db: DbOption = None,
) -> None:
    """Confirm that two judgments are the same judgment restated."""
    _judge(a, b, db, "confirmed")


@link_app.command("reject")
def link_reject(
    a: Annotated[str, typer.Argument(help="A judgment: DOC:BLOCK#N.")],
    b: Annotated[str, typer.Argument(help="Another judgment.")],
    db: DbOption = None,
) -> None:
    """Reject a proposed link (it stays rejected when links are found again)."""
    _judge(a, b, db, "rejected")


def print_links(links: list[Link], as_json: bool) -> None:
    if as_json:
        print_json(links)
        if isinstance(links, Page):
            page_footer(links, "links")
        return
    table = table_("score", "status", "agree", "judgment", "restated as")
    for lk in links:
        agree = {True: "agrees", False: "flips", None: ""}[lk.agree]
        table.add_row(f"{lk.score:.2f}", lk.status, agree, f"{lk.a_doc}:{lk.a}", f"{lk.b_doc}:{lk.b}")
    out.print(table)
    if isinstance(links, Page):
        page_footer(links, "links")
    else:
        out.print(f"{len(links)} links")


def fmt_range(r: Sequence[float] | None) -> str:
    return f"{r[0]:.2f}-{r[1]:.2f}" if r else "unmapped"


@app.command("track")
def track_command(
    judgment: Annotated[str, typer.Argument(help="DOC:BLOCK#N, or words of the claim.")],
    db: DbOption = None,
    scale: Annotated[str, typer.Option(help="kent, icd203, phia, survey, or a scale file.")] = "kent",
    as_json: JsonOption = False,
) -> None:
    """How a judgment was restated over time, with its term and probability."""
    from rich.text import Text

    found = ask(db, lambda archive: archive.track(judgment, scale=scale))
    if as_json:
        print_json(found)
        return
    a = found.anchor
    out.print(Text(f"{a.document}:{a.id} \u2014 {a.claim}", style="bold"))
    table = table_("date", "judgment", "term", "range", "on this side", "claim")
    for r in found.trajectory:
        table.add_row(r.date or "", f"{r.document}:{r.judgment}", r.expression, fmt_range(r.range),
                      fmt_range(r.aligned_range) + (" (flipped)" if r.flipped else ""), r.claim)
    out.print(table)


@app.command("score")
def score_command(
    outcomes: Annotated[Path, typer.Argument(help="Outcomes file (YAML), e.g. data/outcomes/samples.yaml.")],
    db: DbOption = None,
    scale: Annotated[str, typer.Option(help="kent, icd203, phia, survey, or a scale file.")] = "kent",
    by: Annotated[str | None, typer.Option(help="Also score by document, term or agency.")] = None,
    plot_to: Annotated[Path, typer.Option("--plot", help="Calibration plot path, without extension.")] = Path(
        "calibration"),
    as_json: JsonOption = False,
) -> None:
    """Score judgments against what happened: Brier, log score, calibration table and plot."""
    from dataclasses import replace

    from rich.text import Text

    from declass.corpus.score import plot as plot_calibration

    result = ask(db, lambda archive: archive.score(outcomes, scale=scale, by=by))
    paths = plot_calibration(result, plot_to)
    result = replace(result, plots=tuple(str(p) for p in paths))
    if as_json:
        print_json(result)
        return
    s = result.summary
    out.print(Text(f"{s.n} judgments scored on the {scale} scale", style="bold"))
    if s.n:
        out.print(f"  Brier {s.brier:.4f} (0-2 form {s.brier_0_2:.4f}), log score {s.log:.4f}; "
                  f"mean stated probability {s.mean_probability:.3f}, observed frequency {s.observed:.3f}")
    out.print(f"  excluded: {len(result.ambiguous)} ambiguous, {len(result.no_probability)} without a usable "
              f"probability, {len(result.unmatched)} unmatched; {result.unresolved} judgments unresolved")
    table = table_("stated", "n", "mean stated", "observed")
    for r in result.calibration:
        if r.n:
            table.add_row(r.band, str(r.n), f"{r.mean_probability:.3f}", f"{r.observed:.3f}")
    out.print(table)
    for group, rows in (result.by or {}).items():
        t = table_(group, "n", "Brier", "log")
        for name, v in rows.items():
            b, lg = (f"{v.brier:.4f}", f"{v.log:.4f}") if v.n else ("", "")
            t.add_row(name, str(v.n), b, lg)
        out.print(t)
    if result.no_probability:
        out.print("resolved, but stated without a usable probability:")
        for u in result.no_probability:
            out.print(f"  {u.document}:{u.judgment} ({u.term}) -> {u.outcome}: {u.claim[:70]}", markup=False)
    for m in result.unmatched:
        out.print(f"  unmatched: {m.entry['document']} {m.entry['block']} {m.entry.get('match', '')!r}: {m.reason}",
                  markup=False)
    err.print("wrote " + ", ".join(str(p) for p in paths))


@app.command("serve")
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    outcomes: Annotated[Path | None, typer.Option(help="Outcomes file: enables the Scores page.")] = None,
    gazetteer: GazetteerOption = None,
) -> None:
    """Serve the reading room (web pages and JSON API), read-only."""
    import uvicorn

    from declass.web import create_app

    try:
        web = create_app(db or default_db(), outcomes=str(outcomes) if outcomes else None,
                         gazetteer=tuple(str(g) for g in gazetteer or ()))
    except DeclassError as exc:
        raise fail(exc) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"declass: warning: listening on {host}: anyone who can reach this address can read the archive",
                  markup=False)
    out.print(f"declass reading room at http://{'127.0.0.1' if host == '127.0.0.1' else host}:{port}  (Ctrl-C to stop)")
    uvicorn.run(web, host=host, port=port, log_level="warning")


@app.command("entities")
def entities_command(
    doc: Annotated[str | None, typer.Argument(help="One document (default: the whole archive).")] = None,
    db: DbOption = None,
    type_: Annotated[
        str | None, typer.Option("--type", help="person, place, organisation, group, treaty, event or unknown.")
    ] = None,
    as_json: JsonOption = False,
    limit: LimitOption = DEFAULT_LIMIT,
    after: AfterOption = None,
) -> None:
    """People, places and organisations: mentions per canonical entity."""
    queries.entities(doc, db, type_, as_json, limit, after)


@app.command("entity")
def entity_command(
    name: Annotated[str, typer.Argument(help="Any name or spelling: Peking, Peiping, Chou En-lai, Port Arthur.")],
    db: DbOption = None,
    gazetteer: GazetteerOption = None,
    as_json: JsonOption = False,
    limit: LimitOption = DEFAULT_LIMIT,
    after: AfterOption = None,
) -> None:
    """One entity: its canonical record, the names it appears under, its mentions cited (a page at a time)."""
    queries.entity(name, db, gazetteer or (), as_json, limit, after)


@app.command("cooccurrence")
def cooccurrence_command(
    db: DbOption = None,
    min_weight: Annotated[int, typer.Option("--min", min=1, help="Fewest shared blocks for an edge.")] = 1,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the CSV here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of CSV.")] = False,
) -> None:
    """Entities mentioned in the same blocks, as a CSV edge list for network tools."""
    with open_archive(db, readonly=True) as archive:
        edges = archive.cooccurrence(min_weight=min_weight)
    if as_json:
        print_json(edges)
        return
    cols = ["source", "source_name", "target", "target_name", "weight", "documents"]
    fh = out_file.open("w", newline="", encoding="utf-8") if out_file else sys.stdout
    try:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(e.to_dict() for e in edges)
    finally:
        if out_file:
            fh.close()
            err.print(f"wrote {len(edges)} edges to {out_file}")


def render_snippet(hit: Hit) -> Text:
    from rich.text import Text

    text = Text(hit.snippet)
    for s, e in hit.highlights:
        text.stylize("bold reverse", s, e)
    return text


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help='FTS5 query: words, "a phrase", AND/OR/NOT, prefix*.')] = None,
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Most hits to show.")] = 20,
    document: Annotated[str | None, typer.Option("--doc", help="Search one document only.")] = None,
    entity: Annotated[
        str | None, typer.Option("--entity", help="Only blocks mentioning this entity, under any spelling.")
    ] = None,
    gazetteer: GazetteerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search the archive's text; each hit cites document and block label."""
    hits = ask(db, lambda archive: archive.search(query, limit=limit, document=document, entity=entity,
                                                  gazetteer=gazetteer or ()))
    if as_json:
        print_json([h.to_dict() for h in hits])
        return
    table = table_("document", "label", "page", "snippet", "score")
    for h in hits:
        table.add_row(h.doc_number or h.document, h.label, str(h.page or ""), render_snippet(h),
                      f"{h.score:.2f}")
    out.print(table)
    out.print(f"{len(hits)} hit{'s' if len(hits) != 1 else ''}")


@app.command()
def export(
    db: DbOption = None,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl: a record per document; csv: a row per block.")
    ] = ExportFormat.jsonl,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
) -> None:
    """Export the archive (JSONL records or a CSV of blocks)."""
    from declass.archive.export import with_releases, write_csv, write_jsonl

    with open_archive(db, readonly=True) as archive:
        records = with_releases(archive.records(), archive.releases())
        writer = write_jsonl if fmt is ExportFormat.jsonl else write_csv
        if out_file is None:
            writer(records, sys.stdout)
            return
        tmp = out_file.with_name(out_file.name + ".partial")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            n = writer(records, fh)
        tmp.replace(out_file)
    err.print(f"wrote {n} {'records' if fmt is ExportFormat.jsonl else 'rows'} to {out_file}")


app.command("eval")(eval_command)
