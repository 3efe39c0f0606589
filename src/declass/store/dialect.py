"""What differs between SQLite and PostgreSQL, and nothing else.

`declass.store.sql.SQLStore` writes every question and every write once,
with ``?`` placeholders; a `Dialect` runs them on its connection: it
adapts the placeholders, opens transactions, bulk-loads rows (``COPY`` on
PostgreSQL, one ``executemany`` per table on SQLite), limits a question's
time, and turns the driver's errors into `StoreError` codes a user can act
on.  The two dialects are the only code that knows which driver it holds.
"""

from __future__ import annotations

import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from declass.errors import StoreError

Row = tuple[Any, ...]

def quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' if c == "end" else c for c in columns)


def adding(table: str, columns: Sequence[str], keys: int, counts: int, source: str) -> str:
    """``INSERT`` of rows from ``source`` into ``table``, where a row whose key (the first ``keys``
    columns) is there already has its counts (the last ``counts`` columns) added to it."""
    return (f"INSERT INTO {table} ({', '.join(columns)}) {source} ON CONFLICT ({', '.join(columns[:keys])})"
            " DO UPDATE SET " + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns[-counts:]))


class Dialect(ABC):
    """One connection and the few things its database does its own way.

    ``read`` runs a query in the driver's placeholders, ``rows``, ``execute`` and
    ``executemany`` one written with ``?``, ``script`` several statements; ``insert``
    bulk-loads rows of a table, ``add`` adds rows' counts to a table of totals (`adding`);
    all write inside the caller's ``transaction`` (all or nothing; driver errors become
    StoreError, `error`).  ``time_limit`` stops a statement that runs too long (E305);
    migrations run inside ``migrating`` and ``lock`` the table that records them;
    ``columns``, ``has_table`` and ``prefix`` (a starts-with condition the column's index
    answers) are what the SQL of the two spells apart."""

    name: str
    real: str
    """The SQL type of a float column."""
    db: Any
    failure: type[Exception]
    """The driver's errors (each becomes a StoreError, `error`)."""

    def sql(self, text: str) -> str:
        """``text`` (written with ``?`` placeholders) as the driver wants it."""
        return text

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return list(self.db.execute(sql, params).fetchall())
        except self.failure as exc:
            raise self.error(exc) from None

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.read(self.sql(sql), params)]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.db.execute(self.sql(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.db.cursor().executemany(self.sql(sql), rows)

    def has_table(self, table: str) -> bool:
        return bool(self.columns(table))

    def migrating(self) -> AbstractContextManager[None]:
        return nullcontext()

    def lock(self, table: str) -> None:
        return None  # SQLite: the transaction's BEGIN IMMEDIATE already holds the file

    def close(self) -> None:
        self.db.close()

    @abstractmethod
    def error(self, exc: Exception) -> StoreError: ...
    @abstractmethod
    def script(self, sql: str) -> None: ...
    @abstractmethod
    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None: ...
    @abstractmethod
    def add(self, table: str, columns: Sequence[str], keys: int, counts: int, rows: Sequence[Row]) -> None: ...
    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]: ...
    @abstractmethod
    def time_limit(self, seconds: float) -> AbstractContextManager[None]: ...
    @abstractmethod
    def columns(self, table: str) -> list[str]: ...
    @abstractmethod
    def prefix(self, column: str, prefix: str) -> tuple[str, list[Any]]: ...


# -- SQLite --------------------------------------------------------------------------------


def connect_sqlite(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL archive on read-only media cannot create its shared-memory
            # file; nobody can be writing it there, so read it as immutable.
            db.close()
            db = sqlite3.connect(
                f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None, check_same_thread=False
            )
    else:
        db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    db.row_factory = sqlite3.Row
    return db


def sqlite_error(exc: Exception, path: Path, schema: int | None = None, latest: int = 0) -> StoreError:
    """The StoreError for a SQLite error on the archive at ``path`` (of ``schema``, this release writing ``latest``)."""
    msg = str(exc)
    if "interrupted" in msg:
        return StoreError("E305", msg, path=path)
    if "readonly" in msg or "read-only" in msg:
        return StoreError("E301", msg, path=path)
    if ("no such table" in msg or "no such column" in msg) and schema is not None and schema < latest:
        return StoreError("E302", f"{msg}: this archive is from an older release (schema {schema} < {latest});"
                          " open it once without --readonly to upgrade it", path=path)
    if "not a database" in msg or "malformed" in msg or "no such table" in msg:
        return StoreError("E302", msg, path=path)
    return StoreError("E303", msg, path=path)


class SQLiteDialect(Dialect):
    """One SQLite file: ``BEGIN IMMEDIATE`` transactions, ``executemany`` bulk loads."""

    name = "sqlite"
    real = "REAL"
    failure = sqlite3.DatabaseError

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path
        self.schema: int | None = None  # set once known, for the "older release" hint
        self.latest = 0

    def error(self, exc: Exception) -> StoreError:
        return sqlite_error(exc, self.path, self.schema, self.latest)

    def script(self, sql: str) -> None:
        # statement by statement: ``executescript`` would commit the caller's transaction first
        pending = ""
        for line in sql.splitlines(keepends=True):
            pending += line
            if sqlite3.complete_statement(pending):
                self.db.execute(pending)
                pending = ""
        if pending.strip():
            self.db.execute(pending)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        self.executemany(f"INSERT INTO {table} ({quoted(columns)}) VALUES ({','.join('?' * len(columns))})", rows)

    def add(self, table: str, columns: Sequence[str], keys: int, counts: int, rows: Sequence[Row]) -> None:
        self.executemany(adding(table, columns, keys, counts, f"VALUES ({','.join('?' * len(columns))})"), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        except self.failure as exc:
            raise self.error(exc) from None

    @contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        deadline = time.monotonic() + seconds
        self.db.set_progress_handler(lambda: int(time.monotonic() > deadline), 2000)
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise StoreError("E305", f"over {seconds:g} s") from None
            raise
        finally:
            self.db.set_progress_handler(None, 0)

    @contextmanager
    def migrating(self) -> Iterator[None]:
        # a no-op inside a transaction, so it is set here, between them
        self.db.execute("PRAGMA foreign_keys = OFF")
        try:
            yield
        finally:
            self.db.execute("PRAGMA foreign_keys = ON")

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.db.execute(f"PRAGMA table_info({table})")]

    def prefix(self, column: str, prefix: str) -> tuple[str, list[Any]]:
        # a range the column's index walks: [prefix, prefix + the last code point)
        return f"{column} >= ? AND {column} < ?", [prefix, prefix + "\U0010ffff"]


# -- PostgreSQL ----------------------------------------------------------------------------


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}@{host}"
    return url


class PostgresDialect(Dialect):
    """A PostgreSQL database (psycopg 3): ``%s`` placeholders, ``COPY`` bulk loads."""

    name = "postgresql"
    real = "DOUBLE PRECISION"

    def __init__(self, db: Any, url: str) -> None:
        import psycopg

        self.db = db
        self.where = safe_url(url)
        self._psycopg = psycopg
        self.failure = psycopg.Error

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def error(self, exc: Exception) -> StoreError:
        errors = self._psycopg.errors
        if isinstance(exc, errors.QueryCanceled):
            return StoreError("E305", "statement timeout", path=self.where)
        if isinstance(exc, errors.ReadOnlySqlTransaction):
            return StoreError("E301", first_line(exc), path=self.where)
        return StoreError("E303", first_line(exc), path=self.where)

    def script(self, sql: str) -> None:
        self.db.execute(sql)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        if rows:  # (text COPY: a boolean column reads 0 and 1 as SQLite writes them)
            with self.db.cursor().copy(f"COPY {table} ({quoted(columns)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)

    def add(self, table: str, columns: Sequence[str], keys: int, counts: int, rows: Sequence[Row]) -> None:
        # one COPY into a scratch table and one INSERT from it: a statement per row costs ten times more
        scratch = f"adding_{table}"
        self.db.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {scratch} (LIKE {table}) ON COMMIT DELETE ROWS")
        self.insert(scratch, columns, rows)
        self.db.execute(adding(table, columns, keys, counts, f"SELECT {', '.join(columns)} FROM {scratch}"
                               f" ORDER BY {', '.join(columns[:keys])}"))
        self.db.execute(f"DELETE FROM {scratch}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self.db.transaction():
                yield
        except self.failure as exc:
            raise self.error(exc) from None

    @contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        self.db.execute(f"SET statement_timeout = {max(int(seconds * 1000), 1)}")
        try:
            yield
        finally:
            self.db.execute("SET statement_timeout = 0")

    def lock(self, table: str) -> None:
        self.db.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")

    def columns(self, table: str) -> list[str]:
        return [r["column_name"] for r in self.db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND table_schema ="
            " current_schema() ORDER BY ordinal_position", (table,)).fetchall()]

    def prefix(self, column: str, prefix: str) -> tuple[str, list[Any]]:
        # LIKE on a text_pattern_ops index: the collation's order need not keep a prefix's rows together
        return f"{column} LIKE ?", [prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"]
