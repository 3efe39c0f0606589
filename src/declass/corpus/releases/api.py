"""Pairing and comparing export records: what the archive and the evaluation call."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from declass.corpus.releases.align import align
from declass.corpus.releases.compare import compare_records
from declass.corpus.releases.pair import find_pairs, order, profile
from declass.corpus.releases.stats import PairStats
from declass.corpus.releases.text import ReleaseText, from_record
from declass.model import ReleasePair


def own_letters(a: ReleaseText, b: ReleaseText) -> tuple[int, int]:
    """Letters ``a`` prints that ``b`` does not, and the reverse (OCR noise and moves aside)."""
    al = align([w.norm for w in a.words], [w.norm for w in b.words])
    only_b = sum(len(w.norm) for w, lab in zip(b.words, al.later, strict=True) if lab == "revealed")
    only_a = sum(len(w.norm) for w, lab in zip(a.words, al.earlier, strict=True) if lab == "removed")
    return only_a, only_b


def pair_records(records: Iterable[dict[str, Any]],
                 fetch: Callable[[str], dict[str, Any]] | None = None) -> list[ReleasePair]:
    """Releases of one document among ``records``, earlier first.

    With ``fetch`` (an archive's ``get``) records are not kept: a text is
    fetched again only for a pair whose order release dates and marks do not
    settle, so memory grows with the profiles (a few hundred bytes a
    document), not with the texts."""
    profiles = []
    sources: dict[str, dict[str, Any]] = {}
    for rec in records:
        profiles.append(profile(rec))
        if fetch is None:
            sources[str(rec["id"])] = rec
    cache: dict[str, ReleaseText] = {}

    def text(doc_id: str) -> ReleaseText:
        if doc_id not in cache:
            cache[doc_id] = from_record(sources[doc_id] if fetch is None else fetch(doc_id))
        return cache[doc_id]

    return find_pairs(profiles, own_text=lambda a, b: own_letters(text(a), text(b)))


def order_records(a: dict[str, Any], b: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    """``(earlier, later, basis)`` of two records: release dates, printed marks, then own text."""
    ta, tb = from_record(a), from_record(b)
    pa, pb = profile(a, ta), profile(b, tb)
    own = own_letters(ta, tb) if not (pa.released and pb.released) and pa.marks == pb.marks else (None, None)
    e, _, basis = order(pa, pb, *own)
    return (a, b, basis) if e is pa else (b, a, basis)


_STATS: OrderedDict[tuple[str, str], PairStats] = OrderedDict()
_STATS_MAX = 100_000


def cached_pair_stats(earlier_sha: str, later_sha: str,
                      fetch: Callable[[], tuple[dict[str, Any], dict[str, Any]]]) -> PairStats:
    """A pair's figures, computed once per pair of contents (the same two texts
    always compare the same); ``fetch`` gives the two records when needed."""
    key = (earlier_sha, later_sha)
    if key in _STATS:
        _STATS.move_to_end(key)
        return _STATS[key]
    earlier, later = fetch()
    stats = compare_records(earlier, later).stats
    _STATS[key] = stats
    while len(_STATS) > _STATS_MAX:
        _STATS.popitem(last=False)
    return stats
