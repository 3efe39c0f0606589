"""The search query language, parsed once and rendered for each engine.

Users write what the README documents: words, "quoted phrases", ``prefix*``,
``AND`` / ``OR`` / ``NOT`` (``-word`` too), parentheses and
``NEAR(a b, 10)``.  A word with punctuation inside it (``Sino-Soviet``,
``U.S.``, ``25X1``) is a phrase of its tokens.  Parsing here rather than
handing the text to an engine keeps one language whichever engine answers
(SQLite FTS5, the tantivy index, PostgreSQL: `store.pgsearch`), so a
fallback from one engine to another never changes what a query means.

Precedence follows FTS5: ``NOT`` binds tighter than ``AND`` (also implicit,
between adjacent terms), which binds tighter than ``OR``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from declass.errors import UsageError

FOOTNOTE_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉"
"""Footnote marks separate words in every engine: "Eisenhower¹" is found by "Eisenhower"."""
WORD = re.compile(rf"[^\W{FOOTNOTE_DIGITS}]+")


@dataclass(frozen=True, slots=True)
class Term:
    """Words that must appear in this order (one word is a phrase of one)."""

    text: str
    prefix: bool = False

    @property
    def words(self) -> list[str]:
        return WORD.findall(self.text)


@dataclass(frozen=True, slots=True)
class Near:
    terms: tuple[Term, ...]
    distance: int = 10


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    keep: Node
    drop: Node


Node = Term | Near | And | Or | Not

_TOKEN = re.compile(r'\s+|"(?P<quoted>[^"]*)"?(?P<qstar>\*)?|(?P<paren>[()])|(?P<word>[^\s"()]+)')
_NEAR = re.compile(r"NEAR\(([^()]*)\)")
_KEYWORDS = {"AND", "OR", "NOT"}
MAX_DEPTH = 40
"""Groups may nest this deep: every engine then parses the rendered query (FTS5's
parser overflows at 97 levels of brackets) and no parser recursion runs away."""
MAX_NEAR = 2**31 - 1
"""The largest NEAR distance FTS5 reads; a larger one answers nothing, so it is read as
this (no block has two billion words: the meaning, "anywhere in the block", is kept)."""
_DISTANCE = re.compile(r"\s*([0-9]+)\s*")


def _tokens(query: str) -> list[tuple[str, str]]:
    """(kind, value) pairs: term, prefix, op, paren, neg-term, neg-prefix, near."""
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(query):
        near = _NEAR.match(query, pos)
        if near:
            out.append(("near", near.group(1)))
            pos = near.end()
            continue
        m = _TOKEN.match(query, pos)
        assert m is not None  # the alternatives cover every character
        pos = m.end()
        if m.group("quoted") is not None:
            out.append(("prefix" if m.group("qstar") else "term", m.group("quoted")))
        elif m.group("paren"):
            out.append(("paren", m.group("paren")))
        elif word := m.group("word"):
            if word in _KEYWORDS:
                out.append(("op", word))
                continue
            neg = word.startswith("-") and len(word) > 1
            word = word.lstrip("-") if neg else word
            kind = "prefix" if word.endswith("*") else "term"
            out.append((("neg-" if neg else "") + kind, word.rstrip("*")))
    return out


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = _tokens(query)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, why: str) -> UsageError:
        shown = self.query if len(self.query) <= 80 else self.query[:79] + "…"
        return UsageError("E403", f"{shown!r}: {why}")

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        if node is None:
            raise self.fail("nothing to search for (give a word or a phrase)")
        if depth(node) > MAX_DEPTH:
            raise self.fail(f"it is nested more than {MAX_DEPTH} levels deep")
        return node

    def or_expr(self) -> Node | None:
        parts = [p for p in [self.and_expr()] if p is not None]
        while self.peek() == ("op", "OR"):
            self.take()
            part = self.and_expr()
            if part is not None:
                parts.append(part)
        return None if not parts else parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node | None:
        keep: list[Node] = []
        drop: list[Node] = []
        while (tok := self.peek()) is not None and tok != ("op", "OR") and tok != ("paren", ")"):
            if tok == ("op", "AND"):
                self.take()
                continue
            if tok[0].startswith("neg-"):
                self.take()
                term = _term(tok[0][4:], tok[1])
                if term is not None:
                    drop.append(term)
                continue
            node = self.not_expr()
            if node is not None:
                keep.append(node)
        if not keep:
            if drop:
                raise self.fail("a query cannot only exclude words")
            return None
        node = keep[0] if len(keep) == 1 else And(tuple(keep))
        return Not(node, _any(drop)) if drop else node

    def not_expr(self) -> Node | None:
        node = self.primary()
        drops: list[Node] = []
        while self.peek() == ("op", "NOT"):
            self.take()
            drop = self.primary()
            if node is None:
                raise self.fail("NOT needs something before it")
            if drop is not None:
                drops.append(drop)
        # a NOT b NOT c is a NOT (b OR c): one level, however many words are excluded
        return Not(node, _any(drops)) if node is not None and drops else node

    def primary(self) -> Node | None:
        if self.peek() is None:
            raise self.fail("the query ends too early")
        kind, value = self.take()
        if kind == "paren" and value == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail(f"parentheses nested more than {MAX_DEPTH} deep")
            node = self.or_expr()
            if self.peek() != ("paren", ")"):
                raise self.fail("a parenthesis is not closed")
            self.take()
            self.depth -= 1
            return node
        if kind in ("term", "prefix"):
            return _term(kind, value)
        if kind == "near":
            return self.near(value)
        raise self.fail(f"unexpected {value!r}")

    def near(self, inside: str) -> Node | None:
        body, _, dist = inside.rpartition(",")
        digits = _DISTANCE.fullmatch(dist)
        if not body or digits is None:
            body, distance = inside, 10
        else:  # ASCII digits only ("²" is a digit to str.isdigit but not to int)
            number = digits.group(1).lstrip("0") or "0"
            distance = MAX_NEAR if len(number) > 10 else min(int(number), MAX_NEAR)
        terms = tuple(t for k, v in _tokens(body) if k in ("term", "prefix") and (t := _term(k, v)) is not None)
        if len(terms) < 2:
            return terms[0] if terms else None
        return Near(terms, distance)


def _any(nodes: list[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


def depth(node: Node) -> int:
    """How deeply ``node`` nests groups (counted without recursion: any tree may be asked)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(n, (And, Or)):
            stack.extend((p, d + 1) for p in n.parts)
        elif isinstance(n, Not):
            stack += [(n.keep, d + 1), (n.drop, d + 1)]
        elif isinstance(n, Near):
            stack.extend((t, d + 1) for t in n.terms)
    return deepest


def _term(kind: str, text: str) -> Term | None:
    """A term, or None for text without a word in it (it cannot match anything)."""
    if not WORD.search(text):
        return None
    return Term(text, prefix=kind == "prefix")


def parse(query: str) -> Node:
    """The query as a tree; UsageError E403 if it cannot be one."""
    return _Parser(query).parse()


FTS5_LONGEST_STEMMED = 64
"""FTS5's porter tokenizer leaves words over 64 bytes unstemmed (fts5_tokenize.c,
FTS5_PORTER_MAX_TOKEN); tantivy stems them.  Queries with such words go to FTS5."""


def fts5_only(node: Node) -> bool:
    """Whether only FTS5 answers ``node`` as the query language means it: NEAR,
    or a word longer than FTS5 stems (the engines index such words differently)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Near):
            return True
        if isinstance(n, Term):
            if any(len(_fold(w).encode()) > FTS5_LONGEST_STEMMED for w in n.words):
                return True
        elif isinstance(n, (And, Or)):
            stack.extend(n.parts)
        elif isinstance(n, Not):
            stack += [n.keep, n.drop]
    return False


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def has_near(node: Node) -> bool:
    if isinstance(node, Near):
        return True
    if isinstance(node, (And, Or)):
        return any(has_near(p) for p in node.parts)
    if isinstance(node, Not):
        return has_near(node.keep) or has_near(node.drop)
    return False


def to_fts5(node: Node) -> str:
    """The tree in SQLite FTS5 syntax: every term quoted, every group bracketed."""
    if isinstance(node, Term):
        return '"' + " ".join(node.words) + '"' + ("*" if node.prefix else "")
    if isinstance(node, Near):
        return f"NEAR({' '.join(to_fts5(t) for t in node.terms)}, {node.distance})"
    if isinstance(node, And):
        return "(" + " AND ".join(to_fts5(p) for p in node.parts) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(p) for p in node.parts) + ")"
    return f"({to_fts5(node.keep)} NOT {to_fts5(node.drop)})"
