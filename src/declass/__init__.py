"""declass: declassified documents into a structured, searchable, checkable record.

    >>> import declass
    >>> doc = declass.parse("NIE-58.txt")          # the pipeline, no store
    >>> with declass.Archive("declass.db") as archive:
    ...     archive.ingest(["corpus/"])
    ...     hits = archive.search('"Port Arthur"')
"""

from __future__ import annotations

from declass.archive import Archive
from declass.errors import DeclassError, InputError, StageError, StoreError, UsageError
from declass.export import to_record
from declass.model import Block, Document, Furniture, Page
from declass.pipeline import parse
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
