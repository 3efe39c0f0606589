"""The evaluation run: every development document, as clean text and as a scan.

For each FRUS TEI document the plain text a printed copy gives is read by
the plain-text pipeline and scored against the markup; each CREST release
is read as the transcription it is; the two bundled samples are scored
against their own clean-text reading (the reference the tests pin down).
Then the same texts are printed as typewritten scans (`scan.py`), OCR'd
through the real reader, and scored with the same measures after aligning
the OCR text to the gold text.  OCR results are cached by the scan's bytes
and the reader's version, so a re-run after a pipeline change re-reads
only what changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from declass.errors import DeclassError
from declass.evaluate.align import body_error_rate, offset_map
from declass.evaluate.gold import (
    Gold,
    GoldName,
    GoldNote,
    GoldParagraph,
    crest_gold,
    frus_gold,
    with_person_lexicon,
)
from declass.evaluate.measures import DocScore, score
from declass.model import Document, Page, field_text
from declass.stages.pipeline import run_stages, stages_for
from declass.stages.read.reader import read_bytes, read_text
from declass.stages.read.tei import iter_documents

CACHE_VERSION = "2"
_PAGE_MARKER = re.compile(r"^\[PAGE \d+\]\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Item:
    """One document to evaluate: its gold, and how to read its clean text."""

    gold: Gold
    path: str | None = None  # read from this file (CREST transcriptions), else from the gold text
    archive_id: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    scans: bool = True
    cache: Path | None = Path(".cache/declass-eval")


def items(devset: Path, samples: Path | None = None) -> Iterator[Item]:
    """The development set's documents, with their gold."""
    golds = [frus_gold(doc) for f in sorted((devset / "frus").glob("*.xml")) for doc in iter_documents(f)]
    for gold in with_person_lexicon(golds):
        yield Item(gold)
    for pair in sorted((devset / "crest").glob("CIA-RDP*")):
        for release in ("redacted", "unredacted"):
            f = pair / f"{release}.transcription.txt"
            if f.exists():
                yield Item(crest_gold(f, release), path=str(f), archive_id=pair.name)
    if samples is not None:
        for f in sorted(samples.glob("*.txt")):
            yield Item(sample_gold(f), path=str(f))


def sample_gold(path: Path) -> Gold:
    """A bundled sample's reference reading: its clean-text parse, which the test suite pins down."""
    doc = run_stages(read_bytes(path.read_bytes(), name=str(path)), stages_for())
    md = doc.metadata

    def value(key: str) -> str | None:
        return field_text(md, key)

    paragraphs = tuple(
        GoldParagraph(b.segments[0][0], b.end, b.kind, b.label, b.segments[0][0])
        for b in doc.blocks if b.kind != "footnote" and b.segments
    )
    by_label = {b.label: b for b in doc.blocks}
    notes = tuple(
        GoldNote(b.start, b.end, by_label[b.parent].start if b.parent in by_label else b.start,
                 (by_label[b.parent].start, by_label[b.parent].end) if b.parent in by_label else None)
        for b in doc.blocks if b.kind == "footnote"
    )
    persons = tuple(GoldName(m.start, m.end, m.text, str(m.id or m.canonical))
                    for m in doc.entities if m.type == "person")
    return Gold(
        id=doc.id, source="sample", genre="sample", text=doc.text, doc_type=value("doc_type"), title=value("title"),
        date=value("date"), classification=value("classification"), paragraphs=paragraphs, notes=notes,
        persons=persons,
    )


def _read_clean(item: Item) -> Document:
    if item.path:
        return read_bytes(Path(item.path).read_bytes(), name=item.path)
    return read_text(item.gold.text, name=f"{item.gold.id}.txt")


def _scan_text(item: Item) -> str:
    """What is printed: transcription page markers become page breaks."""
    return _PAGE_MARKER.sub("\f", item.gold.text) if item.gold.source == "crest" else item.gold.text


def _seed(gold: Gold) -> int:
    return int(hashlib.sha256(gold.id.encode()).hexdigest()[:8], 16)


@lru_cache(maxsize=1)
def _reader_version() -> str:
    """What the cached OCR depends on besides the scan: the reading code and Tesseract's version."""
    import subprocess

    from declass.stages.read import ocr, pdf
    from declass.stages.read import reader as read

    digest = hashlib.sha256()
    for module in (ocr, pdf, read):
        digest.update(Path(module.__file__ or "").read_bytes())
    with contextlib.suppress(OSError):
        digest.update(subprocess.run(["tesseract", "--version"], capture_output=True, check=False).stdout)
    return digest.hexdigest()[:12]


def _ocr(pdf: bytes, name: str, cache: Path | None) -> Document:
    """Read a scan through the real OCR path (cached by the scan's bytes and the reader's version)."""
    key = hashlib.sha256(pdf).hexdigest()[:32] + "-" + _reader_version()
    hit = cache / f"{key}-{CACHE_VERSION}.json" if cache else None
    if hit is not None and hit.exists():
        data = json.loads(hit.read_text("utf-8"))
        doc = read_text(data["text"], name=name)
        return replace(doc, pages=tuple(Page(*p) for p in data["pages"]), source=replace(doc.source, ocr=True),
                       line_positions=tuple((int(a), float(b)) for a, b in data.get("positions", ())))
    doc = read_bytes(pdf, name=name, ocr=True)
    if hit is not None:
        hit.parent.mkdir(parents=True, exist_ok=True)
        tmp = hit.with_suffix(".tmp")
        tmp.write_text(json.dumps({"text": doc.text, "pages": [[p.number, p.start, p.end] for p in doc.pages],
                                   "positions": [list(x) for x in doc.line_positions]}), "utf-8")
        tmp.replace(hit)
    return doc


def evaluate_item(item: Item, settings: Settings) -> list[DocScore]:
    """Clean and scanned scores of one document (a failure is recorded, never raised)."""
    from declass.evaluate import scan  # Pillow and numpy only when scans are made

    out: list[DocScore] = []
    gold = item.gold
    try:
        doc = run_stages(_read_clean(item), stages_for())
        clean_text = doc.text
        out.append(score(doc, gold, "clean", offset_map(gold.text, clean_text)))
    except DeclassError as exc:
        out.append(DocScore(gold.id, gold.genre, "clean", error=exc.message))
    if not settings.scans:
        return out
    style = scan.style_for(_seed(gold), classification=gold.classification, archive_id=item.archive_id)
    text = _scan_text(item)
    try:
        pdf = scan.render_scan_pdf(text, style)
        read = _ocr(pdf, f"{gold.id}.pdf", settings.cache)
        doc = run_stages(read, stages_for())
    except DeclassError as exc:
        out.append(DocScore(gold.id, gold.genre, "scan", error=exc.message))
        return out
    pages = len(scan.page_lines(text, style))
    furniture = tuple(f for f in (style.banner, style.stamp, style.copy_number) if f) + tuple(
        style.page_number_form.format(n=n) for n in range(1, pages + 1)
    )
    scanned_gold = replace(gold, furniture=gold.furniture + furniture)
    result = score(doc, scanned_gold, "scan", offset_map(gold.text, doc.text))
    result.counts["cer_permille"] = round(1000 * body_error_rate(scan.typewritten(text), doc.text, furniture))
    out.append(result)
    return out


def run(devset: Path, samples: Path | None, settings: Settings, *, workers: int | None = None,
        only: str | None = None) -> list[DocScore]:
    """Every document's scores, documents in parallel over ``workers`` processes."""
    todo = [i for i in items(devset, samples) if not only or re.search(only, i.gold.id)]
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        return [s for i in todo for s in evaluate_item(i, settings)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(evaluate_item, todo, [settings] * len(todo))
        return [s for group in results for s in group]


def release_documents(devset: Path, samples: Path | None) -> Iterator[Document]:
    """The other documents of the set, read as plain text: pairing must not pair them wrongly."""
    for item in items(devset, samples):
        if item.gold.source != "crest":
            try:
                yield run_stages(_read_clean(item), stages_for())
            except DeclassError:
                continue
