"""Sentence spans: where one statement ends and the next begins.

Shared by judgments (each sentence can carry one) and events (each names its
dates); abbreviations and initials ("Mr.", "U.S.") do not end a sentence."""

from __future__ import annotations

import re

ABBREV = re.compile(r"(?:\b(?:[A-Z]\.){1,4}|\b(?:Mr|Mrs|Dr|St|Sov|No|Nos|Gen|Adm|Col|Lt|Capt|etc|e\.g|i\.e|vs|cf))$")
SENTENCE_END = re.compile(r"[.;?!](?=[\"'\u201d)]*\s+[\"'\u201c(]?[A-Z0-9])")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (abbreviations and initials do not end one)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in SENTENCE_END.finditer(text):
        if m.group() == "." and ABBREV.search(text[max(start, m.start() - 12) : m.start() + 1]):
            continue
        if text[start : m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans]
