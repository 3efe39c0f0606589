"""Who each person mention is: one identity for the forms of one name.

A mention the gazetteer resolved keeps its entity (``cluster`` = its id).
Any other person gets the gazetteer person its name is, spelt as listed or
OCR-damaged, if there is one; else:

* a bare surname takes the identity of the nearest fuller form of that
  surname in the same document (the nearest one before it, else the nearest
  after), so "Dulles" in a memorandum that names "Allen W. Dulles" is the
  Director, not the Secretary of State the gazetteer reads the bare
  surname as, and "John Eisenhower" is not the President;
* a given name alone ("Dear Averell:") is the one person of the document
  who bears it;
* the rest get an archive-wide key, the normalised full name without
  initials (``person:walter mcconaughy``); a name the document never gives
  in full keeps its surname as key (``person:rhee``), which may join two
  people of one surname across the archive.

The name used is the one the source spells: the clean stage's dictionary
repairs are undone inside names.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from declass.model import Correction
from declass.stages.entities.gazetteer import Entity, Gazetteer
from declass.stages.entities.persons import intact_surname
from declass.text.personal_names import SUFFIXES, cues, key, surname, tokens


def _as_written(m: dict[str, Any], repairs: _Repairs) -> str:
    """A person's name as the source spells it: the clean stage's dictionary
    repairs are undone inside names ("Rostow" is no OCR error for "restow")."""
    text: str = m["text"]
    for c in repairs.within(m["start"], m["end"]):
        text = text.replace(c.corrected, c.original, 1)
    return text


class _Repairs:
    """The dictionary repairs of a document, asked which lie inside a span: sorted by
    start once, each question bisects (a long document's every name does not walk them all)."""

    def __init__(self, corrections: Sequence[Correction]) -> None:
        self.order = sorted(((c.start, k, c) for k, c in enumerate(corrections) if c.rule == "confusion"),
                            key=lambda t: (t[0], t[1]))
        self.starts = [s for s, _, _ in self.order]

    def __bool__(self) -> bool:
        return bool(self.order)

    def within(self, start: int, end: int) -> list[Correction]:
        """The repairs inside ``[start, end]``, in the document's order of them."""
        hits = []
        for i in range(bisect_left(self.starts, start), bisect_right(self.starts, end)):
            _, k, c = self.order[i]
            if c.end <= end:
                hits.append((k, c))
        return [c for _, c in sorted(hits, key=lambda h: h[0])]


@lru_cache(maxsize=65536)
def _words(name: str) -> tuple[str, ...]:
    return tuple(t for t in tokens(name) if not t.endswith(".") and t not in SUFFIXES)


def _nearest(forms: list[tuple[int, str, dict[str, Any]]], starts: list[int],
             at: int) -> tuple[int, str, dict[str, Any]]:
    """The form nearest before ``at`` (else the first after) of ``forms`` sorted by start (``starts``);
    of forms at one start, the first."""
    i = bisect_left(starts, at)
    return forms[bisect_left(starts, starts[i - 1])] if i else forms[0]


def _known_person(name: str, gaz: Gazetteer) -> Entity | None:
    """The gazetteer person a name found by its cues is, spelt as listed or
    OCR-damaged ("Andrei Yanuarjevich Vyshznsky")."""
    ent = gaz.lookup(key(name))
    if ent is None and " " in name:
        hit = gaz.fuzzy_phrase(name)
        ent = gaz.entities[hit[0]] if hit is not None and hit[2] - hit[1] == len(name) else None
    elif ent is None and len(name) >= 5 and name.isalpha():
        hit1 = gaz.fuzzy(name)
        ent = gaz.entities[hit1[0]] if hit1 is not None else None
    return ent if ent is not None and ent.type == "person" else None


def _given_of(m: dict[str, Any], name: str, gaz: Gazetteer) -> set[str]:
    """The given names of a person mention: from its entity's names, or as written."""
    forms = gaz.entities[m["id"]].forms if m["id"] is not None else (name,)
    sur = {surname(f) for f in forms}
    return {w for f in forms for w in _words(f) if w not in sur}


def cluster_people(found: list[dict[str, Any]], gaz: Gazetteer, corrections: Sequence[Correction] = ()) -> None:
    """Give every person mention an identity (``id`` or ``cluster``): see ``declass.stages.entities.persons``."""
    people = [m for m in found if m["type"] == "person"]
    repairs = _Repairs(corrections)
    # a surname damaged by OCR ("Koover") is named by the intact form the document gives ("Hoover")
    written = {id(m): m.pop("intact", None) or (_as_written(m, repairs) if repairs else m["text"]) for m in people}
    full: list[tuple[int, str, dict[str, Any]]] = []  # (start, surname, mention) of the fuller forms
    for m in people:
        name = written[id(m)]
        if m["id"] is None and (ent := _known_person(name, gaz)) is not None:
            m.update(canonical=ent.name, id=ent.id, wikidata=ent.wikidata)
        if len(_words(name)) >= 2 and (sur := surname(name)):
            full.append((m["start"], sur, m))
    by_surname: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}  # the fuller forms of each surname
    for f in sorted(full, key=lambda f: f[0]):
        by_surname.setdefault(f[1], []).append(f)
    starts = {sur: [f[0] for f in forms] for sur, forms in by_surname.items()}
    full_surnames = set(by_surname)
    ref_of: dict[int, dict[str, Any]] = {}
    givens: list[tuple[dict[str, Any], set[str]]] | None = None
    for m in people:
        words = _words(written[id(m)])
        if len(words) != 1 or (m["id"] is not None and len(gaz.entities[m["id"]].name.split()) == 1):
            continue
        sur = words[0]
        same = by_surname.get(sur, [])
        if not same and m["id"] is None and (intact := intact_surname(sur, full_surnames)):
            sur, same = intact, by_surname.get(intact, [])  # "Koover" where the document names "Herbert Hoover"
        if not same and m["id"] is None and words[0] in cues().given:
            # a given name alone ("Dear Averell:") is the one person of the document who bears it
            if givens is None:
                givens = [(p, _given_of(p, written[id(p)], gaz)) for p in people
                          if p["id"] is not None or len(_words(written[id(p)])) >= 2]
            same, sur = [(p["start"], "", p) for p, names in givens if p is not m and words[0] in names], ""
            if len({f[2]["id"] or key(written[id(f[2])]) for f in same}) != 1:
                continue
        nearest: tuple[int, str, dict[str, Any]] | None
        if sur in by_surname:  # a surname's fuller forms, in text order: the nearest before is found by bisection
            nearest = _nearest(same, starts[sur], m["start"])
        else:
            before = [f for f in same if f[0] < m["start"]]
            nearest = max(before, key=lambda f: f[0]) if before else min(same, key=lambda f: f[0], default=None)
        if nearest is None:
            continue
        ref = nearest[2]
        if ref["id"] is not None:
            ent = gaz.entities[ref["id"]]
            m.update(canonical=ent.name, id=ent.id, wikidata=ent.wikidata)
        else:
            m.update(canonical=None, id=None, wikidata=None)
            ref_of[id(m)] = ref
    groups: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for m in people:
        if m["id"] is not None:
            m["cluster"] = m["id"]
            continue
        name = written[id(ref_of.get(id(m), m))]
        groups.setdefault(key(name), []).append((m, name))
    for k, members in groups.items():
        canonical = max((name for _, name in members), key=len)
        for m, _ in members:
            m.update(canonical=canonical, cluster=f"person:{k}")
