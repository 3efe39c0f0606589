"""`Archive`: the Python API over a store, for notebooks and scripts.

The CLI and the web UI are thin layers over this class; what it returns are
the store's typed rows (`declass.store.rows`: judgments, events, redactions,
mentions, edits, each a span of its document; links and pairs of releases) and
typed answers (`declass.archive.answers`: summaries, the entity page, the
redaction report, term counts, a judgment's trajectory; `declass.corpus.score.Score`;
`declass.corpus.releases.stats.ReleaseStats`), a page at a time where a list can be
long; `declass.store.rows.plain` gives their JSON.  Only a document's stored record
(`get`, `records`) stays a dict: it is the export format.  The pipeline, the ingest
machinery and the gazetteer are imported where they are used: a question to
the store (``declass judgments``) should not pay for loading them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from declass.errors import StoreError, UsageError
from declass.limits import DEFAULT_MAX_BYTES, DEFAULT_TIME_BUDGET
from declass.store import default_db, open_store
from declass.store.cursors import decode_cursor, encode_cursor
from declass.store.page import Page

if TYPE_CHECKING:  # the model, export, citation and linking modules load where used
    from declass.archive.answers import (
        Cooccurrence,
        Cooccurring,
        DocumentSummary,
        EntityCount,
        EntityPage,
        Paired,
        RedactionReport,
        ReportDocument,
        TermCount,
        Trajectory,
    )
    from declass.archive.ingest import FileResult, IngestReport
    from declass.model import Document
    from declass.store.base import Hit, PutResult
    from declass.store.rows import (
        Cited,
        JudgmentCell,
        Link,
        RedactionDocument,
        StoredEdit,
        StoredEvent,
        StoredJudgment,
        StoredRedaction,
        StoredRelease,
    )

if TYPE_CHECKING:  # the scoring module loads when first used
    from declass.corpus.score import Score

if TYPE_CHECKING:  # the releases package (and its near-duplicate index) loads when first used
    from declass.corpus.releases.compare import Comparison
    from declass.corpus.releases.stats import ReleaseStats

DEFAULT_LIMIT = 50
"""Rows per page the CLI and the web ask for unless told otherwise."""
MAX_LIMIT = 1000
"""The most rows one page may hold."""

T = TypeVar("T")
C = TypeVar("C", bound="Cited")


def bounded(limit: int | None) -> int | None:
    """``limit`` within ``[1, MAX_LIMIT]`` (None: every row, for scripts that want them all)."""
    if limit is None:
        return None
    if limit < 1:
        raise UsageError("E404", f"limit {limit} (at least 1)")
    return min(limit, MAX_LIMIT)


def page_of(rows: list[T], *, key: Callable[[T], tuple[Any, ...]], limit: int | None,
            after: str | None) -> Page[T]:
    """A keyset page of rows already in ``key`` order (for questions answered in Python)."""
    keys = [key(r) for r in rows]
    start = 0
    if after is not None:
        mark = tuple(decode_cursor(after, len(keys[0]) if keys else 0))
        start = next((i for i, k in enumerate(keys) if tuple(k) > mark), len(rows))
    stop = len(rows) if limit is None else min(start + limit, len(rows))
    return Page(rows[start:stop], total=len(rows), next=encode_cursor(keys[stop - 1]) if stop < len(rows) else None)


def _report_row(d: RedactionDocument, counts: Mapping[str, Any] | None = None) -> ReportDocument:
    """A document of the redaction report: its statistics and its redactions.  ``counts``: its redactions
    counted by the store (`redaction_counts`), the redactions themselves not read; else they are counted
    here.  The numbered blocks and pages are those the store keeps for the document."""
    from declass.archive.answers import RedactionStatistics, ReportDocument

    if counts is None:
        from declass.stages.redactions.redactions import statistics

        stats = RedactionStatistics.from_counts(statistics(d.redactions, [], d.pages), numbered=d.numbered,
                                                pages=d.pages)
        return ReportDocument(d.id, stats, d.redactions)
    return ReportDocument(d.id, RedactionStatistics.from_counts(counts, numbered=d.numbered, pages=d.pages), ())


class LazyRecords(Mapping[str, dict[str, Any]]):
    """Records by id, each read from the store when first asked for (never all at once)."""

    def __init__(self, get: Callable[[str], dict[str, Any] | None]) -> None:
        self._get = get
        self._cache: dict[str, dict[str, Any]] = {}

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        if doc_id not in self._cache:
            rec = self._get(doc_id)
            if rec is None:
                raise KeyError(doc_id)
            self._cache[doc_id] = rec
        return self._cache[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)


class Archive:
    """An archive of ingested documents in a store (a SQLite file by default)."""

    def __init__(self, db: str | Path | None = None, *, readonly: bool = False) -> None:
        self.db = str(db or default_db())
        self.store = open_store(self.db, readonly=readonly)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def ingest(
        self,
        paths: Iterable[str | Path] | str | Path,
        *,
        workers: int | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        ocr: bool = True,
        gazetteer: Sequence[str | Path] = (),
        on_result: Callable[[FileResult], None] | None = None,
        dask: str | None = None,
        time_budget: float | None = DEFAULT_TIME_BUDGET,
    ) -> IngestReport:
        """Ingest files, folders or globs; returns what became of each file.

        ``gazetteer`` names the user's gazetteer files, merged over the built-in one.
        """
        from declass.archive.ingest import ingest
        from declass.stages.options import Options

        if isinstance(paths, (str, Path)):
            paths = [paths]
        options = Options(gazetteer=tuple(str(g) for g in gazetteer))
        if options.gazetteer:
            # a bad gazetteer file fails here, once, not per document (the built-in one is the workers'
            # to load: neither parsed nor imported in the writer)
            from declass.stages.entities.gazetteer import load as load_gazetteer

            load_gazetteer(options.gazetteer)
        return ingest(self.store, paths, db=self.db, workers=workers, max_bytes=max_bytes,
                      ocr=ocr, options=options, on_result=on_result, dask_address=dask, time_budget=time_budget)

    def add(self, doc: Document | str | Path) -> PutResult:
        """Store one document (parsed here if given as a path or text)."""
        from declass.archive.export import to_record
        from declass.model import Document
        from declass.stages.parse import parse

        if not isinstance(doc, Document):
            doc = parse(doc)
        return self.store.put(to_record(doc))

    def documents(self, *, limit: int | None = None, after: str | None = None, sort: str = "date",
                  descending: bool = False, doc_type: str | None = None,
                  text: str | None = None) -> Page[DocumentSummary]:
        """A summary row per document, ordered by date (or ``sort``), optionally of one
        ``doc_type`` or with ``text`` in its title or number."""
        from declass.archive.answers import DocumentSummary

        page = self.store.documents_page(limit=bounded(limit), after=after, sort=sort, descending=descending,
                                         doc_type=doc_type, text=text)
        return page.map(DocumentSummary.from_row)

    def short_names(self, ids: Sequence[str]) -> dict[str, str]:
        """Each given document's number where it has one (NIE-58), else its id."""
        numbers = self.store.doc_numbers(ids)
        return {i: numbers.get(i) or i for i in ids}

    def resolve(self, ref: str) -> str:
        """The id of the document ``ref`` names (id, prefix, SHA-256 prefix, number)."""
        doc_id = self.store.resolve(ref)
        if doc_id is None:
            raise UsageError("E401", f"{ref!r} (try 'declass list')")
        return doc_id

    def get(self, ref: str) -> dict[str, Any]:
        """The export record of one document."""
        record = self.store.get(self.resolve(ref))
        assert record is not None
        return record

    def block(self, ref: str, label: str) -> dict[str, Any]:
        """One block of a document, by label (case-insensitive)."""
        return self.record_and_block(ref, label)[1]  # type: ignore[return-value]

    def record_and_block(self, ref: str, label: str | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """A document's record and, if ``label`` is given, that block of it (read once)."""
        record = self.get(ref)
        if label is None:
            return record, None
        for b in record["blocks"]:
            if b["label"].casefold() == label.casefold():
                return record, b
        raise UsageError("E402", f"{label!r} in {record['id']}")

    def reindex(self) -> int:
        """Rebuild the search index from the archive's blocks; returns the blocks indexed.

        Only SQLite archives keep a separate index (tantivy, beside the file);
        PostgreSQL indexes as it writes, so there it does nothing."""
        sync = getattr(self.store, "sync_index", None)
        return sync(rebuild=True) if sync is not None else 0

    def search(self, query: str | None = None, *, limit: int = 20, document: str | None = None,
               entity: str | None = None, gazetteer: Sequence[str | Path] = ()) -> list[Hit]:
        """Full-text search (words, "phrases", prefix*, AND/OR/NOT or -word,
        parentheses, NEAR(a b, N): see `declass.store.query`); ``entity`` keeps
        blocks mentioning that entity under any of its names."""
        if not (query and query.strip()) and not entity:
            raise UsageError("E403", "empty query")
        doc_id = self.resolve(document) if document else None
        ids: list[str] = []
        if entity:
            ids = self.entity_ids(entity, gazetteer)
        return self.store.search(query or None, limit=limit, doc_id=doc_id, entity_ids=ids)

    def entity_ids(self, name: str, gazetteer: Sequence[str | Path] = ()) -> list[str]:
        """The entity ids ``name`` may mean: the gazetteer's, plus the government it stands for."""
        from declass.stages.entities.gazetteer import load as load_gazetteer

        gaz = load_gazetteer(tuple(str(g) for g in gazetteer))
        ent = gaz.lookup(name)
        if ent is None:
            raise UsageError("E401", f"no entity called {name!r} in the gazetteer (try 'declass entities')")
        ids = [ent.id]
        ids += [e.id for e in gaz.entities.values() if e.metonym_for == ent.id]
        return ids

    def entities(self, ref: str | None = None, *, type_: str | None = None, limit: int | None = None,
                 after: str | None = None) -> Page[EntityCount]:
        """Mentions per canonical entity, in one document or the whole archive, most mentioned first."""
        from declass.archive.answers import EntityCount

        doc_id = self.resolve(ref) if ref else None
        page = self.store.entity_counts(doc_id=doc_id, type_=type_, limit=bounded(limit), after=after)
        return page.map(EntityCount.from_row)

    def entity(self, name: str, *, gazetteer: Sequence[str | Path] = (), limit: int | None = None,
               after: str | None = None, cooccurring: int = 20) -> EntityPage:
        """An entity's canonical record, the names it appears under, a page of its
        mentions (cited), and the entities most often named beside it."""
        from declass.archive.answers import EntityPage
        from declass.stages.entities.gazetteer import load as load_gazetteer

        gaz = load_gazetteer(tuple(str(g) for g in gazetteer))
        ent = gaz.lookup(name)
        if ent is None:
            raise UsageError("E401", f"no entity called {name!r} in the gazetteer (try 'declass entities')")
        mentions = self._cite(self.store.mentions_page(entity_ids=[ent.id], limit=bounded(limit), after=after))
        forms, documents = self.store.mention_forms([ent.id])
        return EntityPage(ent, forms, mentions, tuple(sorted({m.document for m in mentions})), documents,
                          mentions.total, mentions.next, tuple(self.cooccurring(ent.id, limit=cooccurring)))

    def cooccurrence(self, *, min_weight: int = 1, limit: int | None = None,
                     after: str | None = None) -> Page[Cooccurrence]:
        """Entity pairs mentioned in the same blocks (an edge list for network tools), heaviest first."""
        from declass.archive.answers import Cooccurrence

        page = self.store.cooccurrence_page(min_weight=min_weight, limit=bounded(limit), after=after)
        return page.map(Cooccurrence.from_row)

    def cooccurring(self, entity_id: str, *, limit: int = 20) -> list[Cooccurring]:
        """The entities most often named in the same blocks as ``entity_id``."""
        from declass.archive.answers import Cooccurring

        return [Cooccurring.from_row(r) for r in self.store.cooccurring(entity_id, limit=min(max(limit, 1), MAX_LIMIT))]

    def redactions(self, ref: str | None = None, *, exemption: str | None = None, kind: str | None = None,
                   limit: int | None = None, after: str | None = None) -> Page[StoredRedaction]:
        """Redactions, one row each (cited), optionally of one document, exemption or kind."""
        doc_id = self.resolve(ref) if ref else None
        page = self.store.redactions_page(doc_id=doc_id, exemption=exemption, kind=kind, limit=bounded(limit),
                                          after=after)
        return self._cite(page)

    def redaction_report(self, ref: str | None = None, *, sort: str = "date", limit: int | None = None,
                         after: str | None = None, redactions: bool = True) -> RedactionReport:
        """Redactions of one document, or a page of documents plus corpus totals
        (``sort``: ``date``, or ``most`` markers and withheld points first).  ``redactions=False``:
        each document's statistics alone, counted in the store (its redactions an empty tuple)."""
        from declass.archive.answers import RedactionReport, RedactionTotals

        doc_id = self.resolve(ref) if ref else None
        page = self.store.redaction_documents(doc_id=doc_id, sort=sort, limit=bounded(limit), after=after,
                                              redactions=redactions)
        if redactions:
            docs = page.map(_report_row)
        else:
            counts = self.store.redaction_counts([d.id for d in page])
            docs = page.map(lambda d: _report_row(d, counts[d.id]))
        if doc_id:
            corpus = RedactionTotals.of_document(docs[0].statistics)
        else:
            corpus = RedactionTotals.from_row(self.store.redaction_totals())
        return RedactionReport(docs, corpus, docs.total, docs.next)

    def judgments(self, ref: str | None = None, *, scale: str = "kent", low: float = 0.0,
                  high: float = 1.0, term: str | None = None, limit: int | None = None,
                  after: str | None = None) -> Page[StoredJudgment]:
        """Judgments (one document or all) with their range under ``scale``,
        kept when that range lies within ``[low, high]`` (unmapped ones only
        when no bound is set), in document order; ``term``: only that term."""
        from declass.stages.judgments import BUILTIN as BUILTIN_SCALES  # (not the scales: their ranges are stored)

        doc_id = self.resolve(ref) if ref else None
        if scale in BUILTIN_SCALES:  # its ranges are stored: no need to read its file
            return self.store.judgments_page(doc_id=doc_id, scale=scale, low=low, high=high, term=term,
                                             limit=bounded(limit), after=after)
        # a user's scale file: no column holds its ranges, so the judgments table is read through
        from dataclasses import replace

        from declass.stages.judgments.scales import load_scale, range_under

        load_scale(scale)  # a bad scale fails here, once
        rows: list[tuple[int, StoredJudgment]] = []
        for seq, j in self.store.judgment_scan(doc_id=doc_id):
            if term and j.term != term:
                continue
            rng = range_under(j, scale)
            if rng is None and (low > 0.0 or high < 1.0):
                continue
            if rng is not None and not (low <= rng[0] and rng[1] <= high):
                continue
            rows.append((seq, replace(j, scale=scale, range=None if rng is None else (rng[0], rng[1]))))
        page = page_of(rows, key=lambda r: (r[1].date or "", r[1].document, r[0]), limit=bounded(limit),
                       after=after)
        return page.map(lambda r: r[1])

    def judgment_cells(self, doc_ids: Sequence[str], *, scale: str = "kent") -> dict[str, list[JudgmentCell]]:
        """Each document's judgments in reading order, as a strip draws them: block, start,
        expression and range under ``scale`` (a built-in one)."""
        return self.store.judgment_cells(doc_ids, scale=scale)

    def judgment_terms(self, ref: str | None = None, *, scale: str = "kent") -> list[TermCount]:
        """Per term: how many judgments use it and its range under ``scale`` (a built-in one), most used first."""
        from declass.archive.answers import TermCount

        doc_id = self.resolve(ref) if ref else None
        return [TermCount.from_row(r) for r in self.store.judgment_terms(doc_id=doc_id, scale=scale)]

    def timeline(self, *, entity: str | None = None, start: str | None = None, end: str | None = None,
                 gazetteer: Sequence[str | Path] = (), limit: int | None = None,
                 after: str | None = None) -> Page[StoredEvent]:
        """The corpus's events in date order, each cited; optionally only those
        whose sentence names ``entity``, and only between ``start`` and ``end``."""
        ids = self.entity_ids(entity, gazetteer) if entity else []
        page = self.store.events_page(entity_ids=ids, start=start, end=end, limit=bounded(limit), after=after)
        return self._cite(page)

    def edits(self, ref: str | None = None, *, op: str | None = None, limit: int | None = None,
              after: str | None = None) -> Page[StoredEdit]:
        """Handwritten edits (struck, inserted, notes, marks), one row each (cited), in document
        order; optionally of one document or operation (``delete``, ``insert``, ``note``, ``mark``)."""
        doc_id = self.resolve(ref) if ref else None
        return self._cite(self.store.edits_page(doc_id=doc_id, op=op, limit=bounded(limit), after=after))

    def citations(self, places: Sequence[tuple[str, str | None]]) -> list[tuple[str, str | None, str | None]]:
        """``(citation, document number, title)`` of each ``(document, block label)``, reading only their blocks."""
        if not places:
            return []
        from declass.corpus.cite import citation

        docs, blocks = self.store.cite_parts(places)
        out = []
        for doc_id, label in places:
            doc = docs.get(doc_id, {"id": doc_id, "metadata": {}})
            out.append((citation(doc, blocks.get((doc_id, label or ""))), doc.get("doc_number"), doc.get("title")))
        return out

    def _cite(self, rows: Page[C]) -> Page[C]:
        """Each row of a page the store has just read with its ``citation`` (of its document and
        block), and its document's number and title."""
        cites = iter(self.citations([(r.document, r.block) for r in rows]))
        return rows.map(lambda r: r.cited(*next(cites), fresh=True))

    # -- judgments across documents --------------------------------------

    def find_links(self, *, threshold: float | None = None, method: str = "auto") -> list[Link]:
        """Propose links between judgments restated across documents, and store them
        (``method``: lexical, embeddings, or auto = embeddings when installed; ``threshold``:
        least similarity, default `declass.corpus.link.DEFAULT_THRESHOLD`).  Candidate
        pairs come from an index of their tokens (`declass.corpus.link`), not all pairs."""
        from declass.corpus.link import DEFAULT_THRESHOLD, LinkItem, link_items

        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        items = [LinkItem(j.document, j.id, j.claim, j.polarity, j.entities) for j in self.store.judgment_entities()]
        found = link_items(items, threshold, method)
        self.store.save_links(found)
        return self.store.links()

    def links(self, *, include_rejected: bool = False, limit: int | None = None,
              after: str | None = None) -> Page[Link]:
        """Stored links between judgments, best first."""
        from declass.store.rows import Link

        page = self.store.links_page(include_rejected=include_rejected, limit=bounded(limit), after=after)
        return page.map(Link.from_row)

    def judge_link(self, a: str, b: str, status: str) -> None:
        """Confirm or reject the link between two judgments (``DOC:BLOCK#N``)."""
        if status not in ("confirmed", "rejected"):
            raise UsageError("E404", f"link status {status!r} (confirmed or rejected)")
        (da, ja), (db_, jb) = self.judgment_ref(a), self.judgment_ref(b)
        self.store.set_link_status(da, ja.id, db_, jb.id, status)

    def judgment_ref(self, ref: str) -> tuple[str, StoredJudgment]:
        """``(document id, judgment)`` for ``DOC:BLOCK#N`` (DOC: id, prefix or number)."""
        doc, sep, jid = ref.rpartition(":")
        if not sep:
            raise UsageError("E402", f"{ref!r}: a judgment is named DOC:BLOCK#N, e.g. NIE-58:2#1")
        doc_id = self.resolve(doc)
        found = self.store.judgments_of([(doc_id, jid)]).get((doc_id, jid))
        if found is None:
            raise UsageError("E402", f"no judgment {jid!r} in {doc_id} (see 'declass judgments {doc}')")
        return doc_id, found

    def track(self, ref: str, *, scale: str = "kent") -> Trajectory:
        """A judgment's trajectory: every restatement (linked or restated in
        the same document), in date order, with its term and probability on
        the anchor's side of the question."""
        from dataclasses import replace

        from rapidfuzz import fuzz

        from declass.archive.answers import TrackStep, Trajectory
        from declass.corpus.link import signature as link_signature
        from declass.stages.judgments.scales import range_under

        if ":" in ref:
            anchor_doc, anchor = self.judgment_ref(ref)
        else:
            scored = [(fuzz.token_set_ratio(ref, j.claim), j) for _, j in self.store.judgment_scan()]
            if not scored or max(s for s, _ in scored) < 60:
                raise UsageError("E402", f"no judgment like {ref!r}")
            anchor = max(scored, key=lambda t: t[0])[1]
            anchor_doc = anchor.document
        edges: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for lk in self.store.links():
            a, b = (lk.a_doc, lk.a), (lk.b_doc, lk.b)
            edges.setdefault(a, set()).add(b)
            edges.setdefault(b, set()).add(a)
        # the linked judgments, and those restated in the same document, fetched as the walk reaches them
        found: dict[tuple[str, str], StoredJudgment] = {}
        seen = {(anchor_doc, anchor.id)}
        todo = [(anchor_doc, anchor.id)]
        while todo:
            fetched = self.store.judgments_of([k for k in todo if k not in found])
            found.update(fetched)
            nxt: list[tuple[str, str]] = []
            for key in todo:
                j = found.get(key)
                near = set(edges.get(key, ())) | {(key[0], o) for o in (j.restates if j else ())}
                for other in near:
                    if other not in seen:
                        seen.add(other)
                        nxt.append(other)
            todo = nxt
        ents = self.store.entities_in_spans([(d, j.start, j.end) for (d, _), j in found.items()])
        anchor_sign = link_signature(anchor.claim, ents.get((anchor_doc, anchor.start, anchor.end), []))[1]
        steps = sorted(found.items(), key=lambda kv: (kv[1].date or "", kv[0]))
        cites = self.citations([(rid, j.block) for (rid, _), j in steps])
        rows: list[TrackStep] = []
        for ((rid, jid), j), (cite, _, _) in zip(steps, cites, strict=True):
            got = range_under(j, scale)
            rng = None if got is None else (got[0], got[1])
            sign = link_signature(j.claim, ents.get((rid, j.start, j.end), []))[1]
            flipped = bool(anchor_sign and sign and sign != anchor_sign)
            aligned = None if rng is None else ((round(1 - rng[1], 4), round(1 - rng[0], 4)) if flipped else rng)
            rows.append(TrackStep(rid, j.date, jid, j.block, j.term, j.expression, j.claim, rng, aligned, flipped,
                                  cite))
        return Trajectory(replace(anchor, date=None, range=None, scale=None), scale, tuple(rows))

    def score(self, outcomes: str | Path, *, scale: str = "kent", by: str | None = None) -> Score:
        """Brier and log scores, calibration, of the judgments an outcomes file resolves."""
        from declass.corpus.score import load_outcomes
        from declass.corpus.score import score as score_outcomes
        from declass.stages.judgments.scales import load_scale

        load_scale(scale)

        items = load_outcomes(outcomes)
        return score_outcomes(LazyRecords(self.store.get), items, self.resolve, scale=scale, by=by,
                              total=self.store.judgment_count())

    def records(self) -> Iterator[dict[str, Any]]:
        """Every document's export record, one at a time."""
        return self.store.iter_records()

    # -- releases of one document (declass.corpus.releases) -------------------------

    def find_releases(self) -> list[StoredRelease]:
        """Pair the releases of one document across the archive (same archive id, same
        type + date + title, near-duplicate text) and store the pairs; a pair a user
        confirmed or rejected keeps its status.  Returns the stored pairs."""
        from declass.corpus.releases.api import pair_records

        found = pair_records(self.records(), fetch=self.get)
        self.store.save_releases([(p.earlier, p.later, p.method, p.score, p.basis) for p in found])
        return self.releases()

    def releases(self, *, find: bool = False, include_rejected: bool = False) -> list[StoredRelease]:
        """Stored pairs of releases, earlier first (``find``: pair the archive first)."""
        if find:
            return self.find_releases()
        try:
            return self.store.releases(include_rejected=include_rejected)
        except StoreError as exc:  # an archive opened read-only from before releases were stored
            if "releases" in exc.message:
                return []
            raise

    def releases_of(self, ref: str) -> list[StoredRelease]:
        """The pairs a document is in."""
        doc_id = self.resolve(ref)
        return [p for p in self.releases() if doc_id in (p.earlier, p.later)]

    def pair_releases(self, a: str, b: str) -> Paired:
        """Record by hand that ``a`` and ``b`` are releases of one document (ordered by the usual rules)."""
        from declass.archive.answers import Paired
        from declass.corpus.releases.api import order_records

        ra, rb = self.get(a), self.get(b)
        if ra["id"] == rb["id"]:
            raise UsageError("E404", f"{a!r} and {b!r} are one document")
        e, later, basis = order_records(ra, rb)
        self.store.set_release(e["id"], later["id"], "confirmed", basis)
        return Paired(e["id"], later["id"], basis)

    def unpair_releases(self, a: str, b: str) -> None:
        """Record that ``a`` and ``b`` are not releases of one document (pairing will not propose them)."""
        ia, ib = self.resolve(a), self.resolve(b)
        self.store.set_release(ia, ib, "rejected", "user")

    def compare(self, a: str, b: str) -> Comparison:
        """What the later of two releases revealed, against the earlier."""
        from declass.corpus.releases.api import order_records
        from declass.corpus.releases.compare import compare_records

        ra, rb = self.get(a), self.get(b)
        stored = {(p.earlier, p.later) for p in self.releases()}
        if (rb["id"], ra["id"]) in stored:
            ra, rb = rb, ra
        elif (ra["id"], rb["id"]) not in stored:
            ra, rb, _ = order_records(ra, rb)
        return compare_records(ra, rb)

    def release_stats(self) -> ReleaseStats:
        """Each stored pair's figures and the archive's (by year, by what withheld the text).
        A pair's figures are kept in memory by the two releases' content hashes, so
        they are worked out again only when a release changes."""
        from declass.corpus.releases.api import cached_pair_stats
        from declass.corpus.releases.stats import PairFigures, ReleaseStats, archive_stats

        sha = {d.id: d.sha256 for d in self.documents()}
        rows, stats = [], []
        for p in self.releases():
            e, lt = p.earlier, p.later
            def fetch(e: str = e, lt: str = lt) -> tuple[dict[str, Any], dict[str, Any]]:
                return self.get(e), self.get(lt)

            st = cached_pair_stats(sha[e], sha[lt], fetch)
            stats.append(st)
            rows.append(PairFigures.of(e, lt, p.date, st))
        return ReleaseStats(tuple(rows), archive_stats(stats))
