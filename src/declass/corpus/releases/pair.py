"""Find releases of one document, and say which is the earlier.

Three ways two documents are found to be releases of one record:

* ``archive_id`` — the same archive id (a CREST document id, a record number);
* ``metadata`` — the same type, date and title;
* ``text`` — near-duplicate text: MinHash signatures (datasketch) of word
  5-grams put in locality-sensitive hashing buckets, so only documents
  sharing a bucket are compared — near-linear in the size of the archive,
  never all pairs.  (5-grams: unrelated bulletins share many 3-grams of
  common words, few 5-grams; a misread word still leaves most 5-grams of
  its paragraph intact.)

Every candidate is checked against its text and dates before it is kept: an
earlier release holds less of the text, but what it holds is mostly in the
later one (containment of the smaller in the larger), and two documents
dated differently are different documents.  The earlier release is the one
released first when both release dates are known; otherwise the one with
more printed withholding marks; otherwise the one with less text of its own
(measured by aligning the two: OCR noise and moved text do not count).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from datasketch import MinHash

from declass.corpus.releases.text import ReleaseText, norms_and_marks
from declass.model import ReleasePair, field_text

NUM_PERM = 128
# 42 bands of 3 rows: a pair with Jaccard 0.47 (an earlier release holding half the text) is proposed
# with probability 0.99, one at 0.3 with 0.68, unrelated documents (Jaccard <= 0.01) with < 0.0001:
# candidates grow with the number of true pairs, not with the square of the archive.
LSH_BANDS = (42, 3)
MIN_CONTAINMENT = 0.5  # share of the smaller release's 5-grams found in the larger, to keep a text pair
META_CONTAINMENT = 0.2  # the same, when type, date and title already agree
MIN_SHINGLES = 8  # fewer: too little text for near-duplicate search (a denied release)
SHINGLE = 5
MAX_BUCKET = 64  # more documents than this under one key share boilerplate, not a record


@dataclass(frozen=True, slots=True)
class Profile:
    """What pairing needs to know of one document."""

    id: str
    archive_id: str | None
    doc_type: str | None
    date: str | None
    title: str | None
    released: str | None
    marks: int  # printed withholding marks: notices (counting the pages they name) and markers
    chars: int  # letters and digits of the body
    shingles: int  # distinct word 5-grams
    signature: np.ndarray  # MinHash hash values


def _hash(x: int) -> int:
    return x


@lru_cache(maxsize=1)
def _template() -> MinHash:
    """An empty MinHash whose permutations every signature shares (made once: they are costly)."""
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_hash)


def shingle_hashes(words: list[str]) -> set[int]:
    """CRC-32 of every word 5-gram (a stable hash: profiles made in any process agree)."""
    if len(words) < SHINGLE:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {zlib.crc32(" ".join(words[i:i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1)}


def signature(hashes: set[int]) -> np.ndarray:
    """The MinHash signature of a set of shingle hashes (32-bit values: half the memory of 64)."""
    m = _template().copy()
    if hashes:
        m.update_batch(list(hashes))
    values: np.ndarray = m.hashvalues.astype(np.uint32)
    return values


def profile(record: dict[str, Any], rt: ReleaseText | None = None) -> Profile:
    """A document's pairing profile, from its export record."""
    if rt is not None:
        words = [w.norm for w in rt.words]
        # printed marks only: a gap in the numbering may be the document's own, in every release
        marks = sum((e.pages or 1) if e.kind == "exempt_pages" else 1 for e in rt.evidence
                    if e.kind != "withheld_block")
    else:
        words, marks = norms_and_marks(record)
    hashes = shingle_hashes(words)
    md = record.get("metadata") or {}
    return Profile(str(record["id"]), field_text(md, "archive_id"), field_text(md, "doc_type"), field_text(md, "date"),
                   field_text(md, "title"), field_text(md, "released"), marks, sum(len(w) for w in words), len(hashes),
                   signature(hashes))


def _title_key(title: str | None) -> str | None:
    return " ".join(re.findall(r"\w+", title.casefold())) if title else None


def jaccard(a: Profile, b: Profile) -> float:
    return float(np.count_nonzero(a.signature == b.signature)) / NUM_PERM


def containment(a: Profile, b: Profile) -> float:
    """Estimated share of the smaller document's 5-grams found in the larger."""
    j = jaccard(a, b)
    small = min(a.shingles, b.shingles)
    if small == 0:
        return 0.0
    inter = j * (a.shingles + b.shingles) / (1 + j)
    return min(1.0, inter / small)


def candidates(profiles: list[Profile]) -> Iterator[tuple[int, int, str]]:
    """Index pairs ``(i, j, method)`` worth checking, from ids, metadata and LSH buckets."""
    seen: set[tuple[int, int]] = set()

    def emit(i: int, j: int, method: str) -> Iterator[tuple[int, int, str]]:
        key = (min(i, j), max(i, j))
        if i != j and key not in seen:
            seen.add(key)
            yield key[0], key[1], method

    for method, key in (("archive_id", lambda p: p.archive_id),
                        ("metadata", lambda p: (p.doc_type.casefold(), p.date, _title_key(p.title))
                         if p.doc_type and p.date and p.title else None)):
        groups: dict[Any, list[int]] = {}
        for i, p in enumerate(profiles):
            k = key(p)
            if k:
                groups.setdefault(k, []).append(i)
        for members in groups.values():
            if len(members) > MAX_BUCKET:  # a key this common names no single document
                continue
            for x, i in enumerate(members):
                for j in members[x + 1:]:
                    yield from emit(i, j, method)
    yield from (x for i, j in lsh_pairs(profiles) for x in emit(i, j, "text"))


def lsh_pairs(profiles: list[Profile]) -> Iterator[tuple[int, int]]:
    """Pairs of documents sharing an LSH bucket in any band.

    The banding of datasketch's `MinHashLSH` (`LSH_BANDS`: bands of rows of the
    signature), kept as one sorted array of bucket keys per band rather than
    hash tables of sets: the same candidates in a tenth of the memory (tens of
    bytes a document a band).  A bucket holding more than `MAX_BUCKET`
    documents is text they all share (a form, boilerplate), not one record's
    releases, and proposes nothing."""
    idx = np.array([i for i, p in enumerate(profiles) if p.shingles >= MIN_SHINGLES], dtype=np.int64)
    if len(idx) < 2:
        return
    sigs = np.stack([profiles[i].signature for i in idx]).astype(np.uint64)
    bands, rows = LSH_BANDS
    mix = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
                   dtype=np.uint64)
    for band in range(bands):
        block = sigs[:, band * rows:(band + 1) * rows]
        key = np.zeros(len(idx), dtype=np.uint64)
        for r in range(rows):
            key = (key ^ block[:, r]) * mix[r % len(mix)]  # wraps modulo 2**64, as meant
        order = np.argsort(key, kind="stable")
        sk = key[order]
        same = np.flatnonzero(sk[1:] == sk[:-1])
        if not same.size:
            continue
        starts = same[np.r_[True, np.diff(same) > 1]]
        for s in starts.tolist():
            e = s + 1
            while e < len(sk) and sk[e] == sk[s]:
                e += 1
            if e - s > MAX_BUCKET:
                continue
            members = sorted(idx[order[s:e]].tolist())
            for x, i in enumerate(members):
                for j in members[x + 1:]:
                    yield i, j


def verify(a: Profile, b: Profile, method: str) -> float | None:
    """The pair's containment score if ``a`` and ``b`` are releases of one document, else None."""
    c = containment(a, b)
    if method == "archive_id":
        return c
    if a.date and b.date and a.date != b.date:
        return None
    if method == "metadata":
        thin = min(a.shingles, b.shingles) < MIN_SHINGLES
        return c if c >= META_CONTAINMENT or thin else None
    return c if c >= MIN_CONTAINMENT else None


def order(a: Profile, b: Profile, own_a: int | None = None, own_b: int | None = None) -> tuple[Profile, Profile, str]:
    """``(earlier, later, basis)``.  ``own_a``/``own_b``: letters each prints that the other
    does not (from an alignment), the best measure of which withholds more."""
    if a.released and b.released and a.released != b.released:
        return (a, b, "release dates") if a.released < b.released else (b, a, "release dates")
    if a.marks != b.marks:
        return (a, b, "withholding marks") if a.marks > b.marks else (b, a, "withholding marks")
    if own_a is not None and own_b is not None and own_a != own_b:
        return (a, b, "own text") if own_a < own_b else (b, a, "own text")
    return (a, b, "length") if a.chars <= b.chars else (b, a, "length")


def find_pairs(profiles: Iterable[Profile], *, own_text: Any = None) -> list[ReleasePair]:
    """Verified, ordered pairs among ``profiles``.  ``own_text(a_id, b_id)`` may return the
    letters only each prints (an alignment), to order releases that marks do not."""
    ps = list(profiles)
    out: list[ReleasePair] = []
    for i, j, method in candidates(ps):
        a, b = ps[i], ps[j]
        score = verify(a, b, method)
        if score is None:
            continue
        own = own_text(a.id, b.id) if own_text and not (a.released and b.released) and a.marks == b.marks else None
        e, later, basis = order(a, b, *(own or (None, None)))
        out.append(ReleasePair(e.id, later.id, method, round(score, 3), basis))
    out.sort(key=lambda p: (p.earlier, p.later))
    return out
