"""The store as the front ends see it: open a database, how to repeat its URL in a hint, and
why it refused an operation (a full disk, a lock held too long)."""

from __future__ import annotations

import shlex

from sqlalchemy.engine import make_url

from subsmatch.store.engine import DB_ENV, DatabaseUnavailable, default_url, failure, make_engine

__all__ = ["DB_ENV", "DatabaseUnavailable", "default_url", "failure", "make_engine", "shown_url"]


def shown_url(url: str) -> str:
    """A database URL to repeat in a hint; one with a password is not printed.

    >>> shown_url("sqlite:////data/lab.sqlite")
    'sqlite:////data/lab.sqlite'
    >>> shown_url("postgresql+psycopg://lab:secret@db/subsmatch")
    'URL'
    """
    return "URL" if make_url(url).password else shlex.quote(url)
