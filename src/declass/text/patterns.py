"""Help for patterns that a stage runs over every block, written so Python's regex engine scans fast.

The engine looks for a pattern's literal or character-class prefix and skips to it at C speed; a
pattern that opens with an assertion (``\\b``, a lookbehind) or a case-blind alternation has none,
and its matcher is entered at every position.  Patterns whose matches open with a capital or a mark
are written with that character first (`declass.text.personal_names.NAME_WORD`); a case-blind
alternation opens with `first_letters`, so a position that cannot begin a match fails at once."""

from __future__ import annotations

from collections.abc import Iterable


def first_letters(alternatives: Iterable[str]) -> str:
    """A lookahead for the letters ``alternatives`` (regex fragments, each opening with a literal
    letter) begin with: ``("over", "during")`` gives ``(?=[do])``.  Worked out from the same
    fragments the alternation is built of, so the two cannot drift apart."""
    letters = set()
    for alt in alternatives:
        if not alt[:1].isalpha():
            raise ValueError(f"an alternative must open with a letter: {alt!r}")
        letters.add(alt[0].lower())
    return f"(?=[{''.join(sorted(letters))}])"
