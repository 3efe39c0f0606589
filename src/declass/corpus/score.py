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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from declass.datafile import load_yaml
from declass.errors import UsageError
from declass.model import Judgment, field_value
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


def summarise(items: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(items)
    if not n:
        return {"n": 0, "brier": None, "brier_0_2": None, "log": None}
    b = sum(i["brier"] for i in items) / n
    return {"n": n, "brier": round(b, 4), "brier_0_2": round(2 * b, 4),
            "log": round(sum(i["log"] for i in items) / n, 4),
            "mean_probability": round(sum(i["p"] for i in items) / n, 4),
            "observed": round(sum(i["o"] for i in items) / n, 4)}


def calibration(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for lo, hi in BINS:
        inside = [i for i in items if lo <= i["p"] < hi or (hi == 1.0 and i["p"] == 1.0)]
        rows.append({"band": f"{lo:.1f}-{hi:.1f}", "n": len(inside),
                     "mean_probability": round(sum(i["p"] for i in inside) / len(inside), 4) if inside else None,
                     "observed": round(sum(i["o"] for i in inside) / len(inside), 4) if inside else None})
    return rows


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
          *, scale: str = "kent", by: str | None = None, total: int | None = None) -> dict[str, Any]:
    """Score ``outcomes`` against the judgments in ``records`` (document id → record).

    ``resolve`` maps a document reference from the file to a document id; ``total``
    is how many judgments the archive holds (counted from ``records`` if not given).
    """
    scored: list[dict[str, Any]] = []
    ambiguous: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    no_probability: list[dict[str, Any]] = []
    covered: set[tuple[str, str]] = set()
    for o in outcomes:
        try:
            doc_id = resolve(str(o["document"]))
        except UsageError:
            unmatched.append({**o, "reason": "no such document"})
            continue
        rec = records[doc_id]
        j = find_judgment(rec, str(o["block"]), o.get("match"))
        if j is None:
            unmatched.append({**o, "reason": "no judgment in that block matches"})
            continue
        covered.add((doc_id, j.id))
        base = {"document": doc_id, "judgment": j.id, "block": j.block, "term": j.term,
                "claim": j.claim, "outcome": o["outcome"], "resolved_on": str(o.get("resolved_on", "")),
                "source": o["source"], "agency": _agency(rec, j)}
        if o["outcome"] == "ambiguous":
            ambiguous.append(base)
            continue
        rng = range_under(j, scale)
        if rng is None:
            no_probability.append({**base, "reason": j.mapping.get(scale, "unmapped")})
            continue
        p = round((rng[0] + rng[1]) / 2, 4)
        oc = 1 if o["outcome"] else 0
        scored.append({**base, "range": rng, "p": p, "o": oc, "brier": round(brier(p, oc), 6),
                       "log": round(log_score(p, oc), 6)})
    if total is None:
        total = sum(len(r["judgments"]) for r in records.values())
    result: dict[str, Any] = {
        "scale": scale, "summary": summarise(scored), "calibration": calibration(scored), "scored": scored,
        "ambiguous": ambiguous, "no_probability": no_probability, "unmatched": unmatched,
        "unresolved": total - len(covered),
    }
    if by:
        key = {"document": "document", "term": "term", "agency": "agency"}.get(by)
        if key is None:
            raise UsageError("E404", f"--by {by!r} (document, term or agency)")
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for s in scored:
            groups[str(s[key])].append(s)
        result["by"] = {by: {g: summarise(v) for g, v in sorted(groups.items())}}
    return result


def plot(result: dict[str, Any], prefix: str | Path) -> list[Path]:
    """A calibration (reliability) diagram, as PNG and SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in result["calibration"] if r["n"]]
    fig, ax = plt.subplots(figsize=(5.5, 5.5), dpi=120)
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", label="perfect calibration")
    if rows:
        ax.scatter([r["mean_probability"] for r in rows], [r["observed"] for r in rows],
                   s=[60 + 40 * r["n"] for r in rows], color="#1f4e79", alpha=0.8, label="judgments (size = count)")
        for r in rows:
            ax.annotate(str(r["n"]), (r["mean_probability"], r["observed"]), textcoords="offset points",
                        xytext=(8, -4), fontsize=8)
    s = result["summary"]
    title = f"Calibration ({result['scale']} scale)"
    if s["n"]:
        title += f"\nBrier {s['brier']:.3f}, log {s['log']:.3f}, n = {s['n']}"
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
