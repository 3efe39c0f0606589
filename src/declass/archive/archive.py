"""`Archive`: the Python API over a store, for notebooks and scripts.

The CLI and the web UI are thin layers over this class; everything it
returns is plain data (dicts and small dataclasses).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from rapidfuzz import fuzz

from declass.archive.export import to_record
from declass.archive.ingest import DEFAULT_TIME_BUDGET, FileResult, IngestReport, ingest
from declass.corpus.cite import citation
from declass.corpus.link import DEFAULT_THRESHOLD, judgment_entities
from declass.corpus.link import candidates as link_candidates
from declass.corpus.link import signature as link_signature
from declass.corpus.releases.compare import Comparison
from declass.corpus.score import load_outcomes
from declass.corpus.score import score as score_outcomes
from declass.errors import StoreError, UsageError
from declass.model import Document
from declass.stages.entities.entities import counts as entity_counts
from declass.stages.entities.gazetteer import load as load_gazetteer
from declass.stages.judgments.judgments import range_under
from declass.stages.judgments.scales import load_scale
from declass.stages.parse import parse
from declass.stages.pipeline import Options
from declass.stages.read.reader import DEFAULT_MAX_BYTES
from declass.stages.redactions.redactions import statistics
from declass.store import Hit, PutResult, default_db, open_store


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
        if isinstance(paths, (str, Path)):
            paths = [paths]
        options = Options(gazetteer=tuple(str(g) for g in gazetteer))
        load_gazetteer(options.gazetteer)  # a bad gazetteer file fails here, once, not per document
        return ingest(self.store, paths, db=self.db, workers=workers, max_bytes=max_bytes,
                      ocr=ocr, options=options, on_result=on_result, dask_address=dask, time_budget=time_budget)

    def add(self, doc: Document | str | Path) -> PutResult:
        """Store one document (parsed here if given as a path or text)."""
        if not isinstance(doc, Document):
            doc = parse(doc)
        return self.store.put(to_record(doc))

    def documents(self) -> list[dict[str, Any]]:
        """A summary row per document, ordered by date."""
        return self.store.documents()

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
        gaz = load_gazetteer(tuple(str(g) for g in gazetteer))
        ent = gaz.lookup(name)
        if ent is None:
            raise UsageError("E401", f"no entity called {name!r} in the gazetteer (try 'declass entities')")
        ids = [ent.id]
        ids += [e.id for e in gaz.entities.values() if e.metonym_for == ent.id]
        return ids

    def entities(self, ref: str | None = None, *, type_: str | None = None) -> list[dict[str, Any]]:
        """Mentions per canonical entity, in one document or the whole archive."""
        doc_id = self.resolve(ref) if ref else None
        return entity_counts(self.store.mentions(doc_id=doc_id, type_=type_))

    def entity(self, name: str, *, gazetteer: Sequence[str | Path] = ()) -> dict[str, Any]:
        """An entity's canonical record, the names it appears under, and every mention, cited."""
        gaz = load_gazetteer(tuple(str(g) for g in gazetteer))
        ent = gaz.lookup(name)
        if ent is None:
            raise UsageError("E401", f"no entity called {name!r} in the gazetteer (try 'declass entities')")
        mentions = self.store.mentions(entity_ids=[ent.id])
        seen: dict[str, int] = {}
        for m in mentions:
            seen[m["text"]] = seen.get(m["text"], 0) + 1
        records: dict[str, dict[str, Any]] = {}
        for m in mentions:
            rec = records.setdefault(m["document"], self.get(m["document"]))
            block = next((b for b in rec["blocks"] if b["label"] == m["block"]), None)
            m["citation"] = citation(rec, block)
        return {"entity": ent.to_dict(), "forms_seen": seen, "mentions": mentions,
                "documents": sorted({m["document"] for m in mentions})}

    def cooccurrence(self, *, min_weight: int = 1) -> list[dict[str, Any]]:
        """Entity pairs mentioned in the same blocks (an edge list for network tools)."""
        return self.store.cooccurrence(min_weight=min_weight)

    def redaction_report(self, ref: str | None = None) -> dict[str, Any]:
        """Redactions of one document, or of every document plus corpus totals."""
        records = [self.get(ref)] if ref else self.records()
        docs: list[dict[str, Any]] = []
        totals: Counter[str] = Counter()
        by_exemption: Counter[str] = Counter()
        for rec in records:
            stats = statistics(rec["redactions"], rec["blocks"], len(rec.get("pages") or []) or 1)
            docs.append({"id": rec["id"], "statistics": stats, "redactions": rec["redactions"]})
            totals.update({k: stats[k] for k in ("markers", "withheld_blocks", "pages")})
            by_exemption.update(stats["by_exemption"])
        corpus = {**totals, "documents": len(docs), "by_exemption": dict(sorted(by_exemption.items())),
                  "per_page": round(totals["markers"] / totals["pages"], 3) if totals["pages"] else 0.0}
        return {"documents": docs, "corpus": corpus}

    def judgments(self, ref: str | None = None, *, scale: str = "kent", low: float = 0.0,
                  high: float = 1.0) -> list[dict[str, Any]]:
        """Judgments (one document or all) with their range under ``scale``,
        kept when that range lies within ``[low, high]`` (unmapped ones only
        when no bound is set)."""
        load_scale(scale)  # a bad scale fails here, once
        rows: list[dict[str, Any]] = []
        records = [self.get(ref)] if ref else self.records()
        for rec in records:
            for j in rec["judgments"]:
                rng = range_under(j, scale)
                if rng is None and (low > 0.0 or high < 1.0):
                    continue
                if rng is not None and not (low <= rng[0] and rng[1] <= high):
                    continue
                rows.append({"document": rec["id"], **j, "range": rng, "scale": scale})
        return rows

    def timeline(self, *, entity: str | None = None, start: str | None = None, end: str | None = None,
                 gazetteer: Sequence[str | Path] = ()) -> list[dict[str, Any]]:
        """The corpus's events in date order, each cited; optionally only those
        whose sentence names ``entity``, and only between ``start`` and ``end``."""
        ids = set(self.entity_ids(entity, gazetteer)) if entity else set()
        rows: list[dict[str, Any]] = []
        for rec in self.records():
            blocks = {b["label"]: b for b in rec["blocks"]}
            for ev in rec["events"]:
                if ids and not any(m.get("id") in ids and ev["sentence_start"] <= m["start"] < ev["sentence_end"]
                                   for m in rec["entities"]):
                    continue
                last = ev["date_end"] or ev["date"]
                if (start and last < start) or (end and ev["date"] > end + "\uffff"):
                    continue
                rows.append({"document": rec["id"], **ev,
                             "citation": citation(rec, blocks.get(ev["block"]))})
        rows.sort(key=lambda r: (r["date"], r["document"], r["start"]))
        return rows

    # -- judgments across documents --------------------------------------

    def find_links(self, *, threshold: float = DEFAULT_THRESHOLD, method: str = "auto") -> list[dict[str, Any]]:
        """Propose links between judgments restated across documents, and store them
        (``method``: lexical, embeddings, or auto = embeddings when installed)."""
        found = link_candidates(list(self.records()), threshold, method)
        self.store.save_links(found)
        return self.store.links()

    def links(self, *, include_rejected: bool = False) -> list[dict[str, Any]]:
        return self.store.links(include_rejected=include_rejected)

    def judge_link(self, a: str, b: str, status: str) -> None:
        """Confirm or reject the link between two judgments (``DOC:BLOCK#N``)."""
        if status not in ("confirmed", "rejected"):
            raise UsageError("E404", f"link status {status!r} (confirmed or rejected)")
        (da, ja), (db_, jb) = self.judgment_ref(a), self.judgment_ref(b)
        self.store.set_link_status(da, ja["id"], db_, jb["id"], status)

    def judgment_ref(self, ref: str) -> tuple[str, dict[str, Any]]:
        """``(document id, judgment)`` for ``DOC:BLOCK#N`` (DOC: id, prefix or number)."""
        doc, sep, jid = ref.rpartition(":")
        if not sep:
            raise UsageError("E402", f"{ref!r}: a judgment is named DOC:BLOCK#N, e.g. NIE-58:2#1")
        rec = self.get(doc)
        for j in rec["judgments"]:
            if j["id"] == jid:
                return rec["id"], j
        raise UsageError("E402", f"no judgment {jid!r} in {rec['id']} (see 'declass judgments {doc}')")

    def track(self, ref: str, *, scale: str = "kent") -> dict[str, Any]:
        """A judgment's trajectory: every restatement (linked or restated in
        the same document), in date order, with its term and probability on
        the anchor's side of the question."""
        records = {r["id"]: r for r in self.records()}
        if ":" in ref:
            anchor_doc, anchor = self.judgment_ref(ref)
        else:
            scored = [(fuzz.token_set_ratio(ref, j["claim"]), rid, j) for rid, r in records.items()
                      for j in r["judgments"]]
            if not scored or max(s for s, _, _ in scored) < 60:
                raise UsageError("E402", f"no judgment like {ref!r}")
            _, anchor_doc, anchor = max(scored, key=lambda t: t[0])
        edges: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for lk in self.store.links():
            a, b = (lk["a_doc"], lk["a"]), (lk["b_doc"], lk["b"])
            edges.setdefault(a, set()).add(b)
            edges.setdefault(b, set()).add(a)
        for rid, r in records.items():
            for j in r["judgments"]:
                for other in j.get("restates", []):
                    edges.setdefault((rid, j["id"]), set()).add((rid, other))
        seen = {(anchor_doc, anchor["id"])}
        todo = [(anchor_doc, anchor["id"])]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        # a range is for its claim as stated: restatements whose claim points the other
        # way on the durability axis ("can be weakened" vs "will continue") are flipped
        anchor_sign = link_signature(anchor["claim"], judgment_entities(records[anchor_doc], anchor))[1]
        rows = []
        for rid, jid in seen:
            rec = records.get(rid)
            j = next((x for x in (rec or {}).get("judgments", []) if x["id"] == jid), None)
            if rec is None or j is None:
                continue
            rng = range_under(j, scale)
            sign = link_signature(j["claim"], judgment_entities(rec, j))[1]
            flipped = bool(anchor_sign and sign and sign != anchor_sign)
            aligned = None if rng is None else ([round(1 - rng[1], 4), round(1 - rng[0], 4)] if flipped else rng)
            md = rec["metadata"]
            rows.append({"document": rid, "date": (md.get("date") or {}).get("value"), "judgment": jid,
                         "block": j["block"], "term": j["term"], "expression": j["expression"],
                         "claim": j["claim"], "range": rng, "aligned_range": aligned, "flipped": flipped,
                         "citation": citation(rec, next((b for b in rec["blocks"] if b["label"] == j["block"]),
                                                        None))})
        order = {rid: i for i, rid in enumerate(records)}
        rows.sort(key=lambda r: (r["date"] or "", order[r["document"]], r["judgment"]))
        return {"anchor": {"document": anchor_doc, **anchor}, "scale": scale, "trajectory": rows}

    def score(self, outcomes: str | Path, *, scale: str = "kent", by: str | None = None) -> dict[str, Any]:
        """Brier and log scores, calibration, of the judgments an outcomes file resolves."""
        load_scale(scale)
        items = load_outcomes(outcomes)
        records = {r["id"]: r for r in self.records()}
        return score_outcomes(records, items, self.resolve, scale=scale, by=by)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every document's export record, one at a time."""
        return self.store.iter_records()

    # -- releases of one document (declass.corpus.releases) -------------------------

    def find_releases(self) -> list[dict[str, Any]]:
        """Pair the releases of one document across the archive (same archive id, same
        type + date + title, near-duplicate text) and store the pairs; a pair a user
        confirmed or rejected keeps its status.  Returns the stored pairs."""
        from declass.corpus.releases.api import pair_records

        found = pair_records(self.records(), fetch=self.get)
        self.store.save_releases([(p.earlier, p.later, p.method, p.score, p.basis) for p in found])
        return self.releases()

    def releases(self, *, find: bool = False, include_rejected: bool = False) -> list[dict[str, Any]]:
        """Stored pairs of releases, earlier first (``find``: pair the archive first)."""
        if find:
            return self.find_releases()
        try:
            return self.store.releases(include_rejected=include_rejected)
        except StoreError as exc:  # an archive opened read-only from before releases were stored
            if "releases" in exc.message:
                return []
            raise

    def releases_of(self, ref: str) -> list[dict[str, Any]]:
        """The pairs a document is in."""
        doc_id = self.resolve(ref)
        return [p for p in self.releases() if doc_id in (p["earlier"], p["later"])]

    def pair_releases(self, a: str, b: str) -> dict[str, Any]:
        """Record by hand that ``a`` and ``b`` are releases of one document (ordered by the usual rules)."""
        from declass.corpus.releases.api import order_records

        ra, rb = self.get(a), self.get(b)
        if ra["id"] == rb["id"]:
            raise UsageError("E404", f"{a!r} and {b!r} are one document")
        e, later, basis = order_records(ra, rb)
        self.store.set_release(e["id"], later["id"], "confirmed", basis)
        return {"earlier": e["id"], "later": later["id"], "basis": basis}

    def unpair_releases(self, a: str, b: str) -> None:
        """Record that ``a`` and ``b`` are not releases of one document (pairing will not propose them)."""
        ia, ib = self.resolve(a), self.resolve(b)
        self.store.set_release(ia, ib, "rejected", "user")

    def compare(self, a: str, b: str) -> Comparison:
        """What the later of two releases revealed, against the earlier."""
        from declass.corpus.releases.api import order_records
        from declass.corpus.releases.compare import compare_records

        ra, rb = self.get(a), self.get(b)
        stored = {(p["earlier"], p["later"]) for p in self.releases()}
        if (rb["id"], ra["id"]) in stored:
            ra, rb = rb, ra
        elif (ra["id"], rb["id"]) not in stored:
            ra, rb, _ = order_records(ra, rb)
        return compare_records(ra, rb)

    def release_stats(self) -> dict[str, Any]:
        """Each stored pair's figures and the archive's (by year, by what withheld the text).
        A pair's figures are kept in memory by the two releases' content hashes, so
        they are worked out again only when a release changes."""
        from dataclasses import asdict

        from declass.corpus.releases.api import cached_pair_stats
        from declass.corpus.releases.stats import archive_stats

        sha = {d["id"]: d["sha256"] for d in self.documents()}
        rows, stats = [], []
        for p in self.releases():
            e, lt = p["earlier"], p["later"]
            st = cached_pair_stats(sha[e], sha[lt], lambda e=e, lt=lt: (self.get(e), self.get(lt)))
            stats.append(st)
            rows.append({"earlier": e, "later": lt, "date": p.get("date"), **asdict(st)})
        return {"pairs": rows, "archive": archive_stats(stats).to_dict()}
