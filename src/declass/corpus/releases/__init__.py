"""Releases: several releases of one record, paired, and what each later one revealed.

`pair` finds releases of one document (same archive id, same type + date +
title, or near-duplicate text by MinHash LSH) and orders them; `compare`
aligns two releases and characterises what the later one revealed.
"""

from __future__ import annotations

from declass.corpus.releases.api import order_records, pair_records
from declass.corpus.releases.compare import Comparison, compare_records
from declass.model import ReleasePair

__all__ = ["Comparison", "ReleasePair", "compare_records", "order_records", "pair_records"]
