"""``python -m subsmatch.cli``: the command line."""

from subsmatch.cli import run

run()
