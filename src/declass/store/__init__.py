"""Stores: where the archive lives.  `open_store` picks the backend from a URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declass.store.sql import SQLStore as Store
from declass.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from declass.store.base import Hit, PutResult

DEFAULT_DB = "declass.db"

__all__ = ["DEFAULT_DB", "Hit", "PutResult", "SQLiteStore", "Store", "default_db", "open_store"]


def __getattr__(name: str) -> Any:
    if name in ("Hit", "PutResult"):  # (loaded on first use: a question that only reads pages never makes them)
        from declass.store import base

        value = getattr(base, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'declass.store' has no attribute {name!r}")


def default_db() -> str:
    """The archive named by ``DECLASS_DB``, else ``./declass.db``."""
    return os.environ.get("DECLASS_DB") or DEFAULT_DB


def open_store(db: str | Path | None = None, *, readonly: bool = False) -> Store:
    """Open the archive at ``db`` (a SQLite path; a URL scheme picks another backend)."""
    target = str(db or default_db())
    if target.startswith(("postgresql://", "postgres://")):
        from declass.store.postgres import PostgresStore

        return PostgresStore(target, readonly=readonly)
    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///"):]
    return SQLiteStore(target, readonly=readonly)
