"""Which schema an archive is at, and which this release writes, without loading the migrations.

Opening an archive reads its version first (`current_version`); only an archive older than
`LATEST` loads `declass.store.migrations` (its steps, the SQL of every past schema) to be brought
up to date.  A read-only question on a current archive never loads them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from declass.store.dialect import Dialect

LATEST = {"sqlite": 22, "postgresql": 16}
"""The schema version this release writes in each dialect: the last of `declass.store.migrations`'
steps in it (a test holds the two to the same numbers; appending a migration raises its dialect's)."""


def current_version(d: Dialect) -> int:
    """The schema version of the database (0: no declass schema in it)."""
    if not d.has_table("schema_migrations"):
        return 0
    return int(d.rows("SELECT coalesce(max(version), 0) AS v FROM schema_migrations")[0]["v"])
