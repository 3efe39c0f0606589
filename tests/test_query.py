"""The search query language: one parse, rendered for FTS5 and PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declass.errors import UsageError
from declass.store.query import And, Near, Not, Or, Term, parse, to_fts5, to_tsquery


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


def test_tsquery_keeps_parameters_in_order() -> None:
    sql, params = to_tsquery(parse('"Port Arthur" -Dairen manch*'))
    assert params == ["Port Arthur", "manch:*", "Dairen"]
    assert sql.count("%s") == 3 and "!!" in sql


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
    sql, params = to_tsquery(node)
    assert sql.count("%s") == len(params)
