"""Keyset cursors: the opaque token a page gives for the page after it (the sort key of its last row)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from declass.errors import UsageError


def encode_cursor(values: tuple[Any, ...]) -> str:
    """An opaque cursor for the row after which the next page starts."""
    text = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))  # (a few values: the standard encoder)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, n: int) -> list[Any]:
    """The ``n`` key values of a cursor; a cursor not made by `encode_cursor` is a usage error."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise UsageError("E404", f"bad page cursor {cursor[:40]!r}") from None
    if not isinstance(values, list) or len(values) != n or any(isinstance(v, (list, dict)) for v in values):
        raise UsageError("E404", f"bad page cursor {cursor[:40]!r}")
    return values
