"""The sample documents bundled with declass (see ``data/samples.md``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def sample_dir() -> Path:
    """The folder holding the bundled sample documents."""
    return Path(str(resources.files("declass.data").joinpath("samples")))


def sample_paths() -> list[Path]:
    return sorted(p for p in sample_dir().iterdir() if p.suffix == ".txt")
