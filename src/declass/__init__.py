"""declass: declassified documents into a structured, searchable, checkable record.

    >>> import declass
    >>> doc = declass.parse("NIE-58.txt")          # the pipeline, no store
    >>> with declass.Archive("declass.db") as archive:
    ...     archive.ingest(["corpus/"])
    ...     hits = archive.search('"Port Arthur"')
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from declass.archive.archive import Archive
    from declass.archive.export import to_record
    from declass.errors import DeclassError, InputError, StageError, StoreError, UsageError
    from declass.model import Block, Document, Furniture, Page
    from declass.stages.parse import parse
    from declass.store.base import Hit

# Loaded on first use (PEP 562): importing any declass module imports this
# package first, and a command that only reads the store should not pay for
# the whole pipeline (OCR, PDF, every stage) before it starts.
_LAZY = {
    "Archive": "declass.archive.archive",
    "to_record": "declass.archive.export",
    "DeclassError": "declass.errors",
    "InputError": "declass.errors",
    "StageError": "declass.errors",
    "StoreError": "declass.errors",
    "UsageError": "declass.errors",
    "Block": "declass.model",
    "Document": "declass.model",
    "Furniture": "declass.model",
    "Page": "declass.model",
    "parse": "declass.stages.parse",
    "Hit": "declass.store.base",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'declass' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Archive",
    "Block",
    "DeclassError",
    "Document",
    "Furniture",
    "Hit",
    "InputError",
    "Page",
    "StageError",
    "StoreError",
    "UsageError",
    "__version__",
    "parse",
    "to_record",
]
