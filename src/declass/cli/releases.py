"""``declass releases``: releases of one document, and what a later one revealed.

Registered on the main app by `declass.cli.main`; only parses arguments and
prints what `Archive` returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from declass.cli import common as cli
from declass.errors import DeclassError

if TYPE_CHECKING:
    from declass.corpus.releases.compare import CitedComparison
    from declass.corpus.releases.stats import ReleaseStats

releases_app = typer.Typer(
    help="Releases of one document: list pairs (found automatically), compare, pair or unpair by hand.",
    invoke_without_command=True, no_args_is_help=False)




DbOption = Annotated[str | None, typer.Option("--db", envvar="DECLASS_DB", help="Archive database.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@releases_app.callback()
def releases_main(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: JsonOption = False,
    stats: Annotated[bool, typer.Option("--stats", help="Figures per pair and for the archive.")] = False,
    find: Annotated[bool, typer.Option("--find/--no-find", help="Pair the archive's documents first.")] = True,
    all_: Annotated[bool, typer.Option("--all", help="Include pairs a user rejected.")] = False,
) -> None:
    """List the pairs of releases (earlier first), or with --stats what later releases revealed."""
    if ctx.invoked_subcommand is not None:
        return
    with cli.open_archive(db, readonly=not find) as archive:
        try:
            pairs = archive.find_releases() if find else archive.releases(include_rejected=all_)
            if all_ and find:
                pairs = archive.releases(include_rejected=True)
            if stats:
                data = archive.release_stats()
                if as_json:
                    cli.print_json(data)
                else:
                    _print_stats(cli, data)
                return
        except DeclassError as exc:
            raise cli.fail(exc) from None
    if as_json:
        cli.print_json(pairs)
        return
    if not pairs:
        cli.out.print("no releases paired")
        return
    from rich.table import Table

    table = Table("earlier", "later", "date", "found by", "score", "order by", "status")
    for p in pairs:
        table.add_row(p.earlier, p.later, p.date or "", p.method, f"{p.score:.2f}", p.basis, p.status)
    cli.out.print(table)


def _print_stats(cli: Any, data: ReleaseStats) -> None:
    a = data.archive
    cli.out.print(f"{a.pairs} pairs; later releases revealed {a.revealed_chars} of {a.later_chars} "
                  f"letters ({a.withheld_share:.1%} withheld in the earlier releases)")
    for title, key in (("by year", "by_year"), ("by what withheld it", "by_withheld"), ("by scope", "by_scope"),
                       ("by content", "by_kind")):
        cli.out.print(f"\n{title}:")
        for k, v in getattr(a, key).items():
            cli.out.print(f"  {k:28} {v['withheld_share']:.1%} of {v['pairs']} pair(s)" if isinstance(v, dict)
                          else f"  {k:28} {v} letters")
    from rich.table import Table

    table = Table("earlier", "later", "withheld", "revealed", "spans", "ocr words", "removed")
    for p in data.pairs:
        table.add_row(p.earlier, p.later, f"{p.withheld_share:.1%}", str(p.revealed_chars), str(p.revealed_spans),
                      str(p.ocr_words), str(p.removed_chars))
    cli.out.print(table)


@releases_app.command("compare")
def compare_command(
    a: Annotated[str, typer.Argument(help="One release (id, prefix or number).")],
    b: Annotated[str, typer.Argument(help="Another release of the same document.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What the later release revealed, cited in both releases; OCR noise and removed text apart."""
    data = cli.ask(db, lambda ar: _comparison(ar, a, b))
    if as_json:
        cli.print_json(data)
        return
    e, lt = data.earlier_record, data.later_record
    c = data.comparison
    s = c.stats
    cli.out.print(f"earlier: {e.citation} [{c.earlier}]\nlater:   {lt.citation} [{c.later}]")
    cli.out.print(f"revealed {s.revealed_chars} letters in {s.revealed_spans} span(s): "
                  f"{s.withheld_share:.1%} of the later text; OCR noise {s.ocr_words} word(s); "
                  f"removed {s.removed_chars} letters")
    for span in c.revealed:
        w = span.withheld_by
        where = "; ".join(f"{lt.blocks.get(p.block, p.block)} (p. {p.page})" for p in span.pieces)
        hid = w.kind.replace("_", " ") + (f" “{w.text}”" if w.text else "")
        at = f", earlier {e.blocks.get(w.block, w.block)}" if w.block else ""
        cli.out.print(f"\n[{span.index + 1}] {span.scope}, {span.chars} letters — later {where}; "
                      f"filled: {hid}{at}{' (p. ' + str(w.page) + ')' if w.page else ''}",
                      markup=False)
        cli.out.print(f"    {span.text}", markup=False)
        extras = [", ".join(f"{x.text} ({x.type})" for x in span.entities),
                  ", ".join(span.numbers), ", ".join(f"{m.term} [{m.category}]" for m in span.sources_methods)]
        for label, val in zip(("entities", "numbers", "sources and methods"), extras, strict=True):
            if val:
                cli.out.print(f"    {label}: {val}", markup=False)
    if c.removed:
        cli.out.print("\nremoved (only in the earlier release):")
        for r in c.removed:
            cli.out.print(f"  {e.blocks.get(r.block, r.block)}: {r.text}", markup=False)
    if c.ocr:
        cli.out.print("\nOCR noise (read differently, not revealed): " +
                      ", ".join(f"{o.earlier} / {o.later}" for o in c.ocr[:40]), markup=False)


def _comparison(archive: Any, a: str, b: str) -> CitedComparison:
    from declass.corpus.releases.compare import cited_comparison

    return cited_comparison(archive.compare(a, b), archive.get)


@releases_app.command("pair")
def pair_command(
    a: Annotated[str, typer.Argument(help="One release.")],
    b: Annotated[str, typer.Argument(help="Another release of the same document.")],
    db: DbOption = None,
) -> None:
    """Record by hand that two documents are releases of one (the order is worked out as usual)."""
    with cli.open_archive(db) as archive:
        try:
            p = archive.pair_releases(a, b)
        except DeclassError as exc:
            raise cli.fail(exc) from None
    cli.out.print(f"paired: {p.earlier} (earlier) and {p.later} (later), order by {p.basis}")


@releases_app.command("unpair")
def unpair_command(
    a: Annotated[str, typer.Argument(help="One document.")],
    b: Annotated[str, typer.Argument(help="The other.")],
    db: DbOption = None,
) -> None:
    """Record that two documents are not releases of one (pairing will not propose them again)."""
    with cli.open_archive(db) as archive:
        try:
            archive.unpair_releases(a, b)
        except DeclassError as exc:
            raise cli.fail(exc) from None
    cli.out.print("unpaired")
