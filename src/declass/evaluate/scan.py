"""Render plain text as a typewritten, stamped, photocopied and scanned document.

The evaluation harness OCRs these renderings to measure declass on scans as
well as on clean text.  What a page carries follows real CREST scans: a
release stamp with the CREST id at top and bottom, classification banners
(sometimes letter-spaced, ``S E C R E T``), a copy number on the first page,
page numbers centred at the foot, and a typewriter's body: one monospaced
typeface, fixed pitch (10 or 12 characters an inch), six lines an inch.

The noise model draws every parameter from a seed and is varied on purpose
(typeface, pitch, resolution, skew, blur, speckle, ribbon wear, paper tone,
bitonal or greyscale scanning); it is not tuned to flatter the OCR.

Typefaces come from Debian packages (installed by ``make install``), each
under a licence that lets anyone install and use it:
Courier Prime (fonts-courier-prime, OFL-1.1), Liberation Mono
(fonts-liberation2, OFL-1.1), Go Mono (fonts-go, BSD-3-Clause) and DejaVu
Sans Mono / DejaVu Sans for the stamps (fonts-dejavu-core, Bitstream Vera
licence).  (GNU Typewriter was tried and left out: it prints parentheses and
brackets as slashes and has no ampersand, which no office typewriter did.)
"""

from __future__ import annotations

import io
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = [
    "FONTS",
    "ScanStyle",
    "page_lines",
    "printed_pages",
    "render_pages",
    "render_scan_pdf",
    "style_for",
    "typewritten",
]

# Typeface name -> (Debian package, candidate paths).
FONTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Courier Prime": ("fonts-courier-prime", ("/usr/share/fonts/opentype/courier-prime/Courier Prime.otf",)),
    "Liberation Mono": ("fonts-liberation2", ("/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",)),
    "Go Mono": ("fonts-go", ("/usr/share/fonts/fonts-go/Go-Mono.ttf", "/usr/share/fonts/truetype/go/Go-Mono.ttf")),
    "DejaVu Sans Mono": ("fonts-dejavu-core", ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",)),
}
# How much of the style's ink spread each face takes: Courier's hairline strokes are the ones
# a ribbon thickens most; the others are drawn with heavier strokes already.
_BLEED = {"Courier Prime": 1.0, "Liberation Mono": 0.6, "Go Mono": 0.6, "DejaVu Sans Mono": 0.6}
STAMP_FONT = ("fonts-dejavu-core", ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",))

PAPER_IN = (8.5, 11.0)  # US letter
LINES_PER_INCH = 6
BODY_TOP_IN = 1.0

# Typographic characters a typewriter did not have, as a typist typed them.
_TYPED = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "—": "--",
        "–": "-",
        "‐": "-",
        "‑": "-",
        "…": "...",
        "\u00a0": " ",
        "•": "-",
        "·": ".",
        "×": "x",
        "¹": "1",
        "²": "2",
        "³": "3",
        "⁴": "4",
        "⁵": "5",
        "⁶": "6",
        "⁷": "7",
        "⁸": "8",
        "⁹": "9",
        "⁰": "0",
    }
)
_STAMP_FORMS = (
    "Approved For Release {date} : {id}",
    "Approved For Release {date} : {id}",
    "Sanitized Copy Approved for Release {date} : {id}",
    "Declassified in Part - Sanitized Copy Approved for Release {date} : {id}",
)
_CLASSIFICATIONS = ("SECRET", "SECRET", "CONFIDENTIAL", "TOP SECRET", "RESTRICTED", None)
_PAGE_NUMBER_FORMS = ("- {n} -", "{n}", "-{n}-", "- {n} -")


@dataclass(frozen=True, slots=True)
class ScanStyle:
    """Everything that decides how one document's scan looks; pages add their own seeded noise."""

    seed: int
    dpi: int
    font: str  # a key of FONTS
    pitch: int  # characters per inch: 10 (pica) or 12 (elite)
    line_width: int  # characters a line
    lines_per_page: int
    margin_left_in: float
    banner: str | None  # as typed, e.g. "S E C R E T"; None for an unclassified paper
    stamp: str | None  # the release stamp line, top and bottom of every page
    copy_number: str | None  # first page only, e.g. "Copy No. 57"
    page_number_form: str  # "- {n} -"
    number_first_page: bool
    skew_deg: float  # the document's mean skew; each page varies around it
    blur: float  # scanner blur radius at 300 dpi
    speckle: float  # dark specks per square inch
    ink: float  # ribbon darkness 0..1
    ink_variation: float  # spread of strike strength between characters
    wear: float  # fraction of each glyph's ink the worn ribbon drops
    spread: float  # ink bleeding into the paper fibres around each stroke, in points
    paper: int  # paper grey level 0..255
    bitonal: bool  # 1-bit scan (most CREST PDFs) or greyscale


def crest_id(rng: random.Random) -> str:
    """A plausible CREST document id: CIA-RDP80R01443R000200010007-3."""
    return (
        f"CIA-RDP{rng.choice((78, 79, 80, 81, 82, 84, 85, 86, 91))}{rng.choice('RTBSM')}"
        f"{rng.randint(1, 1999):05d}{rng.choice('AR')}"
        f"{rng.randint(1, 60):04d}{rng.randint(1, 120) * 10:04d}{rng.randint(1, 9):04d}-{rng.randrange(10)}"
    )


def style_for(
    seed: int,
    *,
    classification: str | None = None,
    archive_id: str | None = None,
    release_date: str | None = None,
) -> ScanStyle:
    """A varied, seeded scan style; the given classification, CREST id and release date are used as they are.

    ``release_date`` may be ISO (``2003-08-08``) or CREST's own ``2003/08/08``.
    """
    rng = random.Random(f"declass-scan-{seed}")
    pitch = rng.choice((10, 12))
    width = rng.randint(65, 68) if pitch == 10 else rng.randint(65, 72)
    free_in = PAPER_IN[0] - width / pitch
    margin = round(rng.uniform(max(0.7, free_in * 0.4), min(1.5, free_in * 0.6)), 2)
    cls = classification if classification is not None else rng.choice(_CLASSIFICATIONS)
    banner = None
    if cls:
        cls = cls.strip().upper()
        banner = "   ".join(" ".join(word) for word in cls.split()) if rng.random() < 0.4 else cls
    date = (release_date or f"{rng.randint(1998, 2014)}/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}").replace(
        "-", "/"
    )
    stamp: str | None = rng.choice(_STAMP_FORMS).format(date=date, id=archive_id or crest_id(rng))
    if archive_id is None and release_date is None and rng.random() < 0.15:
        stamp = None  # not every scan went through CREST
    copy = None
    if rng.random() < 0.7:
        copy = rng.choice(("Copy No. {}", "COPY NO. {}", "Copy No. C-{}", "Copy {} of 250")).format(rng.randint(1, 250))
    sign = rng.choice((-1, 1))
    # Greyscale scans were made at lower resolutions (and a 300-dpi greyscale page would not stay under 300 KB).
    bitonal = rng.random() < 0.6
    return ScanStyle(
        seed=seed,
        dpi=rng.choice((150, 200, 200, 240, 300, 300) if bitonal else (150, 200)),
        font=rng.choice(sorted(FONTS)),
        pitch=pitch,
        line_width=width,
        lines_per_page=rng.randint(50, 55),
        margin_left_in=margin,
        banner=banner,
        stamp=stamp,
        copy_number=copy,
        page_number_form=rng.choice(_PAGE_NUMBER_FORMS),
        number_first_page=rng.random() < 0.5,
        skew_deg=round(sign * rng.uniform(0.3, 1.0), 2),
        blur=round(rng.uniform(0.3, 1.2), 2),
        speckle=round(rng.uniform(0.5, 12.0), 1),
        ink=round(rng.uniform(0.7, 1.0), 2),
        ink_variation=round(rng.uniform(0.03, 0.2), 2),
        wear=round(rng.uniform(0.0, 0.12), 3),
        spread=round(rng.uniform(0.1, 0.4), 2),
        paper=rng.randint(215, 250),
        bitonal=bitonal,
    )


def typewritten(text: str) -> str:
    """The text as a typist would have typed it: ASCII punctuation, no accents, tabs as spaces, no control codes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TYPED).expandtabs(5)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if " " <= c <= "~" or c in "\n\f")


def _wrap(line: str, width: int) -> list[str]:
    """Break a line at spaces as a typist does at the bell: no hyphens; an over-long word is cut."""
    indent = len(line) - len(line.lstrip(" "))
    if indent >= width // 2:
        indent = 0
    out: list[str] = []
    current = line.rstrip()
    while len(current) > width:
        cut = current.rfind(" ", indent + 1, width + 1)
        if cut <= indent:
            cut = width
        out.append(current[:cut].rstrip())
        current = " " * indent + current[cut:].lstrip(" ")
    out.append(current)
    return out


def page_lines(text: str, style: ScanStyle) -> list[list[str]]:
    """The body lines of each page: wrapped to the style's width, broken at form feeds and full pages."""
    pages: list[list[str]] = []
    for part in typewritten(text).split("\f"):
        lines = [w for raw in part.strip("\n").split("\n") for w in _wrap(raw, style.line_width)]
        while lines and not lines[-1].strip():
            lines.pop()
        chunk: list[str] = []
        for line in lines:
            if len(chunk) == style.lines_per_page:
                pages.append(chunk)
                chunk = []
            if not chunk and not line.strip():
                continue  # a new page does not open on a blank line
            chunk.append(line)
        pages.append(chunk)
    return pages


def printed_pages(text: str, style: ScanStyle) -> list[str]:
    """What each page carries, top to bottom: stamp, banner, copy number, body, page number, banner, stamp.

    The reference an OCR of the scan is scored against (character error rate).
    """
    out: list[str] = []
    for number, lines in enumerate(page_lines(text, style), start=1):
        head = [style.stamp, style.banner, style.copy_number if number == 1 else None]
        foot = [
            style.page_number_form.format(n=number) if number > 1 or style.number_first_page else None,
            style.banner,
            style.stamp,
        ]
        out.append("\n".join([*(h for h in head if h), *lines, *(f for f in foot if f)]))
    return out


@cache
def _font_path(name: str) -> str:
    package, paths = FONTS.get(name, STAMP_FONT)
    for path in paths:
        if Path(path).is_file():
            return path
    raise FileNotFoundError(f"typeface {name!r} not found: apt-get install {package} (make install does)")


@cache
def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(name), px)


def _body_font(style: ScanStyle) -> ImageFont.FreeTypeFont:
    """The typeface sized so its advance is exactly one pitch cell."""
    cell = style.dpi / style.pitch
    advance = _font(style.font, 100).getlength("M") / 100
    return _font(style.font, max(6, round(cell / advance)))


def _type_line(
    draw: ImageDraw.ImageDraw,
    line: str,
    x: float,
    y: float,
    font: ImageFont.FreeTypeFont,
    cell: float,
    style: ScanStyle,
    rng: np.random.Generator,
) -> None:
    """Strike one line character by character: each key lands a little off and hits harder or softer."""
    n = len(line)
    dx = rng.normal(0, 0.04 * cell, n)
    dy = rng.normal(0, 0.03 * cell, n) + rng.normal(0, 0.02 * cell)
    strength = np.clip(rng.normal(style.ink, style.ink_variation, n), 0.35, 1.0)
    spread = style.spread * _BLEED.get(style.font, 1.0) * style.dpi / 72 * 10 / style.pitch
    for i, ch in enumerate(line):
        if ch != " ":
            fill = int(255 * strength[i])
            draw.text(
                (x + i * cell + dx[i], y + dy[i]), ch, font=font, fill=fill, stroke_width=spread, stroke_fill=fill
            )


def _centred(
    draw: ImageDraw.ImageDraw, text: str, y: float, font: ImageFont.FreeTypeFont, width: int, fill: int
) -> None:
    draw.text(((width - font.getlength(text)) / 2, y), text, font=font, fill=fill)


def _render_page(lines: list[str], number: int, style: ScanStyle) -> Image.Image:
    dpi = style.dpi
    w, h = round(PAPER_IN[0] * dpi), round(PAPER_IN[1] * dpi)
    rng = np.random.default_rng([style.seed, number])
    font = _body_font(style)
    cell = dpi / style.pitch
    pitch = dpi / LINES_PER_INCH
    ink = Image.new("L", (w, h), 0)  # ink coverage; 255 = full strike
    draw = ImageDraw.Draw(ink)
    left = style.margin_left_in * dpi + rng.normal(0, 0.03 * dpi)
    top = BODY_TOP_IN * dpi + rng.normal(0, 0.03 * dpi)
    for row, line in enumerate(lines):
        if line.strip():
            _type_line(draw, line, left, top + row * pitch, font, cell, style, rng)
    if style.banner:
        for y_in in (0.55, PAPER_IN[1] - 0.62):
            x = (w - len(style.banner) * cell) / 2 + rng.normal(0, 0.05 * dpi)
            _type_line(draw, style.banner, x, y_in * dpi, font, cell, style, rng)
    if number == 1 and style.copy_number:
        x = left + (style.line_width - len(style.copy_number)) * cell
        _type_line(draw, style.copy_number, x, 0.8 * dpi, font, cell, style, rng)
    if number > 1 or style.number_first_page:
        label = style.page_number_form.format(n=number)
        x = (w - len(label) * cell) / 2
        _type_line(draw, label, x, top + (style.lines_per_page + 1) * pitch, font, cell, style, rng)
    if style.wear:
        holes = rng.random((h // 3, w // 3)) < style.wear
        mask = Image.fromarray((holes * 255).astype(np.uint8)).resize((w, h), Image.Resampling.NEAREST)
        ink.paste(0, mask=mask)
    if style.stamp:
        # The release stamp was added by the archive's scanning system: a printed sans face, full black.
        stamp_font = _font("stamp", max(6, round(dpi * 8.5 / 72)))
        sdraw = ImageDraw.Draw(ink)
        _centred(sdraw, style.stamp, 0.22 * dpi, stamp_font, w, 255)
        _centred(sdraw, style.stamp, (PAPER_IN[1] - 0.35) * dpi, stamp_font, w, 255)
    ink = ink.filter(ImageFilter.GaussianBlur(0.35 * dpi / 300))
    page = _paper(w, h, style, rng) * (1 - np.asarray(ink, np.float32) / 255 * (0.55 + 0.45 * style.ink))
    page = _speckle(page, style, rng)
    img = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "L")
    angle = style.skew_deg + rng.normal(0, 0.15)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=style.paper)
    img = img.filter(ImageFilter.GaussianBlur(style.blur * dpi / 300))
    if style.bitonal:
        level = 255 * rng.uniform(0.45, 0.6)
        return img.point(lambda v: 255 if v > level else 0).convert("1", dither=Image.Dither.NONE)
    return img


def _paper(w: int, h: int, style: ScanStyle, rng: np.random.Generator) -> np.ndarray:
    """Paper tone with slow unevenness (photocopier toner, yellowing)."""
    coarse = rng.normal(0, 6, (6, 5)).astype(np.float32)
    tone = np.asarray(Image.fromarray(coarse, "F").resize((w, h), Image.Resampling.BICUBIC))
    return style.paper + tone


def _speckle(page: np.ndarray, style: ScanStyle, rng: np.random.Generator) -> np.ndarray:
    """Dark specks of dust and toner, one to a few pixels across."""
    h, w = page.shape
    n = int(style.speckle * (w / style.dpi) * (h / style.dpi))
    ys, xs = rng.integers(0, h - 3, n), rng.integers(0, w - 3, n)
    sizes = rng.choice((1, 1, 1, 2, 2, 3), n) * max(1, style.dpi // 200)
    for y, x, s in zip(ys, xs, sizes, strict=True):
        page[y : y + s, x : x + s] = rng.uniform(0, 90)
    return page


def render_pages(text: str, style: ScanStyle) -> list[Image.Image]:
    """Page images ("1" or "L" mode) of ``text`` typed and scanned in ``style``; form feeds break pages."""
    pages = page_lines(text, style)
    return [_render_page(lines, i, style) for i, lines in enumerate(pages, start=1)]


_PDF_DATE = re.compile(r"(\d{4})/(\d{2})/(\d{2})")


def render_scan_pdf(text: str, style: ScanStyle) -> bytes:
    """An image-only PDF of the scan (no text layer); the same style gives the same bytes."""
    images = render_pages(text, style)
    found = _PDF_DATE.search(style.stamp or "")
    stamp_date = "".join(found.groups()) if found else "20000101"
    when = datetime.strptime(stamp_date, "%Y%m%d")
    buf = io.BytesIO()
    images[0].save(
        buf,
        "PDF",
        save_all=True,
        append_images=images[1:],
        resolution=float(style.dpi),
        **({} if style.bitonal else {"quality": 50}),
        creationDate=when.timetuple(),
        modDate=when.timetuple(),
        title="",
        producer="declass scan renderer",
    )
    return buf.getvalue()
