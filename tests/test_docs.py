"""The README documents every command and every export key."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from declass.archive.export import RECORD_KEYS
from declass.cli.main import app

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(typer.main.get_command(app).commands))  # type: ignore[attr-defined]
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"declass {name}" in README


@pytest.mark.parametrize("key", RECORD_KEYS)
def test_every_export_key_is_in_the_readme(key: str) -> None:
    assert f"`{key}`" in README


def test_two_commands_at_the_top() -> None:
    head = "\n".join(README.splitlines()[:15])
    assert "make run" in head and "make test" in head
