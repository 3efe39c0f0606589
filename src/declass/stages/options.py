"""What a user can change about the pipeline, in a module of its own: ingest's parent process
names the options it hands its workers without loading the stages (and their tables) itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Options:
    """What a user can change about the pipeline (hashable: stages are cached per options)."""

    gazetteer: tuple[str, ...] = ()


DEFAULT_OPTIONS = Options()
