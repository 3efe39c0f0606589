"""Full-text search in the PostgreSQL store, answering as the tantivy index does.

PostgreSQL's own text parser does not split words as the embedded engines do
(``Sino-Soviet`` is three lexemes to it, ``1953-11-04`` holds negative
numbers, ``<b>`` is an HTML tag and dropped, ``Eisenhower¹`` depends on the
locale), and its ``english`` configuration drops stop words ("not" and "will"
could not be found).  So the store writes each block's ``tsvector`` itself,
from the words the tantivy index holds (`textindex.words`: footnote digits
blanked, folded, stemmed with Snowball English, no stop list), and a query's
terms are turned into lexemes by the same function.  PostgreSQL then answers
exactly as tantivy does, and as FTS5 does but for Porter's few differences
from Snowball.  The ``declass`` text search configuration (accents folded,
the same stemmer, no stop list) only marks the matches in snippets.

A term with no word in it matches nothing, as in FTS5.  ``NEAR`` has no
``tsquery`` form: the blocks that could match (NEAR read as AND, and as
nothing where it is excluded) are found and ranked by the index, then checked
one by one against FTS5's rule on the positions the ``tsvector`` keeps.

A ``tsvector`` keeps positions up to 16,383 and 255 positions of a word, and no
word longer than 2,046 bytes: a phrase or NEAR past those bounds in a block of
that size is not found here (FTS5 has no such bounds).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from declass.store.base import Hit
from declass.store.query import And, Near, Node, Not, Or, Term
from declass.store.textindex import prefix_stem, words

CONFIG = "declass"
OPEN, CLOSE = "\x02", "\x03"

SCHEMA = f"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH DICTIONARY declass_english (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION {CONFIG} (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION {CONFIG} ADD MAPPING FOR asciiword, word, numword, hword_asciipart, hword_part,
    hword_numpart, uint, int, float, sfloat, version WITH unaccent, declass_english;
DROP INDEX IF EXISTS blocks_tsv;
ALTER TABLE blocks DROP COLUMN tsv;
ALTER TABLE blocks ADD COLUMN tsv TSVECTOR NOT NULL DEFAULT '';
"""
"""The search schema (a migration of the PostgreSQL store; `backfill` then fills
``tsv`` and builds its index): a hyphenated word's parts are mapped, the word
whole is not, so the parts of ``Sino-Soviet`` stand next to each other."""

INDEX = "CREATE INDEX IF NOT EXISTS blocks_tsv ON blocks USING GIN (tsv) WITH (fastupdate = off)"

MAX_POSITION = 16_383  # PostgreSQL's bounds on a tsvector
MAX_POSITIONS = 255
MAX_LEXEME = 2_046
MAX_STRING = 1_000_000  # bytes of lexemes and positions, under PostgreSQL's 1 MB
NEAR_BATCH = 500
"""Candidates checked per round when a query has NEAR in it."""

Read = Callable[[str, Sequence[Any]], list[dict[str, Any]]]


# -- the text as a tsvector ----------------------------------------------------------------------


def tsvector(text: str) -> str:
    """``text`` as a ``tsvector`` literal: the index's words at their positions (from 1)."""
    spots: dict[str, list[int]] = {}
    size = 0
    for i, word in enumerate(words(text), start=1):
        found = spots.get(word)
        if found is None:
            n = len(word.encode())
            if n > MAX_LEXEME or size + n + 4 > MAX_STRING:
                continue
            size += n + 4
            found = spots[word] = []
        pos = min(i, MAX_POSITION)
        if len(found) < MAX_POSITIONS and (not found or found[-1] != pos):
            found.append(pos)
            size += 2
    return " ".join(f"{_quote(w)}:{','.join(map(str, ps))}" for w, ps in spots.items())


def with_tsvectors(rows: Iterable[Sequence[Any]], text_column: int) -> list[tuple[Any, ...]]:
    """Block rows with their ``tsvector`` literal appended."""
    return [(*r, tsvector(r[text_column] or "")) for r in rows]


def backfill(db: Any, batch: int = 5_000) -> int:
    """Write ``tsv`` for every block (after `SCHEMA`), then index it; returns the blocks done."""
    done, last = 0, 0
    while True:
        rows = db.execute("SELECT rowid, text FROM blocks WHERE rowid > %s ORDER BY rowid LIMIT %s",
                          (last, batch)).fetchall()
        if not rows:
            break
        with db.cursor() as cur:
            cur.executemany("UPDATE blocks SET tsv = %s::tsvector WHERE rowid = %s",
                            [(tsvector(r["text"]), r["rowid"]) for r in rows])
        done += len(rows)
        last = rows[-1]["rowid"]
    db.execute(INDEX)
    return done


# -- the query as tsquery text ------------------------------------------------------------

Lexemes = dict[Term, tuple[str, ...]]


def terms(node: Node) -> list[Term]:
    """Every term in the tree, once each, in order."""
    out: dict[Term, None] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Term):
            out[n] = None
        elif isinstance(n, Near):
            stack.extend(reversed(n.terms))
        elif isinstance(n, (And, Or)):
            stack.extend(reversed(n.parts))
        else:
            stack += [n.drop, n.keep]
    return list(out)


def lexemes(node: Node) -> Lexemes:
    """Each term's words as the index holds them, in order (a prefix's last word
    as the index matches a prefix)."""
    out: Lexemes = {}
    for t in terms(node):
        found = words(" ".join(t.words))
        if t.prefix and len(t.words) == 1:
            found = [prefix_stem(t.words[0])]
        out[t] = tuple(found)
    return out


def simplify(node: Node, lex: Lexemes) -> Node | None:
    """The tree without what cannot match (None if nothing can): a term with no
    indexed word matches nothing; inside NEAR it is left out, as FTS5 does."""
    if isinstance(node, Term):
        return node if lex[node] else None
    if isinstance(node, Near):
        kept = tuple(t for t in node.terms if lex[t])
        return None if not kept else kept[0] if len(kept) == 1 else Near(kept, node.distance)
    if isinstance(node, Not):
        keep = simplify(node.keep, lex)
        drop = simplify(node.drop, lex)
        return None if keep is None else keep if drop is None else Not(keep, drop)
    parts = [simplify(p, lex) for p in node.parts]
    if isinstance(node, And):
        if any(p is None for p in parts):
            return None
        return parts[0] if len(parts) == 1 else And(tuple(p for p in parts if p is not None))
    kept_parts = tuple(p for p in parts if p is not None)
    return None if not kept_parts else kept_parts[0] if len(kept_parts) == 1 else Or(kept_parts)


def relax(node: Node, positive: bool = True) -> Node | None:
    """A query every block matching ``node`` matches, without NEAR: NEAR becomes
    AND, and an excluded NEAR excludes nothing (it reads as None, "matches
    nothing", which the groups around it carry up to the exclusion)."""
    if isinstance(node, Term):
        return node
    if isinstance(node, Near):
        return And(node.terms) if positive else None
    if isinstance(node, Not):
        keep, drop = relax(node.keep, positive), relax(node.drop, not positive)
        if keep is None:
            return None
        return keep if drop is None else Not(keep, drop)
    # None (only ever met inside an exclusion) reads as "matches nothing" there
    parts = [relax(p, positive) for p in node.parts]
    if isinstance(node, And):
        return None if any(p is None for p in parts) else And(tuple(p for p in parts if p is not None))
    kept = tuple(p for p in parts if p is not None)
    return None if not kept else kept[0] if len(kept) == 1 else Or(kept)


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def to_tsquery(node: Node, lex: Lexemes) -> str:
    """The tree (simplified, without NEAR) as ``tsquery`` text: lexemes quoted,
    a phrase joined by ``<->``, a prefix marked ``:*``, every group bracketed."""
    if isinstance(node, Term):
        words = [_quote(w) for w in lex[node]]
        if node.prefix:
            words[-1] += ":*"
        return words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")"
    if isinstance(node, Not):
        return f"({to_tsquery(node.keep, lex)} & !{to_tsquery(node.drop, lex)})"
    if isinstance(node, Near):
        raise ValueError("NEAR has no tsquery form: relax() the tree first")
    op = " & " if isinstance(node, And) else " | "
    return "(" + op.join(to_tsquery(p, lex) for p in node.parts) + ")"


# -- NEAR, checked on a block's positions ----------------------------------------------------


Positions = dict[str, list[int]]


def starts(term: Term, lex: Lexemes, pos: Positions) -> list[int]:
    """Where ``term`` begins in a block (its lexemes at consecutive positions)."""
    words = lex[term]

    def at(i: int) -> set[int]:
        if term.prefix and i == len(words) - 1:
            return {p for w, ps in pos.items() if w.startswith(words[i]) for p in ps}
        return set(pos.get(words[i], ()))

    found = at(0)
    for i in range(1, len(words)):
        found &= {p - i for p in at(i)}
    return sorted(found)


def near(spots: Sequence[Sequence[int]], lengths: Sequence[int], distance: int) -> bool:
    """FTS5's NEAR: one instance of each phrase such that, from the end of each to the
    start of the last to begin, no more than ``distance`` tokens lie between."""
    for last in sorted({s for found in spots for s in found}):
        for found, n in zip(spots, lengths, strict=True):
            i = bisect.bisect_left(found, last - n - distance)
            if i == len(found) or found[i] > last:
                break
        else:
            return True
    return False


def matches(node: Node, lex: Lexemes, pos: Positions) -> bool:
    """Whether a block with these positions matches ``node`` (simplified)."""
    if isinstance(node, Term):
        return bool(starts(node, lex, pos))
    if isinstance(node, Near):
        return near([starts(t, lex, pos) for t in node.terms], [len(lex[t]) for t in node.terms], node.distance)
    if isinstance(node, Not):
        return matches(node.keep, lex, pos) and not matches(node.drop, lex, pos)
    if isinstance(node, And):
        return all(matches(p, lex, pos) for p in node.parts)
    return any(matches(p, lex, pos) for p in node.parts)


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# -- searching ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """A query ready for PostgreSQL: the ``tsquery`` that finds the candidates, and
    the tree to check them against when it has NEAR in it (else None)."""

    tsquery: str
    check: Node | None
    lex: Lexemes


def plan(node: Node) -> Plan | None:
    """``node`` for PostgreSQL, or None when nothing can match it."""
    lex = lexemes(node)
    tree = simplify(node, lex)
    if tree is None:
        return None
    loose = relax(tree)
    assert loose is not None  # None arises only inside an exclusion
    return Plan(to_tsquery(loose, lex), tree if loose != tree else None, lex)


def search(read: Read, node: Node, *, limit: int,
           doc_id: str | None, entity_ids: Sequence[str]) -> list[Hit]:
    """Blocks matching ``node``, best first (``ts_rank``), with highlighted snippets;
    ``read`` runs a query (the store's, which turns errors into StoreError)."""
    p = plan(node)
    if p is None or limit <= 0:
        return []
    where, params = ["b.tsv @@ q"], [p.tsquery]
    if doc_id:
        where.append("b.doc_id = %s")
        params.append(doc_id)
    if entity_ids:
        where.append("EXISTS (SELECT 1 FROM mentions m WHERE m.doc_id = b.doc_id AND m.block = b.label"
                     " AND (m.entity_id = ANY(%s) OR m.named_id = ANY(%s)))")
        params += [list(entity_ids), list(entity_ids)]
    ranked = ("SELECT b.rowid, ts_rank(b.tsv, q) AS rank FROM blocks b JOIN documents d ON d.id = b.doc_id,"
              f" (SELECT %s::tsquery AS q) tq WHERE {' AND '.join(where)}"
              " ORDER BY rank DESC, d.date, b.doc_id, b.seq LIMIT %s OFFSET %s")
    if p.check is None:
        found = [(r["rowid"], r["rank"]) for r in read(ranked, [*params, limit, 0])]
    else:
        found = _checked(read, ranked, params, p, limit)
    return _hits(read, found, p.tsquery)


def _checked(read: Read, ranked: str, params: list[Any],
             p: Plan, limit: int) -> list[tuple[int, float]]:
    """The first ``limit`` candidates, in rank order, that satisfy the NEAR conditions."""
    assert p.check is not None
    needed = sorted({w for t in terms(p.check) for w in p.lex[t]})
    prefixes = sorted({_like(p.lex[t][-1]) for t in terms(p.check) if t.prefix})
    out: list[tuple[int, float]] = []
    offset = 0
    while len(out) < limit:
        batch = read(ranked, [*params, NEAR_BATCH, offset])
        offset += NEAR_BATCH
        pos: dict[int, Positions] = {r["rowid"]: {} for r in batch}
        for r in read("SELECT b.rowid, u.lexeme, u.positions FROM blocks b, unnest(b.tsv) u WHERE"
                      " b.rowid = ANY(%s::bigint[]) AND (u.lexeme = ANY(%s::text[]) OR u.lexeme LIKE ANY(%s::text[]))",
                      [list(pos), needed, prefixes]):
            pos[r["rowid"]][r["lexeme"]] = sorted(r["positions"])
        out += [(r["rowid"], r["rank"]) for r in batch if matches(p.check, p.lex, pos[r["rowid"]])]
        if len(batch) < NEAR_BATCH:
            break
    return out[:limit]


def _hits(read: Read, found: list[tuple[int, float]],
          tsquery: str) -> list[Hit]:
    if not found:
        return []
    rows = read(
        'SELECT b.rowid, b.doc_id, b.label, b.kind, b.page, b.start, b."end", d.title, d.doc_number,'
        f" ts_headline('{CONFIG}', b.text, %s::tsquery, 'StartSel={OPEN}, StopSel={CLOSE}, MaxWords=30,"
        " MinWords=12, ShortWord=2') AS snip FROM blocks b JOIN documents d ON d.id = b.doc_id"
        " WHERE b.rowid = ANY(%s::bigint[])", [tsquery, [rowid for rowid, _ in found]])
    by_id = {r["rowid"]: r for r in rows}
    return [Hit.from_marked(r["doc_id"], r["label"], r["kind"], r["page"], r["start"], r["end"], r["snip"],
                            float(rank), r["title"], r["doc_number"], OPEN, CLOSE)
            for rowid, rank in found if (r := by_id.get(rowid)) is not None]
