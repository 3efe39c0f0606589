"""CREST document ids (``CIA-RDP80R01443R000200010007-3``): their shape, and
their repair when OCR confused a character or added a speck.

Only repairs that make the id fit its fixed shape are made (O/0, I/1, S/5,
B/8, Z/2, G/6, A/4 by slot, at most one stray character dropped); an id no
such repair fits takes the document's majority id when it is a few edits
from it (the stamp repeats on every page), else it is kept as printed with
a warning.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein

ARCHIVE_ID = re.compile(r"CIA-RDP\d{2}(?:[A-Z]|-)\d{5}[A-Z]\d{12}-\d")
"""The shape of a CREST document id: ``CIA-RDP`` + accession year + series
letter (or a hyphen) + 5-digit job + letter + 12 digits (box, folder,
document, part) + ``-`` + a final digit, e.g. CIA-RDP80R01443R000200010007-3."""
_TEMPLATES = ("DDL" + "D" * 5 + "L" + "D" * 12 + "D", "DD" + "D" * 5 + "L" + "D" * 12 + "D")
"""Slot classes of the id after ``CIA-RDP``, hyphens left out: with a series
letter after the year (``80R01443R…``) or, in later ids, a hyphen there
(``96-00788R…``)."""
ID_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "|": "1", "!": "1",
                              "S": "5", "$": "5", "B": "8", "Z": "2", "G": "6", "A": "4"})
_STRAY_LIKE = frozenset("OQDU|!")
_ID_TO_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G", "4": "A"})


def _fit(body: str) -> str | None:
    """The id whose hyphen-less tail ``body`` is, confusions repaired slot by slot, if it fits."""
    for slots in _TEMPLATES:
        if len(body) != len(slots):
            continue
        chars = [c.translate(ID_TO_DIGIT) if k == "D" else c.translate(_ID_TO_LETTER)
                 for c, k in zip(body, slots, strict=True)]
        year, rest = "".join(chars[:2]), "".join(chars[2:])
        fixed = f"CIA-RDP{year}{'' if slots[2] == 'L' else '-'}{rest[:-1]}-{rest[-1]}"
        if ARCHIVE_ID.fullmatch(fixed):
            return fixed
    return None


def repair_archive_id(printed: str) -> str | None:
    """The valid CREST id a damaged one stands for, or None if no single repair
    of O/0, I/1, S/5, B/8-type confusions (and at most one stray character)
    makes it fit the shape.  A valid id is returned unchanged."""
    return repair_squeezed(re.sub(r"[\s.,'°`~_\-–—]+", "", printed).upper())


_SQUEEZED_PREFIX = re.compile(r"[CG][I1L|!][A4]R[DO0]P", re.IGNORECASE)


def _prefix_ends(squeezed: str) -> list[int]:
    """Where the fixed ``CIA-RDP`` may end in a squeezed id (one letter off,
    missing or extra), best first; empty if it does not start one."""
    if m := _SQUEEZED_PREFIX.match(squeezed):
        return [m.end()]
    head = squeezed.upper()
    return [n for n in (6, 7, 5) if Levenshtein.distance(head[:n], "CIARDP") <= 1]


def repair_squeezed(squeezed: str) -> str | None:
    for end in _prefix_ends(squeezed):
        if fixed := _repair_body(squeezed[end:]):
            return fixed
    return None


def _repair_body(body: str) -> str | None:
    if fixed := _fit(body):
        return fixed
    if len(body) in (len(t) + 1 for t in _TEMPLATES):  # one speck or doubled character
        # a stray is most likely a letter where digits belong (``ROQ1443`` for
        # ``R01443``); any other deletion only if it is the one fit
        stray = {f for i, c in enumerate(body) if c in _STRAY_LIKE and (f := _fit(body[:i] + body[i + 1:]))}
        found = stray or {f for i in range(len(body)) if (f := _fit(body[:i] + body[i + 1:]))}
        if len(found) == 1:
            return found.pop()
    return None


def settle_archive_ids(records: Sequence[dict[str, str]]) -> tuple[list[dict[str, str]], list[str]]:
    """Damaged ids no confusion repair could fix take the document's majority
    id when they are within a few edits of it (the same stamp repeats on
    every page); the rest stay as printed, each with a warning."""
    good = Counter(f["archive_id"] for f in records if "archive_id" in f and "archive_id_unrepaired" not in f)
    consensus = good.most_common(1)[0][0] if good else None
    out: list[dict[str, str]] = []
    warnings: list[str] = []
    for f in records:
        if "archive_id_unrepaired" not in f:
            out.append(f)
            continue
        printed = f["archive_id"]
        if consensus and Levenshtein.distance(printed.upper(), consensus, score_cutoff=4) <= 4:
            g = {k: v for k, v in f.items() if k != "archive_id_unrepaired"}
            out.append({**g, "archive_id": consensus, "archive_id_printed": printed,
                        "archive_id_repair": "consensus"})
        else:
            out.append(f)
            warnings.append(f"the archive id {printed!r} on a release stamp does not fit the CREST id shape "
                            "(CIA-RDP, year, series, job, box/folder/document, -digit) and no OCR repair fits it; "
                            "kept as printed")
    return out, warnings
