"""OCR benchmark: declass's OCR path against the plain ``tesseract`` command, speed and accuracy.

Documents (the two samples and FRUS documents from the development set) are
printed as typewritten scans by the evaluation's renderer
(`declass.evaluate.scan`, one seeded style each), made into image-only
PDFs, and read back two ways in the same run, document by document
alternately so that a busy machine slows both alike:

* declass: `read_bytes` on the PDF (page images out of the PDF, Tesseract
  on them in parallel, text rebuilt from its TSV);
* baseline: the plain ``tesseract IMAGE stdout`` command on the same page
  images, as many at a time as there are cores (``OMP_THREAD_LIMIT=1``).

Reported: pages/s of each and their ratio (target >= 0.9), CPU seconds a
page (this process and its children; steadier than wall time on a shared
machine), and the
character error rate (CER) of each against what the page carries (stamp,
banner, copy number, body, page number), after normalising whitespace.
``--old`` also times the previous path (ocrmypdf, then the PDF's new text
layer read back), if ocrmypdf is installed.

Also: text-layer reading of a generated text PDF with pypdfium2 (and PyMuPDF,
the previous reader, when installed): pages/s and pages whose words all came
back in order.

    python bench/bench_ocr.py [--frus 6] [--chars 6000] [--repeat 2] [--old] [--text-pages 500]
                              [--out bench/results/ocr.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from declass.evaluate import scan
from declass.stages.read import pdf as pdf_io
from declass.stages.read.reader import read_bytes

HERE = Path(__file__).parent
ROOT = HERE.parent
SAMPLES = ROOT / "src" / "declass" / "data" / "samples"
DEVSET = ROOT.parent / "shared" / "devset"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Scan:
    name: str
    pdf: bytes
    reference: str  # what is printed, pages joined by newlines
    pages: int
    style: scan.ScanStyle


def normalise(text: str) -> str:
    return _SPACE.sub(" ", scan.typewritten(text)).strip()


def cer(reference: str, hypothesis: str) -> tuple[int, int]:
    """Edit distance and reference length, over whitespace-normalised text."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return Levenshtein.distance(ref, hyp), len(ref)


def frus_texts(devset: Path, count: int) -> list[tuple[str, str]]:
    from declass.stages.read.tei import iter_documents

    out: list[tuple[str, str]] = []
    for path in sorted((devset / "frus").glob("*.xml"))[: max(0, count)]:
        for doc in iter_documents(path):
            out.append((path.stem, doc.text))
    return out


def corpus(frus: int, chars: int, devset: Path) -> list[Scan]:
    texts = [(p.stem, p.read_text("utf-8")) for p in sorted(SAMPLES.glob("*.txt"))]
    if devset.is_dir():
        texts += frus_texts(devset, frus)
    scans = []
    for i, (name, text) in enumerate(texts):
        text = text[:chars] if chars else text
        style = scan.style_for(1000 + i)
        printed = scan.printed_pages(text, style)
        scans.append(Scan(name, scan.render_scan_pdf(text, style), "\n".join(printed), len(printed), style))
    return scans


def tesseract_plain(images: list[Path], jobs: int) -> list[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> str:
        done = subprocess.run(["tesseract", str(path), "stdout"], capture_output=True, env=env, check=True)
        return done.stdout.decode("utf-8", "replace")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, images))


def ocrmypdf_old(data: bytes, folder: Path) -> str:
    """The previous path: ocrmypdf writes a PDF with a text layer, which is read back."""
    src, out = folder / "old-in.pdf", folder / "old-out.pdf"
    src.write_bytes(data)
    subprocess.run(
        [sys.executable, "-m", "ocrmypdf", "-q", "--output-type", "pdf", "--skip-text", "-j", "1", str(src), str(out)],
        check=True,
        capture_output=True,
    )
    return "\n".join(pdf_io.text_layers(out.read_bytes(), str(out)))


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(pages: list[str]) -> bytes:
    """A PDF with a text layer, written by hand: each page's lines in Helvetica."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for body in pages:
        ops = " ".join(f"({_escape(line)}) '" for line in body.split("\n"))
        stream = f"BT /F1 10 Tf 12 TL 60 760 Td {ops} ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _same_words(got: list[str], want: list[str]) -> int:
    """Pages whose words all came back in order (Helvetica's ' is a right quote, as PDF readers say)."""
    return sum(normalise(a) == normalise(b) for a, b in zip(got, want, strict=True))


def text_layer_bench(pages: int) -> dict:
    """Text-layer reading: pypdfium2 (declass) against PyMuPDF (the previous reader) when it is installed."""
    text = scan.typewritten("\n".join(p.read_text("utf-8") for p in sorted(SAMPLES.glob("*.txt"))))
    lines = [w for line in text.split("\n") if line.strip() for w in textwrap.wrap(line, 90)]
    bodies = ["\n".join(lines[(i * 55) % len(lines) :][:55]) for i in range(pages)]
    data = text_pdf(bodies)
    t = time.perf_counter()
    texts = pdf_io.text_layers(data, "bench.pdf")
    result = {"pages": pages, "pdfium_pages_per_s": round(pages / (time.perf_counter() - t))}
    result["pdfium_same_words"] = _same_words(texts, bodies)
    try:
        import pymupdf
    except ImportError:
        return result
    t = time.perf_counter()
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        old = [page.get_text("text", sort=True) for page in doc]
    result["pymupdf_pages_per_s"] = round(pages / (time.perf_counter() - t))
    result["pymupdf_same_words"] = _same_words(old, bodies)
    return result


def _cpu() -> float:
    """CPU seconds of this process (all threads) and of its finished children (Tesseract)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(fn: Callable[[], str]) -> tuple[str, float, float]:
    """``fn()``'s text, wall seconds and CPU seconds."""
    wall, cpu = time.perf_counter(), _cpu()
    text = fn()
    return text, time.perf_counter() - wall, _cpu() - cpu


def run(scans: list[Scan], jobs: int, old: bool, repeat: int = 1) -> dict:
    """Each document read every way ``repeat`` times, the order alternating; the fastest run of each way counts
    (the least disturbed by whatever else the machine is doing)."""
    rows = []
    totals: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        folder = Path(tmp)
        for n, s in enumerate(scans):
            images = []
            for i, image in enumerate(pdf_io.page_images(s.pdf, s.name, range(s.pages)), start=1):
                path = folder / f"{s.name}-{i}.png"
                image.save(path, dpi=image.info["dpi"])
                images.append(path)
            ways: dict[str, Callable[[], str]] = {
                "declass": lambda s=s: read_bytes(s.pdf, name=f"{s.name}.pdf").text,
                "tesseract": lambda images=images: "\n".join(tesseract_plain(images, jobs)),
            }
            if old:
                ways["old"] = lambda s=s: ocrmypdf_old(s.pdf, folder)
            row: dict = {"document": s.name, "pages": s.pages, "dpi": s.style.dpi, "font": s.style.font}
            row |= {"bitonal": s.style.bitonal, "seconds": {}, "cpu_seconds": {}, "cer": {}}
            runs: dict[str, list[tuple[str, float, float]]] = {key: [] for key in ways}
            for r in range(repeat):
                for key in list(ways) if (n + r) % 2 == 0 else list(reversed(ways)):
                    runs[key].append(measure(ways[key]))
            for key, measured in runs.items():
                text = measured[0][0]
                wall = min(m[1] for m in measured)
                cpu = min(m[2] for m in measured)
                dist, length = cer(s.reference, text)
                total = totals.setdefault(key, [0.0, 0.0, 0, 0])
                total[0] += wall
                total[1] += cpu
                total[2] += dist
                total[3] += length
                row["seconds"][key] = round(wall, 2)
                row["cpu_seconds"][key] = round(cpu, 2)
                row["cer"][key] = round(dist / length, 4)
            rows.append(row)
            print(json.dumps(row), flush=True)
    pages = sum(s.pages for s in scans)
    summary: dict = {
        key: {"pages_per_s": round(pages / wall, 3), "cpu_s_per_page": round(cpu / pages, 3), "cer": round(d / n, 4)}
        for key, (wall, cpu, d, n) in totals.items()
    }
    summary["ratio_declass_to_tesseract"] = round(
        summary["declass"]["pages_per_s"] / summary["tesseract"]["pages_per_s"], 3
    )
    summary["cpu_ratio_declass_to_tesseract"] = round(
        summary["tesseract"]["cpu_s_per_page"] / summary["declass"]["cpu_s_per_page"], 3
    )
    return {
        "pages": pages,
        "documents": len(scans),
        "jobs": jobs,
        "repeat": repeat,
        "summary": summary,
        "documents_detail": rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frus", type=int, default=6, help="FRUS documents from the development set")
    ap.add_argument("--chars", type=int, default=6000, help="characters of each document to print (0: all)")
    ap.add_argument("--devset", type=Path, default=DEVSET)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--old", action="store_true", help="also time the previous ocrmypdf path")
    ap.add_argument("--repeat", type=int, default=1, help="read each document this many times each way; best counts")
    ap.add_argument("--text-pages", type=int, default=500, help="pages of the text-layer benchmark")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "ocr.json")
    args = ap.parse_args()
    scans = corpus(args.frus, args.chars, args.devset)
    result = run(scans, args.jobs, args.old, args.repeat)
    result["text_layers"] = text_layer_bench(args.text_pages)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    s = result["summary"]
    print(f"{result['pages']} pages, {result['documents']} documents, {result['jobs']} jobs")
    for key in ("declass", "tesseract", "old"):
        if key in s:
            row = s[key]
            print(
                f"  {key:10s} {row['pages_per_s']:6.2f} pages/s  {row['cpu_s_per_page']:5.2f} CPU s/page"
                f"  CER {100 * row['cer']:5.2f}%"
            )
    print(
        f"  declass / tesseract: x{s['ratio_declass_to_tesseract']:.2f} pages/s,"
        f" x{s['cpu_ratio_declass_to_tesseract']:.2f} pages per CPU second (target >= 0.9)"
    )
    tl = result["text_layers"]
    print(f"text layers, {tl['pages']} pages: pypdfium2 {tl['pdfium_pages_per_s']} pages/s", end="")
    if "pymupdf_pages_per_s" in tl:
        print(f", PyMuPDF {tl['pymupdf_pages_per_s']} pages/s", end="")
    print(f"; pages with every word: {tl['pdfium_same_words']}/{tl['pages']}")


if __name__ == "__main__":
    main()
