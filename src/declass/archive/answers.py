"""What `Archive` answers beyond the store's rows: typed, frozen, each with one export form.

The store hands back plain rows (summaries, counts, totals); the archive reads them into these
types, so the CLI, the API and the pages read named attributes and the JSON of each answer is
written by one serialiser (`declass.model.records.plain`, through ``KEYS``), in the key order
the API's and the CLI's JSON always had.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from declass.model.records import Exported
from declass.model.redaction import by_exemption_sorted, per_page, withheld_share

if TYPE_CHECKING:
    from declass.model.redaction import Redaction
    from declass.stages.entities.gazetteer import Entity
    from declass.store.page import Page
    from declass.store.rows import StoredJudgment, StoredMention


@dataclass(frozen=True, slots=True)
class DocumentSummary(Exported):
    """A document's summary row: what the archive's list shows and sorts by, without its record."""

    id: str
    path: str | None
    sha256: str
    media_type: str | None
    size: int | None
    pages: int | None
    blocks: int | None
    doc_type: str | None
    doc_number: str | None
    title: str | None
    date: str | None
    classification: str | None
    archive_id: str | None
    released: str | None
    ingested_at: str | None
    redactions: int | None
    withheld: int | None
    edits: int | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> DocumentSummary:
        """From a row of the documents table holding (at least) the summary's columns."""
        return cls(*(r[k] for k in cls.KEYS))


@dataclass(frozen=True, slots=True)
class EntityCount(Exported):
    """An entity's mentions counted (in one document or the archive), and the forms it is written in
    (with their counts, most written first).  ``id`` is None for a name the gazetteer does not know."""

    id: str | None
    name: str
    type: str
    mentions: int
    forms: Mapping[str, int]

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> EntityCount:
        return cls(r["id"], r["name"], r["type"], int(r["mentions"]), r["forms"])


@dataclass(frozen=True, slots=True)
class Cooccurrence(Exported):
    """Two entities named in the same blocks: an edge of the co-occurrence network, weighed by the
    blocks they share, with the documents those blocks are in."""

    source: str
    source_name: str | None
    target: str
    target_name: str | None
    weight: int
    documents: int

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Cooccurrence:
        return cls(r["source"], r["source_name"], r["target"], r["target_name"], int(r["weight"]),
                   int(r["documents"]))


@dataclass(frozen=True, slots=True)
class Cooccurring(Exported):
    """An entity named in the same blocks as another: in how many blocks (``weight``) and documents."""

    id: str
    name: str | None
    weight: int
    documents: int

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Cooccurring:
        return cls(r["id"], r["name"], int(r["weight"]), int(r["documents"]))


@dataclass(frozen=True, slots=True)
class EntityPage(Exported):
    """An entity: its gazetteer record, the names it is seen under (with counts), a page of its mentions
    (cited), the documents of that page, how many documents name it, and the entities named beside it."""

    entity: Entity
    forms_seen: Mapping[str, int]
    mentions: Page[StoredMention]
    documents: tuple[str, ...]
    document_count: int
    total: int
    next: str | None
    cooccurring: tuple[Cooccurring, ...]

    def to_dict(self) -> dict[str, Any]:
        """The export form; the entity as the gazetteer writes it."""
        out = Exported.to_dict(self)
        out["entity"] = self.entity.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class RedactionStatistics(Exported):
    """A document's redactions counted: markers (by exemption), withheld points and their share of the
    numbered blocks, exempt pages, omissions, pages, markers per page."""

    markers: int
    by_exemption: Mapping[str | None, int]
    withheld_blocks: int
    withheld_share: float
    exempt_pages: int
    omissions: int
    pages: int
    per_page: float

    @classmethod
    def from_counts(cls, counts: Mapping[str, Any], *, numbered: int | None = None,
                    pages: int | None = None) -> RedactionStatistics:
        """From redactions counted (`stages.redactions.statistics`, or the store's `redaction_counts`);
        ``numbered`` and ``pages``: the document's numbered blocks and pages, when the counts lack them
        (a withheld point's share is of the numbered blocks and the points withheld together)."""
        markers, withheld = int(counts["markers"]), int(counts["withheld_blocks"])
        pages = int(counts["pages"]) if pages is None else pages
        share = withheld_share(withheld, numbered) if numbered is not None else float(counts["withheld_share"])
        return cls(markers, by_exemption_sorted(counts["by_exemption"]), withheld, share,
                   int(counts["exempt_pages"]), int(counts["omissions"]), pages, per_page(markers, pages))


@dataclass(frozen=True, slots=True)
class RedactionTotals(Exported):
    """The redaction report's figures over the documents it covers (the archive's, or one document's)."""

    markers: int
    withheld_blocks: int
    pages: int
    documents: int
    exempt_pages: int
    by_exemption: Mapping[str | None, int]
    per_page: float

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> RedactionTotals:
        return cls(r["markers"], r["withheld_blocks"], r["pages"], r["documents"], r["exempt_pages"],
                   r["by_exemption"], r["per_page"])

    @classmethod
    def of_document(cls, st: RedactionStatistics) -> RedactionTotals:
        """The figures of a report on one document."""
        return cls(st.markers, st.withheld_blocks, st.pages, 1, st.exempt_pages, st.by_exemption, st.per_page)


@dataclass(frozen=True, slots=True)
class ReportDocument(Exported):
    """A document of the redaction report: its statistics and its redactions (none when counted alone)."""

    id: str
    statistics: RedactionStatistics
    redactions: tuple[Redaction, ...]


@dataclass(frozen=True, slots=True)
class RedactionReport(Exported):
    """A page of the redaction report's documents, the figures they sum to, and the paging."""

    documents: Page[ReportDocument]
    corpus: RedactionTotals
    total: int
    next: str | None


@dataclass(frozen=True, slots=True)
class TermCount(Exported):
    """An estimative term: how many judgments use it, and the range they give it on a scale
    (None: unmapped there)."""

    term: str
    count: int
    low: float | None
    high: float | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> TermCount:
        return cls(r["term"], int(r["count"]), r["low"], r["high"])

    @property
    def range(self) -> tuple[float, float] | None:
        return None if self.low is None or self.high is None else (self.low, self.high)


@dataclass(frozen=True, slots=True)
class TrackStep(Exported):
    """One restatement on a judgment's trajectory: where and when, its term and range, and that range on
    the anchor's side of the question (``flipped``: the restatement asks the opposite), cited."""

    document: str
    date: str | None
    judgment: str
    block: str | None
    term: str
    expression: str
    claim: str
    range: tuple[float, float] | None
    aligned_range: tuple[float, float] | None
    flipped: bool
    citation: str | None = None


@dataclass(frozen=True, slots=True)
class Trajectory(Exported):
    """A judgment (the anchor, as stored) and every restatement of it in date order, on one scale."""

    anchor: StoredJudgment
    scale: str
    trajectory: tuple[TrackStep, ...]


@dataclass(frozen=True, slots=True)
class Paired(Exported):
    """Two releases a user paired by hand, in the order worked out for them, and what decided it."""

    earlier: str
    later: str
    basis: str
