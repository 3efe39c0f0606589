"""Releases against the CREST development pairs (issue 15).

Two measures.  *Pairing*: the 24 releases, with any other documents given
(FRUS, the samples), are paired automatically, from their text and
metadata only (never the folder they sit in); a pair is right when both
releases come from one folder and the CREST release is the earlier.
*Revealed text*: recall and precision by characters (letters and digits,
so line breaks and spacing do not count) of the text found only in the
later release, against the source repository's own kept diff chunks
("Clean Chunk" blocks of ``redaction_chunks.filtered.txt``).

That file also lists *excluded candidates*: text the source's own filter
found only in the later release but set aside, for reasons such as
``full_page_or_admin`` (whole withheld pages) or ``noncontent_keyword``.
Those are neither right nor wrong answers, so the main precision leaves
them out; ``precision_strict`` counts them as wrong.  Candidates it set
aside as ``ocr_equivalent_to_redacted_text`` or
``nonempty_redacted_alternate_conflict`` stay counted as wrong: they are
what a comparison must not call revealed.  One pair's chunk is a mistake
of the source's page alignment (crest/NOTES.md): figures are given with
and without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from declass.archive.export import to_record
from declass.corpus.releases import compare_records
from declass.corpus.releases.api import pair_records
from declass.corpus.releases.text import ReleaseText, from_record, tokenize
from declass.model import Document
from declass.stages.parse import parse

# crest/NOTES.md: "its single chunk is an alignment mistake of the source repository"
KNOWN_GOLD_ERRORS = ("CIA-RDP79T00975A000100580001-6",)
NEGATIVE_REASONS = ("ocr_equivalent_to_redacted_text", "nonempty_redacted_alternate_conflict")
PAGE_MARKER = re.compile(r"^\[PAGE (\d+)\]\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str
    page: int | None  # the later release's [PAGE NN]
    kept: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PairScore:
    crest_id: str
    gold_chars: int
    predicted_chars: int
    hit_chars: int
    unjudged_predicted: int  # predicted chars the source set aside without judging
    unlocated_chunks: int
    recall: float
    precision: float
    precision_strict: float
    ocr_words: int
    ocr_reported_revealed: int  # OCR-variant words (by the source's own list) we called revealed


@dataclass(frozen=True, slots=True)
class Totals:
    recall: float
    precision: float
    precision_strict: float
    gold_chars: int
    predicted_chars: int
    hit_chars: int


@dataclass(frozen=True, slots=True)
class ReleaseEval:
    """Figures of the releases stage on the development pairs."""

    pairs_expected: int
    pairs_found: int
    pairs_wrong: int
    pairs_misordered: int
    documents: int
    missing: tuple[str, ...]
    wrong: tuple[tuple[str, str], ...]
    revealed: Totals
    revealed_without_known_errors: Totals
    per_pair: tuple[PairScore, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The figures as a report prints them."""
        r, k = self.revealed, self.revealed_without_known_errors
        return [
            f"pairs found {self.pairs_found}/{self.pairs_expected}, wrong {self.pairs_wrong}, misordered "
            f"{self.pairs_misordered} (among {self.documents} documents)",
            f"revealed text by letters: recall {k.recall:.3f}, precision {k.precision:.3f}"
            f" (strict {k.precision_strict:.3f}) without {', '.join(KNOWN_GOLD_ERRORS)};"
            f" with it: recall {r.recall:.3f}, precision {r.precision:.3f}",
        ]


def parse_chunks(text: str) -> list[Chunk]:
    """The kept chunks and excluded candidates of a ``redaction_chunks.filtered.txt``."""
    out: list[Chunk] = []
    page: int | None = None
    lines = text.replace("\r\n", "\n").split("\n")
    pending_reasons: tuple[str, ...] | None = None
    for k, line in enumerate(lines):
        m = re.match(r"kind=\S+ red_source_page=\S+ unred_source_page=(\S+)", line)
        if m:
            page = int(m.group(1)) if m.group(1).isdigit() else None
            continue
        if line.startswith("Clean Chunk #"):
            nxt = lines[k + 1] if k + 1 < len(lines) else ""
            if nxt.startswith("Text: "):
                out.append(Chunk(nxt[6:].strip(), page, True))
            continue
        m = re.match(r"- original #\d+ segment \d+: (.*)$", line)
        if m:
            pending_reasons = tuple(r.strip() for r in m.group(1).split(","))
            continue
        if pending_reasons is not None and line.startswith("  Text: "):
            out.append(Chunk(line[8:].strip(), page, False, pending_reasons))
            pending_reasons = None
    return out


def _word_pages(raw: str, rt: ReleaseText, record: dict[str, Any]) -> list[int | None]:
    """The ``[PAGE NN]`` each word of the release sits on (from the raw transcription)."""
    marks = [(m.start(), int(m.group(1))) for m in PAGE_MARKER.finditer(raw)]
    starts = {b["label"]: b["start"] for b in record["blocks"]}

    def page_at(offset: int) -> int | None:
        page = None
        for s, n in marks:
            if s > offset:
                break
            page = n
        return page

    block_page = [page_at(starts.get(b.label, 0)) for b in rt.blocks]
    return [block_page[w.block] for w in rt.words]


def locate(chunk: Chunk, norms: list[str], pages: list[int | None]) -> set[int]:
    """Word indices of the later release the chunk covers (on its page when it says so)."""
    want = [w.norm for w in tokenize(chunk.text, 0)]
    if not want:
        return set()
    # a block is paged by where it starts: a chunk may sit in a block begun on the page before
    for near in (0, 1, None):
        idx = [i for i, p in enumerate(pages)
               if near is None or chunk.page is None or (p is not None and abs(p - chunk.page) <= near)]
        found = _find(want, norms, idx)
        if found:
            return found
    return set()


def _find(want: list[str], norms: list[str], idx: list[int]) -> set[int]:
    seq = [norms[i] for i in idx]
    k = len(want)
    for s in range(len(seq) - k + 1):
        if seq[s : s + k] == want:
            return {idx[x] for x in range(s, s + k)}
    sm = SequenceMatcher(None, want, seq, autojunk=False)
    blocks = [m for m in sm.get_matching_blocks() if m.size]
    # the densest run of matches: words of a chunk are near each other in the release
    clusters: list[list[Any]] = []
    for m in blocks:
        if clusters and m.b - (clusters[-1][-1].b + clusters[-1][-1].size) <= max(5, k // 5):
            clusters[-1].append(m)
        else:
            clusters.append([m])
    best = max(clusters, key=lambda c: sum(m.size for m in c), default=[])
    if sum(m.size for m in best) < 0.6 * k:
        return set()
    lo, hi = best[0].b, best[-1].b + best[-1].size
    return {idx[x] for x in range(lo, hi)}


def score_pair(
    crest_id: str, earlier: dict[str, Any], later: dict[str, Any], raw_later: str, chunks: list[Chunk]
) -> PairScore:
    cmp_ = compare_records(earlier, later)
    rt = from_record(later)
    norms = [w.norm for w in rt.words]
    pages = _word_pages(raw_later, rt, later)
    gold: set[int] = set()
    unjudged: set[int] = set()
    negative: set[int] = set()
    unlocated = 0
    for c in chunks:
        where = locate(c, norms, pages)
        if c.kept:
            unlocated += not where
            gold |= where
        elif any(r in NEGATIVE_REASONS for r in c.reasons):
            negative |= where
        else:
            unjudged |= where
    unjudged -= gold
    predicted = _predicted_words(cmp_, rt)

    def chars(ix: set[int]) -> int:
        return sum(len(norms[i]) for i in ix)

    hit = chars(predicted & gold)
    judged_pred = chars(predicted - unjudged)
    return PairScore(
        crest_id,
        chars(gold),
        chars(predicted),
        hit,
        chars(predicted & unjudged),
        unlocated,
        round(hit / chars(gold), 4) if gold else 1.0,
        round(hit / judged_pred, 4) if judged_pred else 1.0,
        round(hit / chars(predicted), 4) if predicted else 1.0,
        len(cmp_.ocr),
        chars(predicted & negative),
    )


def _predicted_words(cmp_: Any, rt: ReleaseText) -> set[int]:
    """Later-release word indices inside the comparison's revealed spans."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for s in cmp_.revealed:
        for p in s.pieces:
            spans.setdefault(p.block, []).append((p.start, p.end))
    out: set[int] = set()
    for i, w in enumerate(rt.words):
        for s, e in spans.get(rt.blocks[w.block].label, ()):
            if s <= w.start and w.end <= e:
                out.add(i)
                break
    return out


def _totals(scores: Iterable[PairScore]) -> Totals:
    ss = list(scores)
    g = sum(s.gold_chars for s in ss)
    p = sum(s.predicted_chars for s in ss)
    h = sum(s.hit_chars for s in ss)
    judged = p - sum(s.unjudged_predicted for s in ss)
    return Totals(
        round(h / g, 4) if g else 1.0, round(h / judged, 4) if judged else 1.0, round(h / p, 4) if p else 1.0, g, p, h
    )


def _release(path: Path, doc_id: str) -> Document:
    return parse(path).evolve(id=doc_id)


def evaluate_releases(devset_crest_dir: str | Path, extra: Iterable[Document] = ()) -> ReleaseEval:
    """Pairing and revealed-text figures on the CREST development pairs.

    ``extra``: other parsed documents (FRUS, samples) that must not be paired
    with any release.  Documents are named ``<folder>/redacted`` and
    ``<folder>/unredacted`` — names pairing never looks at."""
    root = Path(devset_crest_dir)
    folders = sorted(p for p in root.glob("*") if p.is_dir() and (p / "redacted.transcription.txt").exists())
    records: dict[str, dict[str, Any]] = {}
    raw: dict[str, str] = {}
    for f in folders:
        for release in ("redacted", "unredacted"):
            path = f / f"{release}.transcription.txt"
            doc_id = f"{f.name}/{release}"
            doc = _release(path, doc_id)
            records[doc_id] = to_record(doc)
            raw[doc_id] = doc.text
    for d in extra:
        records.setdefault(d.id, to_record(d))
    found = pair_records(list(records.values()))
    truth = {(f"{f.name}/redacted", f"{f.name}/unredacted") for f in folders}
    found_keys = {(p.earlier, p.later) for p in found}
    unordered = {frozenset(k) for k in found_keys}
    wrong = tuple(
        sorted(
            (p.earlier, p.later) for p in found if frozenset((p.earlier, p.later)) not in {frozenset(t) for t in truth}
        )
    )
    missing = tuple(sorted(t[0].split("/")[0] for t in truth if frozenset(t) not in unordered))
    misordered = sum(1 for t in truth if frozenset(t) in unordered and t not in found_keys)
    scores = []
    for f in folders:
        e, lt = records[f"{f.name}/redacted"], records[f"{f.name}/unredacted"]
        chunks = parse_chunks((f / "redaction_chunks.filtered.txt").read_text("utf-8"))
        scores.append(score_pair(f.name, e, lt, raw[f"{f.name}/unredacted"], chunks))
    return ReleaseEval(
        len(truth),
        len(truth) - len(missing),
        len(wrong),
        misordered,
        len(records),
        missing,
        wrong,
        _totals(scores),
        _totals(s for s in scores if s.crest_id not in KNOWN_GOLD_ERRORS),
        tuple(scores),
    )
