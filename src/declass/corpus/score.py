"""Score: judgments resolved against history.

An outcomes file (YAML) says, for judgments named by document, block and
words of their claim, whether the claim (in its positive form) came true::

    outcomes:
      - document: NIE-58
        block: "2"
        match: "by military force"
        outcome: false            # true | false | ambiguous
        resolved_on: 1954-09-10
        source: "where the historical fact is established"

Each resolved judgment's stated probability is the midpoint of its range
under the chosen scale.  Scores: the Brier score (0 best, 1 worst; and the
0-2 form of forecasting platforms, which sums over both outcomes), the log
score (natural log, probabilities clipped to [0.01, 0.99]), a calibration
table and plot.  Ambiguous outcomes, unmatched entries and judgments
resolved but stated without a usable probability are counted and listed,
never scored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml

from declass.datafile import load_yaml
from declass.errors import UsageError
from declass.model import Judgment, field_value
from declass.model.records import Exported
from declass.stages.judgments.scales import range_under

EPS = 0.01
BINS = [(i / 10, (i + 1) / 10) for i in range(10)]


def load_outcomes(path: str | Path) -> list[dict[str, Any]]:
    try:
        data = load_yaml(Path(path).read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError("E404", f"outcomes file {path}: {str(exc).splitlines()[0]}") from None
    items = data.get("outcomes") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise UsageError("E404", f"outcomes file {path}: no 'outcomes:' list")
    for i, o in enumerate(items):
        missing = [k for k in ("document", "block", "outcome", "source") if k not in o]
        if missing:
            raise UsageError("E404", f"outcomes file {path}, entry {i + 1}: missing {', '.join(missing)}")
        if o["outcome"] not in (True, False, "ambiguous"):
            raise UsageError("E404", f"outcomes file {path}, entry {i + 1}: outcome must be true, false or ambiguous")
    return items


def brier(p: float, o: int) -> float:
    return (p - o) ** 2


def log_score(p: float, o: int) -> float:
    p = min(max(p, EPS), 1 - EPS)
    return -math.log(p if o else 1 - p)


@dataclass(frozen=True, slots=True)
class Resolved(Exported):
    """A judgment an outcomes entry resolves: where it is, what it claims, what happened (true, false or
    ambiguous), when and on what authority, and the agency that stated it."""

    document: str
    judgment: str
    block: str | None
    term: str
    claim: str
    outcome: bool | str
    resolved_on: str
    source: str
    agency: str


@dataclass(frozen=True, slots=True)
class Scored(Resolved):
    """A resolved judgment scored: its range on the scale, the stated probability (its midpoint),
    the outcome as 0 or 1, and its Brier and log scores."""

    KEYS: ClassVar[tuple[str, ...]] = (*Resolved.KEYS, "range", "p", "o", "brier", "log")

    range: tuple[float, float]
    p: float
    o: int
    brier: float
    log: float


@dataclass(frozen=True, slots=True)
class Unscorable(Resolved):
    """A resolved judgment stated without a usable probability on the scale, and why (its mapping's note)."""

    KEYS: ClassVar[tuple[str, ...]] = (*Resolved.KEYS, "reason")

    reason: str


@dataclass(frozen=True, slots=True)
class Unmatched(Exported):
    """An outcomes entry (as the file gives it) that names no judgment of the archive, and why."""

    entry: Mapping[str, Any]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """The entry's own keys, then the reason."""
        return {**self.entry, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Summary(Exported):
    """Scores over a set of judgments: how many, mean Brier (and its 0-2 form), mean log score, mean stated
    probability and observed frequency (the last two left out when nothing was scored)."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"mean_probability", "observed"})

    n: int
    brier: float | None
    brier_0_2: float | None
    log: float | None
    mean_probability: float | None = None
    observed: float | None = None


@dataclass(frozen=True, slots=True)
class Band(Exported):
    """A row of the calibration table: the stated probabilities' band, how many, their mean, how often true."""

    band: str
    n: int
    mean_probability: float | None
    observed: float | None


@dataclass(frozen=True, slots=True)
class Score(Exported):
    """What an outcomes file makes of the archive's judgments on one scale: the summary, the calibration
    table, each judgment scored or set aside, how many judgments no entry resolves, the summaries by
    document, term or agency when asked (``by``), and the plots drawn of it (``plots``, by the CLI)."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"by", "plots"})

    scale: str
    summary: Summary
    calibration: tuple[Band, ...]
    scored: tuple[Scored, ...]
    ambiguous: tuple[Resolved, ...]
    no_probability: tuple[Unscorable, ...]
    unmatched: tuple[Unmatched, ...]
    unresolved: int
    by: Mapping[str, Mapping[str, Summary]] | None = None
    plots: tuple[str, ...] | None = None


def summarise(items: Sequence[Scored]) -> Summary:
    n = len(items)
    if not n:
        return Summary(0, None, None, None)
    b = sum(i.brier for i in items) / n
    return Summary(n, round(b, 4), round(2 * b, 4), round(sum(i.log for i in items) / n, 4),
                   round(sum(i.p for i in items) / n, 4), round(sum(i.o for i in items) / n, 4))


def calibration(items: Sequence[Scored]) -> tuple[Band, ...]:
    rows = []
    for lo, hi in BINS:
        inside = [i for i in items if lo <= i.p < hi or (hi == 1.0 and i.p == 1.0)]
        rows.append(Band(f"{lo:.1f}-{hi:.1f}", len(inside),
                         round(sum(i.p for i in inside) / len(inside), 4) if inside else None,
                         round(sum(i.o for i in inside) / len(inside), 4) if inside else None))
    return tuple(rows)


def _agency(record: dict[str, Any], j: Judgment) -> str:
    if j.by:
        return j.by
    names = field_value(record.get("metadata") or {}, "agencies")
    return names[0] if names else "unknown"


def find_judgment(record: dict[str, Any], block: str, match: str | None) -> Judgment | None:
    """The first judgment of ``block`` in the document's record that ``match`` names (its id or
    words of its claim or text), typed."""
    for d in record["judgments"]:
        if d["block"] != str(block):
            continue
        j = Judgment.from_dict(d, str(record.get("id") or ""))
        if match is None or match == j.id or match.lower() in j.claim.lower() or match.lower() in j.text.lower():
            return j
    return None


def score(records: Mapping[str, dict[str, Any]], outcomes: list[dict[str, Any]], resolve: Any,
          *, scale: str = "kent", by: str | None = None, total: int | None = None) -> Score:
    """Score ``outcomes`` against the judgments in ``records`` (document id → record).

    ``resolve`` maps a document reference from the file to a document id; ``total``
    is how many judgments the archive holds (counted from ``records`` if not given).
    """
    scored: list[Scored] = []
    ambiguous: list[Resolved] = []
    unmatched: list[Unmatched] = []
    no_probability: list[Unscorable] = []
    covered: set[tuple[str, str]] = set()
    for o in outcomes:
        try:
            doc_id = resolve(str(o["document"]))
        except UsageError:
            unmatched.append(Unmatched(o, "no such document"))
            continue
        rec = records[doc_id]
        j = find_judgment(rec, str(o["block"]), o.get("match"))
        if j is None:
            unmatched.append(Unmatched(o, "no judgment in that block matches"))
            continue
        covered.add((doc_id, j.id))
        base = (doc_id, j.id, j.block, j.term, j.claim, o["outcome"], str(o.get("resolved_on", "")), o["source"],
                _agency(rec, j))
        if o["outcome"] == "ambiguous":
            ambiguous.append(Resolved(*base))
            continue
        rng = range_under(j, scale)
        if rng is None:
            no_probability.append(Unscorable(*base, j.mapping.get(scale, "unmapped")))
            continue
        p = round((rng[0] + rng[1]) / 2, 4)
        oc = 1 if o["outcome"] else 0
        scored.append(Scored(*base, (rng[0], rng[1]), p, oc, round(brier(p, oc), 6), round(log_score(p, oc), 6)))
    if total is None:
        total = sum(len(r["judgments"]) for r in records.values())
    groups_by: dict[str, dict[str, Summary]] | None = None
    if by:
        key = {"document": "document", "term": "term", "agency": "agency"}.get(by)
        if key is None:
            raise UsageError("E404", f"--by {by!r} (document, term or agency)")
        groups: dict[str, list[Scored]] = defaultdict(list)
        for s in scored:
            groups[str(getattr(s, key))].append(s)
        groups_by = {by: {g: summarise(v) for g, v in sorted(groups.items())}}
    return Score(scale, summarise(scored), calibration(scored), tuple(scored), tuple(ambiguous),
                 tuple(no_probability), tuple(unmatched), total - len(covered), groups_by)


def plot(result: Score, prefix: str | Path) -> list[Path]:
    """A calibration (reliability) diagram, as PNG and SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = [(r.mean_probability, r.observed, r.n) for r in result.calibration
              if r.n and r.mean_probability is not None and r.observed is not None]  # a band with judgments has both
    fig, ax = plt.subplots(figsize=(5.5, 5.5), dpi=120)
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", label="perfect calibration")
    if points:
        ax.scatter([x for x, _, _ in points], [y for _, y, _ in points],
                   s=[60 + 40 * n for _, _, n in points], color="#1f4e79", alpha=0.8, label="judgments (size = count)")
        for x, y, n in points:
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(8, -4), fontsize=8)
    s = result.summary
    title = f"Calibration ({result.scale} scale)"
    if s.n:
        title += f"\nBrier {s.brier:.3f}, log {s.log:.3f}, n = {s.n}"
    ax.set(xlim=(0, 1), ylim=(-0.05, 1.05), xlabel="stated probability (midpoint of range)",
           ylabel="observed frequency", title=title)
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out = []
    for ext in ("png", "svg"):
        path = Path(f"{prefix}.{ext}")
        fig.savefig(path, metadata={"Date": None} if ext == "svg" else None)
        out.append(path)
    plt.close(fig)
    return out
