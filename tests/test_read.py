from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from declass.errors import InputError
from declass.evaluate.scan import STAMP_FONT
from declass.stages.read.pdf import text_layers
from declass.stages.read.reader import read_bytes, read_path, tesseract_available

OCR_TEXT = (
    "National Intelligence Estimate. Relations between the Chinese Communist "
    "regime and the USSR. We believe that Moscow will try to extend and "
    "intensify its control over Communist China. The Soviet aid agreement "
    "provides for assistance in the construction of major projects."
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(pages: list[str], *, extra_trailer: str = "", extra_objects: tuple[str, ...] = ()) -> bytes:
    """A small PDF written by hand: each page's lines in Helvetica (a standard font every reader has)."""
    streams = []
    for body in pages:
        ops = " ".join(f"({_escape(line)}) '" for line in body.split("\n"))
        streams.append(f"BT /F1 12 Tf 14 TL 72 740 Td {ops} ET")
    return pdf_from_streams(streams, extra_trailer=extra_trailer, extra_objects=extra_objects)


def drawn(*runs: tuple[int, int, str]) -> str:
    """A content stream drawing each (x, y, lines) run in the order given, lines 14 points apart."""
    out = []
    for x, y, body in runs:
        ops = " ".join(f"({_escape(line)}) '" for line in body.split("\n"))
        out.append(f"BT /F1 12 Tf 14 TL {x} {y + 14} Td {ops} ET")
    return " ".join(out)


def pdf_from_streams(streams: list[str], *, extra_trailer: str = "", extra_objects: tuple[str, ...] = ()) -> bytes:
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for stream in streams:
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    objects.extend(extra_objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {extra_trailer}>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def text_pdf(path: Path, pages: list[str]) -> Path:
    path.write_bytes(pdf_bytes(pages))
    return path


def typed_image(body: str, *, dpi: int = 300) -> Image.Image:
    """A page of text as a 300-dpi greyscale image (13 pt, 6.5 inches wide)."""
    image = Image.new("L", (round(8.5 * dpi), round(11 * dpi)), 255)
    font = ImageFont.truetype(STAMP_FONT[1][0], round(13 * dpi / 72))
    draw = ImageDraw.Draw(image)
    line, y = "", dpi
    for word in body.split():
        if draw.textlength(f"{line} {word}", font=font) > 6.5 * dpi:
            draw.text((dpi, y), line, font=font, fill=0)
            line, y = word, y + round(0.25 * dpi)
        else:
            line = f"{line} {word}".strip()
    draw.text((dpi, y), line, font=font, fill=0)
    image.info["dpi"] = (dpi, dpi)
    return image


def scanned_pdf(path: Path, *bodies: str) -> Path:
    """An image-only PDF: each body typed on a page image, nothing else."""
    images = [typed_image(b) for b in bodies]
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=300.0)
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
    assert text_layers(pdf.read_bytes(), "scan.pdf") == [""]  # really image-only
    doc = read_path(pdf)
    assert doc.source.ocr
    want, got = words(OCR_TEXT), set(words(doc.text))
    recall = sum(w in got for w in want) / len(want)
    assert recall >= 0.9, (recall, doc.text)


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_png_image_is_ocred(tmp_path: Path) -> None:
    png = tmp_path / "scan.png"
    typed_image(OCR_TEXT).save(png, dpi=(300, 300))
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


def test_pdf_text_layer_keeps_lines_and_line_end_hyphens() -> None:
    data = pdf_bytes(["Article 1 (of the treaty)\nthe joint com-\nmission shall\nmeet in Dairen", "Second page"])
    doc = read_bytes(data, name="treaty.pdf")
    first = doc.text[doc.pages[0].start : doc.pages[0].end]
    assert first == "Article 1 (of the treaty)\nthe joint com-\nmission shall\nmeet in Dairen"
    assert doc.text[doc.pages[1].start : doc.pages[1].end] == "Second page"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (
            pdf_bytes(
                ["Secret text on the page."],
                extra_trailer=f"/Encrypt 6 0 R /ID [<{'ab' * 16}> <{'ab' * 16}>] ",
                extra_objects=(f"<< /Filter /Standard /V 1 /R 2 /O <{'11' * 32}> /U <{'22' * 32}> /P -4 >>",),
            ),
            "encrypted",
        ),
        (pdf_bytes([]), "no pages"),
        (b"%PDF-1.4\n" + b"garbage " * 400 + b"\n%%EOF\n", ""),
    ],
    ids=["encrypted", "no-pages", "garbage"],
)
def test_bad_pdfs_are_refused_naming_the_file(data: bytes, detail: str) -> None:
    with pytest.raises(InputError) as info:
        read_bytes(data, name="dir/bad.pdf")
    assert info.value.code == "E104" and "dir/bad.pdf" in str(info.value) and detail in str(info.value)


@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_blank_scanned_pdf_stops_early(tmp_path: Path) -> None:
    """Issue 19: 200 blank pages are refused after a few, not OCR'd one by one."""
    blank = Image.new("1", (850, 1100), 1)
    path = tmp_path / "blank.pdf"
    blank.save(path, "PDF", save_all=True, append_images=[blank] * 199, resolution=100.0)
    t = time.perf_counter()
    with pytest.raises(InputError) as info:
        read_path(path)
    assert info.value.code == "E107" and "of 200 pages" in str(info.value) and "blank.pdf" in str(info.value)
    assert time.perf_counter() - t < 10


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_pdf_with_text_and_scanned_pages(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    text = pdfium.PdfDocument(pdf_bytes(["A typed page about Port Arthur and the naval base."]))
    scan = pdfium.PdfDocument(scanned_pdf(tmp_path / "scan.pdf", OCR_TEXT).read_bytes())
    text.import_pages(scan)
    path = tmp_path / "mixed.pdf"
    text.save(path)
    text.close()
    scan.close()
    doc = read_path(path)
    assert doc.source.ocr and len(doc.pages) == 2
    first, second = (doc.text[p.start : p.end] for p in doc.pages)
    assert first == "A typed page about Port Arthur and the naval base."
    want, got = words(OCR_TEXT), set(words(second))
    assert sum(w in got for w in want) / len(want) >= 0.9, second


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="make install provides Tesseract")
def test_every_tiff_frame_is_a_page(tmp_path: Path) -> None:
    frames = [typed_image("First page: Peiping and Moscow."), typed_image("Second page: Dairen and Harbin.")]
    path = tmp_path / "two.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(300, 300), compression="tiff_lzw")
    doc = read_path(path)
    assert [p.number for p in doc.pages] == [1, 2]
    first, second = (doc.text[p.start : p.end] for p in doc.pages)
    assert "Peiping" in first and "Dairen" in second and "Dairen" not in first


def test_damaged_image_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    with pytest.raises(InputError) as info:
        read_path(path)
    assert info.value.code == "E106" and "broken.png" in str(info.value)


# -- inputs that are not files, or never end (issue 19) ---------------------------------


def test_a_symlink_to_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        read_path(link)
    assert info.value.code == "E106" and "character device" in str(info.value) and "zero.txt" in str(info.value)
    assert time.monotonic() - started < 5


def test_a_fifo_is_refused_and_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        read_path(fifo)
    assert info.value.code == "E106" and "FIFO" in str(info.value)
    assert time.monotonic() - started < 5


def test_the_size_limit_counts_bytes_read(tmp_path: Path) -> None:
    from declass.stages.read.reader import load_bytes

    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 1000)
    assert len(load_bytes(big, 5000)) == 5000
    with pytest.raises(InputError) as info:
        load_bytes(big, 4999)
    assert info.value.code == "E103"


# -- text that comes out as it went in ----------------------------------------------------

FRENCH = ("Note verbale.\nLe ministre a dit à son élève que son père était où il voulait; "
          "ça lui plaît, et les gens âgés sont très contents de la fenêtre.\n")


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_french_is_read_as_written_and_the_guess_is_recorded(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "note.txt"
    p.write_bytes((FRENCH * 2).encode(encoding))
    doc = read_path(p)
    assert doc.text == FRENCH * 2
    assert doc.source.encoding == "cp1252"
    assert any(w.startswith("encoding guessed as cp1252 (confidence") for w in doc.warnings), doc.warnings


def test_a_file_mixing_utf8_and_latin1_is_decoded_line_by_line(tmp_path: Path) -> None:
    lines = [("The café served thé to the délégation.\n", "utf-8"), ("Le thé était très bon.\n", "latin-1")] * 30
    p = tmp_path / "mixed.txt"
    p.write_bytes(b"".join(t.encode(e) for t, e in lines))
    doc = read_path(p)
    assert doc.text == "".join(t for t, _ in lines)
    assert "Ã" not in doc.text and "Ă" not in doc.text
    assert doc.source.encoding == "utf_8+cp1252"
    assert any("mixed encodings: 30 lines in UTF-8, 30 decoded line by line as cp1252" in w for w in doc.warnings)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_recognised(tmp_path: Path, encoding: str) -> None:
    text = "Memorandum for the President.\nThe Soviet note of 10 March 1952 proposes a treaty.\n"
    p = tmp_path / "u16.txt"
    p.write_bytes(text.encode(encoding))
    doc = read_path(p)
    assert doc.text == text and doc.source.encoding == encoding.replace("-", "_")


def test_valid_utf8_is_utf8_without_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "u8.txt"
    p.write_text(FRENCH, encoding="utf-8")
    doc = read_path(p)
    assert doc.text == FRENCH and doc.source.encoding == "utf-8" and not doc.warnings


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_stray_nul_is_removed_wherever_it_is(tmp_path: Path, where: str) -> None:
    body = ("The Soviet note proposes a treaty of peace with Germany.\n" * 2000).encode()
    at = {"start": 0, "middle": len(body) // 2, "end": len(body)}[where]
    p = tmp_path / "nul.txt"
    p.write_bytes(body[:at] + b"\x00" + body[at:])
    doc = read_path(p)
    assert "\x00" not in doc.text and doc.text == body.decode()
    assert "1 NUL character removed" in doc.warnings


@pytest.mark.parametrize("where", ["start", "end"])
def test_many_nuls_are_binary_wherever_they_are(tmp_path: Path, where: str) -> None:
    body = b"The Soviet note proposes a treaty of peace.\n" * 3000
    junk = b"\x00\x01\x00\x02" * 200
    p = tmp_path / "bin.txt"
    p.write_bytes(junk + body if where == "start" else body + junk)
    with pytest.raises(InputError) as info:
        read_path(p)
    assert info.value.code == "E102"


def test_a_file_of_roman_numerals_is_not_readable_text(tmp_path: Path) -> None:
    p = tmp_path / "numerals.txt"
    p.write_text("\n".join(["I.", "II.", "III.", "IV", "v", "VI.", "xii", "XIV.", "MCMLII"] * 20))
    with pytest.raises(InputError) as info:
        read_path(p)
    assert info.value.code == "E107"


@pytest.mark.parametrize(
    ("stream", "want"),
    [
        # a page number drawn before the body goes to the foot of the page, as printed
        (
            drawn((290, 40, "- 2 -"), (72, 740, "First line of the body\nSecond line")),
            "First line of the body\nSecond line\n- 2 -",
        ),
        # two columns drawn one after the other: the left column, then the right
        (
            drawn((72, 700, "Left one\nLeft two\nLeft three"), (320, 700, "Right one\nRight two")),
            "Left one\nLeft two\nLeft three\nRight one\nRight two",
        ),
        # the right column drawn first still follows the left one
        (
            drawn((320, 700, "Right one\nRight two"), (72, 700, "Left one\nLeft two")),
            "Left one\nLeft two\nRight one\nRight two",
        ),
        # a heading drawn last goes back to the top
        (drawn((72, 600, "Body text below"), (72, 740, "HEADING")), "HEADING\nBody text below"),
    ],
    ids=["footer-first", "columns", "right-column-first", "heading-last"],
)
def test_text_layer_lines_in_reading_order(stream: str, want: str) -> None:
    doc = read_bytes(pdf_from_streams([stream]), name="layout.pdf")
    assert doc.text == want


def test_a_raised_footnote_mark_stays_after_its_word() -> None:
    stream = drawn((72, 740, "Memorandum for Dulles"), (72, 726, "on the offshore islands")) + (
        " BT /F1 7 Tf 190 744 Td (1) Tj ET"  # the mark, drawn last, 4 points above the first baseline
    )
    text = read_bytes(pdf_from_streams([stream]), name="mark.pdf").text
    assert text.replace("\n", " ").split() in (
        ["Memorandum", "for", "Dulles1", "on", "the", "offshore", "islands"],
        ["Memorandum", "for", "Dulles", "on", "the", "offshore", "islands", "1"],
    ), text
