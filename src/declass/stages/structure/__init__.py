"""Structure: the tree of labelled blocks that makes every paragraph citable.

Labels follow the document's own numbering — ``23.b``, ``V.F``,
``Annex A / Article 2`` — and numbers the OCR lost are inferred from the
sequence (``label_inferred``).  Unnumbered blocks are labelled by place:
``THE PROBLEM ¶1``, ``fn2`` (second footnote), ``front.3`` (cover text).
"""

from __future__ import annotations

from declass.model import Block, BlockKind, Document, page_lookup
from declass.stages.structure.build import Node, build
from declass.stages.structure.footnotes import anchor
from declass.stages.structure.markers import letter_token

__all__ = ["structure"]

NUMBERED = frozenset({"roman", "upper", "number", "lower", "pnum"})


def _heading_label(text: str) -> str:
    label = " ".join(text.split())
    return label[:60].rstrip(" :")


def make_labels(nodes: list[Node]) -> dict[int, str]:
    """A unique label for every node, from its numbering and its place."""
    labels: dict[int, str] = {}
    used: set[str] = set()
    tried: dict[str, int] = {}  # base label -> the last "#k" tried for it
    counters: dict[str, int] = {}

    def count(key: str) -> int:
        counters[key] = counters.get(key, 0) + 1
        return counters[key]

    def label(n: Node) -> str:
        if id(n) in labels:
            return labels[id(n)]
        p = n.parent
        plabel = label(p) if p is not None else ""
        if n.kind == "front_matter":
            out = f"front.{count('front')}"
        elif n.kind == "header":
            out = f"header.{n.token}"
        elif n.kind == "heading":
            out = _heading_label(n.heading or n.text)
        elif n.kind == "annex":
            out = f"Annex {n.token}"
        elif n.kind == "article":
            out = f"{plabel} / Article {n.token}" if p is not None and p.kind == "annex" else f"Article {n.token}"
        elif n.kind == "footnote":
            out = f"fn{count('fn')}"
        elif n.kind == "margin_note":
            out = f"margin.{count('margin')}"
        elif n.kind == "redaction":
            out = f"withheld.{count('withheld')}"
        elif n.kind == "omission":
            out = f"omission.{count('omission')}"
        elif n.kind in ("closing", "signature"):
            base = plabel if p is not None and p.kind == "annex" else ""
            name = "Closing" if n.kind == "closing" else "Signatures"
            out = f"{base} / {name}" if base else f"{name.lower()}.{count(n.kind)}"
        elif n.mtype in NUMBERED and n.value is not None:
            token = letter_token(n.mtype, n.value) if n.inferred or n.token is None else n.token
            numbered_parent = p is not None and (p.mtype in NUMBERED)
            if numbered_parent:
                out = f"{plabel}.{token}"
            elif p is not None and p.kind in ("annex", "article"):
                out = f"{plabel} / {token}"
            else:
                out = token
        else:
            key = f"para:{plabel}"
            out = f"{plabel} ¶{count(key)}" if plabel else f"¶{count(key)}"
        base, k = out, tried.get(out, 1)
        while out in used:  # a set, and the count goes on from the last tried: linear in blocks
            k += 1
            out = f"{base} #{k}"
        tried[base] = k
        labels[id(n)] = out
        used.add(out)
        return out

    for n in nodes:
        label(n)
    return labels


def structure(doc: Document) -> Document:
    """The structure stage: chunks → labelled blocks."""
    nodes = build(doc.chunks)
    nodes = [n for n in nodes if n.views and any(v.text.strip() for v in n.views)]
    labels = make_labels(nodes)
    anchor(nodes, labels)
    blocks: list[Block] = []
    page_at = page_lookup(doc.pages)
    for n in nodes:
        view = n.joined()
        attrs = dict(n.attrs)
        if n.heading and n.kind in ("heading", "article", "annex"):
            attrs["heading"] = " ".join(n.heading.split())
        if n.kind == "heading":
            attrs["level"] = n.level
        if n.mtype in NUMBERED and n.value is not None:
            attrs["sequence"], attrs["value"] = n.mtype, n.value
        blocks.append(
            Block(
                label=labels[id(n)],
                kind=BlockKind(n.kind),
                parent=labels.get(id(n.parent)) if n.parent is not None else None,
                view=view,
                page=page_at(view.source_start) if view.runs else n.page,
                label_inferred=n.inferred,
                number=n.token,
                attrs=attrs,
            )
        )
    return doc.evolve(blocks=tuple(blocks), stages=(*doc.stages, "structure"))
