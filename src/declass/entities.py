"""Entities: people, places and organisations, resolved across old spellings.

Three passes over each block's typed text:

1. exact — every gazetteer form at once (Aho–Corasick), longest match wins;
2. fuzzy — a capitalised word the lexicon does not know, close to exactly
   one entity's name ("Krenelin" → Kremlin, "Changehun" → Changchun);
3. unknown — capitalised names nothing explains, reported so users can
   extend the gazetteer.

A capital used as an actor ("Moscow has not moved", "Peiping's status",
"the Kremlin would prefer") is recorded as the government it stands for,
with ``metonymy: true``; "talks in Moscow" stays the city.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from declass import lexicon
from declass.gazetteer import Entity, Gazetteer
from declass.markup import in_deleted_text
from declass.model import Block, Document

SKIP_KINDS = frozenset({"redaction"})
LOCATIVE = re.compile(
    r"\b(?:in|at|to|from|near|into|toward|towards|outside|around|via|through|across|within|over|entered|"
    r"visited|reached)\s+(?:the\s+)?$", re.IGNORECASE,
)
ACTOR_NEXT = re.compile(
    r"^(?:'s|\u2019s|\s+(?:also\s+|not\s+|now\s+|still\s+|again\s+|has\s+|have\s+)?"
    r"(?:has|have|had|is|are|was|were|will|would|may|might|can|could|shall|should|must|does|did|"
    r"[a-z]+(?<!ss)s|[a-z]+ed)\b(?!\s+(?:of|in)\b))"
)
ACTOR_NOUN = re.compile(
    r"^\s+(?:leadership|leaders|regime|government|policy|policies|control|propaganda|authorities|rulers|line|"
    r"orbit|domination|influence|direction|pressure|approval)\b", re.IGNORECASE,
)
AND_NAME = re.compile(r"^\s+and\s+(?:the\s+)?[A-Z][\w'-]+")
CAPITALISED = re.compile(r"\b[A-Z][A-Za-z'\u2019]*(?:-[A-Za-z][A-Za-z'\u2019]*)*"
                         r"(?:\s+(?:of\s+|the\s+|de\s+|van\s+)?[A-Z][A-Za-z'\u2019]*(?:-[A-Za-z]+)*)*")
ROMAN = re.compile(r"^[IVXLC]+$")
STOP = frozenset("a an the of and or in on at to for by with from as i".split())
COMBINING = frozenset({"sino", "russo", "anglo", "franco", "indo", "afro", "euro", "soviet"})
ACTOR_BEFORE = re.compile(
    r"(?:\b(?:directives|policy|policies|authority|control|leadership|request|regime|government|consent|approval|"
    r"behalf|orders|instructions|wishes|leaders|propaganda)\s+of"          # "directives of Peiping"
    r"|\bby"                                                               # "accepted by Moscow"
    r"|\b(?:dictated|directed|dominated|controlled|ordered|run|aid|assistance|support|credits|loans)"
    r"(?:\s+\w+ly)?\s+from"                                               # "dominated from Moscow"
    r"|\b(?:fidelity|loyalty|allegiance|subservience|deference|hostility|subordination)\s+to"
    r"|\b(?:control|controlling|dominate|dominating|influence|treat|treating|deter|deterring|pressure|recognize|"
    r"recognizing|support|supporting|persuade|urge|urged)"                 # "to control Peiping"
    r")\s+(?:the\s+)?$", re.IGNORECASE,
)
FUNCTION_WORDS = frozenset("the of in to a an and or as for with on at from by its their this that".split())


def _is_actor(text: str, start: int, end: int, entity: Entity) -> bool:
    """Does the name at ``text[start:end]`` stand for its government here?"""
    before = text[max(0, start - 40) : start]
    after = text[end : end + 60]
    if ACTOR_BEFORE.search(before) or re.match(r"['\u2019]s\b", after):
        return True
    if LOCATIVE.search(before):
        return False
    if entity.type == "place" and entity.name.lower().endswith("kremlin"):
        return True
    coordinated = re.search(r"\b[A-Z][\w'-]+\s+and\s+$", before)
    m = AND_NAME.match(after)
    if m:
        after = after[m.end() :]
        coordinated = True
    if coordinated:  # "Moscow and Peiping take ...": a plural verb follows the pair
        nxt = re.match(r"\s+(?:both\s+|still\s+|also\s+|jointly\s+)?([a-z]+)\b", after)
        if nxt and nxt.group(1) not in FUNCTION_WORDS:
            return True
    return bool(ACTOR_NEXT.match(after) or ACTOR_NOUN.match(after))


def _word_like(token: str) -> bool:
    base = token.strip("'\u2019").removesuffix("'s").removesuffix("\u2019s")
    return all(lexicon.is_word(p) or p.lower() in STOP or p.lower() in COMBINING or p in _series()
               for p in re.split(r"[-\s]+", base) if p)


@lru_cache(maxsize=1)
def _series() -> frozenset[str]:
    """Document-series prefixes (NIE, SNIE, ...): names of documents, not entities."""
    from declass.metadata import doc_types

    return frozenset(t["number"] for t in doc_types() if t.get("number"))


def mentions_in_block(doc: Document, block: Block, gaz: Gazetteer) -> list[dict[str, Any]]:
    text = block.text
    out: list[dict[str, Any]] = []
    taken = bytearray(len(text))  # 1 where a mention was found

    def add(s: int, e: int, ent: Entity | None, method: str) -> None:
        src_s, src_e = block.view.span_to_source(s, e)
        rec: dict[str, Any] = {"text": text[s:e], "block": block.label, "start": src_s, "end": src_e,
                               "in_block": [s, e],
                               "method": method, "metonymy": False,
                               "in_deleted_text": in_deleted_text(doc, src_s, src_e)}
        if ent is None:
            rec.update(type="unknown", canonical=None, id=None, wikidata=None)
        else:
            target = ent
            if ent.metonym_for and ent.metonym_for in gaz.entities and _is_actor(text, s, e, ent):
                target = gaz.entities[ent.metonym_for]
                rec["metonymy"] = True
                rec["as_named"] = ent.id
            rec.update(type=target.type, canonical=target.name, id=target.id, wikidata=target.wikidata)
        out.append(rec)
        taken[s:e] = b"\x01" * (e - s)

    for s, e, eid in gaz.find(text):
        add(s, e, gaz.entities[eid], "exact")
    for m in CAPITALISED.finditer(text):
        s, e = m.span()
        if 1 in taken[s:e]:
            continue
        name = m.group()
        words = name.split()
        if (len(words) == 1 and ROMAN.match(name)) or _word_like(name):
            continue
        if len(words) == 1 and len(name) >= 5 and name.isalpha():
            hit = gaz.fuzzy(name)
            if hit is not None:
                add(s, e, gaz.entities[hit[0]], "fuzzy")
                continue
        add(s, e, None, "unknown")
    out.sort(key=lambda r: r["start"])
    return out


def make_stage(gaz: Gazetteer) -> Callable[[Document], Document]:
    """The entities stage, bound to a gazetteer."""

    def entities(doc: Document) -> Document:
        found: list[dict[str, Any]] = []
        for b in doc.blocks:
            if b.kind not in SKIP_KINDS:
                found.extend(mentions_in_block(doc, b, gaz))
        return doc.evolve(entities=tuple(found), stages=(*doc.stages, "entities"))

    return entities


def counts(mentions: list[dict[str, Any]], *, type_: str | None = None) -> list[dict[str, Any]]:
    """Mentions per canonical entity (unknown names each on their own), most first."""
    table: dict[tuple[str | None, str], dict[str, Any]] = {}
    for m in mentions:
        if type_ and m["type"] != type_:
            continue
        key = (m["id"], m["canonical"] or m["text"])
        row = table.setdefault(key, {"id": m["id"], "name": m["canonical"] or m["text"], "type": m["type"],
                                     "mentions": 0, "forms": {}})
        row["mentions"] += 1
        row["forms"][m["text"]] = row["forms"].get(m["text"], 0) + 1
    return sorted(table.values(), key=lambda r: (-r["mentions"], r["name"]))
