"""``python -m declass``: the command line."""

from declass.cli import run

run()
