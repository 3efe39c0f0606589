"""The document reader: the text as the document has it, labels in the margin,
and analysis as layers the reader switches on.

Layers — entities, judgments, redactions, handwritten edits, page furniture —
come from ``?layer=...`` (so they work without JavaScript) and the bundled
script remembers them per browser.  Every annotation is rendered always and
shown or hidden by a class on the page, so a switch needs no reload.  The
cover and front matter fold into one card ahead of the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from declass.archive.answers import RedactionStatistics
from declass.corpus.cite import citation
from declass.model import field_value
from declass.stages.judgments.scales import BUILTIN
from declass.stages.redactions.redactions import statistics
from declass.store.rows import JudgmentCell
from declass.text.dates import format_date
from declass.web.charts import judgment_strip, redaction_chart
from declass.web.data import Library
from declass.web.paging import part_of
from declass.web.queries import short_date
from declass.web.render import annotate, block_dissents, block_spans, edited_html, struck_spans

router = APIRouter()
Scale = Annotated[str, Query(pattern=r"^(kent|icd203|phia|survey)$")]
Reading = Annotated[str, Query(pattern=r"^(typed|amended|redline)$")]


@dataclass(frozen=True, slots=True)
class Layer:
    key: str
    name: str
    help: str


LAYERS = (
    Layer("entities", "people and places", "names linked to their entity, coloured by kind"),
    Layer("judgments", "judgments", "estimative sentences with their term, probability and any dissent"),
    Layer("redactions", "redactions", "exemption markers and points inferred as withheld"),
    Layer("edits", "handwritten edits", "text struck or written by hand"),
    Layer("furniture", "page furniture", "release stamps, banners, page and copy numbers"),
)
KEYS = tuple(x.key for x in LAYERS)


def lib(request: Request) -> Library:
    return request.app.state.library  # type: ignore[no-any-return]


CONTAINERS = ("heading", "section", "annex", "front_matter")


def margin_label(block: dict[str, Any]) -> str:
    """The label as the margin shows it: the part below its heading ("¶1", "Article 2"),
    and a heading that prints its own label only as a section sign."""
    label: str = block["label"]
    if block["kind"] in ("heading", "annex") and " ".join(block["text"].split()).upper() == label.upper():
        return "§"
    if " / " in label:
        return label.rsplit(" / ", 1)[1]
    if " ¶" in label:
        return "¶" + label.rsplit(" ¶", 1)[1]
    return label


def reader_items(rec: dict[str, Any], scale: str, layers: frozenset[str]) -> list[dict[str, Any]]:
    """Blocks, furniture, withheld placeholders and page breaks, in source order."""
    items: list[dict[str, Any]] = []
    depth: dict[str, int] = {}
    kind = {b["label"]: b["kind"] for b in rec["blocks"]}
    for b in rec["blocks"]:
        parent = b["parent"] or ""
        depth[b["label"]] = depth.get(parent, -1) + (kind.get(parent) not in CONTAINERS) if parent else 0
        spans = block_spans(b, rec, scale, links="entities" in layers)
        segments = b.get("redline") or []
        items.append({"type": "block", "at": b["start"], "block": b, "depth": min(depth[b["label"]], 3),
                      "margin": margin_label(b),
                      "html": annotate(b["text"], [*spans, *struck_spans(segments)]),
                      "edited": edited_html(b["text"], spans, segments) if segments else None,
                      "dissents": block_dissents(b, rec), "citation": citation(rec, b)})
    for f in rec["furniture"]:
        items.append({"type": "furniture", "at": f["start"], "furniture": f})
    for r in rec["redactions"]:
        if r["kind"] == "withheld_block":
            items.append({"type": "withheld", "at": r["end"] - 1, "redaction": r})
    items.sort(key=lambda i: (i["at"], i["type"] != "block"))
    out: list[dict[str, Any]] = []
    page = None
    for it in items:
        if it["type"] == "block":
            p = it["block"]["page"]
            if page is not None and p is not None and p != page:
                out.append({"type": "page", "page": p})
            page = p if p is not None else page
        out.append(it)
    return out


def split_cover(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The leading front matter (with the furniture among it) and the rest."""
    last = -1
    for i, it in enumerate(items):
        if it["type"] == "block":
            if it["block"]["kind"] != "front_matter":
                break
            last = i
    return items[: last + 1], items[last + 1 :]


def query(reading: str, scale: str, layers: frozenset[str], **more: str) -> str:
    pairs = [("reading", reading), ("scale", scale), *(("layer", k) for k in KEYS if k in layers), *more.items()]
    return "?" + urlencode(pairs)


@router.get("/doc/{doc_id}", response_class=HTMLResponse)
def reader(request: Request, doc_id: str, scale: Scale = "kent", reading: Reading = "typed",
           layer: Annotated[list[str] | None, Query(max_length=len(KEYS))] = None,
           furniture: bool = False, part: Annotated[int, Query(ge=1)] = 1) -> HTMLResponse:
    rec = part_of(lib(request).record(doc_id), part)  # a very long document, a part at a time
    md = rec["metadata"]
    layers = frozenset(k for k in (layer or []) if k in KEYS) | ({"furniture"} if furniture else frozenset())
    meta = [(k.replace("_", " "), field_value(md, k)) for k in ("doc_type", "doc_number", "title", "subject", "date",
                                                         "classification", "archive_id", "released", "concurred",
                                                         "period_end") if field_value(md, k)]
    agencies = field_value(md, "agencies")
    if agencies:
        meta.append(("agencies", ", ".join(agencies)))
    outline = [b for b in rec["blocks"] if b["kind"] not in ("front_matter", "margin_note", "signature", "redaction")]
    cover, body = split_cover(reader_items(rec, scale, layers))
    front = [it for it in cover if it["type"] == "block"]
    cover_line = " · ".join(str(x) for x in (field_value(md, "doc_number"), field_value(md, "classification"),
                                              short_date(field_value(md, "date"))) if x)
    cells = [JudgmentCell(rec["id"], j["block"], j["start"], j["expression"],
                          None if (rng := j["probability"].get(scale)) is None else (rng[0], rng[1]))
             for j in rec["judgments"]]
    strip = judgment_strip(rec["id"], cells, scale) if cells else None
    counted = statistics(rec["redactions"], rec["blocks"], len(rec.get("pages") or []) or 1)
    withheld = redaction_chart(RedactionStatistics.from_counts(counted), width=250, label="this document")
    page: HTMLResponse = request.app.state.templates.TemplateResponse(request, "document.html", {
        "strip": strip, "withheld_chart": withheld,
        "rec": rec, "md": md, "meta": meta, "cover": cover, "body": body, "front": front, "cover_line": cover_line,
        "outline": outline, "scale": scale, "scales": BUILTIN, "reading": reading, "layers": layers,
        "all_layers": LAYERS, "query": query, "citation": citation(rec), "warnings": rec.get("warnings", []),
        "reservations": md.get("reservations") or [], "edits": len(rec["edits"]),
        "judgments": len(rec["judgments"]), "format_date": format_date,
        "releases": lib(request).archive.releases_of(rec["id"])})
    return page
