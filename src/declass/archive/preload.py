"""Imported once by the forkserver that starts ingest's workers (`ingest.PRELOAD`).

It builds the read-only tables every document consults (the word table, the
built-in gazetteer, the stages made from them) before any worker is forked,
then moves them out of the garbage collector's sight (`gc.freeze`), so that no
collection in a worker writes to their pages: the workers share one copy instead
of each building its own.  The heap their building freed (the word lists' own
sets, read and hashed) is then handed back: 72 -> 37 MB resident in the
forkserver.  A failure here only means each worker builds its tables itself, as it
would without this module."""

from __future__ import annotations

import gc
import sys

from declass.limits import trim_heap


def _build() -> None:
    from declass.stages.options import DEFAULT_OPTIONS
    from declass.stages.pipeline import stages_for
    from declass.text import lexicon

    lexicon.load()
    stages_for(DEFAULT_OPTIONS)


try:
    _build()
except Exception as exc:  # never stop the forkserver: a worker reports a real problem per document
    print(f"declass: worker tables not preloaded ({type(exc).__name__}: {exc})", file=sys.stderr)
gc.freeze()
trim_heap()
