"""The facts stages find, as typed spans into a document.

Every fact a stage derives — a mention, a judgment, an event, a redaction,
a handwritten edit, a metadata field — is a `Span`: it names its document,
the block it sits in, its character offsets in the source text and its
page.  Each type knows its export form (`to_dict`, the keys and key order of
the JSONL export, which is a public contract) and how to be read back from
it (`from_dict`; the store's rows use the same shape, `from_row`).

A key marked optional is left out of the export when its value is None,
as the stages always did; every other key is always written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from typing import Any, ClassVar, Self, TypeVar

from declass.model.kinds import EditOp, RedactionKind

JSON = Any
"""A JSON value (the export's nested free-form parts: sizes, probabilities)."""


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(v: Any) -> Any:
    """A value as plain JSON data: tuples become lists, enums their strings."""
    t = type(v)
    if t in _SCALARS:  # the common case first: this runs for every value of every record exported
        return v
    if t is tuple or t is list:
        return [_plain(x) for x in v]
    if t is dict:
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, Exported):
        return v.to_dict()
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    return v


def plain(value: Any) -> Any:
    """Any answer holding typed records as plain JSON data: each record its export form
    (`Exported.to_dict`), tuples and lists lists, enums their strings.  The one
    serialiser of the API's and the CLI's JSON."""
    return _plain(value)


_AS_IS = frozenset({"str", "int", "float", "bool", "str | None", "int | None", "float | None", "bool | None"})
_PAIR = frozenset({"tuple[int, int]", "tuple[int, int] | None"})
_WRITERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _writer(cls: type) -> Callable[[Any], dict[str, Any]]:
    """``to_dict`` written out for ``cls`` from its ``KEYS`` and field types, as
    `dataclasses` writes ``__init__``: the export runs for every fact of every
    document, and a loop over the keys testing each value's type costs several
    times more.  Scalars are copied as they are, offset pairs become lists,
    anything else goes through `_plain`."""
    types = {f.name: str(f.type) for f in fields(cls)} if is_dataclass(cls) else {}
    optional: frozenset[str] = getattr(cls, "OPTIONAL", frozenset())
    lines = ["def to_dict(self):", "    out = {}"]
    for k in getattr(cls, "KEYS", ()):
        t = types.get(k, "")
        value = "v" if t in _AS_IS else "(None if v is None else [v[0], v[1]])" if t in _PAIR else "_plain(v)"
        lines.append(f"    v = self.{k}")
        if k in optional:
            keeps = "" if getattr(cls, "keeps_none", None) is Exported.keeps_none else f" or self.keeps_none({k!r})"
            lines.append(f"    if v is not None{keeps}:")
            lines.append(f"        out[{k!r}] = {value}")
        else:
            lines.append(f"    out[{k!r}] = {value}")
    lines.append("    return out")
    namespace: dict[str, Any] = {"_plain": _plain}
    exec("\n".join(lines), namespace)  # source built above from the class's own declarations
    write: Callable[[Any], dict[str, Any]] = namespace["to_dict"]
    return write


def _pair(v: Any) -> tuple[int, int]:
    a, b = v
    return int(a), int(b)


def _opt_pair(v: Any) -> tuple[int, int] | None:
    return None if v is None else _pair(v)


class Exported:
    """A record with a fixed export form: ``KEYS`` in order, ``OPTIONAL`` ones only when set."""

    __slots__ = ()
    KEYS: ClassVar[tuple[str, ...]] = ()
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        """The export form (plain JSON data, keys in the contract's order)."""
        write = _WRITERS.get(type(self))
        if write is None:
            write = _WRITERS[type(self)] = _writer(type(self))
        return write(self)

    def keeps_none(self, key: str) -> bool:
        """Whether optional ``key`` is written even when None (a record kind that always has it)."""
        return False


@dataclass(frozen=True, slots=True, kw_only=True)
class Span(Exported):
    """Where a fact sits: its document, block label, source offsets and page.

    ``document`` is the document's id; the export leaves it out (each record
    already belongs to one document) and the store fills it in."""

    document: str = ""
    block: str | None
    start: int
    end: int
    page: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any], document: str | None = None) -> Self:
        """Read back from a store row: the export's keys, plus ``document`` (or ``doc_id``)."""
        doc = document if document is not None else row.get("document", row.get("doc_id", ""))
        return cls.from_dict(row, document=str(doc or ""))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        raise NotImplementedError  # every concrete span defines it


S = TypeVar("S", bound=Span)


def from_dicts(cls: type[S], items: Any, document: str = "",
               page_at: Callable[[int], int] | None = None) -> tuple[S, ...]:
    """Typed records from export dicts (records already typed pass through).

    ``page_at`` (`declass.model.page_lookup`) gives the page of a record whose
    dict has none (mentions and metadata fields do not export theirs)."""
    if page_at is None:
        return tuple(x if isinstance(x, cls) else cls.from_dict(x, document) for x in items)
    return tuple(x if isinstance(x, cls) else cls.from_dict(x, document, page_at(int(x["start"]))) for x in items)


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention(Span):
    """A name in the text: a person, place or organisation, resolved when it can be.

    ``metonymy``: a place named for its government ("Moscow agreed");
    ``as_named`` is then the place, ``id`` the government."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "text", "block", "start", "end", "in_block", "method", "metonymy", "in_deleted_text", "as_named", "type",
        "canonical", "id", "wikidata", "title", "cluster", "frus_id",
    )
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"as_named", "title", "cluster", "frus_id"})

    text: str
    in_block: tuple[int, int]
    method: str
    type: str
    metonymy: bool = False
    in_deleted_text: bool = False
    as_named: str | None = None
    canonical: str | None = None
    id: str | None = None
    wikidata: str | None = None
    title: str | None = None
    cluster: str | None = None
    frus_id: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        return cls(
            document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]), page=d.get("page", page),
            text=d["text"], in_block=_pair(d["in_block"]), method=d["method"], type=d["type"],
            metonymy=bool(d.get("metonymy", False)), in_deleted_text=bool(d.get("in_deleted_text", False)),
            as_named=d.get("as_named"), canonical=d.get("canonical"), id=d.get("id"), wikidata=d.get("wikidata"),
            title=d.get("title"), cluster=d.get("cluster"), frus_id=d.get("frus_id"),
        )


@dataclass(frozen=True, slots=True)
class Horizon(Exported):
    """How far ahead a judgment looks: ``kind`` is period, explicit, open or none."""

    KEYS: ClassVar[tuple[str, ...]] = ("end", "kind", "phrase")

    end: str | None
    kind: str
    phrase: str | None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Horizon:
        return cls(d.get("end"), d["kind"], d.get("phrase"))


@dataclass(frozen=True, slots=True)
class Dissent(Exported):
    """An agency's reservation attached to a judgment's paragraph."""

    KEYS: ClassVar[tuple[str, ...]] = ("by", "text", "source", "block")

    by: str
    text: str
    source: str | None
    block: str | None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Dissent:
        return cls(d["by"], d["text"], d.get("source"), d.get("block"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgment(Span):
    """An estimative statement: its claim, term, probability under each scale, horizon and dissent.

    ``probability`` maps a scale name to ``(low, high)``, or None where the
    scale has no band for the term; ``restates`` lists the ids of judgments
    in the same document that say the same thing."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "id", "block", "text", "claim", "term", "expression", "other_expressions", "polarity", "negated_claim",
        "probability", "mapping", "flat", "horizon_end", "horizon", "dissent", "by", "in_deleted_text", "start",
        "end", "in_block", "page", "restates",
    )

    id: str
    text: str
    claim: str
    term: str
    expression: str
    other_expressions: tuple[str, ...] = ()
    polarity: str = "positive"
    negated_claim: bool = False
    probability: Mapping[str, tuple[float, float] | None]
    mapping: Mapping[str, str]
    flat: bool = False
    horizon: Horizon
    dissent: tuple[Dissent, ...] = ()
    by: str | None = None
    in_deleted_text: bool = False
    in_block: tuple[int, int]
    restates: tuple[str, ...] = ()

    @property
    def horizon_end(self) -> str | None:
        """The ISO date the judgment's horizon ends on, if it has one."""
        return self.horizon.end

    def range_under(self, scale: str) -> tuple[float, float] | None:
        """The probability range under a built-in ``scale`` (see `declass.stages.judgments.range_under` for any)."""
        return self.probability.get(scale)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        probs = {k: None if v is None else (float(v[0]), float(v[1])) for k, v in (d.get("probability") or {}).items()}
        horizon = d.get("horizon") or {"end": d.get("horizon_end"), "kind": "none", "phrase": None}
        return cls(
            document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]), page=d.get("page", page),
            id=d["id"], text=d["text"], claim=d["claim"], term=d["term"], expression=d["expression"],
            other_expressions=tuple(d.get("other_expressions") or ()), polarity=d.get("polarity", "positive"),
            negated_claim=bool(d.get("negated_claim", False)), probability=probs, mapping=dict(d.get("mapping") or {}),
            flat=bool(d.get("flat", False)), horizon=Horizon.from_dict(horizon),
            dissent=tuple(Dissent.from_dict(x) for x in d.get("dissent") or ()), by=d.get("by"),
            in_deleted_text=bool(d.get("in_deleted_text", False)), in_block=_pair(d["in_block"]),
            restates=tuple(d.get("restates") or ()),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(Span):
    """A dated event, deadline, duration or period, with ISO dates.

    ``phrase`` is the dating words, ``text`` the whole sentence (whose source
    span is ``sentence_start``..``sentence_end``); ``relative_to`` and
    ``anchor`` say what a counted date ("within 30 days") was counted from."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "date", "date_end", "precision", "kind", "phrase", "text", "block", "in_block", "start", "end",
        "sentence_start", "sentence_end", "page", "open_end", "relative_to", "anchor",
    )
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"open_end", "relative_to", "anchor"})

    date: str
    date_end: str | None = None
    precision: str
    kind: str
    phrase: str
    text: str
    in_block: tuple[int, int]
    sentence_start: int
    sentence_end: int
    open_end: bool | None = None
    relative_to: str | None = None
    anchor: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        return cls(
            document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]), page=d.get("page", page),
            date=d["date"], date_end=d.get("date_end"), precision=d["precision"], kind=d["kind"],
            phrase=d["phrase"], text=d["text"], in_block=_pair(d["in_block"]),
            sentence_start=int(d["sentence_start"]), sentence_end=int(d["sentence_end"]),
            open_end=d.get("open_end"), relative_to=d.get("relative_to"), anchor=d.get("anchor"),
        )


@dataclass(frozen=True, slots=True)
class Exemption(Exported):
    """The exemption a marker cites: its code (``25X1``, ``(b)(3)``) and what the code means."""

    KEYS: ClassVar[tuple[str, ...]] = ("code", "description")

    code: str
    description: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Exemption:
        return cls(d["code"], d.get("description", ""))


@dataclass(frozen=True, slots=True)
class Evidence(Exported):
    """A marker beside an inferred withheld block: why we believe text is missing."""

    KEYS: ClassVar[tuple[str, ...]] = ("kind", "text", "start", "end")

    kind: str
    text: str
    start: int
    end: int

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        return cls(d["kind"], d["text"], int(d["start"]), int(d["end"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class Redaction(Span):
    """Something withheld: a marker, a slip sheet, an editor's omission, or a block inferred from a numbering gap.

    Markers sit ``in`` or ``after`` their ``block``; an inferred block sits
    between ``after`` and ``before`` and carries its ``evidence`` and
    ``confidence``.  ``withholding``/``what``/``size`` read the marker's words
    ("[1½ lines not declassified]" → not_declassified, lines, ``{"lines": 1.5}``)."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "kind", "inferred_labels", "marker", "exemption", "block", "position", "after", "before", "start", "end",
        "page", "source", "label", "withholding", "what", "size", "read_as", "in_block", "evidence", "confidence",
        "reason",
    )
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({
        "inferred_labels", "position", "after", "before", "source", "label", "withholding", "what", "size",
        "read_as", "in_block", "evidence", "confidence", "reason",
    })

    kind: RedactionKind
    marker: str | None = None
    exemption: Exemption | None = None
    position: str | None = None
    inferred_labels: tuple[str, ...] | None = None
    after: str | None = None
    before: str | None = None
    source: str | None = None
    label: str | None = None
    withholding: str | None = None
    what: str | None = None
    size: Mapping[str, float | int | bool] | None = None
    read_as: str | None = None
    in_block: tuple[int, int] | None = None
    evidence: tuple[Evidence, ...] | None = None
    confidence: float | None = None
    reason: str | None = None

    def keeps_none(self, key: str) -> bool:
        return self.kind == RedactionKind.WITHHELD_BLOCK and key in ("after", "before")  # what a gap lies between

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        ex = d.get("exemption")
        ev = d.get("evidence")
        labels = d.get("inferred_labels")
        size = d.get("size")
        return cls(
            document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]), page=d.get("page", page),
            kind=RedactionKind(d["kind"]), marker=d.get("marker"),
            exemption=None if ex is None else Exemption.from_dict(ex), position=d.get("position"),
            inferred_labels=None if labels is None else tuple(labels), after=d.get("after"), before=d.get("before"),
            source=d.get("source"), label=d.get("label"), withholding=d.get("withholding"), what=d.get("what"),
            size=None if size is None else dict(size), read_as=d.get("read_as"), in_block=_opt_pair(d.get("in_block")),
            evidence=None if ev is None else tuple(Evidence.from_dict(x) for x in ev),
            confidence=d.get("confidence"), reason=d.get("reason"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit(Span):
    """A handwritten edit: struck (delete), inserted, a note in the margin, or a caret mark.

    ``marker`` is the transcription's markup that showed it (``~~``, ``^{}``)."""

    KEYS: ClassVar[tuple[str, ...]] = ("op", "text", "start", "end", "marker", "page", "block")

    op: EditOp
    text: str
    marker: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        return cls(document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]),
                   page=d.get("page", page), op=EditOp(d["op"]), text=d["text"], marker=d["marker"])


@dataclass(frozen=True, slots=True, kw_only=True)
class MetadataField(Span):
    """One metadata field's value and where the document states it.

    ``details`` holds what a field adds in its own words, in export order
    (a date's ``precision``, a title's ``printed`` form, a stamp's
    ``note``): they differ from field to field."""

    KEYS: ClassVar[tuple[str, ...]] = ("value", "block", "start", "end")

    value: JSON
    details: Mapping[str, JSON] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**Exported.to_dict(self), **{k: _plain(v) for k, v in self.details.items()}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], document: str = "", page: int | None = None) -> Self:
        details = {k: v for k, v in d.items() if k not in cls.KEYS and k not in ("page", "document", "doc_id")}
        return cls(document=document, block=d.get("block"), start=int(d["start"]), end=int(d["end"]),
                   page=d.get("page", page), value=d.get("value"), details=details)


def field_value(metadata: Mapping[str, Any], key: str) -> JSON:
    """The value of metadata field ``key``: fields are ``{"value": ..., "block": ...}``
    records (or `MetadataField`), a few plain values; None when absent."""
    v = metadata.get(key)
    if isinstance(v, MetadataField):
        return v.value
    if isinstance(v, Mapping):
        return v.get("value")
    return v


def field_part(v: MetadataField | Mapping[str, Any], key: str, default: JSON = None) -> JSON:
    """Part ``key`` of one metadata field, typed or as a record holds it: a span key
    (``value``, ``block``, ``start``, ``end``) or a detail (``by``, ``paragraphs``)."""
    if isinstance(v, MetadataField):
        return getattr(v, key) if key in MetadataField.KEYS else v.details.get(key, default)
    return v.get(key, default)


def field_text(metadata: Mapping[str, Any], key: str) -> str | None:
    """`field_value` as text, stripped: None when absent or empty, a list's items joined."""
    v = field_value(metadata, key)
    if isinstance(v, list | tuple):
        v = ", ".join(str(x) for x in v)
    text = "" if v is None else str(v).strip()
    return text or None


def _is_field(v: Any) -> bool:
    return isinstance(v, Mapping) and "value" in v and "start" in v


def typed_metadata(metadata: Mapping[str, Any], document: str = "",
                   page_at: Callable[[int], int] | None = None) -> dict[str, Any]:
    """``metadata`` with its span fields typed: a field record becomes a `MetadataField`,
    a list of them (reservations) a list of `MetadataField`; plain values (None, the
    FRUS volume, reservation conflicts) stay as they are.  ``page_at`` gives each field's page."""

    def one(v: Any) -> Any:
        if not _is_field(v) or isinstance(v, MetadataField):
            return v
        return MetadataField.from_dict(v, document, page_at(int(v["start"])) if page_at else None)

    return {k: [one(x) for x in v] if isinstance(v, list) else one(v) for k, v in metadata.items()}


def metadata_fields(metadata: Mapping[str, Any], document: str = "") -> Iterator[tuple[str, MetadataField]]:
    """The metadata's span fields, typed (``reservations`` yields one per reservation;
    plain values such as the FRUS volume are not fields and are skipped)."""
    for key, v in metadata.items():
        items = v if isinstance(v, list) else [v]
        for x in items:
            if isinstance(x, MetadataField):
                yield key, x
            elif _is_field(x):
                yield key, MetadataField.from_dict(x, document)


@dataclass(frozen=True, slots=True)
class ReleasePair(Exported):
    """Two releases of one document, earlier first.

    ``method``: archive_id | metadata | text | user; ``score``: containment of
    the smaller release's word 5-grams in the larger (estimated); ``basis``:
    how the order was decided (release dates, withholding marks, own text,
    length); ``status``: proposed, confirmed or rejected once stored."""

    KEYS: ClassVar[tuple[str, ...]] = ("earlier", "later", "method", "score", "basis", "status")
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"status"})

    earlier: str
    later: str
    method: str
    score: float
    basis: str
    status: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ReleasePair:
        return cls(d["earlier"], d["later"], d["method"], float(d["score"] or 0.0), d.get("basis") or "",
                   d.get("status"))

    from_row = from_dict
