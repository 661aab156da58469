"""The FastAPI application: API, web page and OpenAPI description behind one gate.

>>> is_public("/login"), is_public("/static/style.css"), is_public("/findings")
(True, True, False)
"""

# No `from __future__ import annotations`: FastAPI evaluates these annotations at run time.

import os
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from subsmatch import __version__
from subsmatch.errors import UserError
from subsmatch.operations.database import make_engine
from subsmatch.service.api import api_router
from subsmatch.service.auth import UNAUTHENTICATED, Caller, Guard
from subsmatch.service.core import Service, detail_of, status_of
from subsmatch.service.gate import Gate
from subsmatch.service.pages import login_page, pages_router

SECURE_COOKIE_ENV = "SUBSMATCH_SECURE_COOKIE"
PUBLIC = frozenset({"/login", "/logout"})
PAGES = frozenset({"/", "/ui/check", "/ui/upload"})
STREAMED = frozenset({"/ingest", "/ui/upload"})
BODY_LIMIT = 4 << 20  # JSON and small forms
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
    return JSONResponse({"detail": UNAUTHENTICATED}, 401, headers={"WWW-Authenticate": "Bearer"})


def user_error(_request: Request, error: UserError) -> JSONResponse:
    """The one answer to an error the user can fix: its status and its words for the API."""
    return JSONResponse({"detail": detail_of(error)}, status_of(error))


def create_app(db_url: str, max_upload_bytes: int, *, secure_cookie: bool | None = None) -> FastAPI:
    """The service over the database at ``db_url``; uploads up to ``max_upload_bytes``."""
    service = Service(make_engine(db_url), max_upload_bytes)
    guard = Guard(service.engine)
    app = FastAPI(
        title="subsmatch",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.include_router(api_router(service, guard))
    app.include_router(
        pages_router(
            service, guard, secure_cookie_default() if secure_cookie is None else secure_cookie
        )
    )
    app.add_exception_handler(UserError, user_error)
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
        unauthenticated=unauthenticated,
    )
    return app
