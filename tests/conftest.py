"""Shared fixtures: the bundled sample corpus, parsed once, and fresh archives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DECLASS_CHECK_STAGES", "1")  # a stage writing a field it does not declare fails (E205)

import declass
from declass.model import Document
from declass.samples import sample_dir

NIE58 = "1952-09-10_nie-58_sino-soviet-relations.txt"
BRIEFING = "1953-11-04_nsc-briefing_sino-soviet-relations.txt"


@pytest.fixture(scope="session")
def samples() -> Path:
    return sample_dir()


@pytest.fixture(scope="session")
def nie58_path(samples: Path) -> Path:
    return samples / NIE58


@pytest.fixture(scope="session")
def briefing_path(samples: Path) -> Path:
    return samples / BRIEFING


@pytest.fixture(scope="session")
def nie58(nie58_path: Path) -> Document:
    return declass.parse(nie58_path)


@pytest.fixture(scope="session")
def briefing(briefing_path: Path) -> Document:
    return declass.parse(briefing_path)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def archive(db_path: Path) -> Iterator[declass.Archive]:
    with declass.Archive(db_path) as a:
        yield a


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory, samples: Path) -> Path:
    """An archive holding both samples (read-only use)."""
    path = tmp_path_factory.mktemp("sampledb") / "samples.db"
    with declass.Archive(path) as a:
        report = a.ingest([samples], workers=1)
        assert not report.failed
    return path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A throwaway PostgreSQL server (make test installs Debian's postgresql)."""
    import os

    import pgserver

    if not pgserver.available():
        if os.environ.get("CI") == "true":
            raise RuntimeError("PostgreSQL is missing: 'make test' installs it (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed: 'make test' installs it")
    server = pgserver.Server()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database for one test."""
    import re

    import pgserver

    name = "t_" + re.sub(r"\W", "_", request.node.name)[:50].lower()
    return pgserver.fresh_database(pg_server, name)
