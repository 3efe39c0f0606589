"""OCR straight from Tesseract: page images in, text and line geometry out.

Each page image goes to the ``tesseract`` command as an uncompressed
temporary file (TSV output, one thread per process: ``OMP_THREAD_LIMIT=1``),
several pages at a time on a small thread pool capped at the number of
cores.  No intermediate PDF is written.  The TSV's block, paragraph and line numbers and boxes rebuild the
text: words joined into lines, a blank line between paragraphs and blocks
and wherever the page leaves a gap, and each line's position on the page
kept (`OcrLine`) for the clean stage's page-furniture detection.

A negative page (light type on a dark ground, as a microfilm negative prints)
is turned positive first, once for the page (`for_tesseract`), so Tesseract
need not retry every doubtful line inverted (``tessedit_do_invert=0``).
Pages are otherwise given as scanned: enlarging 150/200-dpi greyscale scans
to 300 dpi lowered the development set's character error rate by 3 % but
misread more of the short lines that matter (datelines, headings: the
scanned date measure fell from 0.72 to 0.59), and enlarging bitonal scans
read worse outright (``declass eval`` on the development set, 2026-11-27).

A document whose first pages all come back empty stops early (E107) rather
than OCR hundreds of blank pages.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from statistics import median
from typing import NamedTuple, cast

from PIL import Image, ImageOps, ImageStat

from declass.errors import InputError
from declass.stages.read.pdf import page_count, page_images

DEFAULT_DPI = 300
NEGATIVE_MEAN = 110  # a page whose mean grey is below this is a negative: paper is light, type is sparse
BLANK_PROBE = 10  # stop when this many leading pages are all empty
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
# Negative pages are turned positive before OCR (`for_tesseract`), so the per-line retry inverted is
# only cost: 7 % of Tesseract's time on the development set's bitonal scans, the same text read.
_OPTIONS = ("-c", "tessedit_do_invert=0")


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line as Tesseract found it.

    ``start``/``end`` are offsets in the page's `OcrPage.text`; ``top``,
    ``bottom``, ``left`` and ``right`` are fractions of the page's height
    and width (0 at the top-left), so furniture can be told by position
    whatever the resolution.  ``confidence`` is the mean word confidence (0-100).
    """

    start: int
    end: int
    top: float
    bottom: float
    left: float
    right: float
    confidence: float
    block: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class OcrPage:
    """One OCR'd page: its text (no leading or trailing blank line) and its lines."""

    number: int  # 1-based, in the document
    text: str
    lines: tuple[OcrLine, ...]
    width: int
    height: int
    dpi: int | None

    @property
    def empty(self) -> bool:
        return not any(c.isalnum() for c in self.text)


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def jobs_default() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity mask)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _Box(NamedTuple):
    """A line's words and extent in pixels, as the TSV gives them."""

    key: tuple[int, int, int]  # block, paragraph, line
    words: list[tuple[str, float]]
    left: int
    top: int
    right: int
    bottom: int


def _boxes(tsv: str) -> list[_Box]:
    boxes: dict[tuple[int, int, int], _Box] = {}
    for raw in tsv.splitlines()[1:]:
        cols = raw.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue  # not a word (page, block, paragraph and line rows carry no text)
        key = (int(cols[2]), int(cols[3]), int(cols[4]))
        left, top, w, h = (int(c) for c in cols[6:10])
        word = (cols[11].strip(), float(cols[10]))
        box = boxes.get(key)
        if box is None:
            boxes[key] = _Box(key, [word], left, top, left + w, top + h)
        else:
            box.words.append(word)
            boxes[key] = box._replace(
                left=min(box.left, left),
                top=min(box.top, top),
                right=max(box.right, left + w),
                bottom=max(box.bottom, top + h),
            )
    return list(boxes.values())  # in Tesseract's reading order


def page_text(tsv: str, width: int, height: int) -> tuple[str, tuple[OcrLine, ...]]:
    """Text and lines from Tesseract's TSV.

    Words join into lines; a blank line goes between blocks, between paragraphs,
    and wherever the page leaves more than 1.6 line pitches (the median step
    between lines of one paragraph), as a typist's blank line does.
    """
    boxes = _boxes(tsv)
    steps = [b.top - a.top for a, b in itertools.pairwise(boxes) if a.key[:2] == b.key[:2] and b.top > a.top]
    pitch = median(steps) if steps else None
    parts: list[str] = []
    lines: list[OcrLine] = []
    pos = 0
    for i, box in enumerate(boxes):
        if i:
            before = boxes[i - 1]
            wide = pitch is not None and box.top - before.top > 1.6 * pitch
            sep = "\n\n" if box.key[:2] != before.key[:2] or wide else "\n"
            parts.append(sep)
            pos += len(sep)
        text = " ".join(w for w, _ in box.words)
        conf = sum(c for _, c in box.words) / len(box.words)
        parts.append(text)
        lines.append(
            OcrLine(
                start=pos,
                end=pos + len(text),
                top=box.top / height,
                bottom=box.bottom / height,
                left=box.left / width,
                right=box.right / width,
                confidence=round(conf, 1),
                block=box.key[0],
                paragraph=box.key[1],
            )
        )
        pos += len(text)
    return "".join(parts), tuple(lines)


def _write_pnm(image: Image.Image, folder: str) -> str:
    """The image as an uncompressed PNM file (PBM for 1-bit): Tesseract reads a file far faster
    than it reads standard input, and no compressor runs on either side."""
    if image.mode not in ("1", "L"):
        image = image.convert("L")
    fd, path = tempfile.mkstemp(suffix=".pnm", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        image.save(fh, "PPM")
    return path


def negative(image: Image.Image) -> bool:
    """A page mostly dark: light type on a dark ground."""
    small = image.convert("L").reduce(8) if min(image.size) >= 64 else image.convert("L")
    return ImageStat.Stat(small).mean[0] < NEGATIVE_MEAN


def for_tesseract(image: Image.Image) -> tuple[Image.Image, int | None]:
    """The image Tesseract is given and its resolution: a negative page made positive, any other as it is."""
    dpi = _dpi(image)
    if negative(image):
        inverted = ImageOps.invert(image.convert("L"))
        image = inverted.convert("1", dither=Image.Dither.NONE) if image.mode == "1" else inverted
        if dpi:
            image.info["dpi"] = (dpi, dpi)
    return image, dpi


def ocr_image(image: Image.Image, number: int = 1, *, name: str = "<image>", lang: str = "eng") -> OcrPage:
    """OCR one page image with the ``tesseract`` command; failures raise E108 naming ``name``."""
    dpi = _dpi(image)
    width, height = image.size
    darkest, lightest = cast("tuple[float, float]", image.getextrema())  # one band: a greyscale page
    if darkest > 160 or darkest == lightest:
        return OcrPage(number, "", (), width, height, dpi)  # nothing printed on it at all
    seen, seen_dpi = for_tesseract(image)
    with tempfile.TemporaryDirectory(prefix="declass-ocr-") as folder:
        cmd = ["tesseract", _write_pnm(seen, folder), "stdout", "-l", lang, "--psm", "3", *_OPTIONS]
        if seen_dpi:
            cmd += ["--dpi", str(seen_dpi)]
        try:
            done = subprocess.run([*cmd, "tsv"], capture_output=True, env=_ENV, check=False)
        except FileNotFoundError:
            raise InputError("E108", "Tesseract is not installed (apt-get install tesseract-ocr)", path=name) from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError("E108", f"page {number}: {err[-1] if err else done.returncode}", path=name)
    text, lines = page_text(done.stdout.decode("utf-8", "replace"), *seen.size)
    return OcrPage(number, text, lines, width, height, dpi)


def _dpi(image: Image.Image) -> int | None:
    value = image.info.get("dpi")
    if not value:
        return None
    dpi = round(float(value[0]))
    return dpi if 70 <= dpi <= 1200 else None


def ocr_images(
    images: Iterable[tuple[int, Image.Image]],
    *,
    name: str = "<images>",
    total: int | None = None,
    jobs: int | None = None,
    lang: str = "eng",
    stop_when_blank: bool = True,
) -> list[OcrPage]:
    """OCR ``(page number, image)`` pairs in parallel, in order; images are drawn as workers free up.

    If the first `BLANK_PROBE` pages all read empty (and ``stop_when_blank``: the caller
    knows of no text elsewhere in the document), the rest is not read: E107 names how
    many of ``total`` pages were blank.
    """
    jobs = max(1, min(jobs or jobs_default(), jobs_default()))
    done: list[OcrPage] = []
    pending: deque[Future[OcrPage]] = deque()
    source = iter(images)
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="declass-ocr") as pool:
        try:
            while True:
                while len(pending) < 2 * jobs:
                    item = next(source, None)
                    if item is None:
                        break
                    number, image = item
                    pending.append(pool.submit(ocr_image, image, number, name=name, lang=lang))
                if not pending:
                    break
                done.append(pending.popleft().result())
                probe = stop_when_blank and len(done) == BLANK_PROBE and (total is None or total > len(done))
                if probe and all(p.empty for p in done):
                    of = f" of {total}" if total else ""
                    raise InputError("E107", f"the first {len(done)}{of} pages are blank; stopped OCR", path=name)
        finally:
            for future in pending:
                future.cancel()
    return done


def ocr_pdf(
    data: bytes, name: str, which: Sequence[int] | None = None, *, dpi: int = DEFAULT_DPI, jobs: int | None = None
) -> list[OcrPage]:
    """OCR pages of a PDF (0-based ``which``; all by default): scans as scanned, other pages rendered at ``dpi``.

    A document stops early when its first pages are blank only if every page is to be OCR'd
    (pages left out have a text layer, so the document is not empty)."""
    total = page_count(data, name)
    which = list(range(total)) if which is None else list(which)
    images = zip((i + 1 for i in which), page_images(data, name, which, dpi), strict=True)
    return ocr_images(images, name=name, total=total, jobs=jobs, stop_when_blank=len(which) == total)
