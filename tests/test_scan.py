from __future__ import annotations

import io
import re
from dataclasses import replace

import numpy as np
import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declass.evaluate.scan import (
    FONTS,
    page_lines,
    printed_pages,
    render_pages,
    render_scan_pdf,
    style_for,
    typewritten,
)
from declass.stages.read.ocr import ocr_image, tesseract_available
from declass.stages.read.pdf import page_images, text_layers

BODY = (
    "1. The Chinese Communist regime and the USSR are bound by a treaty of friendship signed at "
    "Moscow in February 1950. We believe that Moscow will try to extend its control over Peiping.\n\n"
    "2. Soviet aid provides for assistance in the construction of major industrial projects, "
    "and for the return of the Changchun Railway by the end of 1952.\n"
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def test_same_seed_same_scan() -> None:
    style = style_for(7)
    assert style == style_for(7)
    first, second = render_pages(BODY, style), render_pages(BODY, style)
    assert [im.tobytes() for im in first] == [im.tobytes() for im in second]
    assert render_scan_pdf(BODY, style) == render_scan_pdf(BODY, style)


def test_different_seeds_differ() -> None:
    styles = [style_for(seed) for seed in range(40)]
    assert len(set(styles)) == 40
    assert len({s.font for s in styles}) >= 3 and {s.bitonal for s in styles} == {True, False}
    assert len({s.dpi for s in styles}) >= 3 and len({s.stamp for s in styles}) >= 30
    a, b = render_pages(BODY, style_for(1))[0], render_pages(BODY, style_for(2))[0]
    assert a.size != b.size or a.tobytes() != b.tobytes()


@pytest.mark.parametrize("seed", range(30))
def test_style_ranges(seed: int) -> None:
    s = style_for(seed)
    assert s.font in FONTS and 150 <= s.dpi <= 300 and s.pitch in (10, 12)
    assert 65 <= s.line_width <= 72 and 50 <= s.lines_per_page <= 55
    assert 0.3 <= abs(s.skew_deg) <= 1.0
    assert s.margin_left_in + s.line_width / s.pitch < 8.5 - 0.3  # the line fits on letter paper
    if s.stamp:
        assert re.fullmatch(r".*Release \d{4}/\d\d/\d\d : CIA-RDP\d\d[A-Z]\d{5}[AR]\d{12}-\d", s.stamp), s.stamp


def test_given_stamp_fields_are_used() -> None:
    crest = "CIA-RDP80R01443R000200010007-3"
    s = style_for(3, classification="Top Secret", archive_id=crest, release_date="2003-08-08")
    assert s.stamp is not None and s.stamp.endswith("2003/08/08 : CIA-RDP80R01443R000200010007-3")
    assert s.banner is not None and s.banner.replace(" ", "") == "TOPSECRET"
    assert all(style_for(n, classification="").banner is None for n in range(5))


def test_lines_wrap_like_a_typist() -> None:
    style = replace(style_for(1), line_width=40, lines_per_page=50)
    long = "word " * 30 + "Supercalifragilisticexpialidociouslyextraordinarylongword end"
    pages = page_lines(long + "\n\fSecond page.", style)
    assert len(pages) == 2 and pages[1] == ["Second page."]
    lines = pages[0]
    assert all(len(line) <= 40 for line in lines)
    assert not any(line.endswith("-") for line in lines)  # no hyphen was added
    assert "".join(lines).replace(" ", "") == long.replace(" ", "")


def test_full_pages_break_and_typographic_characters_are_typed() -> None:
    style = replace(style_for(2), lines_per_page=50)
    pages = page_lines("\n".join(f"Line {i}" for i in range(120)), style)
    assert [len(p) for p in pages] == [50, 50, 20]
    assert typewritten("Peiping’s “reply” — Chou En-lai à Moscou…") == 'Peiping\'s "reply" -- Chou En-lai a Moscou...'


@pytest.mark.parametrize("seed", [0, 1, 4, 11])
def test_pdf_is_image_only_and_small(seed: int) -> None:
    style = style_for(seed)
    text = BODY * 12
    data = render_scan_pdf(text, style)
    n = len(page_lines(text, style))
    assert n >= 2
    assert text_layers(data, "scan.pdf") == [""] * n  # no text layer at all
    pdf = pdfium.PdfDocument(data)
    try:
        assert len(pdf) == n
        for i in range(n):
            kinds = [obj.type for obj in pdf[i].get_objects()]
            assert kinds == [pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    finally:
        pdf.close()
    assert len(data) / n < 300 * 1024


def _band_ink(image, top_in: float, bottom_in: float, dpi: int) -> float:
    a = np.asarray(image.convert("L"))[round(top_in * dpi) : round(bottom_in * dpi)]
    return float((a < 100).mean())


@pytest.mark.parametrize("seed", [5, 8])
def test_furniture_on_every_page(seed: int) -> None:
    style = style_for(seed, classification="SECRET", archive_id="CIA-RDP79T00975A000100580001-6")
    text = BODY * 12
    images = render_pages(text, style)
    printed = printed_pages(text, style)
    assert len(images) == len(printed) >= 2
    for number, (image, page) in enumerate(zip(images, printed, strict=True), start=1):
        assert page.count("CIA-RDP79T00975A000100580001-6") == 2 and page.count(style.banner) == 2
        assert (style.copy_number in page) == (number == 1)
        # ink where the stamp and banner are printed, top and bottom
        assert _band_ink(image, 0.1, 0.75, style.dpi) > 0.002
        assert _band_ink(image, 10.3, 10.95, style.dpi) > 0.002


def _clean(style):
    return replace(style, dpi=300, skew_deg=0.4, blur=0.4, speckle=1.0, wear=0.0, ink=0.9, bitonal=False)


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_ocr_round_trip_reads_body_and_furniture() -> None:
    style = _clean(style_for(12, classification="SECRET", archive_id="CIA-RDP80R01443R000200010007-3"))
    data = render_scan_pdf(BODY, style)
    (image,) = page_images(data, "scan.pdf", [0])
    page = ocr_image(image)
    want, got = words(BODY), set(words(page.text))
    assert sum(w in got for w in want) / len(want) >= 0.9, page.text
    stamps = [line for line in page.lines if "RDP80R01443R" in page.text[line.start : line.end]]
    assert len(stamps) == 2, page.text
    assert stamps[0].top < 0.05 and stamps[1].bottom > 0.95


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
@pytest.mark.parametrize("font", sorted(FONTS))
def test_every_typeface_is_legible(font: str) -> None:
    style = replace(_clean(style_for(4)), font=font)
    (image,) = render_pages(BODY, style)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    text = ocr_image(image).text
    want, got = words(BODY), set(words(text))
    assert sum(w in got for w in want) / len(want) >= 0.85, (font, text)


@settings(max_examples=150, deadline=None)
@given(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=3000),
    st.integers(65, 72),
    st.integers(50, 55),
)
def test_any_text_is_typed_whole(text: str, width: int, per_page: int) -> None:
    """Whatever the text, every typed character lands on some line, in order, within the margins."""
    style = replace(style_for(0), line_width=width, lines_per_page=per_page)
    pages = page_lines(text, style)
    assert pages and all(len(p) <= per_page for p in pages)
    lines = [line for page in pages for line in page]
    assert all(len(line) <= width and all(" " <= c <= "~" for c in line) for line in lines)
    typed = typewritten(text).replace("\f", "\n")
    assert "".join("".join(lines).split()) == "".join(typed.split())
