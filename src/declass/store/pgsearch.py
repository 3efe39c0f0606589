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
``tsquery`` form: the index finds the blocks that could match (NEAR read as
AND, and as nothing where it is excluded), and ``declass_near`` checks
FTS5's rule on the positions their ``tsvector`` keeps.

A ``tsvector`` keeps positions up to 16,383 and 255 positions of a word, and no
word longer than 2,046 bytes: a phrase or NEAR past those bounds in a block of
that size is not found here (FTS5 has no such bounds).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from declass.store.base import Hit
from declass.store.query import And, Near, Node, Not, Or, Term
from declass.store.textindex import prefix_stem, words
from declass.store.tsvector import quote as _quote
from declass.store.tsvector import tsvector

CONFIG = "declass"
OPEN, CLOSE = "\x02", "\x03"

NEAR_FUNCTION = """
CREATE FUNCTION declass_near(v tsvector, term int[], off int[], lex text[], pre boolean[], len int[],
                             distance bigint) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH w AS (SELECT * FROM unnest(term, off, lex, pre) AS w(t, o, lex, pre)),
  need AS (SELECT t, count(*) AS n FROM w GROUP BY t),
  tok AS (SELECT w.t, w.o, p FROM w JOIN unnest(v) u ON u.lexeme = w.lex OR (w.pre AND starts_with(u.lexeme, w.lex))
          CROSS JOIN LATERAL unnest(u.positions) AS p),
  st AS (SELECT k.t, k.p - k.o AS s FROM tok k GROUP BY k.t, k.p - k.o
         HAVING count(DISTINCT k.o) = (SELECT n FROM need WHERE need.t = k.t))
  SELECT EXISTS (SELECT 1 FROM st m WHERE (SELECT count(DISTINCT x.t) FROM st x
                 WHERE x.s BETWEEN m.s::bigint - len[x.t] - distance AND m.s) = (SELECT count(*) FROM need))
$$;
"""
"""``declass_near(tsv, ...)``: whether a block holds one instance of each phrase such
that, from the end of each to the start of the last to begin, no more than
``distance`` words lie between (fts5_expr.c, fts5ExprNearIsMatch).  A phrase is
its words at consecutive positions; ``pre`` marks a prefix (the last word of a
prefix term)."""


SCHEMA = f"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH DICTIONARY declass_english (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION {CONFIG} (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION {CONFIG} ADD MAPPING FOR asciiword, word, numword, hword_asciipart, hword_part,
    hword_numpart, uint, int, float, sfloat, version WITH unaccent, declass_english;
{NEAR_FUNCTION}
DROP INDEX IF EXISTS blocks_tsv;
ALTER TABLE blocks DROP COLUMN tsv;
ALTER TABLE blocks ADD COLUMN tsv TSVECTOR NOT NULL DEFAULT '';
"""
"""The search schema (a migration of the PostgreSQL store; `backfill` then fills
``tsv`` and builds its index): a hyphenated word's parts are mapped, the word
whole is not, so the parts of ``Sino-Soviet`` stand next to each other."""

INDEX = "CREATE INDEX IF NOT EXISTS blocks_tsv ON blocks USING GIN (tsv) WITH (fastupdate = off)"

SESSION = "SET synchronize_seqscans = off; SET plan_cache_mode = force_custom_plan"
"""Run on connecting: a scan of the blocks starts at the first (another scan running
must not change which blocks are "the first" the bounded ranking orders), and every
search is planned for its own words (psycopg prepares a statement run five times,
and a plan made without the ``tsquery`` reads every match of a common word)."""
RANK_CANDIDATES = 1_000
"""Matching blocks ``ts_rank`` orders at most (bounded ranking: see `search`)."""
RANK_NORMALIZATION = 1
"""``ts_rank`` divides by 1 + the log of a block's length: a long block does not win
by length alone (the embedded engines' BM25 weighs length too)."""
HEADLINE_CHARS = 4_000
NEAR_SPELLED = 400
"""A NEAR of single words is also checked as ``tsquery`` distances (`distances`) while
that takes at most this many ``<k>`` alternatives."""

Read = Callable[[str, Sequence[Any]], list[dict[str, Any]]]


# -- the blocks' tsvectors --------------------------------------------------------------------


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
    """A query every block matching ``node`` matches, for the index: NEAR stays (its
    ``tsquery`` is looser than it, see `to_tsquery`), and an excluded NEAR excludes
    nothing (it reads as None, "matches nothing", which the groups around it carry
    up to the exclusion)."""
    if isinstance(node, Term):
        return node
    if isinstance(node, Near):
        return node if positive else None  # rendered as a tsquery that every match matches
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


def positive(node: Node) -> Node:
    """The tree without its exclusions, NEAR read as AND: what ranks a block and is
    marked in its snippet (``ts_rank`` scores an excluding query 0 for every block)."""
    if isinstance(node, Term):
        return node
    if isinstance(node, Near):
        return And(node.terms)
    if isinstance(node, Not):
        return positive(node.keep)
    parts = tuple(positive(p) for p in node.parts)
    return And(parts) if isinstance(node, And) else Or(parts)


def to_tsquery(node: Node, lex: Lexemes) -> str:
    """The tree (simplified) as ``tsquery`` text: lexemes quoted, a phrase joined by
    ``<->``, a prefix marked ``:*``, every group bracketed; a NEAR group as the AND
    of its terms (what the index can narrow down; `condition` checks the rest)."""
    if isinstance(node, Term):
        words = [_quote(w) for w in lex[node]]
        if node.prefix:
            words[-1] += ":*"
        return words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")"
    if isinstance(node, Not):
        return f"({to_tsquery(node.keep, lex)} & !{to_tsquery(node.drop, lex)})"
    if isinstance(node, Near):  # every block it matches holds all its terms
        return "(" + " & ".join(to_tsquery(t, lex) for t in node.terms) + ")"
    op = " & " if isinstance(node, And) else " | "
    return "(" + op.join(to_tsquery(p, lex) for p in node.parts) + ")"


def distances(node: Near, lex: Lexemes) -> str | None:
    """NEAR of single words spelled out as ``tsquery`` distances: each pair of words within
    ``distance + 1`` positions of each other (``a <k> b`` or ``b <k> a``), exact for two
    words, necessary for more; None past `NEAR_SPELLED` alternatives, for phrases, or
    when the words are one word (``NEAR(a a)`` is ``a``)."""
    if not _spellable(node, lex):
        return None
    words = [to_tsquery(t, lex) for t in node.terms]
    pairs = []
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if a != b:
                spelled = [f"{a} <{k}> {b}" for k in range(node.distance + 2)]
                spelled += [f"{b} <{k}> {a}" for k in range(1, node.distance + 2)]
                pairs.append("(" + " | ".join(spelled) + ")")
    return " & ".join(pairs) or None


# -- NEAR: FTS5's rule, checked in SQL on a block's positions --------------------------------

def _near(node: Near, lex: Lexemes) -> tuple[str, list[Any]]:
    term, off, words_, pre, lengths = [], [], [], [], []
    for i, t in enumerate(node.terms, start=1):
        found = lex[t]
        lengths.append(len(found))
        for o, w in enumerate(found):
            term.append(i)
            off.append(o)
            words_.append(w)
            pre.append(t.prefix and o == len(found) - 1)
    return ("declass_near(b.tsv, %s::int[], %s::int[], %s::text[], %s::boolean[], %s::int[], %s)",
            [term, off, words_, pre, lengths, node.distance])


def _spellable(node: Near, lex: Lexemes) -> bool:
    pairs = len(node.terms) * (len(node.terms) - 1) // 2
    return all(len(lex[t]) == 1 for t in node.terms) and pairs * (2 * node.distance + 3) <= NEAR_SPELLED


def has_near(node: Node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Near):
            return True
        if isinstance(n, (And, Or)):
            stack.extend(n.parts)
        elif isinstance(n, Not):
            stack += [n.keep, n.drop]
    return False


def condition(node: Node, lex: Lexemes) -> tuple[str, list[Any]]:
    """The tree (simplified) as a SQL condition on a block's ``b.tsv``: a part without
    NEAR is one ``tsquery``; a NEAR group its `distances` (``ts_match_vq``, the ``@@``
    function, which the planner does not hand to the index: a GIN scan of hundreds of
    alternatives is slow, checking one block's positions is not) and, unless they are
    exact, ``declass_near``."""
    if not has_near(node):
        return "b.tsv @@ %s::tsquery", [to_tsquery(node, lex)]
    if isinstance(node, Near):
        spelled = distances(node, lex)
        if spelled is None and _spellable(node, lex):  # one word twice: NEAR(a a) is a
            return "b.tsv @@ %s::tsquery", [to_tsquery(node, lex)]
        exact = len(node.terms) == 2 and spelled is not None
        near_sql, near_params = ("TRUE", []) if exact else _near(node, lex)
        if spelled is None:
            return near_sql, near_params
        return f"(ts_match_vq(b.tsv, %s::tsquery) AND {near_sql})", [spelled, *near_params]
    if isinstance(node, Not):
        (keep, p1), (drop, p2) = condition(node.keep, lex), condition(node.drop, lex)
        return f"({keep} AND NOT {drop})", p1 + p2
    assert isinstance(node, (And, Or))
    parts = [condition(p, lex) for p in node.parts]
    op = " AND " if isinstance(node, And) else " OR "
    return "(" + op.join(sql for sql, _ in parts) + ")", [x for _, ps in parts for x in ps]


# -- searching ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """A query ready for PostgreSQL: the ``tsquery`` the index answers (NEAR read as
    AND) and, for a query with NEAR, the exact condition on the candidates."""

    tsquery: str
    exact: tuple[str, list[Any]] | None
    rank: str


def plan(node: Node) -> Plan | None:
    """``node`` for PostgreSQL, or None when nothing can match it."""
    lex = lexemes(node)
    tree = simplify(node, lex)
    if tree is None:
        return None
    rank = to_tsquery(positive(tree), lex)
    if not has_near(tree):
        return Plan(to_tsquery(tree, lex), None, rank)
    loose = relax(tree)
    assert loose is not None  # None arises only inside an exclusion
    return Plan(to_tsquery(loose, lex), condition(tree, lex), rank)


def search(read: Read, node: Node, *, limit: int, filters: tuple[list[str], list[Any]] = ([], [])) -> list[Hit]:
    """Blocks matching ``node``, best first, with highlighted snippets; ``read`` runs a
    query (the store's, which turns errors into StoreError); ``filters``: the store's
    conditions on blocks ``b`` (one document's, those naming an entity) in ``%s`` form.

    Ranking is bounded: ``ts_rank`` orders the first `RANK_CANDIDATES` matching
    blocks in storage order (all of them when fewer match), so a common word
    costs what a rare one does; the store's connection runs `SESSION`, so the
    same archive gives the same answer."""
    p = plan(node)
    if p is None or limit <= 0:
        return []
    where: list[str] = ["b.tsv @@ %s::tsquery"]
    params: list[Any] = [p.rank, p.tsquery]
    if p.exact is not None:
        where.append(p.exact[0])
        params += p.exact[1]
    where += filters[0]
    params += filters[1]
    rows = read(
        f"SELECT c.rowid, c.rank FROM (SELECT b.rowid, b.doc_id, b.seq, ts_rank(b.tsv, r, {RANK_NORMALIZATION})"
        f" AS rank FROM blocks b, (SELECT %s::tsquery AS r) tq WHERE {' AND '.join(where)} LIMIT %s) c"
        " ORDER BY c.rank DESC, (SELECT d.date FROM documents d WHERE d.id = c.doc_id), c.doc_id, c.seq LIMIT %s",
        [*params, max(RANK_CANDIDATES, limit), limit])
    return _hits(read, [(r["rowid"], r["rank"]) for r in rows], p.rank)


def _hits(read: Read, found: list[tuple[int, float]], tsquery: str) -> list[Hit]:
    """The hits, in ``found``'s order, each with a snippet around its matches: cut
    from the block's first `HEADLINE_CHARS` characters (``ts_headline`` reads all
    it is given), or from all of it when no match lies in them."""
    if not found:
        return []
    marks = f"'StartSel={OPEN}, StopSel={CLOSE}, MaxWords=30, MinWords=12, ShortWord=2'"
    rows = read(
        'SELECT b.rowid, b.doc_id, b.label, b.kind, b.page, b.start, b."end", d.title, d.doc_number,'
        f" length(b.text) > %s AS cut, ts_headline('{CONFIG}', left(b.text, %s), q, {marks}) AS snip"
        " FROM blocks b JOIN documents d ON d.id = b.doc_id, (SELECT %s::tsquery AS q) tq"
        " WHERE b.rowid = ANY(%s::bigint[])",
        [HEADLINE_CHARS, HEADLINE_CHARS, tsquery, [rowid for rowid, _ in found]])
    by_id = {r["rowid"]: r for r in rows}
    missed = [r["rowid"] for r in rows if r["cut"] and OPEN not in r["snip"]]
    if missed:
        for r in read(f"SELECT b.rowid, ts_headline('{CONFIG}', b.text, %s::tsquery, {marks}) AS snip"
                      " FROM blocks b WHERE b.rowid = ANY(%s::bigint[])", [tsquery, missed]):
            by_id[r["rowid"]]["snip"] = r["snip"]
    return [Hit.from_marked(h["doc_id"], h["label"], h["kind"], h["page"], h["start"], h["end"], h["snip"],
                            float(rank), h["title"], h["doc_number"], OPEN, CLOSE)
            for rowid, rank in found if (h := by_id.get(rowid)) is not None]
