"""JSON for what the archive stores: the compressed record and the rows' JSON columns.

Every document's record and every judgment, event, redaction and edit row is
encoded once per ingest; the standard library's encoder took about a tenth of
a worker's time.  msgspec (BSD-3-Clause) encodes the same data five times
faster.  Read back, the values are the standard encoder's: the text is the
same but for a float's spelling (``1e-05`` is written ``0.00001``) and a NaN or
an infinity, which becomes ``null`` (neither is JSON; PostgreSQL refuses them).  Data
msgspec cannot encode (a dict keyed by None or a bool) goes through the
standard encoder.  The public JSONL export keeps the standard encoder
(`declass.archive.export.dumps`): its bytes are a contract.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_ENCODER = msgspec.json.Encoder()


def dumpb(obj: Any) -> bytes:
    """``obj`` as compact UTF-8 JSON bytes."""
    try:
        return _ENCODER.encode(obj)
    except (TypeError, msgspec.EncodeError):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def dumps(obj: Any) -> str:
    """``obj`` as compact JSON text (non-ASCII written as it is)."""
    return dumpb(obj).decode("utf-8")
