"""The web page: log in with a token, check a substance, upload a report (no JavaScript)."""

# No `from __future__ import annotations`: FastAPI evaluates these annotations at run time.

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from subsmatch.errors import UserError
from subsmatch.operations.access import end_session, start_session
from subsmatch.operations.explain import explain
from subsmatch.operations.ingest import FORMAT_NAMES
from subsmatch.service.api import upload_report
from subsmatch.service.auth import (
    COOKIE,
    CSRF_FIELD,
    SESSION_LIFETIME,
    Caller,
    Guard,
    same_origin,
)
from subsmatch.service.core import Service, detail_of, headers_of, status_of
from subsmatch.service.models import MAX_QUERY_CHARS

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
FIELD_LABELS = {
    "format": "Format",
    "profile": "Column profile",
    "encoding": "Text encoding",
    "sheet": "Sheet",
    "timezone": "Time zone",
    "force": "Store again as a new version",
}
"""The upload form's fields, by option name: how the page names an option in a hint."""


def page_field(name: str, value: str | None) -> str:
    """An option as the page names it: the label of its form field, and the value to give.

    >>> page_field("encoding", "cp1252"), page_field("force", None)
    ('“Text encoding: cp1252”', '“Store again as a new version”')
    """
    label = FIELD_LABELS.get(name, name)
    return f"“{label}”" if value is None else f"“{label}: {value}”"


def login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    """The login form (also the answer to a page request without a valid session)."""
    return TEMPLATES.TemplateResponse(
        request,
        "login.html",
        {"error": error},
        status_code=status,
        headers={"WWW-Authenticate": "Bearer"} if status == 401 else None,
    )


def pages_router(service: Service, guard: Guard, secure_cookie: bool) -> APIRouter:
    """The page's routes (left out of the OpenAPI description)."""
    router = APIRouter(include_in_schema=False)

    def render(request: Request, caller: Caller, status: int = 200, **context: object) -> Response:
        return TEMPLATES.TemplateResponse(
            request,
            "index.html",
            {
                "who": caller.who,
                "csrf": guard.csrf_token(caller.secret),
                "may_check": caller.who.may("check"),
                "may_upload": caller.who.may("upload_field"),
                "profiles": service.profiles,
                "formats": FORMAT_NAMES,
                "labels": FIELD_LABELS,
                "max_upload": service.max_upload_bytes,
                "max_query": MAX_QUERY_CHARS,
                "home": service.checker.home,
                **context,
            },
            status_code=status,
        )

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return login_page(request)

    @router.post("/login")
    def login(request: Request, token: Annotated[str, Form(max_length=200)] = "") -> Response:
        """A valid token starts a session: the cookie holds the session's id, never the token."""
        if not same_origin(request):  # login CSRF: another site logging you in as someone
            raise guard.refuse(request, "login", 403, "cross-origin login refused")
        started = start_session(guard.engine, token.strip(), SESSION_LIFETIME)
        if started is None:
            guard.audit(request, action="login", status=401, target="POST /login")
            return login_page(
                request, "That token is not valid (unknown, revoked or expired).", 401
            )
        session_id, who, ends = started
        guard.audit(
            request,
            action="login",
            status=303,
            who=who,
            detail=f"session until {ends:%Y-%m-%d %H:%M} UTC",
        )
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            session_id,
            max_age=max(0, int((ends - datetime.now(UTC)).total_seconds())),
            httponly=True,
            samesite="strict",
            secure=secure_cookie,
            path="/",
        )
        return response

    @router.post("/logout")
    def logout(request: Request) -> Response:
        """The session ends on the server, and its cookie in the browser."""
        if not same_origin(request):
            raise HTTPException(403, "cross-origin logout refused")
        end_session(guard.engine, request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(
            COOKIE, path="/", httponly=True, samesite="strict", secure=secure_cookie
        )
        return response

    @router.get("/", response_class=HTMLResponse)
    def index(
        request: Request, caller: Annotated[Caller, Depends(guard.require(None, "page"))]
    ) -> Response:
        return render(request, caller)

    @router.post("/ui/check", response_class=HTMLResponse)
    def check(
        request: Request,
        caller: Annotated[Caller, Depends(guard.require("check", "check", csrf_in_form=True))],
        query: Annotated[str, Form(max_length=MAX_QUERY_CHARS)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        guard.check_csrf(request, caller, "check", csrf)
        audited = {"action": "check", "who": caller.who, "target": query}
        if not query.strip():
            return render(request, caller, 422, query=query, check_error="Type a query.")
        try:
            explained = explain(service.checker, query.strip(), draw=True)
        except UserError as error:
            message = detail_of(error, page_field, label)
            guard.audit(request, status=status_of(error), detail=message, **audited)
            return render(request, caller, status_of(error), query=query, check_error=message)
        service.recorder.checks([explained.row])
        guard.audit(request, status=200, detail="1 queries (page)", **audited)
        return render(request, caller, query=query, verdict=explained.row, svg=explained.drawing)

    @router.post("/ui/upload", response_class=HTMLResponse)
    async def upload(
        request: Request,
        caller: Annotated[
            Caller, Depends(guard.require("upload_field", "upload", csrf_in_form=True))
        ],
    ) -> Response:
        def csrf(fields: dict[str, str]) -> None:
            guard.check_csrf(request, caller, "upload", fields.get(CSRF_FIELD, ""), audit=False)

        try:
            summary = await upload_report(
                service, guard, request, caller, page_field, label, form_check=csrf
            )
        except HTTPException as error:
            if error.status_code == 403 and "CSRF" in str(error.detail):
                raise
            return render(request, caller, error.status_code, upload_error=error.detail)
        except UserError as error:
            message = detail_of(error, page_field, label)
            page = render(request, caller, status_of(error), upload_error=message)
            page.headers.update(headers_of(error) or {})
            return page
        return render(request, caller, summary=summary)

    return router


def label(option: str) -> str:
    """An option as the page's form names it."""
    return FIELD_LABELS.get(option, option)
