"""Limits every layer shares: how big a file and how long a document may be.

Kept in a module of its own, below the stages and the archive, so that the
command line can show the defaults without loading the pipeline."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""The largest file read (a bigger one is refused with a one-line error)."""

DEFAULT_TIME_BUDGET = 900.0
"""Seconds one document may take: generous (a 500-page scan OCRs in a few minutes)."""


def trim_heap() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``).

    Native threads (the search index writer's, a worker's large document) free
    memory into malloc arenas of their own, which glibc keeps resident: over a
    long ingest the writing process grew by some 7 MB per index commit.  A no-op
    where the C library has no ``malloc_trim``."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # (here: a store question that never trims should not load it)

    try:
        fn = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
    return fn
