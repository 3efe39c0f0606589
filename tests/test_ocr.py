from __future__ import annotations

import io
import re
import time
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont, ImageOps

from declass.errors import InputError
from declass.evaluate.scan import STAMP_FONT, render_pages, render_scan_pdf, style_for
from declass.stages.read.ocr import (
    BLANK_PROBE,
    for_tesseract,
    negative,
    ocr_image,
    ocr_images,
    ocr_pdf,
    page_text,
    tesseract_available,
)

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def tsv(rows: list[tuple[int, int, int, int, int, str]]) -> str:
    """Word rows (block, par, line, left, top, text) as Tesseract writes them, with the non-word levels."""
    out = [HEADER, "1\t1\t0\t0\t0\t0\t0\t0\t1000\t2000\t-1\t"]
    for n, (block, par, line, left, top, text) in enumerate(rows, start=1):
        out.append(f"4\t1\t{block}\t{par}\t{line}\t0\t{left}\t{top}\t500\t30\t-1\t")
        out.append(f"5\t1\t{block}\t{par}\t{line}\t{n}\t{left}\t{top}\t{20 * len(text)}\t30\t90.5\t{text}")
    return "\n".join(out) + "\n"


def test_lines_paragraphs_and_blocks() -> None:
    rows = [
        (1, 1, 1, 300, 20, "Approved"),
        (1, 1, 1, 500, 20, "For"),
        (2, 1, 1, 100, 200, "First"),
        (2, 1, 1, 250, 200, "line"),
        (2, 1, 2, 100, 250, "second"),
        (2, 2, 1, 100, 300, "New"),
        (2, 2, 1, 200, 300, "paragraph"),
        (2, 2, 2, 100, 450, "after"),  # a gap of three lines inside one paragraph
        (2, 2, 3, 100, 500, "a"),
    ]
    text, lines = page_text(tsv(rows), 1000, 2000)
    assert text == "Approved For\n\nFirst line\nsecond\n\nNew paragraph\n\nafter\na"
    assert [text[line.start : line.end] for line in lines] == [
        "Approved For",
        "First line",
        "second",
        "New paragraph",
        "after",
        "a",
    ]
    first = lines[0]
    assert first.top == pytest.approx(0.01) and first.bottom == pytest.approx(0.025)
    assert first.left == pytest.approx(0.3) and first.right == pytest.approx(0.56)
    assert first.confidence == 90.5 and (first.block, first.paragraph) == (1, 1)


def test_empty_tsv() -> None:
    assert page_text(HEADER + "\n", 100, 100) == ("", ())
    assert page_text("", 100, 100) == ("", ())


words = st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), words), max_size=30))
def test_any_tsv_gives_offsets_into_the_text(rows: list[tuple[int, int, int, str]]) -> None:
    rows = sorted(rows, key=lambda r: r[:3])  # Tesseract writes a line's words together, in reading order
    made = [(b, p, ln, 10 * i, 40 * (4 * b + 2 * p + ln), w) for i, (b, p, ln, w) in enumerate(rows)]
    text, lines = page_text(tsv(made), 1000, 2000)
    assert not text.startswith("\n") and not text.endswith("\n")
    for line in lines:
        piece = text[line.start : line.end]
        assert piece and piece == piece.strip() and "\n" not in piece
        assert 0 <= line.top <= line.bottom <= 1
    assert " ".join(text.split()) == " ".join(w.strip() for *_, w in made if w.strip())


def test_blank_page_images_are_not_sent_to_tesseract() -> None:
    page = ocr_image(Image.new("L", (2550, 3300), 250), 4)
    assert page.empty and page.number == 4 and page.lines == ()


def test_blank_document_stops_early() -> None:
    pages = ((n, Image.new("L", (1275, 1650), 255)) for n in range(1, 201))
    t = time.perf_counter()
    with pytest.raises(InputError) as info:
        ocr_images(pages, name="blank.pdf", total=200)
    assert info.value.code == "E107" and f"first {BLANK_PROBE} of 200 pages" in str(info.value)
    assert "blank.pdf" in str(info.value)
    assert time.perf_counter() - t < 5


def test_short_blank_document_is_not_stopped_early() -> None:
    pages = [(n, Image.new("L", (200, 200), 255)) for n in range(1, BLANK_PROBE)]
    assert [p.empty for p in ocr_images(pages, name="short.pdf")] == [True] * (BLANK_PROBE - 1)


def _typed(text: str) -> Image.Image:
    image = Image.new("L", (1800, 500), 255)
    font = ImageFont.truetype(STAMP_FONT[1][0], 48)
    ImageDraw.Draw(image).text((60, 150), text, font=font, fill=0)
    image.info["dpi"] = (300, 300)
    return image


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
@pytest.mark.parametrize("jobs", [1, 3])
def test_pages_come_back_in_order(jobs: int) -> None:
    texts = ["Peiping", "Moscow", "Dairen", "Harbin", "Mukden"]
    pages = ocr_images(((i, _typed(t)) for i, t in enumerate(texts, start=1)), jobs=jobs)
    assert [p.number for p in pages] == [1, 2, 3, 4, 5]
    assert [re.sub(r"\W", "", p.text) for p in pages] == texts


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_tesseract_failure_names_the_document() -> None:
    with pytest.raises(InputError) as info:
        ocr_image(_typed("Moscow"), 3, name="memo.pdf", lang="no-such-language")
    assert info.value.code == "E108" and "memo.pdf" in str(info.value) and "page 3" in str(info.value)


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_speckled_blank_pages_stop_after_the_probe() -> None:
    """Blank scans with dust on them do reach Tesseract, and still stop the document early."""
    style = replace(style_for(9), stamp=None, banner=None, copy_number=None, number_first_page=False, speckle=12.0)
    blank = render_pages("", style)[0]
    assert blank.convert("L").getextrema()[0] < 160  # the specks are ink: not skipped as white
    with pytest.raises(InputError) as info:
        ocr_images(((n, blank) for n in range(1, 41)), name="dusty.pdf", total=40, jobs=2)
    assert info.value.code == "E107" and "of 40 pages" in str(info.value)


def _blank_pdf(pages: int) -> bytes:
    blank = Image.new("1", (850, 1100), 1)
    buf = io.BytesIO()
    blank.save(buf, "PDF", save_all=True, append_images=[blank] * (pages - 1), resolution=100.0)
    return buf.getvalue()


def test_blank_pdf_stops_early_unless_other_pages_have_text() -> None:
    data = _blank_pdf(30)
    with pytest.raises(InputError) as info:
        ocr_pdf(data, "blank.pdf")
    assert info.value.code == "E107" and "of 30 pages" in str(info.value)
    # the same blank pages, when the document's other pages have a text layer, are all read
    pages = ocr_pdf(data, "mixed.pdf", range(1, 30))
    assert [p.number for p in pages] == list(range(2, 31)) and all(p.empty for p in pages)


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_ocr_pdf_keeps_page_numbers_and_geometry() -> None:
    style = replace(style_for(6), dpi=300, bitonal=False, speckle=1.0, wear=0.0, blur=0.4, skew_deg=0.3)
    text = "First page about Port Arthur.\fSecond page about Dairen."
    (second,) = ocr_pdf(render_scan_pdf(text, style), "two.pdf", [1])
    assert second.number == 2 and "Dairen" in second.text and "Port Arthur" not in second.text
    body = next(line for line in second.lines if "Dairen" in second.text[line.start : line.end])
    assert 0.05 < body.top < 0.2 and body.left < 0.3  # the first typed line, near the top left margin


def test_positive_pages_go_to_tesseract_as_they_are() -> None:
    for mode, size in (("1", (1275, 1650)), ("L", (1275, 1650)), ("L", (1800, 500))):
        image = Image.new(mode, size, 255 if mode == "L" else 1)
        image.info["dpi"] = (150, 150)
        seen, dpi = for_tesseract(image)
        assert seen is image and dpi == 150


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
@pytest.mark.parametrize("mode", ["L", "1"])
def test_negative_page_is_read_positive(mode: str) -> None:
    """A microfilm negative (light type on a dark ground) is turned positive once for the page."""
    image = ImageOps.invert(_typed("Peiping Moscow Dairen")).convert(mode)
    image.info["dpi"] = (300, 300)
    assert negative(image) and not negative(_typed("Peiping"))
    seen, _ = for_tesseract(image)
    assert seen.mode == mode and not negative(seen)
    assert re.sub(r"[^\w ]", "", ocr_image(image).text).split() == ["Peiping", "Moscow", "Dairen"]
