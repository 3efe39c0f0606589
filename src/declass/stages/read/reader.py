"""Read a file into a `Document`: text, PDF with a text layer, or OCR.

The reader is the pipeline's I/O edge.  It decides what a file *is* from
its bytes (not its name), decodes text in whatever encoding it was saved
in, and keeps pages: every character of `Document.text` belongs to one
page.  PDF pages are joined with a form feed on a line of its own, so a
page never shares a line with the next.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from declass.errors import InputError
from declass.limits import DEFAULT_MAX_BYTES
from declass.model import Document, Page, Source
from declass.stages.read import ocr as ocr_engine
from declass.stages.read import pdf
from declass.stages.read.encoding import decode

if TYPE_CHECKING:
    from collections.abc import Iterator

    from PIL.Image import Image as PILImage

PAGE_SEPARATOR = "\n\f\n"
_SLUG = re.compile(r"[^a-z0-9]+")


def document_id(path: str | Path) -> str:
    """A readable, stable id from a file name: ``1952-09-10_nie-58_...``."""
    stem = Path(path).stem.lower()
    return _SLUG.sub("-", stem).strip("-")[:120] or "document"


def sniff(data: bytes) -> str:
    """The media type of ``data`` judged from its first bytes."""
    head = data[:16]
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    return "text/plain"


def load_bytes(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A regular file's bytes, at most ``max_bytes`` of them; errors name the file.

    Only regular files are documents: a device (``/dev/zero``) never ends and a
    FIFO may never answer, so both are refused before they are opened for reading,
    and the limit counts the bytes read, not the size the file claims."""
    p = Path(path)
    try:
        _require_regular(os.stat(p).st_mode, p)
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("E105", path=p) from None
    except IsADirectoryError:
        raise InputError("E106", "a directory", path=p) from None
    except OSError as exc:
        raise InputError("E109", exc.strerror or str(exc), path=p) from None
    try:
        _require_regular(os.fstat(fd).st_mode, p)  # the file opened is the file checked
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise InputError("E103", f"more than the {max_bytes / 2**20:g} MiB limit", path=p)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError("E109", exc.strerror or str(exc), path=p) from None
    finally:
        os.close(fd)


_NOT_REGULAR = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                (stat.S_ISSOCK, "a socket"))


def _require_regular(mode: int, path: Path) -> None:
    if stat.S_ISREG(mode):
        return
    what = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
    raise InputError("E106", f"{what}, not a regular file", path=path)

def read_path(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr: bool = True
) -> Document:
    """Read one file from disk; raises `InputError` naming the file."""
    return read_bytes(load_bytes(path, max_bytes), name=str(path), max_bytes=max_bytes, ocr=ocr)


def read_bytes(
    data: bytes, name: str = "<bytes>", *, max_bytes: int = DEFAULT_MAX_BYTES, ocr: bool = True
) -> Document:
    """Read a document from its bytes; ``name`` is used for its id and errors."""
    if not data.strip():
        raise InputError("E101", path=name)
    if len(data) > max_bytes:
        raise InputError("E103", f"{len(data) / 2**20:.0f} MiB", path=name)
    sha = hashlib.sha256(data).hexdigest()
    kind = sniff(data)
    warnings: tuple[str, ...] = ()  # what the reader had to guess
    if kind == "application/pdf":
        text, pages, used_ocr, positions = _read_pdf(data, name, ocr=ocr)
        encoding = None
    elif kind.startswith("image/"):
        if not ocr:
            raise InputError("E106", "an image, and OCR is switched off", path=name)
        text, pages, positions = _ocr_image(data, name)
        used_ocr, encoding = True, None
    else:
        decoded = decode(data, name)
        text, encoding, warnings = normalise_newlines(decoded.text), decoded.encoding, decoded.warnings
        pages = text_pages(text)
        used_ocr, positions = False, ()
    check_readable(text, name)
    source = Source(name, sha, kind, len(data), encoding, used_ocr)
    return Document(id=document_id(name), text=text, source=source, pages=pages, stages=("read",),
                    warnings=warnings, line_positions=positions)


def text_pages(text: str) -> tuple[Page, ...]:
    """Pages of plain text: split at form feeds (as pdftotext writes them)."""
    if "\f" not in text:
        return (Page(1, 0, len(text)),)
    pages: list[Page] = []
    start = 0
    for i, part in enumerate(text.split("\f"), start=1):
        pages.append(Page(i, start, start + len(part)))
        start += len(part) + 1
    return tuple(pages)


def read_text(text: str, name: str = "<text>") -> Document:
    """Wrap a string already in memory as a one-page document."""
    if not text.strip():
        raise InputError("E101", path=name)
    text = normalise_newlines(text)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    source = Source(name, sha, "text/plain", len(text.encode("utf-8")), "utf-8", False)
    return Document(
        id=document_id(name) if name != "<text>" else f"text-{sha[:12]}",
        text=text,
        source=source,
        pages=text_pages(text),
        stages=("read",),
    )


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode text in any encoding (`declass.stages.read.encoding`); binary data is refused."""
    decoded = decode(data, name)
    return normalise_newlines(decoded.text), decoded.encoding


_ROMAN = re.compile(r"M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})", re.IGNORECASE)
"""A numeral (i, xiv, MCMLII) is a label, not a word: a file of them is not readable text."""
_WORDLIKE = re.compile(r"(?<!\S)[\"'(\[]?[^\W\d_]{2,}(?:[-'][^\W\d_]+)*[.,;:!?'\")\]]{0,3}(?!\S)")
_ROMAN_TOKEN = re.compile(r"(?<!\S)[\"'(\[]?(?=[IVXLCDM]{2})" + _ROMAN.pattern + r"[.,;:!?'\")\]]{0,3}(?!\S)",
                          re.IGNORECASE)
"""A token `_WORDLIKE` takes that is a numeral: counted in one pass, not checked token by token."""


def check_readable(text: str, name: str) -> None:
    """Refuse text with no readable words (failed OCR, noise, junk)."""
    sample = text[:20_000]
    tokens = len(sample.split())  # the runs of non-space: as `\S+` finds them, without a match each
    if not tokens:
        raise InputError("E107", "no words at all", path=name)
    wordlike = len(_WORDLIKE.findall(sample)) - len(_ROMAN_TOKEN.findall(sample))
    if wordlike < 0.35 * tokens:
        raise InputError("E107", f"only {100 * wordlike / tokens:.0f}% of tokens look like words", path=name)


def _join_pages(texts: list[str]) -> tuple[str, tuple[Page, ...]]:
    parts: list[str] = []
    pages: list[Page] = []
    pos = 0
    for i, t in enumerate(texts, start=1):
        t = normalise_newlines(t).strip("\n")
        if i > 1:
            parts.append(PAGE_SEPARATOR)
            pos += len(PAGE_SEPARATOR)
        pages.append(Page(i, pos, pos + len(t)))
        parts.append(t)
        pos += len(t)
    return "".join(parts), tuple(pages)


def _read_pdf(data: bytes, name: str, *, ocr: bool) -> tuple[str, tuple[Page, ...], bool, Positions]:
    """A PDF's text layers; pages without one (fewer than 20 characters) are OCR'd, their lines' places kept."""
    texts = pdf.text_layers(data, name)
    needs_ocr = [i for i, t in enumerate(texts) if len(t.strip()) < 20]
    read: list[ocr_engine.OcrPage] = []
    if needs_ocr and ocr:
        _require_tesseract(name)
        for page in ocr_engine.ocr_pdf(data, name, needs_ocr, dpi=ocr_engine.DEFAULT_DPI):
            texts[page.number - 1] = page.text
            read.append(page)
    text, pages = _join_pages(texts)
    return text, pages, bool(needs_ocr and ocr), line_positions(pages, read)


Positions = tuple[tuple[int, float], ...]


def line_positions(pages: tuple[Page, ...], read: list[ocr_engine.OcrPage]) -> Positions:
    """Each OCR'd line's start offset in the joined text and its vertical place on its page (0 top, 1 bottom)."""
    out: list[tuple[int, float]] = []
    for page in read:
        at = pages[page.number - 1].start
        out.extend((at + line.start, round((line.top + line.bottom) / 2, 4)) for line in page.lines)
    return tuple(out)


def tesseract_available() -> bool:
    return ocr_engine.tesseract_available()


def ocr_pdf_pages(
    data: bytes, name: str, texts: list[str], which: list[int], *, dpi: int = ocr_engine.DEFAULT_DPI
) -> list[str]:
    """``texts`` with the pages in ``which`` (0-based) replaced by their OCR (`declass.stages.read.ocr.ocr_pdf`).

    Pages are numbered in the document, so a blank run at the start stops the
    document only when no page has a text layer."""
    _require_tesseract(name)
    new = list(texts)
    for page in ocr_engine.ocr_pdf(data, name, which, dpi=dpi):
        new[page.number - 1] = page.text
    return new


def _require_tesseract(name: str) -> None:
    if not ocr_engine.tesseract_available():
        raise InputError("E108", "Tesseract is not installed (apt-get install tesseract-ocr)", path=name)


def _ocr_image(data: bytes, name: str) -> tuple[str, tuple[Page, ...], Positions]:
    """OCR an image file (PNG, JPEG, TIFF; every frame of a TIFF is a page), frames decoded as OCR needs them."""
    _require_tesseract(name)
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        total = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise InputError("E106", f"unreadable image: {exc}", path=name) from None
    read = list(ocr_engine.ocr_images(_frames(image, name), name=name, total=total))
    text, pages = _join_pages([p.text for p in read])
    return text, pages, line_positions(pages, read)


def _frames(image: PILImage, name: str) -> Iterator[tuple[int, PILImage]]:
    from PIL import Image, ImageSequence

    number = 0
    try:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            yield number, _page_image(frame)
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise InputError("E106", f"unreadable image (frame {number + 1}): {exc}", path=name) from None


def _page_image(frame: PILImage) -> PILImage:
    """A frame as greyscale (a copy: the next frame reuses the file's image), keeping its resolution."""
    image = frame.copy() if frame.mode in ("1", "L") else frame.convert("L")
    if "dpi" in frame.info:
        image.info["dpi"] = frame.info["dpi"]
    return image
