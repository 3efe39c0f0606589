"""The store questions' commands (judgments, timeline, entities, entity, redactions) as plain functions.

Typer declares them in `declass.cli.app` and calls these; `declass.cli.quick` calls them too, without
loading Typer, when a command line holds nothing Typer has to read.  What they print, their errors and
their exit codes are therefore the same either way.  Rich loads only where a table is printed."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from declass.archive.archive import DEFAULT_LIMIT
from declass.cli.common import ask, first_words, note, out, print_json, table_

if TYPE_CHECKING:
    from pathlib import Path

    from declass.archive.archive import Archive
    from declass.store.rows import StoredJudgment


class Paged(Protocol):
    """A page of rows (`declass.store.base.Page`): how many there are in all, and the next page's cursor."""

    total: int
    next: str | None

    def __len__(self) -> int: ...


def page_footer(rows: Paged, noun: str, extra: str = "") -> None:
    """How many rows there are in all, and how to ask for the next page (on stderr, so JSON stays JSON)."""
    line = f"{len(rows)} of {rows.total} {noun}{extra}"
    if rows.next:
        line += f"; next page: --after {rows.next}"
    note(line)


def page_names(archive: Archive, rows: Iterable[Any], key: str = "document") -> dict[str, str]:
    """The short names (numbers where they have one) of the documents of a page."""
    return archive.short_names(sorted({getattr(r, key) for r in rows}))


def redactions(doc: str | None = None, db: str | None = None, as_json: bool = False, limit: int = DEFAULT_LIMIT,
               after: str | None = None) -> None:
    """What the release withholds: exemption markers and withheld points, with statistics."""
    report = ask(db, lambda archive: archive.redaction_report(doc, limit=limit, after=after))
    if as_json:
        print_json(report)
        page_footer(report.documents, "documents")
        return
    from rich.text import Text

    for d in report.documents:
        st = d.statistics
        out.print(Text(d.id, style="bold"))
        out.print(f"  {st.markers} markers {st.by_exemption}, {st.withheld_blocks} withheld points "
                  f"({100 * st.withheld_share:.1f}% of numbered blocks), {st.per_page} markers per page",
                  markup=False)
        for r in d.redactions:
            if r.kind == "withheld_block":
                out.print(f"  withheld {', '.join(r.inferred_labels or ())} (between {r.after} and {r.before}; "
                          f"{r.reason}; confidence {r.confidence})", markup=False)
    c = report.corpus
    out.print(f"corpus: {c.documents} documents, {c.markers} markers {c.by_exemption}, "
              f"{c.withheld_blocks} withheld points, {c.per_page} markers per page", markup=False)
    page_footer(report.documents, "documents")


JUDGMENT_COLUMNS = ["document", "block", "term", "expression", "polarity", "low", "high", "horizon_end", "dissent",
                    "in_deleted_text", "claim"]


def judgments(doc: str | None = None, db: str | None = None, scale: str = "kent", low: float = 0.0,
              high: float = 1.0, term: str | None = None, as_json: bool = False, as_csv: bool = False,
              limit: int = DEFAULT_LIMIT, after: str | None = None) -> None:
    """Estimative judgments: term, probability range under a scale, horizon, dissent."""
    def question(archive: Archive) -> tuple[Any, dict[str, str]]:
        rows = archive.judgments(doc, scale=scale, low=low, high=high, term=term, limit=limit, after=after)
        return rows, {} if as_json or as_csv else page_names(archive, rows)  # (names: for the table only)

    rows, names = ask(db, question)
    if as_json:
        print_json(rows)
        page_footer(rows, "judgments")
        return

    def flat(r: StoredJudgment) -> dict[str, Any]:
        d = r.to_dict()
        rng = r.range or (None, None)
        return {**{k: d[k] for k in JUDGMENT_COLUMNS if k in d}, "low": rng[0], "high": rng[1],
                "dissent": "; ".join(x.by for x in r.dissent)}

    if as_csv:
        import csv

        w = csv.DictWriter(sys.stdout, fieldnames=JUDGMENT_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(flat(r) for r in rows)
        page_footer(rows, "judgments")
        return
    table = table_("document", "block", "term", "range", "horizon", "claim")
    for r in rows:
        rng = f"{r.range[0]:.2f}-{r.range[1]:.2f}" if r.range else "unmapped"
        mark = (" [dissent]" if r.dissent else "") + (" [struck]" if r.in_deleted_text else "")
        table.add_row(names.get(r.document, r.document), r.block, r.term, rng, r.horizon_end or r.horizon.kind,
                      r.claim + mark)
    out.print(table)
    page_footer(rows, "judgments", f", scale {scale}")


def timeline(db: str | None = None, entity: str | None = None, start: str | None = None, end: str | None = None,
             gazetteer: Sequence[Path] = (), as_json: bool = False, limit: int = DEFAULT_LIMIT,
             after: str | None = None) -> None:
    """Dated events, deadlines and durations across the archive, in order, cited."""
    def question(archive: Archive) -> tuple[Any, dict[str, str]]:
        rows = archive.timeline(entity=entity, start=start, end=end, gazetteer=gazetteer or (), limit=limit,
                                after=after)
        return rows, {} if as_json else page_names(archive, rows)  # (names: for the table only)

    rows, names = ask(db, question)
    if as_json:
        print_json(rows)
        page_footer(rows, "events")
        return
    table = table_("date", "until", "kind", "what", "where")
    for r in rows:
        table.add_row(r.date, r.date_end or "", r.kind, r.phrase or first_words(r.text),
                      f"{names.get(r.document, r.document)} {r.block}")
    out.print(table)
    page_footer(rows, "events")


def entities(doc: str | None = None, db: str | None = None, type_: str | None = None, as_json: bool = False,
             limit: int = DEFAULT_LIMIT, after: str | None = None) -> None:
    """People, places and organisations: mentions per canonical entity."""
    rows = ask(db, lambda archive: archive.entities(doc, type_=type_, limit=limit, after=after))
    if as_json:
        print_json(rows)
        page_footer(rows, "entities")
        return
    table = table_("entity", "type", "id", "mentions", "as written")
    for r in rows:
        forms = ", ".join(f"{f} ({n})" if n > 1 else f for f, n in sorted(r.forms.items(), key=lambda kv: -kv[1]))
        table.add_row(r.name, r.type, r.id or "", str(r.mentions), forms)
    out.print(table)
    page_footer(rows, "entities")


def entity(name: str, db: str | None = None, gazetteer: Sequence[Path] = (), as_json: bool = False,
           limit: int = DEFAULT_LIMIT, after: str | None = None) -> None:
    """One entity: its canonical record, the names it appears under, its mentions cited (a page at a time)."""
    found = ask(db, lambda archive: archive.entity(name, gazetteer=gazetteer or (), limit=limit, after=after))
    if as_json:
        print_json(found)
        page_footer(found.mentions, "mentions")
        return
    from rich.text import Text

    e = found.entity
    out.print(Text(f"{e.name} ({e.type}, {e.id})", style="bold"))
    if e.variants:
        out.print(f"  also: {', '.join(e.variants)}", markup=False)
    if e.lat is not None:
        out.print(f"  at {e.lat}, {e.lon} ({e.country or ''})", markup=False)
    seen = ", ".join(f"{k} ({v})" for k, v in found.forms_seen.items())
    out.print(f"  seen as: {seen or 'not mentioned in this archive'}", markup=False)
    for m in found.mentions:
        flag = " [as the government]" if m.metonymy else ""
        flag += " [struck through]" if m.in_deleted_text else ""
        out.print(f"  \u201c{m.text}\u201d{flag}: {m.citation}", markup=False)
    if found.cooccurring:
        named = ", ".join(f"{c.name or c.id} ({c.weight})" for c in found.cooccurring[:10])
        out.print(f"  named beside: {named}", markup=False)
    page_footer(found.mentions, "mentions", f" in {found.document_count} documents")
