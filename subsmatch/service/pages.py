"""The web page: log in with a token, check a substance, upload a report (no JavaScript)."""

# No `from __future__ import annotations`: FastAPI evaluates these annotations at run time.

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from subsmatch.errors import UserError
from subsmatch.operations.access import authenticate
from subsmatch.operations.explain import explain
from subsmatch.operations.ingest import FORMAT_NAMES
from subsmatch.operations.recording import record
from subsmatch.service.api import ingest_upload, receive_upload
from subsmatch.service.auth import COOKIE, CSRF_FIELD, Caller, Guard, same_origin
from subsmatch.service.core import Service, detail_of, status_of
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
                "csrf": guard.csrf_token(caller.token),
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
        if not same_origin(request):  # login CSRF: another site logging you in as someone
            raise guard.refuse(request, "login", 403, "cross-origin login refused")
        who = authenticate(guard.engine, token.strip())
        guard.audit(request, action="login", status=303 if who else 401, who=who)
        if who is None:
            return login_page(request, "That token is not valid (unknown or revoked).", 401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE, token.strip(), httponly=True, samesite="strict", secure=secure_cookie, path="/"
        )
        return response

    @router.post("/logout")
    def logout(request: Request) -> Response:
        if not same_origin(request):
            raise HTTPException(403, "cross-origin logout refused")
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
        if not query.strip():
            return render(request, caller, 422, query=query, check_error="Type a query.")
        explained = explain(service.checker, query.strip(), draw=True)
        record(service.engine, [explained.row])
        guard.audit(
            request,
            action="check",
            status=200,
            who=caller.who,
            target=query,
            detail="1 queries (page)",
        )
        return render(request, caller, query=query, verdict=explained.row, svg=explained.drawing)

    @router.post("/ui/upload", response_class=HTMLResponse)
    async def upload(
        request: Request,
        caller: Annotated[
            Caller, Depends(guard.require("upload_field", "upload", csrf_in_form=True))
        ],
    ) -> Response:
        try:
            received = await receive_upload(request, service, guard, caller)
        except HTTPException as error:
            return render(request, caller, error.status_code, upload_error=error.detail)
        except UserError as error:
            message = detail_of(error, page_field, lambda option: FIELD_LABELS.get(option, option))
            return render(request, caller, status_of(error), upload_error=message)
        upload = received[0]
        try:
            await run_in_threadpool(
                guard.check_csrf, request, caller, "upload", upload.fields.get(CSRF_FIELD, "")
            )
        except HTTPException:
            upload.stream.close()
            raise
        try:
            summary = await ingest_upload(service, guard, request, caller, received, page_field)
        except HTTPException as error:
            return render(
                request,
                caller,
                error.status_code,
                upload_error=error.detail,
                upload_name=upload.filename,
            )
        return render(request, caller, summary=summary)

    return router
