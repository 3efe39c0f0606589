"""The per-document pipeline: pure stages run in order by a small runner.

A stage is a `Document -> Document` function that declares the stages it
requires and the fields it assigns.  The runner checks prerequisites up
front and names the failing stage in any error, so a bug in one stage on
one document is reported as exactly that.  With checking on (the test suite
turns it on; ``DECLASS_CHECK_STAGES=1`` does elsewhere) it also fails a stage
that wrote a `Document` field it did not declare: the declarations are what
tells a reader, and the scheduler, which stage owns which part of a document.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache

from declass.errors import DeclassError, StageError
from declass.model import Document
from declass.stages.clean.clean import clean
from declass.stages.entities import gazetteer
from declass.stages.entities.entities import make_stage as entities_stage
from declass.stages.events import events
from declass.stages.judgments.judgments import judgments
from declass.stages.markup import amend, markup
from declass.stages.metadata import extract_metadata
from declass.stages.options import DEFAULT_OPTIONS, Options
from declass.stages.redactions.redactions import redactions
from declass.stages.structure import structure
from declass.text import lexicon


@dataclass(frozen=True, slots=True)
class Stage:
    """A named pipeline step: the stages it ``requires`` before it, the `Document` fields it ``assigns``."""

    name: str
    run: Callable[[Document], Document]
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = sorted(set(self.assigns) - DOCUMENT_FIELDS)
        if unknown:
            raise StageError("E206", f"stage {self.name} declares unknown Document fields: {', '.join(unknown)}")


DOCUMENT_FIELDS = frozenset(f.name for f in fields(Document))
BOOKKEEPING = frozenset({"stages"})
"""Fields every stage may write: the runner's record of what has run."""


BASE_STAGES: tuple[Stage, ...] = (
    Stage("clean", clean, ("read",), ("pages", "lines", "furniture", "chunks", "corrections", "warnings")),
    Stage("markup", markup, ("clean",), ("chunks", "edits")),
    Stage("structure", structure, ("clean",), ("blocks",)),
    Stage("amend", amend, ("markup", "structure"), ("blocks", "edits")),
    Stage("metadata", extract_metadata, ("structure",), ("metadata", "warnings")),
    Stage("redactions", redactions, ("structure",), ("redactions",)),
)


@lru_cache(maxsize=8)
def stages_for(options: Options = DEFAULT_OPTIONS) -> tuple[Stage, ...]:
    """The full pipeline for ``options``, its data loaded once per process: the gazetteer, and
    the word lists every document reads (else the first document read them, ~0.2 CPU-s that a
    figure per document counted as the stages' own)."""
    gaz = gazetteer.load(options.gazetteer)
    lexicon.load()
    stages = (
        *BASE_STAGES,
        Stage("entities", entities_stage(gaz), ("amend",), ("entities",)),
        Stage("judgments", judgments, ("amend", "metadata"), ("judgments",)),
        Stage("events", events, ("structure", "metadata"), ("events",)),
    )
    return stages


def check_order(stages: Sequence[Stage], available: Sequence[str] = ("read",)) -> None:
    """Raise if a stage would run before a stage it requires."""
    done = set(available)
    for st in stages:
        missing = [r for r in st.requires if r not in done]
        if missing:
            raise StageError("E202", f"{st.name} needs {', '.join(missing)}")
        done.add(st.name)


def checking() -> bool:
    """Whether `run_stages` checks each stage's writes against its ``assigns`` (``DECLASS_CHECK_STAGES``)."""
    return os.environ.get("DECLASS_CHECK_STAGES", "") not in ("", "0")


def written(before: Document, after: Document) -> list[str]:
    """The `Document` fields a stage replaced (by identity: a field a stage left alone is the same object)."""
    return [f for f in DOCUMENT_FIELDS if getattr(before, f) is not getattr(after, f)]


def check_assigns(st: Stage, before: Document, after: Document) -> None:
    """Raise if ``st`` wrote a field it did not declare."""
    undeclared = sorted(f for f in written(before, after) if f not in st.assigns and f not in BOOKKEEPING)
    if undeclared:
        raise StageError("E205", f"stage {st.name} wrote {', '.join(undeclared)}, which it does not declare "
                                 f"(assigns: {', '.join(st.assigns) or 'nothing'})", path=before.source.path)


def run_stages(doc: Document, stages: Sequence[Stage] | None = None, *, check: bool | None = None) -> Document:
    """Run ``stages`` (default: the full pipeline) over ``doc``; errors name the stage and the document.

    ``check`` (default: `checking`) fails a stage that writes a field it does not declare."""
    stages = stages_for() if stages is None else stages
    check = checking() if check is None else check
    check_order(stages, doc.stages)
    for st in stages:
        before = doc
        try:
            doc = st.run(doc)
        except DeclassError:
            raise
        except Exception as exc:  # a bug in a stage: report it, don't crash the run
            raise StageError(
                "E201", f"stage {st.name}: {type(exc).__name__}: {exc}", path=doc.source.path
            ) from exc
        if not isinstance(doc, Document):
            raise StageError("E207", f"stage {st.name} returned {type(doc).__name__}, not a Document",
                             path=before.source.path)
        if check:
            check_assigns(st, before, doc)
    return doc
