"""``declass eval``: score every stage against gold on a development set, clean and scanned."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_DEVSET = Path("../shared/devset")
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def eval_command(
    devset: Annotated[Path, typer.Argument(help="A folder with frus/*.xml (TEI) and crest/<id>/ release pairs.")] = (
        DEFAULT_DEVSET
    ),
    out: Annotated[Path | None, typer.Option("--out", help="Write the figures as JSON here.")] = None,
    scans: Annotated[
        bool, typer.Option("--scans/--no-scans", help="Also print each document as a scan and OCR it.")
    ] = True,
    samples: Annotated[bool, typer.Option("--samples/--no-samples", help="Include the two bundled samples.")] = True,
    only: Annotated[str | None, typer.Option("--only", help="Only documents whose id matches this regex.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: all cores).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Where OCR results are kept between runs.")] = Path(
        ".cache/declass-eval"
    ),
    no_cache: Annotated[bool, typer.Option("--no-cache", help="OCR every scan afresh.")] = False,
    failures: Annotated[int, typer.Option("--failures", help="How many failing documents to list.")] = 40,
    releases: Annotated[
        bool, typer.Option("--releases/--no-releases", help="Also pair the CREST releases and score what they reveal.")
    ] = True,
) -> None:
    """Score every stage against gold: FRUS TEI markup, CREST releases, and scans printed from them."""
    from rich.console import Console
    from rich.table import Table

    from declass.evaluate import harness, report  # the pipeline loads only when an evaluation runs

    console = Console(highlight=False, width=max(Console().width, 110))
    if not (devset / "frus").is_dir() and not (devset / "crest").is_dir():
        console.print(f"declass: error: {devset}: no frus/ or crest/ folder there [E402]", markup=False)
        raise typer.Exit(2)
    settings = harness.Settings(scans=scans, cache=None if no_cache else cache)
    began = time.monotonic()
    scores = harness.run(devset, SAMPLES if samples else None, settings, workers=workers, only=only)
    data = report.to_json(scores)
    pairs = None
    if releases and (devset / "crest").is_dir():
        from declass.evaluate.releases import evaluate_releases

        pairs = evaluate_releases(devset / "crest", harness.release_documents(devset, SAMPLES if samples else None))
        data["releases"] = pairs.to_dict()
    data["seconds"] = round(time.monotonic() - began, 1)
    table = Table(title=f"declass eval: {devset} ({data['seconds']} s)")
    for col in ("documents", "measure", "clean", "scan", "n"):
        table.add_column(col, justify="left" if col in ("documents", "measure") else "right")
    for row in report.table_rows(report.summarise(scores)):
        table.add_row(*row)
    console.print(table)
    fails = data["failures"]
    assert isinstance(fails, list)
    if fails and failures:
        console.print(f"\nFirst differences ({len(fails)} in all):")
        for f in fails[:failures]:
            console.print(f"  {f['document']} [{f['variant']}] {f['measure']}: {f['first_difference']}", markup=False)
    if pairs is not None:
        console.print("\nReleases (CREST pairs):")
        for line in pairs.lines():
            console.print(f"  {line}", markup=False)
    missed = data["bars_missed"]
    assert isinstance(missed, list)
    console.print("\nBars missed: " + ("; ".join(missed) if missed else "none"), markup=False)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
        console.print(f"written: {out}", markup=False)
