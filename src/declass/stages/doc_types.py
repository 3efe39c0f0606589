"""The document types of ``data/doc_types.yaml``, loaded once for the stages that read them.

Metadata matches each type's pattern; structure and metadata both compare a
FRUS heading's first words, through OCR damage, with the types' printed
names and aliases.  One loader and one form of those names (lower-case
letters and single spaces) serve both.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from declass.datafile import load_yaml


@lru_cache(maxsize=1)
def doc_types() -> list[dict[str, Any]]:
    """Every type, in the file's order, with its pattern compiled (``regex``)."""
    raw = resources.files("declass.data").joinpath("doc_types.yaml").read_text("utf-8")
    types: list[dict[str, Any]] = load_yaml(raw)["types"]
    for t in types:
        t["regex"] = re.compile(t["pattern"], re.IGNORECASE | re.MULTILINE)
    return types


def letters(name: str) -> str:
    """A name as the heading readers compare it: lower-case letters and single spaces."""
    return " ".join(re.sub(r"[^a-z\s]", "", name.casefold()).split())


@lru_cache(maxsize=1)
def printed_names() -> dict[str, dict[str, Any]]:
    """Each type's name and aliases (`letters`) -> the type (a later type wins a name two share)."""
    return {key: t for t in doc_types() for n in (t["name"], *t.get("aliases", [])) if (key := letters(n))}
