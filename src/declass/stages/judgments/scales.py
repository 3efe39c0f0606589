"""Estimative probability scales: words of estimative probability → ranges.

A scale (``data/scales/*.yaml``: Kent 1964, ICD 203, the UK PHIA
yardstick, and a survey of how readers hear the words) maps terms to
bands ``[low, high]``.  The vocabulary (``data/scales/terms.yaml``) groups
every expression the judgments stage recognises under a canonical term;
a term a scale does not list is mapped through its documented
``equivalent``, and a term marked ``unmapped`` gets no probability.

A user's scale is a YAML file of the same form, named with ``--scale FILE``::

    name: mine
    title: My reading of the words
    source: where the numbers come from
    bands:
      - band: likely
        range: [0.6, 0.8]
        terms: [likely, probable, probably, we believe]
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declass.datafile import load_yaml
from declass.errors import UsageError
from declass.stages.judgments import BUILTIN as BUILTIN  # (re-exported: the scales shipped)

if TYPE_CHECKING:  # (the model loads with the records, not with the scales a store question reads)
    from declass.model import Judgment

DEFAULT = "kent"


@dataclass(frozen=True, slots=True)
class Band:
    name: str
    low: float
    high: float
    point: float | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Scale:
    name: str
    title: str
    source: str
    bands: tuple[Band, ...]
    by_term: dict[str, Band] = field(default_factory=dict)
    overrides: dict[str, Band] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Term:
    """A canonical estimative term and the surface forms that express it."""

    name: str
    forms: tuple[str, ...]
    equivalent: str | None = None
    unmapped: str | None = None
    flat: bool = False


def _data(name: str) -> str:
    from importlib import resources  # (here: a store question that only names a scale should not load it)

    return resources.files("declass.data").joinpath("scales", name).read_text("utf-8")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Term]:
    raw = load_yaml(_data("terms.yaml"))["terms"]
    return {
        name: Term(name, tuple(spec.get("forms") or ()), spec.get("equivalent"), spec.get("unmapped"),
                   bool(spec.get("flat")))
        for name, spec in raw.items()
    }


def parse_scale(data: dict[str, Any], origin: str) -> Scale:
    try:
        bands: list[Band] = []
        by_term: dict[str, Band] = {}
        for b in data["bands"]:
            low, high = (float(x) for x in b["range"])
            if not 0.0 <= low <= high <= 1.0:
                raise ValueError(f"range {b['range']} of band {b['band']!r} is not inside [0, 1]")
            band = Band(str(b["band"]), low, high, b.get("point"))
            bands.append(band)
            for t in [b["band"], *(b.get("terms") or [])]:
                by_term.setdefault(str(t).lower(), band)
        overrides = {
            str(t).lower(): Band(str(t), float(o["range"][0]), float(o["range"][1]), o.get("point"), o.get("note"))
            for t, o in (data.get("overrides") or {}).items()
        }
        return Scale(str(data["name"]), str(data.get("title", data["name"])), str(data.get("source", "")),
                     tuple(bands), by_term, overrides)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise UsageError("E404", f"scale {origin}: {exc}") from None


@lru_cache(maxsize=16)
def load_scale(spec: str = DEFAULT) -> Scale:
    """A built-in scale by name (kent, icd203, phia, survey) or a user's YAML file."""
    if spec in BUILTIN:
        return parse_scale(load_yaml(_data(f"{spec}.yaml")), spec)
    import yaml  # (only for its error type: a built-in scale's store questions start without it)

    path = Path(spec)
    if not path.is_file():
        raise UsageError("E404", f"--scale {spec!r}: not one of {', '.join(BUILTIN)} and not a file")
    try:
        data = load_yaml(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError("E404", f"scale {spec}: {str(exc).splitlines()[0]}") from None
    return parse_scale(data or {}, spec)


def probability(term: str, form: str, scale: Scale) -> tuple[Band | None, str]:
    """The band of ``scale`` for a judgment whose canonical ``term`` was
    written as ``form``; ``(None, reason)`` when the scale cannot say."""
    vocab = vocabulary()
    seen: set[str] = set()
    name: str | None = term
    surface = form.lower()
    while name is not None and name not in seen:
        seen.add(name)
        t = vocab.get(name)
        for key in (surface, name, *(t.forms if t else ())):
            key = key.lower()
            if key in scale.overrides:
                return scale.overrides[key], f"override: {scale.overrides[key].note or key}"
            if key in scale.by_term:
                return scale.by_term[key], f"{scale.name}: {scale.by_term[key].name}"
        if t is None:
            break
        if t.unmapped:
            return None, f"unmapped: {t.unmapped}"
        name = t.equivalent
    return None, f"unmapped: {scale.name} has no band for {term!r}"


def derive_survey(csv_text: str) -> dict[str, Any]:
    """The survey scale from the perceptions data: per phrase, the median
    and the interquartile range of readers' answers (percent → 0-1)."""
    from statistics import median  # (only when the survey scale is regenerated)

    rows = list(csv.reader(io.StringIO(csv_text)))
    header, body = rows[0], rows[1:]
    bands: list[dict[str, Any]] = []
    for i, phrase in enumerate(header):
        vals = sorted(float(r[i]) for r in body if len(r) > i and r[i].strip())
        q1, q3 = _quantile(vals, 0.25), _quantile(vals, 0.75)
        bands.append({"band": phrase.lower(), "range": [round(q1 / 100, 4), round(q3 / 100, 4)],
                      "point": round(median(vals) / 100, 4), "n": len(vals), "terms": [phrase.lower()]})
    bands.sort(key=lambda b: b["point"])
    return {
        "name": "survey",
        "title": "How readers hear the words: medians and interquartile ranges of 46 readers' probabilities",
        "source": "zonination/perceptions probly.csv (MIT, (c) 2016 Zoni Nation), see probly.SOURCE.md; "
                  "derived by declass.stages.judgments.scales.derive_survey",
        "bands": bands,
    }


def _quantile(vals: list[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default), without numpy."""
    pos = (len(vals) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def write_survey_scale() -> Path:
    """Regenerate ``data/scales/survey.yaml`` from ``probly.csv``."""
    from importlib import resources

    import yaml

    out = Path(str(resources.files("declass.data").joinpath("scales", "survey.yaml")))
    data = derive_survey(_data("probly.csv"))
    header = ("# GENERATED by `python -m declass.stages.judgments.scales` from probly.csv - do not edit by hand.\n"
              "# Ranges are interquartile ranges of readers' answers; points are medians.\n")
    out.write_text(header + yaml.safe_dump(data, sort_keys=False, width=110), "utf-8")
    return out


if __name__ == "__main__":
    print(write_survey_scale())


def range_under(j: Judgment, scale_spec: str) -> list[float] | None:
    """A judgment's probability range under any scale, built-in or a user's file."""
    if scale_spec in j.probability:
        built_in = j.probability[scale_spec]
        return None if built_in is None else [built_in[0], built_in[1]]
    band, _ = probability(j.term, j.expression, load_scale(scale_spec))
    if band is None:
        return None
    if j.negated_claim:
        return [round(1 - band.high, 4), round(1 - band.low, 4)]
    return [band.low, band.high]
