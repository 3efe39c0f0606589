"""Entities: people, places and organisations, resolved across old spellings.

Passes over each block's typed text:

1. exact — every gazetteer form at once (Aho–Corasick), longest match wins;
2. people the gazetteer does not list, by their cues (``declass.stages.entities.persons``);
3. fuzzy — a capitalised word the lexicon does not know, close to exactly
   one entity's name ("Krenelin" → Kremlin, "Changehun" → Changchun), or a
   damaged name of several words ("Chinese Changehun Rallway");
4. unknown — capitalised names nothing explains, reported so users can
   extend the gazetteer.

Then over the document: every other use of a surname it has shown to be a
person's; a short word one letter off a name the document spells intact
("Asis" beside "Asia"); and one identity per person (``declass.stages.entities.identity``).

A capital used as an actor ("Moscow has not moved", "Peiping's status",
"the Kremlin would prefer") is recorded as the government it stands for,
with ``metonymy: true``; "talks in Moscow" stays the city.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import accumulate
from typing import Any

from rapidfuzz.distance import Levenshtein

from declass.model import Block, Document, Mention, from_dicts, page_lookup
from declass.stages.entities import damage, participants, persons
from declass.stages.entities.gazetteer import Entity, Gazetteer, fold
from declass.stages.entities.identity import cluster_people
from declass.stages.markup import in_deleted_text
from declass.text import lexicon

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
CAPITALISED = re.compile(r"[A-Z](?<!\w.)[A-Za-z'\u2019]*(?:-[A-Za-z][A-Za-z'\u2019]*)*"
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
_NEXT_CAPITAL = re.compile(r"[ \t]*[A-Z][a-z]")
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
    coordinated = re.search(r"\b[A-Z][\w'-]+\s+and\s+$", before) is not None
    m = AND_NAME.match(after)
    if m:
        after = after[m.end() :]
        coordinated = True
    if coordinated:  # "Moscow and Peiping take ...": a plural verb follows the pair
        nxt = re.match(r"\s+(?:both\s+|still\s+|also\s+|jointly\s+)?([a-z]+)\b", after)
        if nxt and nxt.group(1) not in FUNCTION_WORDS:
            return True
    return bool(ACTOR_NEXT.match(after) or ACTOR_NOUN.match(after))


@lru_cache(maxsize=16384)
def _word_like(token: str) -> bool:
    base = token.strip("'\u2019").removesuffix("'s").removesuffix("\u2019s")
    return all(lexicon.is_word(p) or p.lower() in STOP or p.lower() in COMBINING or p in _series()
               for p in re.split(r"[-\s]+", base) if p)


@lru_cache(maxsize=1)
def _series() -> frozenset[str]:
    """Document-series prefixes (NIE, SNIE, ...): names of documents, not entities."""
    from declass.stages.doc_types import doc_types

    return frozenset(t["number"] for t in doc_types() if t.get("number"))


def _record(doc: Document, block: Block, s: int, e: int, ent: Entity | None, method: str,
            gaz: Gazetteer) -> dict[str, Any]:
    text = block.text
    src_s, src_e = block.view.span_to_source(s, e)
    rec: dict[str, Any] = {"text": text[s:e], "block": block.label, "start": src_s, "end": src_e,
                           "in_block": [s, e], "method": method, "metonymy": False,
                           "in_deleted_text": in_deleted_text(doc, src_s, src_e)}
    if ent is None:
        rec.update(type="unknown", canonical=None, id=None, wikidata=None)
        return rec
    target = ent
    if ent.metonym_for and ent.metonym_for in gaz.entities and _is_actor(text, s, e, ent):
        target = gaz.entities[ent.metonym_for]
        rec["metonymy"] = True
        rec["as_named"] = ent.id
    rec.update(type=target.type, canonical=target.name, id=target.id, wikidata=target.wikidata)
    return rec


def _person(doc: Document, block: Block, s: int, e: int, cue: str, title: str | None,
            gaz: Gazetteer) -> dict[str, Any]:
    """An unresolved person (no gazetteer entry); ``cluster_people`` names it."""
    rec = _record(doc, block, s, e, None, f"person:{cue}", gaz)
    rec.update(type="person")
    if title:
        rec["title"] = title
    return rec


def _strip_openers(text: str, s: int, e: int) -> int:
    """Where a capitalised run starts once sentence openers ("The", "In") are dropped."""
    while True:
        head = text[s:e].split(None, 1)
        if len(head) < 2 or head[0].lower() not in STOP:
            return s
        s = text.index(head[1], s + len(head[0]))


def _untaken(text: str, taken: bytearray, s: int, e: int) -> list[tuple[int, int]]:
    """The stretches of words in ``text[s:e]`` that no mention holds."""
    out = []
    i = s
    while i < e:
        if taken[i]:
            i += 1
            continue
        j = taken.find(1, i, e)
        j = e if j < 0 else j
        piece = text[i:j]
        a = i + len(piece) - len(piece.lstrip(" ,;:\n"))
        z = j - (len(piece) - len(piece.rstrip(" ,;:\n")))
        if a < z:
            out.append((a, z))
        i = j
    return out


def mentions_in_block(doc: Document, block: Block, gaz: Gazetteer,
                      repaired: frozenset[str] = frozenset(),
                      listed: list[persons.Found] | None = None) -> list[dict[str, Any]]:
    """``listed``: the document's participants, read from its lines (``participants.listed``)."""
    text = block.text
    out: list[dict[str, Any]] = []
    taken = bytearray(len(text))  # 1 where a mention was found

    def add(rec: dict[str, Any]) -> None:
        out.append(rec)
        s, e = rec["in_block"]
        taken[s:e] = b"\x01" * (e - s)

    for s, e, eid in gaz.find(text):
        ent = gaz.entities[eid]
        if ent.type == "person":
            if persons.eponym_after(text, e):
                continue  # "Eisenhower Library": named after the person, not the person
            if " " not in text[s:e] and (g := persons.given_names_before(text, s)) is not None:
                # "John Eisenhower" is not Dwight D. Eisenhower: a fuller name decides
                full = gaz.lookup(text[g:e])
                if full is not None and full.type == "person":
                    add(_record(doc, block, g, e, full, "exact", gaz))
                else:
                    add(_person(doc, block, g, e, "given-name", None, gaz))
                continue
        add(_record(doc, block, s, e, ent, "exact", gaz))
    in_lists = participants.listed_in(block.view, listed) if listed else ()
    for f in persons.find(text, taken, repaired=repaired, listed=in_lists):
        if not persons.eponym_after(text, f.end):
            add(_person(doc, block, f.start, f.end, f.cue, f.title, gaz))
    for m in CAPITALISED.finditer(text):
        s, e = m.span()
        if taken.find(1, s, e) >= 0:
            # names known in part: a damaged name may sit between them ("THE PEOPLE'S
            # REPUBLIC OF CHINA AND THE UNION OF SOVIET SOCIALIST REPUBLIC")
            for a, z in _untaken(text, taken, s, e):
                a = _strip_openers(text, a, z)
                hit = gaz.fuzzy_phrase(text[a:z]) if " " in text[a:z] else None
                if hit is not None:
                    add(_record(doc, block, a + hit[1], a + hit[2], gaz.entities[hit[0]], "fuzzy", gaz))
            continue
        s = _strip_openers(text, s, e)
        name = text[s:e]
        words = name.split()
        if len(words) > 1:
            hit = gaz.fuzzy_phrase(name)
            if hit is not None:
                add(_record(doc, block, s + hit[1], s + hit[2], gaz.entities[hit[0]], "fuzzy", gaz))
                continue
        if not words or (len(words) == 1 and ROMAN.match(name)) or _word_like(name):
            continue
        if len(words) == 1 and len(name) >= 5 and name.isalpha():
            one = gaz.fuzzy(name)
            if one is not None:
                add(_record(doc, block, s, e, gaz.entities[one[0]], "fuzzy", gaz))
                continue
        add(_record(doc, block, s, e, None, "unknown", gaz))
    out.sort(key=lambda r: r["start"])
    return out


def make_stage(gaz: Gazetteer) -> Callable[[Document], Document]:
    """The entities stage, bound to a gazetteer."""

    def entities(doc: Document) -> Document:
        blocks = [b for b in doc.blocks if b.kind not in SKIP_KINDS]
        repaired = frozenset(c.corrected for c in doc.corrections if c.rule == "confusion")
        listed = participants.listed(doc.text)
        per_block = [mentions_in_block(doc, b, gaz, repaired, listed) for b in blocks]
        per_block = _surnames(doc, blocks, per_block, gaz)
        found = [m for ms in per_block for m in ms]
        damage.mark_rare_forms(found)  # "Mr. Koover" once where "Mr. Hoover" is all over: one person
        _damaged_in_document(found, gaz)
        cluster_people(found, gaz, doc.corrections)
        return doc.evolve(entities=from_dicts(Mention, found, doc.id, page_lookup(doc.pages)),
                          stages=(*doc.stages, "entities"))

    return entities


def _people_at(doc: Document, b: Block, ms: list[dict[str, Any]], found: Iterable[tuple[int, int]], method: str,
               gaz: Gazetteer, intact: Callable[[str], str | None] | None = None) -> list[dict[str, Any]]:
    """Block ``b``'s mentions with a person added at each span found that no other mention
    holds and that is not part of a longer name ("Johnson Library"); an unknown name it
    covers gives way.  ``intact``: the surname an OCR-damaged word stands for (None: no
    person there), asked only of spans still free."""
    held = _Spans((m["in_block"][0], m["in_block"][1], i) for i, m in enumerate(ms) if m["type"] != "unknown")
    unknown = _Spans((m["in_block"][0], m["in_block"][1], i) for i, m in enumerate(ms) if m["type"] == "unknown")
    added = []
    drop: set[int] = set()
    for s, e in found:
        if held.overlapping(s, e) or (persons.eponym_after(b.text, e) if intact else _NEXT_CAPITAL.match(b.text, e)):
            continue  # part of a longer name ("Johnson Library"); a damaged one, of a thing named after it
        form = intact(b.text[s:e]) if intact is not None else None
        if intact is not None and form is None:
            continue
        drop.update(unknown.overlapping(s, e))
        rec = _person(doc, b, s, e, method, None, gaz)
        if form is not None:
            rec["intact"] = form
        added.append(rec)
    if not added and not drop:
        return ms
    return sorted([m for i, m in enumerate(ms) if i not in drop] + added, key=lambda r: r["start"])


def _damaged_surnames(doc: Document, b: Block, ms: list[dict[str, Any]], known: frozenset[str],
                      gaz: Gazetteer, memo: dict[str, str | None]) -> list[dict[str, Any]]:
    """Words of block ``b`` that are a known surname damaged by OCR: each a person of its
    own span, carrying the intact form (``intact``) so it joins that person's identity.
    ``memo``: the document's words read so far (`damage.damaged_names`)."""
    hits = damage.damaged_names(b.text, known, damage.gazetteer_tails(gaz), memo)
    if not hits:
        return ms
    forms = {b.text[s:e]: form for (s, e), form in hits.items()}
    return _people_at(doc, b, ms, hits, "damaged-surname", gaz, intact=forms.get)


def _surnames(doc: Document, blocks: list[Block], per_block: list[list[dict[str, Any]]],
              gaz: Gazetteer) -> list[list[dict[str, Any]]]:
    """Every other occurrence of a surname the document has shown to be a person's,
    spelt intact or damaged by OCR."""
    known = persons.surnames(m["text"] for ms in per_block for m in ms if m["type"] == "person")
    pattern = persons.surname_pattern(known) if known else None
    out = []
    memo: dict[str, str | None] = {}
    for b, ms in zip(blocks, per_block, strict=True):
        ms = _damaged_surnames(doc, b, ms, known, gaz, memo)
        if pattern is not None and any(name in b.text for name in known):
            ms = _people_at(doc, b, ms, (hit.span() for hit in pattern.finditer(b.text)), "surname", gaz)
        out.append(ms)
    return out


class _Spans:
    """Spans ``(start, end, key)`` of a block, asked which overlap a stretch: sorted
    once, each question bisects (a block of thousands of names stays linear)."""

    def __init__(self, spans: Iterable[tuple[int, int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [a for a, _, _ in self.spans]
        self.reach = list(accumulate((z for _, z, _ in self.spans), max))  # the furthest end of each prefix

    def overlapping(self, s: int, e: int) -> list[int]:
        """The keys of the spans overlapping ``[s, e)``."""
        out = []
        j = bisect_left(self.starts, e) - 1  # spans starting before ``e``...
        while j >= 0 and self.reach[j] > s:  # ...while one of them still reaches past ``s``
            _, z, key = self.spans[j]
            if z > s:
                out.append(key)
            j -= 1
        return out


def _damaged_in_document(found: list[dict[str, Any]], gaz: Gazetteer) -> None:
    """A short unknown word one letter away from a name the same document spells
    intact is that name, damaged ("from Asis" in a document that says "Asia")."""
    if not any(m["type"] == "unknown" and len(m["text"]) >= 4 and m["text"].isalpha() for m in found):
        return
    intact: dict[tuple[int, str], dict[str, str]] = {}  # (length, first letter) -> form -> entity
    for m in found:
        if m["method"] == "exact" and m["id"]:
            form = fold(m["text"])
            intact.setdefault((len(form), form[0]), {}).setdefault(form, m.get("as_named") or m["id"])
    for m in found:
        if m["type"] != "unknown" or " " in m["text"] or len(m["text"]) < 4 or not m["text"].isalpha():
            continue
        word = fold(m["text"])
        near = {eid for form, eid in intact.get((len(word), word[0]), {}).items()
                if Levenshtein.distance(form, word) == 1}
        if len(near) == 1:
            ent = gaz.entities[near.pop()]
            m.update(type=ent.type, canonical=ent.name, id=ent.id, wikidata=ent.wikidata, method="fuzzy")


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
