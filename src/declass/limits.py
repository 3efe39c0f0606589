"""Limits every layer shares: how big a file and how long a document may be.

Kept in a module of its own, below the stages and the archive, so that the
command line can show the defaults without loading the pipeline."""

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""The largest file read (a bigger one is refused with a one-line error)."""

DEFAULT_TIME_BUDGET = 900.0
"""Seconds one document may take: generous (a 500-page scan OCRs in a few minutes)."""
