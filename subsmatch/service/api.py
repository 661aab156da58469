"""The JSON API: /check, /ingest, /findings, /cases/{case_id}, /trends."""

# No `from __future__ import annotations`: FastAPI evaluates these annotations at run time.

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from subsmatch.errors import api_field
from subsmatch.ingest.readers import FORMATS
from subsmatch.service.auth import Caller, Guard
from subsmatch.service.core import Service
from subsmatch.service.models import (
    CheckRequest,
    Finding,
    IngestSummary,
    Problem,
    Trends,
    Verdict,
)
from subsmatch.service.uploads import Upload, read_upload
from subsmatch.vocabulary import FINDING_STATUSES

FindingStatus = Literal[tuple(str(s) for s in FINDING_STATUSES)]  # type: ignore[misc]
UPLOAD_OVERHEAD = 1 << 20  # multipart boundaries and text fields beside the file
ERRORS = {
    401: {"model": Problem, "description": "No valid token"},
    403: {"model": Problem, "description": "The token's role may not do this"},
}


def upload_body(service: Service) -> dict:
    """The OpenAPI request body of an upload (parsed by hand, so declared by hand)."""
    limit = f"The report, at most {service.max_upload_bytes:,} bytes"
    properties = {
        "file": {"type": "string", "format": "binary", "description": limit},
        "format": {"type": "string", "enum": [*FORMATS, "tsv"], "description": "Skip detection"},
        "profile": {
            "type": "string",
            "enum": sorted(service.profiles),
            "description": "A shipped column-mapping profile, by name",
        },
    }
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


async def receive_upload(
    request: Request, service: Service, guard: Guard, caller: Caller
) -> Upload:
    """The uploaded file, streamed with the size limit (413) and the fields checked (422).

    A refused upload is written to the audit trail before the error goes out.
    """
    try:
        return await _receive(request, service)
    except HTTPException as error:
        await run_in_threadpool(
            guard.audit,
            request,
            action="upload",
            status=error.status_code,
            who=caller.who,
            detail=str(error.detail),
        )
        raise


async def _receive(request: Request, service: Service) -> Upload:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > service.max_upload_bytes + UPLOAD_OVERHEAD:
        raise HTTPException(
            413, f"the upload is larger than the limit of {service.max_upload_bytes:,} bytes"
        )
    upload = await read_upload(
        request.headers.get("content-type", ""), request.stream(), service.max_upload_bytes
    )
    fields = upload.fields
    if fields.get("profile") and fields["profile"] not in service.profiles:
        upload.stream.close()
        raise HTTPException(
            422,
            f"unknown profile {fields['profile']!r}; shipped: "
            f"{', '.join(sorted(service.profiles))}",
        )
    return upload


async def ingest_upload(
    service: Service, guard: Guard, request: Request, caller: Caller, upload: Upload
) -> dict:
    """Ingest a received upload and audit it; the summary, or HTTPException 422/403."""
    with upload.stream:
        summary = await run_in_threadpool(
            service.ingest,
            upload.stream,
            upload.filename,
            caller.who.role,
            format_name=upload.fields.get("format") or None,
            profile=upload.fields.get("profile") or None,
        )
    summary = summary.worded(api_field)
    status = {"error": 422, "refused": 403}.get(summary.status, 200)
    await run_in_threadpool(
        guard.audit,
        request,
        action="upload",
        status=status,
        who=caller.who,
        target=upload.filename,
        sha256=upload.sha256,
        detail=summary.error or summary.status,
    )
    if status != 200:
        raise HTTPException(status, summary.error)
    return summary.to_dict()


def api_router(service: Service, guard: Guard) -> APIRouter:
    """The API endpoints of one app."""
    router = APIRouter(responses=ERRORS)

    @router.post(
        "/check",
        response_model=Verdict | list[Verdict],
        tags=["check"],
        responses={413: {"model": Problem}, 422: {"description": "Invalid request"}},
    )
    def check(
        body: CheckRequest,
        request: Request,
        caller: Annotated[Caller, Depends(guard.require("check", "check"))],
    ) -> dict | list[dict]:
        """Resolve names, CAS numbers or structures and say whether, where and since when
        they are controlled (the ``check --json`` object; a list for ``queries``)."""
        texts = body.texts()
        codes = tuple(dict.fromkeys(body.jurisdictions)) if body.jurisdictions else None
        rows = service.check(texts, codes, body.as_of)
        guard.audit(
            request,
            action="check",
            status=200,
            who=caller.who,
            target="; ".join(texts),
            detail=f"{len(texts)} queries",
        )
        return rows[0] if body.query is not None else rows

    @router.post(
        "/ingest",
        response_model=IngestSummary,
        tags=["ingest"],
        openapi_extra=upload_body(service),
        responses={
            413: {"model": Problem, "description": "The file is too large"},
            422: {"model": Problem, "description": "The file is unreadable"},
        },
    )
    async def ingest(
        request: Request,
        caller: Annotated[Caller, Depends(guard.require("upload_field", "upload"))],
    ) -> dict:
        """Upload one report (multipart field ``file``); its rows are resolved and stored.

        Customs may upload field-screening results only, labs also lab results; a file holding
        other analyses is refused whole (403). The same content again changes nothing
        (status ``already_ingested``).
        """
        upload = await receive_upload(request, service, guard, caller)
        return await ingest_upload(service, guard, request, caller, upload)

    @router.get("/findings", response_model=list[Finding], tags=["read"])
    def findings(
        request: Request,
        caller: Annotated[Caller, Depends(guard.require("read", "read"))],
        flagged: bool = False,
        case: Annotated[str | None, Query(max_length=200)] = None,
        since: date | None = None,
        until: date | None = None,
        status: Annotated[list[FindingStatus] | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 100,
    ) -> list[dict]:
        """Stored findings with their verdicts, newest files first. ``flagged`` adds the
        statuses controlled, generic, precursor, analogue and unresolved to ``status``."""
        rows = service.findings(
            flagged=flagged,
            statuses=tuple(status or ()),
            case=case,
            since=since,
            until=until,
            limit=limit,
        )
        guard.audit(
            request,
            action="read",
            status=200,
            who=caller.who,
            target=f"findings {request.url.query}".strip(),
            detail=f"{len(rows)} rows",
        )
        return rows

    @router.get(
        "/cases/{case_id}",
        response_model=list[Finding],
        tags=["read"],
        responses={404: {"model": Problem, "description": "No such case"}},
    )
    def case(
        case_id: str,
        request: Request,
        caller: Annotated[Caller, Depends(guard.require("read", "read"))],
    ) -> list[dict]:
        """Every analysis, hit and verdict of one case, in report order."""
        rows = service.case(case_id)
        guard.audit(
            request,
            action="read",
            status=200 if rows else 404,
            who=caller.who,
            target=f"case {case_id}",
            detail=f"{len(rows)} rows",
        )
        if not rows:
            raise HTTPException(404, f"no case {case_id!r} in the database")
        return rows

    @router.get("/trends", response_model=Trends, tags=["read"])
    def trends(
        request: Request,
        caller: Annotated[Caller, Depends(guard.require("read", "read"))],
        by: Literal["week", "month", "quarter"] = "month",
        since: date | None = None,
        until: date | None = None,
        country: Annotated[str | None, Query(max_length=100)] = None,
        context: Literal["field", "lab"] | None = None,
    ) -> dict:
        """Findings per substance and per class over time, with the flags new, unlisted and
        recently_listed (as ``subsmatch trends --json``)."""
        result = service.trends(by=by, since=since, until=until, country=country, context=context)
        guard.audit(
            request,
            action="read",
            status=200,
            who=caller.who,
            target=f"trends {request.url.query}".strip(),
        )
        return result

    return router
