"""The ``declass`` console script: `run` answers a store question without Typer when it can
(`declass.cli.quick`), and hands every other command line to the Typer app (`declass.cli.app`).

``app`` is importable from here as before (``from declass.cli.main import app``); it loads on first use."""

from __future__ import annotations

import sys
from typing import Any


def run() -> None:
    """Console-script entry point."""
    from declass.cli import quick

    code = quick.run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from declass.cli.app import app

    app()


def __getattr__(name: str) -> Any:
    if name == "app":
        from declass.cli.app import app

        return app
    raise AttributeError(f"module 'declass.cli.main' has no attribute {name!r}")
