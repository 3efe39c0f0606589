"""declass: declassified documents into a structured, searchable, checkable record.

    >>> import declass
    >>> doc = declass.parse("NIE-58.txt")          # the pipeline, no store
    >>> with declass.Archive("declass.db") as archive:
    ...     archive.ingest(["corpus/"])
    ...     hits = archive.search('"Port Arthur"')
"""

from __future__ import annotations

from declass.archive.archive import Archive
from declass.archive.export import to_record
from declass.errors import DeclassError, InputError, StageError, StoreError, UsageError
from declass.model import Block, Document, Furniture, Page
from declass.stages.parse import parse
from declass.store.base import Hit

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
