"""Each block's words as a PostgreSQL ``tsvector`` literal, written by the store itself.

The words are the tantivy index's (`textindex.words`: footnote digits blanked, folded,
stemmed with Snowball English, no stop list), so PostgreSQL answers as the embedded
engines do (see `pgsearch`).  Worked out where a document is parsed, for the writer only
to write: this module needs neither the search nor the store's types.
"""

from __future__ import annotations

from declass.store.textindex import words

MAX_POSITION = 16_383  # PostgreSQL's bounds on a tsvector
MAX_POSITIONS = 255
MAX_LEXEME = 2_046
MAX_STRING = 1_000_000  # bytes of lexemes and positions, under PostgreSQL's 1 MB


def quote(lexeme: str) -> str:
    """A lexeme as a quoted ``tsvector`` / ``tsquery`` literal."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(text: str) -> str:
    """``text`` as a ``tsvector`` literal: the index's words at their positions (from 1)."""
    found = words(text)
    if len(found) > MAX_POSITIONS or len(text) > MAX_STRING // 8:
        return _bounded(found)
    spots: dict[str, list[int]] = {}
    for i, word in enumerate(found, start=1):
        if (at := spots.get(word)) is None:
            spots[word] = [i]
        else:
            at.append(i)
    spell = quote if "'" in text or "\\" in text else _plain
    return " ".join(spell(w) + ":" + ",".join(map(str, ps)) for w, ps in spots.items()
                    if len(w) * 4 <= MAX_LEXEME or len(w.encode()) <= MAX_LEXEME)


def _bounded(found: list[str]) -> str:
    """A long block's ``tsvector``, kept within PostgreSQL's bounds (the slow path)."""
    spots: dict[str, list[int]] = {}
    size = 0
    for i, word in enumerate(found, start=1):
        at = spots.get(word)
        if at is None:
            n = len(word.encode())
            if n > MAX_LEXEME or size + n + 4 > MAX_STRING:
                continue
            size += n + 4
            at = spots[word] = []
        pos = min(i, MAX_POSITION)
        if len(at) < MAX_POSITIONS and (not at or at[-1] != pos):
            at.append(pos)
            size += 2
    return " ".join(f"{quote(w)}:{','.join(map(str, ps))}" for w, ps in spots.items())


def _plain(word: str) -> str:
    return "'" + word + "'"
