"""Structure: the tree of labelled blocks (paragraph per chunk for now)."""

from __future__ import annotations

from declass.model import Block, Document


def structure(doc: Document) -> Document:
    blocks = tuple(
        Block(f"p{i}", "paragraph", None, c.view, c.page, label_inferred=True)
        for i, c in enumerate(doc.chunks, start=1)
    )
    return doc.evolve(blocks=blocks, stages=(*doc.stages, "structure"))
