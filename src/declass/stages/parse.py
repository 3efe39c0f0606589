"""The whole per-document pipeline on a path or a text, with no store.

Kept apart from the runner because the FRUS reader builds on the runner and
this entry point dispatches to it: the two would otherwise import each other."""

from __future__ import annotations

from pathlib import Path

from declass.model import Document
from declass.stages.frus import parse_tei
from declass.stages.options import DEFAULT_OPTIONS, Options
from declass.stages.pipeline import run_stages, stages_for
from declass.stages.read.reader import read_path, read_text


def parse(path_or_text: str | Path, *, ocr: bool = True, options: Options = DEFAULT_OPTIONS) -> Document:
    """Run the whole per-document pipeline, with no store.

    A `Path`, or a string naming an existing file, is read from disk; any
    other string is taken as the document's text.  A FRUS TEI file gives
    its first document (`declass.stages.frus.parse_tei` gives them all).
    """
    if isinstance(path_or_text, Path) or _names_a_file(path_or_text):
        if Path(path_or_text).suffix.lower() in (".xml", ".tei"):
            return next(parse_tei(str(path_or_text), str(path_or_text), options))
        doc = read_path(path_or_text, ocr=ocr)
    else:
        doc = read_text(str(path_or_text))
    return run_stages(doc, stages_for(options))


def _names_a_file(text: str) -> bool:
    if "\n" in text or len(text) > 4096:
        return False
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL byte
        return False
