"""Metadata: what the document is, read from its furniture and text."""

from __future__ import annotations

from declass.model import Document


def extract_metadata(doc: Document) -> Document:
    return doc.evolve(metadata={}, stages=(*doc.stages, "metadata"))
