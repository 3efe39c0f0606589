"""PDF input through PDFium (pypdfium2, Apache-2.0/BSD): text layers and page images.

PDFium is the PDF engine of Chromium: it opens what browsers open, is fast,
and carries a permissive licence (PyMuPDF, used before, is AGPL).  PDFium
is not thread-safe, so every call here runs in the calling thread; OCR
workers receive page images, never the document.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from declass.errors import InputError

# PDFium writes a hyphen that ends a line as U+FFFE (older builds U+0002) and drops the line
# break after it; the page printed a hyphen and a new line, and later stages decide the join.
_PDFIUM_TEXT = str.maketrans({"\x02": "-\n", "\ufffe": "-\n", "\r": None})


@contextmanager
def open_pdf(data: bytes, name: str) -> Iterator[pdfium.PdfDocument]:
    """The open document; truncated, damaged, encrypted or empty PDFs raise E104 naming ``name``."""
    if b"%%EOF" not in data[-2048:]:
        raise InputError("E104", "truncated: no end-of-file marker", path=name)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise InputError("E104", _load_error(str(exc), data), path=name) from None
    try:
        if len(pdf) == 0:
            raise InputError("E104", "no pages", path=name)
        yield pdf
    finally:
        pdf.close()


def _load_error(message: str, data: bytes) -> str:
    """Why PDFium refused a document, in words; its error code is stale when a load fails
    without setting one (as for a document with no pages), so encryption is also checked in the bytes."""
    lowered = message.lower()
    if b"/Encrypt" in data:
        if "password" in lowered:
            return "encrypted with a password"
        if "security" in lowered:
            return "encrypted with a security scheme PDFium cannot open"
    if "password" in lowered or "security" in lowered or "success" in lowered:
        return "no pages (or no readable page tree)"
    return message.splitlines()[0] if message else "unreadable"


def page_count(data: bytes, name: str) -> int:
    with open_pdf(data, name) as pdf:
        return len(pdf)


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            raw = textpage.get_text_range()
            if len(raw) == textpage.count_chars():  # one character per index (no surrogate pairs)
                raw = "\n".join(_in_page_order(textpage, raw))
            text = raw.replace("\r\n", "\n").translate(_PDFIUM_TEXT)
            return "\n".join(line.rstrip() for line in text.split("\n"))
        finally:
            textpage.close()
    finally:
        page.close()


class _Line(NamedTuple):
    text: str
    top: float
    bottom: float
    left: float
    right: float


def _lines(textpage: pdfium.PdfTextPage, raw: str) -> list[_Line]:
    """The content-order lines with their extents (from their first and last printed characters)."""
    out: list[_Line] = []
    start = 0
    for piece in raw.split("\r\n"):
        first = len(piece) - len(piece.lstrip())
        last = len(piece.rstrip()) - 1
        if last >= first:
            l1, b1, r1, t1 = textpage.get_charbox(start + first)
            l2, b2, r2, t2 = textpage.get_charbox(start + last)
            out.append(_Line(piece, max(t1, t2), min(b1, b2), min(l1, l2), max(r1, r2)))
        else:
            out.append(_Line(piece, math.nan, math.nan, math.nan, math.nan))
        start += len(piece) + 2
    return out


def _in_page_order(textpage: pdfium.PdfTextPage, raw: str) -> list[str]:
    """Lines top to bottom as printed, whatever order the PDF drew them in.

    Lines stay in the PDF's order within a block (a run of lines each at or below
    the last); a line that jumps back up the page by more than a line starts a new
    block, and blocks are put in order of their top (rounded to a line), then left
    edge, as a reader takes a page: a footer drawn first goes to the foot, and a
    second column follows the first.
    """
    lines = _lines(textpage, raw)
    heights = sorted(ln.top - ln.bottom for ln in lines if ln.top == ln.top and ln.top > ln.bottom)
    if not heights:
        return [ln.text for ln in lines]
    height = heights[len(heights) // 2]
    blocks: list[list[_Line]] = []
    top = -math.inf
    for line in lines:
        if line.top == line.top:  # a printed line (NaN for an empty one)
            if not blocks or line.top > top + 1.5 * height:
                blocks.append([])
            top = line.top
        elif not blocks:
            blocks.append([])
        blocks[-1].append(line)
    if len(blocks) == 1:
        return [ln.text for ln in lines]

    def key(block: list[_Line]) -> tuple[float, float]:
        printed = [ln for ln in block if ln.top == ln.top]
        if not printed:
            return (math.inf, math.inf)
        return (-round(max(ln.top for ln in printed) / height), min(ln.left for ln in printed))

    return [ln.text for block in sorted(blocks, key=key) for ln in block]


def text_layers(data: bytes, name: str) -> list[str]:
    """Each page's text layer, lines in the order a reader takes them ('' for a page with none)."""
    with open_pdf(data, name) as pdf:
        try:
            return [_page_text(pdf, i) for i in range(len(pdf))]
        except pdfium.PdfiumError as exc:
            raise InputError("E104", str(exc), path=name) from None


def page_images(data: bytes, name: str, pages: Sequence[int], dpi: int = 300) -> Iterator[Image.Image]:
    """Images ("L" or "1") of the given pages (0-based), one at a time as they are asked for.

    A scanned page (one upright image filling the page) yields the scan itself at its
    own resolution, as a scanner made it; any other page is rendered at ``dpi``.
    """
    with open_pdf(data, name) as pdf:
        for index in pages:
            page = pdf[index]
            try:
                image = _scanned_image(page) or _rendered(page, dpi)
            except pdfium.PdfiumError as exc:
                raise InputError("E104", f"page {index + 1}: {exc}", path=name) from None
            finally:
                page.close()
            yield image


def _rendered(page: pdfium.PdfPage, dpi: int) -> Image.Image:
    image: Image.Image = page.render(scale=dpi / 72, grayscale=True, draw_annots=True).to_pil().convert("L")
    image.info["dpi"] = (dpi, dpi)
    return image


def _scanned_image(page: pdfium.PdfPage) -> Image.Image | None:
    """The page's scan when the page is nothing but one greyscale or colour image, upright and unflipped."""
    if page.get_rotation() != 0:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    obj = objects[0]
    m = obj.get_matrix()
    width, height = page.get_size()
    if m.b or m.c or m.a < 0.9 * width or m.d < 0.9 * height:
        return None
    meta = obj.get_metadata()
    if meta.colorspace not in (pdfium_c.FPDF_COLORSPACE_DEVICEGRAY, pdfium_c.FPDF_COLORSPACE_DEVICERGB):
        return None
    image: Image.Image = obj.get_bitmap(render=False).to_pil().convert("L")
    if meta.bits_per_pixel == 1:  # a bitonal scan stays bitonal: Tesseract need not binarise it again
        image = image.convert("1", dither=Image.Dither.NONE)
    dpi = round(meta.width / (m.a / 72))
    image.info["dpi"] = (dpi, dpi)
    return image
