"""The gazetteer: canonical people, places, organisations — and every name
they went by.

Entries live in YAML under ``data/gazetteer/`` (see its README for the
format and sources); users add their own file with ``--gazetteer FILE``,
merged over the built-in entries (same ``id``: the user's entry wins).

Matching is one Aho–Corasick pass over a normalised copy of the text
(lower case, hyphens and dashes as spaces, one character for one, so
offsets carry over unchanged); the longest match at a word boundary wins.
Acronyms (all capitals, up to five letters: USSR, CCP, ONE) must match
their case exactly, so "one" and "us" are never organisations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from declass.datafile import bundled_yaml, load_yaml
from declass.errors import UsageError
from declass.text import lexicon

TYPES = frozenset({"person", "place", "organisation", "group", "treaty", "event"})
_FOLD = {ord(c): ord(c.lower()) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ"}
_FOLD.update({ord(c): ord(" ") for c in "-\u2010\u2011\u2012\u2013\u2014\n\t\r"})
_FOLD.update({ord("\u2019"): ord("'"), ord("\u2018"): ord("'"), ord("`"): ord("'")})


def fold(text: str) -> str:
    """Normalise for matching, one character for one (offsets are kept)."""
    return text.translate(_FOLD)


def _in_word(ch: str) -> bool:
    """A letter or a digit continues a word; a footnote mark ("Eisenhower¹") does not."""
    return ch.isalpha() or ch.isdecimal()


def norm(name: str) -> str:
    """Normalise a name for lookup: folded, spaces collapsed."""
    return " ".join(fold(name).split())


def is_acronym(form: str) -> bool:
    letters = form.replace(".", "").replace(" ", "")
    return form.isupper() and letters.isalpha() and len(letters) <= 5


@dataclass(frozen=True, slots=True)
class Entity:
    """One canonical entity and everything known about it."""

    id: str
    type: str
    name: str
    variants: tuple[str, ...] = ()
    wikidata: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    metonym_for: str | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.variants)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type, "name": self.name, "variants": list(self.variants),
                             "wikidata": self.wikidata}
        for k in ("lat", "lon", "country", "metonym_for", "source"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        d.update(self.extra)
        return d


def _entity(raw: dict[str, Any], origin: str) -> Entity:
    missing = [k for k in ("id", "type", "name") if not raw.get(k)]
    if missing:
        raise UsageError("E404", f"gazetteer entry without {', '.join(missing)} in {origin}: {raw!r:.80}")
    if raw["type"] not in TYPES:
        raise UsageError("E404", f"gazetteer type {raw['type']!r} in {origin} (one of {', '.join(sorted(TYPES))})")
    known = {"id", "type", "name", "variants", "wikidata", "lat", "lon", "country", "metonym_for", "source"}
    return Entity(
        id=str(raw["id"]), type=raw["type"], name=str(raw["name"]),
        variants=tuple(str(v) for v in raw.get("variants") or ()), wikidata=raw.get("wikidata"),
        lat=raw.get("lat"), lon=raw.get("lon"), country=raw.get("country"), metonym_for=raw.get("metonym_for"),
        source=raw.get("source"), extra={k: v for k, v in raw.items() if k not in known},
    )


def _read(text: str, origin: str) -> list[Entity]:
    try:
        data = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise UsageError("E404", f"gazetteer {origin} is not valid YAML: {str(exc).splitlines()[0]}") from None
    return [_entity(e, origin) for e in data.get("entities") or []]


class Gazetteer:
    """Entities by id, every form by normalised name, and the matcher."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: dict[str, Entity] = {}
        for e in entities:
            self.entities[e.id] = e
        self.by_form: dict[str, list[tuple[str, str | None]]] = {}
        self.automaton = ahocorasick.Automaton()
        for e in self.entities.values():
            for form in e.forms:
                key = norm(form)
                if not key:
                    continue
                exact = form if is_acronym(form) else None
                entry = (e.id, exact)
                bucket = self.by_form.setdefault(key, [])
                if entry not in bucket:
                    bucket.append(entry)
        for key, entries in self.by_form.items():
            self.automaton.add_word(key, (key, tuple(entries)))
        if self.by_form:
            self.automaton.make_automaton()
        self._phrases: dict[int, list[str]] = {}  # forms of several words, by word count
        for key, entries in self.by_form.items():
            if " " in key and not any(x for _, x in entries):
                self._phrases.setdefault(key.count(" ") + 1, []).append(key)
        self._longest = max(self._phrases, default=0)
        self._fuzzy_index: dict[str, list[tuple[str, str]]] = {}
        for key, entries in self.by_form.items():
            if " " not in key and len(key) >= 5 and not any(x for _, x in entries):
                self._fuzzy_index.setdefault(key[0], []).append((key, entries[0][0]))

    def __len__(self) -> int:
        return len(self.entities)

    def lookup(self, name: str) -> Entity | None:
        """The entity any of whose names is ``name`` (any case, hyphens as spaces)."""
        if name in self.entities:
            return self.entities[name]
        hits = self.by_form.get(norm(name))
        return self.entities[hits[0][0]] if hits else None

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping ``(start, end, entity id)`` matches in ``text``, longest first."""
        if not self.by_form:
            return []
        folded = fold(text)
        found: list[tuple[int, int, str]] = []
        n = len(folded)
        for end_i, (key, entries) in self.automaton.iter(folded):
            start = end_i - len(key) + 1
            end = end_i + 1
            if (start > 0 and _in_word(folded[start - 1])) or (end < n and _in_word(folded[end])):
                continue
            for eid, exact in entries:
                if exact is None or text[start:end] == exact:
                    found.append((start, end, eid))
                    break
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        out: list[tuple[int, int, str]] = []
        last_end = -1
        for s, e, eid in found:
            if s >= last_end:
                out.append((s, e, eid))
                last_end = e
        return out

    @lru_cache(maxsize=65536)  # noqa: B019 - one gazetteer per process, kept for its lifetime
    def fuzzy(self, token: str, threshold: float = 0.75) -> tuple[str, str] | None:
        """``(entity id, matched form)`` for an OCR-damaged single word, if
        exactly one entity's form is close enough."""
        key = norm(token)
        best: dict[str, tuple[float, str]] = {}
        for form, eid in self._fuzzy_index.get(key[:1], ()):
            if abs(len(form) - len(key)) > 2:
                continue
            score = Levenshtein.normalized_similarity(key, form)
            # a damaged ending needs a closer match than damage inside the word
            needed = threshold if form[-1] == key[-1] else threshold + 0.1
            if score >= needed and score > best.get(eid, (0.0, ""))[0]:
                best[eid] = (score, form)
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
        if len(ranked) > 1 and ranked[1][1][0] == ranked[0][1][0]:
            return None  # two entities equally close: do not guess
        return ranked[0][0], ranked[0][1][1]


    @lru_cache(maxsize=65536)  # noqa: B019 - one gazetteer per process, kept for its lifetime
    def fuzzy_phrase(self, phrase: str, threshold: float = 0.9) -> tuple[str, int, int] | None:
        """``(entity id, start, end)`` of an OCR-damaged name of several words
        inside ``phrase`` ("Chinese Changehun Rallway"), if exactly one
        entity's form of as many words is close enough; the longest such
        window wins."""
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", phrase)]
        folded = fold(phrase)
        for k in range(min(len(words), self._longest), 1, -1):
            forms = self._phrases.get(k)
            if not forms:
                continue
            for i in range(len(words) - k + 1):
                s, e = words[i][0], words[i + k - 1][1]
                window = " ".join(folded[s:e].split())
                if window in self.by_form:
                    continue
                # two or three dictionary words are too easily an inflection of
                # another name ("Chinese Communist" / "Chinese Communists"):
                # short phrases need a damaged (non-dictionary) word
                if k < 4 and all(lexicon.is_word(w) or len(w) < 3 for w in window.split()):
                    continue
                hits = process.extract(window, forms, scorer=Levenshtein.normalized_similarity,
                                       score_cutoff=threshold, limit=4)
                if not hits:
                    continue
                top = hits[0][1]
                ids = {self.by_form[f][0][0] for f, score, _ in hits if score == top}
                if len(ids) == 1:
                    return ids.pop(), s, e
        return None


def builtin_files() -> list[Path]:
    folder = Path(str(resources.files("declass.data").joinpath("gazetteer")))
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


@lru_cache(maxsize=8)
def _load(extra: tuple[tuple[str, float], ...]) -> Gazetteer:
    entities: list[Entity] = []
    for path in builtin_files():  # read once per process, shared with `lexicon.names`
        entities.extend(_entity(e, path.name) for e in (bundled_yaml(f"gazetteer/{path.name}") or {}).get("entities")
                        or [])
    for name, _mtime in extra:
        try:
            text = Path(name).read_text("utf-8")
        except OSError as exc:
            raise UsageError("E404", f"gazetteer file {name}: {exc.strerror or exc}") from None
        entities.extend(_read(text, name))
    return Gazetteer(entities)


def load(extra: Sequence[str | Path] = ()) -> Gazetteer:
    """The built-in gazetteer with the user's files merged over it."""
    key = []
    for p in extra:
        try:
            key.append((str(p), Path(p).stat().st_mtime))
        except OSError:
            key.append((str(p), 0.0))
    return _load(tuple(key))
