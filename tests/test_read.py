from __future__ import annotations

import os
import re
from pathlib import Path

import pymupdf
import pytest

from declass.errors import InputError
from declass.read import read_bytes, read_path, tesseract_available

OCR_TEXT = (
    "National Intelligence Estimate. Relations between the Chinese Communist "
    "regime and the USSR. We believe that Moscow will try to extend and "
    "intensify its control over Communist China. The Soviet aid agreement "
    "provides for assistance in the construction of major projects."
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def text_pdf(path: Path, pages: list[str]) -> Path:
    doc = pymupdf.open()
    for body in pages:
        page = doc.new_page()
        page.insert_textbox(pymupdf.Rect(72, 72, 540, 720), body, fontsize=12)
    doc.save(path)
    return path


def scanned_pdf(path: Path, body: str) -> Path:
    """Render text, rasterise it at 300 dpi, and keep only the image."""
    src = pymupdf.open()
    page = src.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 540, 720), body, fontsize=13)
    pix = page.get_pixmap(dpi=300)
    out = pymupdf.open()
    scan = out.new_page(width=page.rect.width, height=page.rect.height)
    scan.insert_image(scan.rect, pixmap=pix)
    out.save(path, deflate=True)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "latin-1", "utf-16"])
def test_text_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    text = "Peiping’s reply — Chou En-lai à Moscou, 1950.\nSecond line of the reply."
    if encoding in ("latin-1",):
        text = text.replace("’", "'").replace("—", "-")
    p = tmp_path / "doc.txt"
    p.write_bytes(text.encode(encoding))
    doc = read_path(p)
    assert doc.text == text
    assert doc.source.sha256 and doc.source.media_type == "text/plain"


def test_sample_keeps_raw_text(nie58_path: Path) -> None:
    doc = read_path(nie58_path)
    assert doc.text == nie58_path.read_text("utf-8")
    assert doc.id == "1952-09-10-nie-58-sino-soviet-relations"


def test_pdf_text_layer_pages(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "two.pdf", ["First page about Port Arthur.", "Second page about Dairen."])
    doc = read_path(pdf)
    assert [p.number for p in doc.pages] == [1, 2]
    first, second = (doc.text[p.start : p.end] for p in doc.pages)
    assert "Port Arthur" in first and "Dairen" in second
    assert doc.source.media_type == "application/pdf" and not doc.source.ocr


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_scanned_pdf_is_ocred(tmp_path: Path) -> None:
    pdf = scanned_pdf(tmp_path / "scan.pdf", OCR_TEXT)
    assert pymupdf.open(pdf)[0].get_text().strip() == ""  # really image-only
    doc = read_path(pdf)
    assert doc.source.ocr
    want, got = words(OCR_TEXT), set(words(doc.text))
    recall = sum(w in got for w in want) / len(want)
    assert recall >= 0.9, (recall, doc.text)


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_png_image_is_ocred(tmp_path: Path) -> None:
    src = pymupdf.open()
    page = src.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 540, 720), OCR_TEXT, fontsize=13)
    png = tmp_path / "scan.png"
    page.get_pixmap(dpi=300).save(png)
    doc = read_path(png)
    want, got = words(OCR_TEXT), set(words(doc.text))
    assert sum(w in got for w in want) / len(want) >= 0.9


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.txt", b"", "E101"),
        ("blank.txt", b"  \n\n \t\n", "E101"),
        ("junk.txt", bytes(range(256)) * 40, "E102"),
        ("noise.txt", b"%$#@ 1234 ;;;; ~~~~ 5678 |||| ^^^^ " * 50, "E107"),
    ],
)
def test_bad_text_is_refused_with_code(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_path(p)
    assert info.value.code == code
    assert str(p) in str(info.value) and "\n" not in str(info.value)


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    whole = text_pdf(tmp_path / "whole.pdf", ["Some text on a page."] * 3).read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError) as info:
        read_path(p)
    assert info.value.code == "E104" and "cut.pdf" in str(info.value)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    line = b"The Soviet Union and Communist China signed a treaty in 1950.\n"
    with p.open("wb") as fh:
        chunk = line * (2**20 // len(line) + 1)
        while fh.tell() < 200 * 2**20:
            fh.write(chunk)
    try:
        with pytest.raises(InputError) as info:
            read_path(p)
        assert info.value.code == "E103" and "huge.txt" in str(info.value)
    finally:
        os.unlink(p)


def test_vanished_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_path(tmp_path / "gone.txt")
    assert info.value.code == "E105"


def test_read_bytes_names_document(tmp_path: Path) -> None:
    doc = read_bytes(b"A memorandum for the record.\n", name="dir/Memo 12.txt")
    assert doc.id == "memo-12"


def test_form_feeds_split_text_pages() -> None:
    doc = read_bytes(b"page one text\n\x0cpage two text\n\x0cpage three\n", name="ff.txt")
    assert [doc.text[p.start : p.end].strip() for p in doc.pages] == ["page one text", "page two text", "page three"]
