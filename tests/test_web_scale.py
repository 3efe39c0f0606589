"""The query shapes that keep the web's lists fast at 100k pages answer as the plain questions do:
a timeline cut to dates (events dated in the range, and those begun before it that last into it),
an entity's timeline counted without a sort, the archive page in every order under every filter."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest

import declass
from declass.web import queries
from declass.web.data import Library


@pytest.fixture(scope="module")
def events(sample_db: Path) -> list:
    with declass.Archive(sample_db, readonly=True) as a:
        every = list(a.timeline(limit=None))
    assert any(e.date_end for e in every), "the samples have events that last beyond their first day"
    return every


def paged_through(fetch, limit: int) -> tuple[list[dict], int]:
    rows, after, totals = [], None, set()
    while True:
        page = fetch(limit=limit, after=after)
        rows += list(page)
        totals.add(page.total)
        after = page.next
        if not after:
            assert len(totals) == 1
            return rows, totals.pop()


BOUNDS = ["1945", "1946", "1949", "1949-06", "1950", "1953-07", "1953-06-01", "1979", "1982", "1990"]


def test_timeline_cut_to_dates_is_every_overlapping_event(sample_db: Path, events: list) -> None:
    with declass.Archive(sample_db, readonly=True) as a:
        store = a.store
        last = {(r["doc_id"], r["seq"]): r["last_date"]
                for r in store._rows("SELECT doc_id, seq, last_date FROM events")}
        key = {(r["doc_id"], r["date"], r["start"]): (r["doc_id"], r["seq"])
               for r in store._rows("SELECT doc_id, seq, date, start FROM events")}
        for start, end in product(BOUNDS, [None, *BOUNDS]):
            want = [e for e in events
                    if last[key[(e.document, e.date, e.start)]] >= start
                    and (end is None or e.date <= end + "\uffff")]
            for limit in (1, 3, 50):
                got, total = paged_through(
                    lambda limit, after, s=start, e=end: a.timeline(start=s, end=e, limit=limit, after=after), limit)
                assert [(g.document, g.start) for g in got] == [(w.document, w.start) for w in want], \
                    (start, end, limit)
                assert total == len(want)


MEMO = """MEMORANDUM FOR THE DIRECTOR

SUBJECT: Soviet statements

1. On 12 March 1953 the Soviet Union announced in Moscow that the Kremlin would send a delegation to Peiping.

2. From 1 April 1953 to 30 June 1954 the Soviet Union and Communist China negotiated in Moscow over Port Arthur.
"""


def test_an_entity_timeline_counts_each_event_once(tmp_path: Path, samples: Path) -> None:
    (tmp_path / "memo.txt").write_text(MEMO)  # events naming the Soviet Union and Moscow (one of its ids) at once
    with declass.Archive(tmp_path / "a.db") as a:
        a.ingest([samples, tmp_path / "memo.txt"], workers=1)
        ids = a.entity_ids("Soviet Union")
        named = [r["n"] for r in a.store._rows(
            f"SELECT count(*) AS n FROM event_entities WHERE entity IN ({','.join('?' * len(ids))})"
            " GROUP BY doc_id, seq", ids)]
        assert max(named) > 1, "an event names two of the entity's ids"
        for name in ("People's Republic of China", "Soviet Union", "Peiping", "Port Arthur", "Mao Tse-tung"):
            ids = a.entity_ids(name)
            every = list(a.store.events_page(entity_ids=ids, limit=None))
            got, total = paged_through(lambda limit, after, i=ids: a.store.events_page(entity_ids=i, limit=limit,
                                                                                        after=after), 2)
            assert total == len(every) == len(got) == len({(r.document, r.start, r.date) for r in got})


def test_archive_page_in_every_order_under_every_filter(sample_db: Path) -> None:
    lib = Library(sample_db)
    docs = queries.sql(lib, f"SELECT {queries.LIST_COLUMNS} FROM documents d")
    filters = [{}, {"redacted": True}, {"redacted": False}, {"date_from": "1953"}, {"date_to": "1952"},
               {"entity": "People's Republic of China"}, {"redacted": True, "date_from": "1950", "entity": "Moscow"}]
    for sort, f in product([s for k in queries.SORTABLE for s in (k, "-" + k)], filters):
        where = queries.document_filter(lib, **f)
        cond, params = where.where()
        ids = {r["id"] for r in queries.sql(lib, f"SELECT d.id FROM documents d WHERE {cond}", params)}
        key, desc = sort.lstrip("-"), sort.startswith("-")
        present = sorted((d for d in docs if d["id"] in ids and d[key] is not None), key=lambda d: (d[key], d["id"]),
                         reverse=desc)
        absent = sorted((d for d in docs if d["id"] in ids and d[key] is None), key=lambda d: d["id"], reverse=desc)
        want = [d["id"] for d in present + absent]
        got, after = [], None
        while True:
            w = queries.documents_page(lib, where, sort=sort, limit=1, after=after)
            got += [d.id for d in w.items]
            assert w.total == len(want)
            after = w.next
            if not after:
                break
        assert got == want, (sort, f)


def test_a_documents_judgment_terms_are_its_judgments_counted(sample_db: Path) -> None:
    """One document's term chart reads its judgments with their ranges by the primary key (a
    plan by scale and term read every judgment of the archive): counts and ranges as the
    judgments themselves give them, on every built-in scale."""
    with declass.Archive(sample_db, readonly=True) as a:
        docs = [d.id for d in a.documents()]
        assert docs
        for doc, scale in product(docs, ["kent", "icd203"]):
            want: dict[str, list] = {}
            for j in a.judgments(doc, scale=scale, limit=None):
                low, high = j.range if j.range else (None, None)
                n, lo, hi = want.get(j.term, [0, None, None])
                want[j.term] = [n + 1, low if lo is None else min(lo, low if low is not None else lo),
                                   high if hi is None else max(hi, high if high is not None else hi)]
            got = {t.term: [t.count, t.low, t.high] for t in a.judgment_terms(doc, scale=scale)}
            assert got == want, (doc, scale)
            counts = [t.count for t in a.judgment_terms(doc, scale=scale)]
            assert counts == sorted(counts, reverse=True)


def test_the_server_refuses_an_older_archive_at_start_and_serves_it_once_upgraded(tmp_path: Path) -> None:
    """A read-only open does not migrate: the server would start on an older release's archive and
    then fail page by page on the tables it lacks. It refuses at start, naming the upgrade; after one
    open for writing it serves."""
    import gzip

    from declass.errors import StoreError

    path = tmp_path / "v8.db"
    path.write_bytes(gzip.decompress((Path(__file__).parent / "fixtures" / "archive-v8.db.gz").read_bytes()))
    with pytest.raises(StoreError) as info:
        Library(path)
    assert info.value.code == "E302" and "older release" in str(info.value) and "reindex" in str(info.value)
    declass.Archive(path).close()  # the upgrade: one open for writing
    lib = Library(path)
    assert lib.archive.timeline(limit=5).total > 0  # the events total a newer schema keeps
