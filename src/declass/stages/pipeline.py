"""The per-document pipeline: pure stages run in order by a small runner.

A stage is a `Document -> Document` function that declares the stages it
requires and the fields it assigns.  The runner checks prerequisites up
front and names the failing stage in any error, so a bug in one stage on
one document is reported as exactly that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from declass.stages.redactions.redactions import redactions
from declass.stages.structure import structure


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    run: Callable[[Document], Document]
    requires: tuple[str, ...]
    assigns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Options:
    """What a user can change about the pipeline (hashable: stages are cached per options)."""

    gazetteer: tuple[str, ...] = ()


DEFAULT_OPTIONS = Options()

BASE_STAGES: tuple[Stage, ...] = (
    Stage("clean", clean, ("read",), ("pages", "lines", "furniture", "chunks", "corrections")),
    Stage("markup", markup, ("clean",), ("chunks", "edits")),
    Stage("structure", structure, ("clean",), ("blocks",)),
    Stage("amend", amend, ("markup", "structure"), ("blocks", "edits")),
    Stage("metadata", extract_metadata, ("structure",), ("metadata",)),
    Stage("redactions", redactions, ("structure",), ("redactions",)),
)


@lru_cache(maxsize=8)
def stages_for(options: Options = DEFAULT_OPTIONS) -> tuple[Stage, ...]:
    """The full pipeline for ``options`` (the gazetteer is loaded once per process)."""
    gaz = gazetteer.load(options.gazetteer)
    return (
        *BASE_STAGES,
        Stage("entities", entities_stage(gaz), ("amend",), ("entities",)),
        Stage("judgments", judgments, ("amend", "metadata"), ("judgments",)),
        Stage("events", events, ("structure", "metadata"), ("events",)),
    )


def check_order(stages: Sequence[Stage], available: Sequence[str] = ("read",)) -> None:
    """Raise if a stage would run before a stage it requires."""
    done = set(available)
    for st in stages:
        missing = [r for r in st.requires if r not in done]
        if missing:
            raise StageError("E202", f"{st.name} needs {', '.join(missing)}")
        done.add(st.name)


def run_stages(doc: Document, stages: Sequence[Stage] | None = None) -> Document:
    """Run ``stages`` (default: the full pipeline) over ``doc``; errors name the stage and the document."""
    stages = stages_for() if stages is None else stages
    check_order(stages, doc.stages)
    for st in stages:
        try:
            doc = st.run(doc)
        except DeclassError:
            raise
        except Exception as exc:  # a bug in a stage: report it, don't crash the run
            raise StageError(
                "E201", f"stage {st.name}: {type(exc).__name__}: {exc}", path=doc.source.path
            ) from exc
    return doc
