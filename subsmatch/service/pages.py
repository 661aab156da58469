"""The web page: log in with a token, check a substance, upload a report (no JavaScript)."""

# No `from __future__ import annotations`: FastAPI evaluates these annotations at run time.

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from subsmatch.reports.depict import pair_svg, svg
from subsmatch.service.api import ingest_upload, receive_upload
from subsmatch.service.auth import COOKIE, CSRF_FIELD, Caller, Guard, same_origin
from subsmatch.service.core import Service
from subsmatch.service.models import MAX_QUERY_CHARS
from subsmatch.store.access import authenticate

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
LEGEND_UNSAFE = re.compile(r"[<>&\"'\x00-\x1f]")


def legend(text: str, width: int = 36) -> str:
    """Text safe to draw as an RDKit legend inside an inline SVG.

    >>> legend("<b>A & B</b>")
    'bA  B/b'
    """
    return LEGEND_UNSAFE.sub("", text)[:width]


def depiction(row: dict) -> str | None:
    """The query's structure as inline SVG, beside its nearest controlled neighbour if any."""
    resolved = row["resolved"]
    if not resolved or not resolved["smiles"]:
        return None
    label = legend(resolved["name"]) if resolved["substance_id"] else "query"
    nearest = next((n for n in row["analogues"] if n["smiles"]), None)
    if nearest:
        return pair_svg(
            resolved["smiles"],
            nearest["smiles"],
            label,
            legend(f"{nearest['name'][:28]} ({nearest['similarity']:.2f})"),
        )
    return svg([resolved["smiles"]], [label])


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
                "profiles": sorted(service.profiles),
                "max_upload": service.max_upload_bytes,
                "max_query": MAX_QUERY_CHARS,
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
        row = service.check([query.strip()])[0]
        guard.audit(
            request,
            action="check",
            status=200,
            who=caller.who,
            target=query,
            detail="1 queries (page)",
        )
        return render(request, caller, query=query, verdict=row, svg=depiction(row))

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
        try:
            await run_in_threadpool(
                guard.check_csrf, request, caller, "upload", received.fields.get(CSRF_FIELD, "")
            )
        except HTTPException:
            received.stream.close()
            raise
        try:
            summary = await ingest_upload(service, guard, request, caller, received)
        except HTTPException as error:
            return render(
                request,
                caller,
                error.status_code,
                upload_error=error.detail,
                upload_name=received.filename,
            )
        return render(request, caller, summary=summary)

    return router
