"""A page of rows: the rows, how many there are in all, and the cursor of the next page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")


class Page(list[T]):
    """One page of rows (a list, so callers that want all rows need not care), with
    ``total``, how many rows match in all, and ``next``, the cursor of the next page
    (None on the last).  ``capped``: more rows match than ``total``, which counted up to a bound."""

    capped: bool = False

    def __init__(self, rows: Iterable[T] = (), *, total: int = 0, next: str | None = None) -> None:
        super().__init__(rows)
        self.total = total
        self.next = next

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        """The same page with each row replaced by ``fn(row)``."""
        page = Page((fn(r) for r in self), total=self.total, next=self.next)
        page.capped = self.capped
        return page
