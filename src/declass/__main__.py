"""``python -m declass``: the command line."""

from declass.cli.main import run

run()
