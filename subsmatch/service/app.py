"""The FastAPI application: API, web page and OpenAPI description behind one gate.

>>> is_public("/login"), is_public("/static/style.css"), is_public("/findings")
(True, True, False)
"""

# No `from __future__ import annotations`: FastAPI evaluates these annotations at run time.

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from subsmatch import __version__
from subsmatch.errors import UserError
from subsmatch.operations.database import make_engine
from subsmatch.service.api import api_router
from subsmatch.service.auth import UNAUTHENTICATED, Caller, Guard
from subsmatch.service.core import (
    CHECK_BUDGET,
    SafeJSON,
    Service,
    detail_of,
    headers_of,
    status_of,
)
from subsmatch.service.gate import Gate
from subsmatch.service.pages import login_page, pages_router

SECURE_COOKIE_ENV = "SUBSMATCH_SECURE_COOKIE"
PUBLIC = frozenset({"/login", "/logout"})
PAGES = frozenset({"/", "/ui/check", "/ui/upload"})
STREAMED = frozenset({"/ingest", "/ui/upload"})
BODY_LIMIT = 4 << 20  # JSON and small forms
JSON_DEPTH = 32  # nesting of a JSON body (the API's bodies nest two levels)
DESCRIPTION = """Resolve drug substance names and structures and say whether, where and since
when they are controlled; upload lab and field reports; read findings, cases and trends.

Every request needs a token (`subsmatch tokens create --role ROLE --name NAME`) sent as
`Authorization: Bearer smt_...`. Roles: customs (check, upload field results), lab (check,
upload field and lab results), analyst (check, read), admin (read)."""


def is_public(path: str) -> bool:
    """Paths served without a token: the login form and the page's style sheet."""
    return path in PUBLIC or path.startswith("/static/")


def secure_cookie_default() -> bool:
    """The session cookie is Secure unless ``SUBSMATCH_SECURE_COOKIE=0`` (plain-HTTP
    loopback)."""
    return os.environ.get(SECURE_COOKIE_ENV, "1").strip().lower() not in ("0", "false", "no")


def unauthenticated(request: Request) -> Response:
    """The 401 answer: the login form for the page, a JSON problem for the API."""
    if request.url.path in PAGES:
        return login_page(request, status=401)
    return SafeJSON({"detail": UNAUTHENTICATED}, 401, headers={"WWW-Authenticate": "Bearer"})


def user_error(_request: Request, error: UserError) -> Response:
    """The one answer to an error the user can fix: its status and its words for the API."""
    return SafeJSON({"detail": detail_of(error)}, status_of(error), headers=headers_of(error))


def http_error(_request: Request, error: HTTPException) -> Response:
    """An HTTPException as a JSON problem (its detail may quote what the request sent)."""
    return SafeJSON({"detail": error.detail}, error.status_code, headers=error.headers)


def invalid_request(_request: Request, error: RequestValidationError) -> Response:
    """422 for a request that does not fit its model, in words: where and what, never the
    value sent back (it may be megabytes, deeply nested, or not text)."""
    problems = [
        f"{'.'.join(str(part) for part in e['loc'] if part != 'body') or 'body'}: {e['msg']}"
        for e in error.errors()[:10]
    ]
    return SafeJSON({"detail": "; ".join(problems)}, 422)


def create_app(
    db_url: str,
    max_upload_bytes: int,
    *,
    secure_cookie: bool | None = None,
    check_budget: float = CHECK_BUDGET,
) -> FastAPI:
    """The service over the database at ``db_url``; uploads up to ``max_upload_bytes``, /check
    batches within ``check_budget`` seconds."""
    service = Service(make_engine(db_url), db_url, max_upload_bytes, check_budget=check_budget)
    guard = Guard(service.engine, service.recorder)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        service.recorder.start()
        service.workers.start()
        yield
        await run_in_threadpool(service.workers.close)  # a running upload is stored
        await run_in_threadpool(service.recorder.close)  # what is queued is written

    app = FastAPI(
        title="subsmatch",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        default_response_class=SafeJSON,
        lifespan=lifespan,
    )
    app.include_router(api_router(service, guard))
    app.include_router(
        pages_router(
            service, guard, secure_cookie_default() if secure_cookie is None else secure_cookie
        )
    )
    app.add_exception_handler(UserError, user_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(_caller: Annotated[Caller, Depends(guard.require(None, "request"))]) -> dict:
        return app.openapi()

    app.add_middleware(
        Gate,
        guard=guard,
        public=is_public,
        streamed=STREAMED,
        body_limit=BODY_LIMIT,
        json_depth=JSON_DEPTH,
        unauthenticated=unauthenticated,
    )
    return app
