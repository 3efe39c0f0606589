"""The reading room's access to the archive: read-only, one connection per
thread (FastAPI runs plain handlers in a thread pool), records cached."""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from declass.archive.archive import Archive
from declass.errors import StoreError
from declass.stages.entities.gazetteer import Gazetteer
from declass.stages.entities.gazetteer import load as load_gazetteer

if TYPE_CHECKING:
    from declass.corpus.score import Score
from declass.web import budget

SEARCH_SECONDS = 2.0
MAX_QUERY = 500
CACHE = 64
T = TypeVar("T")
MEMO = 256  # corpus-wide figures kept (per entity: its names, its neighbours)
CACHE_CHARS = 2_000_000  # records with more text than this are not cached


def _stop_when_spent(archive: Archive) -> None:
    """Interrupt this connection's statements once the request's budget is spent."""
    db = getattr(archive.store, "db", None)
    if isinstance(db, sqlite3.Connection):
        db.set_progress_handler(budget.spent, 20_000)


class Library:
    """Everything the pages and the API read, behind one small object."""

    def __init__(self, db: str | Path, *, outcomes: str | None = None, gazetteer: tuple[str, ...] = ()) -> None:
        self.db = str(db)
        self.outcomes = outcomes
        self.gazetteer_files = gazetteer
        self._check_schema()  # fail now, with a clear error, if the archive is unusable
        load_gazetteer(gazetteer)  # and if a gazetteer file is; loaded once here, not by the first visitor
        self._local = threading.local()
        self._lock = threading.Lock()
        self._records: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._scores: dict[tuple[str, str | None], Score] = {}
        self._memo: dict[str, tuple[tuple[Any, ...], Any]] = {}

    def _check_schema(self) -> None:
        """Open the archive read-only once and refuse one an older release wrote: a read-only open
        does not migrate, and the pages read tables and totals the older schema lacks, so they would
        fail one by one after a clean start (E302, naming how to upgrade it)."""
        from declass.store.schema import LATEST

        with Archive(self.db, readonly=True) as archive:
            store = archive.store
            version, latest = getattr(store, "schema", None), LATEST.get(getattr(store, "backend", ""))
        if isinstance(version, int) and latest is not None and version < latest:
            raise StoreError("E302", f"this archive is from an older release (schema {version} < {latest}); "
                             "open it once for writing (declass reindex --db ..., or an ingest) to "
                             "upgrade it", path=self.db)

    def memo(self, name: str, compute: Callable[[], T]) -> T:
        """A corpus-wide figure (an aggregate over every document) worked out once per state of the
        archive: kept until an ingest changes the file, so a page view never recomputes it."""
        sig = self.signature()
        with self._lock:
            hit = self._memo.get(name)
        if hit is not None and hit[0] == sig:
            return hit[1]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._memo[name] = (sig, value)
            while len(self._memo) > MEMO:
                del self._memo[next(iter(self._memo))]
        return value

    def signature(self) -> tuple[Any, ...]:
        """Changes whenever the archive does (an ingest, a link confirmed): cached pages expire."""
        if self.db.startswith(("postgresql://", "postgres://")):
            rows = self.archive.store._read(
                "SELECT (SELECT count(*) FROM documents) AS n, (SELECT max(ingested_at) FROM documents) AS d,"
                " (SELECT max(updated_at) FROM links) AS l")
            return tuple(rows[0].values())
        out: list[int] = []
        for suffix in ("", "-wal"):
            try:
                st = Path(self.db + suffix).stat()
                out += [st.st_mtime_ns, st.st_size]
            except OSError:
                out += [0, 0]
        return tuple(out)

    @property
    def archive(self) -> Archive:
        a = getattr(self._local, "archive", None)
        if a is None:
            a = Archive(self.db, readonly=True)
            self._local.archive = a
            _stop_when_spent(a)
        return a

    @property
    def gazetteer(self) -> Gazetteer:
        return load_gazetteer(self.gazetteer_files)

    def record(self, ref: str) -> dict[str, Any]:
        """A document's record (raises UsageError E401 for an unknown id)."""
        doc_id = self.archive.resolve(ref)
        with self._lock:
            rec = self._records.get(doc_id)
            if rec is not None:
                self._records.move_to_end(doc_id)
                return rec
        rec = self.archive.get(doc_id)
        budget.check()  # a large record took long: is anyone still waiting for it?
        if sum(len(b["text"]) for b in rec["blocks"]) > CACHE_CHARS:
            return rec  # a huge record is not kept: a cache of them would fill the memory
        with self._lock:
            self._records[doc_id] = rec
            while len(self._records) > CACHE:
                self._records.popitem(last=False)
        return rec

    def search(self, query: str | None, **kw: Any) -> list[Any]:
        try:
            with self.archive.store.time_limit(SEARCH_SECONDS):
                return self.archive.search(query, gazetteer=self.gazetteer_files, **kw)
        finally:
            _stop_when_spent(self.archive)  # time_limit removed the request budget's handler

    def scores(self, scale: str = "kent", by: str | None = None) -> Score | None:
        if not self.outcomes:
            return None
        key = (scale, by)
        if key not in self._scores:
            self._scores[key] = self.archive.score(self.outcomes, scale=scale, by=by)
        return self._scores[key]

    def outcome_of(self, scale: str = "kent") -> dict[tuple[str, str], Any]:
        s = self.scores(scale)
        if not s:
            return {}
        out: dict[tuple[str, str], Any] = {}
        for r in (*s.scored, *s.ambiguous, *s.no_probability):
            out[(r.document, r.judgment)] = r.outcome
        return out
