"""The search query language: one parse, rendered for FTS5 and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import declass
from declass.errors import UsageError
from declass.store import SQLiteStore, pgsearch
from declass.store.postgres import PostgresStore
from declass.store.query import And, Near, Node, Not, Or, Term, parse, to_fts5
from declass.store.tsvector import tsvector


@pytest.mark.parametrize(("query", "fts5"), [
    ("Dairen", '"Dairen"'),
    ('"Port Arthur"', '"Port Arthur"'),
    ("Sino-Soviet solidarity", '("Sino Soviet" AND "solidarity")'),
    ("Chou En-lai", '("Chou" AND "En lai")'),
    ("U.S. policy", '("U S" AND "policy")'),
    ("manch*", '"manch"*'),
    ('"Port Arth"*', '"Port Arth"*'),
    ("Moscow -Peiping", '("Moscow" NOT "Peiping")'),
    ("a OR b c", '("a" OR ("b" AND "c"))'),
    ("a NOT b c", '(("a" NOT "b") AND "c")'),
    ("(a OR b) AND c", '(("a" OR "b") AND "c")'),
    ("NEAR(Soviet China, 5)", 'NEAR("Soviet" "China", 5)'),
    ("NEAR(Soviet China)", 'NEAR("Soviet" "China", 10)'),
    ('"Port Arthur', '"Port Arthur"'),
    ('"..." Dairen', '"Dairen"'),
])
def test_queries_parse_as_fts5_reads_them(query: str, fts5: str) -> None:
    assert to_fts5(parse(query)) == fts5


def test_precedence_is_not_then_and_then_or() -> None:
    assert parse("a b OR c NOT d") == Or((And((Term("a"), Term("b"))), Not(Term("c"), Term("d"))))
    assert parse("NEAR(a b, 3) x") == And((Near((Term("a"), Term("b")), 3), Term("x")))


@pytest.mark.parametrize("query", ["", "   ", "(Port Arthur", "Dairen)", "NOT Dairen", "Dairen NOT", "-Dairen",
                                   "...", "AND"])
def test_bad_queries_are_usage_errors(query: str) -> None:
    with pytest.raises(UsageError) as info:
        parse(query)
    assert info.value.code == "E403"


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t VALUES ('The Soviet position on Port Arthur and Dairen')")
    return db


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*list('ab "()*-.,:^+é'), " AND ", " OR ", " NOT ", "NEAR(", "25X1"]),
                max_size=25).map("".join) | st.text(max_size=40))
def test_any_text_parses_or_is_a_usage_error_and_fts5_accepts_the_rendering(
        fts: sqlite3.Connection, text: str) -> None:
    try:
        node = parse(text)
    except UsageError:
        return
    fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (to_fts5(node),)).fetchone()


# -- bounds (issue 19) ----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["(" * 498 + "a", "(" * 41 + "a" + ")" * 41, "(" * 100 + "a b" + ")" * 100])
def test_deep_nesting_is_a_usage_error_not_a_crash(query: str) -> None:
    with pytest.raises(UsageError) as info:
        parse(query)
    assert info.value.code == "E403" and "nested more than 40" in str(info.value)
    assert len(str(info.value)) < 200 and "\n" not in str(info.value)


def test_nesting_within_the_bound_is_read_by_fts5(fts: sqlite3.Connection) -> None:
    deep = "(" * 39 + "a OR (b -c)" + ")" * 39
    fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (to_fts5(parse(deep)),)).fetchone()


def test_many_exclusions_are_one_level(fts: sqlite3.Connection) -> None:
    node = parse("a " + " ".join(f"-w{i}" for i in range(400)))
    assert isinstance(node, Not) and isinstance(node.drop, Or) and len(node.drop.parts) == 400
    fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (to_fts5(node),)).fetchone()
    chained = parse("a " + " ".join(f"NOT w{i}" for i in range(400)))
    assert chained == node


@pytest.mark.parametrize(("distance", "read"), [("2147483647", 2**31 - 1), ("2147483648", 2**31 - 1),
                                                ("9" * 5000, 2**31 - 1), ("0", 0), ("007", 7)])
def test_a_huge_near_distance_means_anywhere_in_the_block(distance: str, read: int) -> None:
    node = parse(f"NEAR(a b, {distance})")
    assert node == Near((Term("a"), Term("b")), read)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text)")
    db.execute("INSERT INTO t VALUES (?)", ("a " + "x " * 24 + "b",))
    found = db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (to_fts5(node),)).fetchone()[0]
    assert found == (1 if read >= 24 else 0)


def test_a_unicode_digit_is_not_a_near_distance() -> None:
    node = parse("NEAR(a b, ²)")
    assert isinstance(node, Near) and node.distance == 10 and [t.words for t in node.terms] == [["a"], ["b"]]


# -- the engines agree on long words and huge distances -------------------------------------

LONG = {
    "latin70": "Pneumonoultramicroscopicsilicovolcanoconiosis" + "x" * 25,
    "cyrillic80": "Достопримечательность" * 2,  # 42 letters, 84 bytes
    "edge63": "a" * 60 + "ing",
    "edge64": "b" * 61 + "ing",
    "edge65": "c" * 62 + "ing",
    "accented66": "é" * 33,  # 66 bytes as written, 33 once folded
}


@pytest.fixture(scope="module")
def long_words_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    folder = tmp_path_factory.mktemp("long")
    for name, word in LONG.items():
        (folder / f"{name}.txt").write_text(
            f"MEMORANDUM\n\n1. The word {word} was found in the cable from Moscow.\n\n"
            f"2. A second paragraph names {word[:-3]} and {word.lower()} again, with the treaty.\n")
    db = folder / "a.db"
    with declass.Archive(db) as a:
        assert not a.ingest([folder], workers=1).failed
    store = SQLiteStore(db, readonly=True)
    assert store.search_engine() == "tantivy"
    yield store
    store.close()


def hits(found: list[declass.Hit]) -> set[tuple[str, str]]:
    return {(h.document, h.label) for h in found}


@pytest.mark.parametrize("name", sorted(LONG))
def test_long_words_are_found_by_both_engines(long_words_store: SQLiteStore, name: str) -> None:
    word = LONG[name]
    fast, slow = long_words_store.search(word), long_words_store.search(word, engine="fts5")
    assert hits(fast) == hits(slow) and {h.document for h in slow} == {name.replace("_", "-")}


WORD_PARTS = st.sampled_from([*LONG.values(), *(w[:-3] for w in LONG.values()), *(w[:20] + "*" for w in LONG.values()),
                              "treaty", "Moscow", "cable", "word"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(WORD_PARTS, st.sampled_from(["OR", "AND", "NOT", "-"])), min_size=1, max_size=5)
       .map(" ".join) | st.builds(lambda a, b, d: f"NEAR({a} {b}, {d})", WORD_PARTS, WORD_PARTS,
                                  st.sampled_from(["0", "3", "2147483647", "2147483648", "99999999999999"])))
def test_any_query_with_long_words_or_huge_distances_gets_the_same_blocks_from_both_engines(
        long_words_store: SQLiteStore, text: str) -> None:
    try:
        fast = long_words_store.search(text, limit=10_000)
    except UsageError:
        return
    slow = long_words_store.search(text, limit=10_000, engine="fts5")
    assert hits(fast) == hits(slow), text
    if text.startswith("NEAR(") and int(text.rsplit(",", 1)[1].strip(" )")) > 1000:
        a, b = text[5:].split(",")[0].split(" ", 1)
        both = hits(long_words_store.search(f"{a} {b}", limit=10_000, engine="fts5"))
        assert hits(slow) == both, text  # a huge distance is "anywhere in the block"


@pytest.mark.parametrize(("query", "found"), [("estimate*", True), ("Estimates*", True), ("treaties*", True),
                                              ('"national estimate"*', True), ("estimat*", False)])
def test_a_prefix_is_stemmed_by_both_engines(tmp_path_factory: pytest.TempPathFactory, query: str,
                                             found: bool) -> None:
    """FTS5 stems a prefix before matching ("estimate*" is "estim*"; "estimat*" stays as it is
    and matches nothing, the words being held stemmed); the index must read it the same."""
    folder = tmp_path_factory.mktemp("prefix")
    (folder / "nie.txt").write_text("MEMORANDUM\n\n1. The national estimates of the treaties were revised.\n\n"
                                    "2. An estimation was made by the Board.\n")
    with declass.Archive(folder / "a.db") as a:
        assert not a.ingest([folder], workers=1).failed
    store = SQLiteStore(folder / "a.db", readonly=True)
    try:
        assert store.search_engine() == "tantivy"
        fast, slow = store.search(query), store.search(query, engine="fts5")
        assert bool(slow) == found and hits(fast) == hits(slow), query
        assert all(h.highlights for h in fast)
    finally:
        store.close()


# -- PostgreSQL: the tree as tsquery text, NEAR checked as FTS5 checks it (store.pgsearch) -----

A, B, C = Term("a"), Term("b"), Term("c")
LEX = {A: ("a",), B: ("b",), C: ("c",), Term("x y"): ("x", "y"), Term("x", prefix=True): ("x",),
       Term("___"): ()}


@pytest.mark.parametrize(("node", "tsquery"), [
    (A, "'a'"),
    (Term("x y"), "('x' <-> 'y')"),
    (Term("x", prefix=True), "'x':*"),
    (Or((A, And((B, C)))), "('a' | ('b' & 'c'))"),
    (Not(A, Or((B, Term("x y")))), "('a' & !('b' | ('x' <-> 'y')))"),
    (Near((A, Term("x y")), 1), "('a' & ('x' <-> 'y'))"),  # what the index can narrow down
])
def test_tsquery_text(node: Node, tsquery: str) -> None:
    assert pgsearch.to_tsquery(node, LEX) == tsquery


@pytest.mark.parametrize(("node", "spelled"), [
    (Near((A, B), 0), "('a' <0> 'b' | 'a' <1> 'b' | 'b' <1> 'a')"),
    (Near((A, Term("x", prefix=True), A), 1),
     "('a' <0> 'x':* | 'a' <1> 'x':* | 'a' <2> 'x':* | 'x':* <1> 'a' | 'x':* <2> 'a')"
     " & ('x':* <0> 'a' | 'x':* <1> 'a' | 'x':* <2> 'a' | 'a' <1> 'x':* | 'a' <2> 'x':*)"),
    (Near((A, A), 3), None),  # NEAR(a a) is a
    (Near((A, Term("x y")), 1), None),  # a phrase: declass_near decides
    (Near((A, B), pgsearch.NEAR_SPELLED), None),
])
def test_near_spelled_as_distances(node: Near, spelled: str | None) -> None:
    assert pgsearch.distances(node, LEX) == spelled


def test_quotes_in_a_lexeme_are_escaped() -> None:
    assert pgsearch.to_tsquery(Term("o"), {Term("o"): ("o'k\\",)}) == "'o''k\\\\'"


@pytest.mark.parametrize(("node", "simple"), [
    (Term("___"), None),
    (And((A, Term("___"))), None),
    (Or((A, Term("___"))), A),
    (Not(A, Term("___")), A),
    (Not(Term("___"), A), None),
    (Near((A, Term("___")), 3), A),  # FTS5 leaves an empty phrase out of NEAR
    (Near((A, B, Term("___")), 3), Near((A, B), 3)),
])
def test_a_term_without_words_matches_nothing(node: Node, simple: Node | None) -> None:
    assert pgsearch.simplify(node, LEX) == simple


@pytest.mark.parametrize(("node", "loose"), [
    (Near((A, B), 3), Near((A, B), 3)),  # its tsquery is looser than it (below)
    (Not(C, Near((A, B), 3)), C),  # an excluded NEAR cannot narrow the candidates
    (Not(C, Or((A, Near((A, B), 3)))), Not(C, A)),
    (Not(C, And((A, Near((A, B), 3)))), C),
    (Not(C, Not(A, Near((A, B), 3))), Not(C, Not(A, Near((A, B), 3)))),
    (Or((C, Near((A, B), 3))), Or((C, Near((A, B), 3)))),
])
def test_relaxed_query_finds_every_block_that_can_match(node: Node, loose: Node) -> None:
    assert pgsearch.relax(node) == loose


@pytest.fixture(scope="module")
def pg_empty(pg_server: str) -> Iterator[PostgresStore]:
    import pgserver

    store = PostgresStore(pgserver.fresh_database(pg_server, "t_query_any_text"))
    yield store
    store.close()


PHRASES = st.lists(st.sampled_from("abcd"), min_size=1, max_size=2).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from("abcdx"), min_size=1, max_size=14).map(" ".join),
       st.lists(st.tuples(PHRASES, st.booleans()), min_size=2, max_size=3), st.integers(0, 5))
def test_near_is_checked_as_fts5_checks_it(pg_empty: PostgresStore, text: str, phrases: list[tuple[str, bool]],
                                           distance: int) -> None:
    """declass_near, on a tsvector the store writes, against FTS5 itself: any text, any NEAR group."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61')")
    db.execute("INSERT INTO t VALUES (?)", (text,))
    node = Near(tuple(Term(p, prefix=star) for p, star in phrases), distance)
    fts5 = bool(db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (to_fts5(node),)).fetchone()[0])
    sql, params = pgsearch.condition(node, pgsearch.lexemes(node))
    (row,) = pg_empty._read(f"SELECT {sql} AS found FROM (SELECT %s::tsvector AS tsv) b",
                            [*params, tsvector(text)])
    assert row["found"] == fts5, (text, to_fts5(node))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([*list('ab "()*-.,:^+é\'!&|<>'), " AND ", " OR ", " NOT ", "NEAR(", "25X1", "é",
                                 "___", "o'k"]), max_size=25).map("".join) | st.text(max_size=40))
def test_postgresql_accepts_any_query_the_parser_accepts(pg_empty: PostgresStore, text: str) -> None:
    try:
        node = parse(text)
    except UsageError:
        return
    assert pgsearch.search(pg_empty._read, node, limit=5) == []


def test_a_huge_block_stays_within_postgresql_bounds(pg_empty: PostgresStore) -> None:
    """A tsvector holds 255 positions of a word, positions to 16,383 and words to 2,046 bytes."""
    text = " ".join(["treaty"] * 300 + [f"w{i}" for i in range(17_000)] + ["x" * 3000, "é" * 1100, "Dairen"])
    (row,) = pg_empty._read(
        "SELECT u.lexeme, u.positions FROM unnest(%s::tsvector) u WHERE u.lexeme IN ('treati', 'dairen', 'w16999')"
        " ORDER BY u.lexeme", [tsvector(text)])[:1]
    assert row["lexeme"] == "dairen" and row["positions"] == [16_383]
    rows = pg_empty._read("SELECT u.lexeme, u.positions FROM unnest(%s::tsvector) u", [tsvector(text)])
    spots = {r["lexeme"]: r["positions"] for r in rows}
    assert len(spots["treati"]) == 255 and not any(len(w) > 2046 for w in spots)
    assert tsvector("Sino-Soviet talks, Eisenhower\u00b9") == "'sino':1 'soviet':2 'talk':3 'eisenhow':4"
