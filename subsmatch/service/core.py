"""One app's state: its database, its one shared checker, its upload limit and upload workers,
the time budget of a /check batch, its recorder of audit events and checks, and how the service
answers a :class:`~subsmatch.errors.UserError`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from subsmatch.errors import InvalidRequest, NotFound, Unavailable, UserError, Wording, api_field
from subsmatch.operations.check import Checker, home_checker
from subsmatch.operations.explain import explain
from subsmatch.operations.ingest import shipped_profile_names
from subsmatch.service.recorder import Recorder
from subsmatch.service.worker import Workers

WARM_UP = "MDMA"  # judged and drawn at start: the name, rule and similarity indexes are built
CHECK_BUDGET = 10.0  # seconds one /check batch may take (the checker serves others in between)


class SafeJSON(JSONResponse):
    """JSON answers that any text can go into: characters outside ASCII are escaped, so that a
    lone surrogate echoed from a request is written as ``\\udce9`` instead of failing."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode("ascii")


def status_of(error: UserError) -> int:
    """The HTTP status of an error the user can fix: 404 for what is not there, 503 for what
    could not be done now (the request may be sent again), else 422 (a request that is wrong,
    a file that cannot be read)."""
    if isinstance(error, NotFound):
        return 404
    return 503 if isinstance(error, Unavailable) else 422


def headers_of(error: UserError) -> dict[str, str] | None:
    """The headers of an error's answer: when to try again (503)."""
    return {"Retry-After": str(error.retry_after)} if isinstance(error, Unavailable) else None


def detail_of(
    error: UserError, wording: Wording = api_field, name_of: Callable[[str], str] = str
) -> str:
    """The error in the service's words, led by the field at fault when there is one: options
    as the API's fields (``encoding=cp1252``) by default, or as ``wording`` and ``name_of``
    name them (the page: its form's labels)."""
    text = error.worded(wording)
    option = error.option if isinstance(error, InvalidRequest) else None
    return f"{name_of(option)}: {text}" if option else text


@dataclass
class Service:
    """The database, the one Checker (shared by the request threads), the recorder and the
    upload workers of an app (started and closed with the app; ``db_url`` is the workers')."""

    engine: Engine
    db_url: str
    max_upload_bytes: int
    checker: Checker = field(default_factory=lambda: home_checker(shared=True))
    profiles: list[str] = field(default_factory=shipped_profile_names)
    check_budget: float = CHECK_BUDGET
    recorder: Recorder = field(init=False)
    workers: Workers = field(init=False)

    def __post_init__(self) -> None:
        self.recorder = Recorder(self.engine)
        self.workers = Workers(self.db_url, self.checker)
        explain(self.checker, WARM_UP, draw=True)  # not on the first request
