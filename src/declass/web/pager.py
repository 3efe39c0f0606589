"""Lists a page at a time: bounded limits, opaque keyset cursors, totals.

Every list the reading room shows or the API returns is one window of an
ordered list: at most `MAX_LIMIT` items, the count of all of them, and
cursors for the windows either side.  A cursor is the sort key of the item
at the window's edge (keyset paging: the next window is a range scan from
there, however deep) plus the number of items before it, so a page can say
"51–100 of 3,214" without counting again.  Cursors are opaque to clients
(URL-safe base64 of JSON) and checked when read back.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import HTTPException, Query

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR = 2000  # characters: a sort key of a few short values, never more

T = TypeVar("T")
Key = tuple[Any, ...]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"items per page (1–{MAX_LIMIT})")]
CursorText = Annotated[str | None, Query(max_length=MAX_CURSOR, pattern=r"^[A-Za-z0-9_=-]*$",
                                         description="a cursor from a previous answer's next or prev")]


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a window starts: after (or before) the item with sort key ``key``,
    which is item number ``offset`` (0-based) of the whole list."""

    offset: int
    key: Key


def encode(cursor: Cursor) -> str:
    raw = json.dumps([cursor.offset, *cursor.key], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode(text: str | None, arity: int, name: str = "after") -> Cursor | None:
    """The cursor in ``text`` (None for none); a cursor this list did not give is a 400."""
    if not text:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raw = None
    ok = (isinstance(raw, list) and len(raw) == arity + 1 and isinstance(raw[0], int) and raw[0] >= 0
          and all(x is None or isinstance(x, (str, int, float)) for x in raw[1:]))
    if not ok:
        raise HTTPException(400, f"{name}: not a cursor of this list (start again from the first page)")
    assert isinstance(raw, list)
    return Cursor(raw[0], tuple(raw[1:]))


@dataclass(frozen=True, slots=True)
class Window(Generic[T]):
    """One page of a list: its items, the count of the whole list, and the cursors either side."""

    items: list[T]
    total: int
    offset: int  # items before this page
    limit: int
    next: str | None
    prev: str | None

    @property
    def first(self) -> int:
        return self.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.items)

    def label(self, noun: str = "") -> str:
        """``1–50 of 3,214`` (``noun`` appended to the total)."""
        tail = f" {noun}" if noun else ""
        if not self.items:
            return f"0 of {self.total:,}{tail}"
        return f"{self.first:,}–{self.last:,} of {self.total:,}{tail}"

    def envelope(self, items: Sequence[Any] | None = None) -> dict[str, Any]:
        """The API's answer: ``{"total", "offset", "limit", "items", "next", "prev"}``."""
        return {"total": self.total, "offset": self.offset, "limit": self.limit,
                "items": list(self.items if items is None else items), "next": self.next, "prev": self.prev}

    def map(self, f: Callable[[T], Any]) -> Window[Any]:
        return Window([f(x) for x in self.items], self.total, self.offset, self.limit, self.next, self.prev)


def from_rows(rows: list[T], *, key: Callable[[T], Key], total: int, limit: int, after: Cursor | None,
              before: Cursor | None) -> Window[T]:
    """The window of a keyset query that fetched ``limit + 1`` rows in reading order
    (after a cursor, or from the start) or in reverse order (before a cursor)."""
    if before is not None:
        more_before = len(rows) > limit
        rows = rows[:limit][::-1]
        offset = max(before.offset - len(rows), 0)
        more_after = True
    else:
        more_after = len(rows) > limit
        rows = rows[:limit]
        offset = after.offset if after is not None else 0
        more_before = offset > 0
    nxt = encode(Cursor(offset + len(rows), key(rows[-1]))) if rows and more_after else None
    prev = encode(Cursor(offset, key(rows[0]))) if rows and more_before else None
    return Window(rows, total, offset, limit, nxt, prev)


def of_list(items: Sequence[T], *, key: Callable[[T], Key], limit: int, after: Cursor | None,
            before: Cursor | None) -> Window[T]:
    """A window of a list already in memory and in order (the same cursors as a keyset query:
    the item with the cursor's key is found, its position in the cursor only a hint)."""

    def position(c: Cursor) -> int:
        if 0 <= c.offset - 1 < len(items) and list(key(items[c.offset - 1])) == list(c.key):
            return c.offset - 1
        if 0 <= c.offset < len(items) and list(key(items[c.offset])) == list(c.key):
            return c.offset
        for i, x in enumerate(items):
            if list(key(x)) == list(c.key):
                return i
        raise HTTPException(400, "cursor: its item is no longer in the list (start again from the first page)")

    if before is not None:
        end = position(before)
        start = max(end - limit, 0)
    else:
        start = position(after) + 1 if after is not None else 0
        end = start + limit
    rows = list(items[start:end])
    nxt = encode(Cursor(start + len(rows), key(rows[-1]))) if rows and end < len(items) else None
    prev = encode(Cursor(start, key(rows[0]))) if rows and start > 0 else None
    return Window(rows, len(items), start, limit, nxt, prev)


def keyset(columns: Sequence[tuple[str, bool]], values: Key, mark: str = "?") -> tuple[str, list[Any]]:
    """SQL that keeps rows strictly after ``values`` in the order ``columns``
    ((expression, ascending) pairs, mixed directions allowed, no NULLs in them)."""
    if len(columns) != len(values):
        raise HTTPException(400, "cursor: not a cursor of this list (start again from the first page)")
    if len({asc for _, asc in columns}) == 1:  # one direction: a row value, which an index can seek to
        exprs = ", ".join(e for e, _ in columns)
        return f"({exprs}) {'>' if columns[0][1] else '<'} ({', '.join(mark for _ in columns)})", list(values)
    ors: list[str] = []
    params: list[Any] = []
    for i, (expr, asc) in enumerate(columns):
        ands = [f"{columns[j][0]} = {mark}" for j in range(i)]
        ands.append(f"{expr} {'>' if asc else '<'} {mark}")
        params += [*values[:i], values[i]]
        ors.append("(" + " AND ".join(ands) + ")")
    return "(" + " OR ".join(ors) + ")", params


def href(params: Iterable[tuple[str, str]], path: str, *, after: str | None = None, before: str | None = None,
         sort: str | None = None) -> str:
    """The URL of another page of the same list: every filter kept, the cursor replaced
    (``sort``: the first page in another order)."""
    drop = ("after", "before", "sort") if sort else ("after", "before")
    keep = [(k, v) for k, v in params if k not in drop]
    for k, v in (("sort", sort), ("after", after), ("before", before)):
        if v:
            keep.append((k, v))
    return path + ("?" + urlencode(keep) if keep else "")
