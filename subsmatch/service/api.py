"""The JSON API: /check, /ingest, /findings, /cases/{case_id}, /trends."""

# No `from __future__ import annotations`: FastAPI evaluates these annotations at run time.

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from subsmatch.errors import UserError, Wording, api_field
from subsmatch.operations import analysis
from subsmatch.operations import check as checking
from subsmatch.operations import findings as stored
from subsmatch.operations import ingest as ingesting
from subsmatch.operations.ingest import FileSummary, ReadOptions
from subsmatch.operations.recording import record
from subsmatch.service.auth import Caller, Guard
from subsmatch.service.core import Service, detail_of, status_of
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
YES = frozenset({"1", "true", "on", "yes"})  # a form's boolean field
ERRORS = {
    401: {"model": Problem, "description": "No valid token"},
    403: {"model": Problem, "description": "The token's role may not do this"},
}


def upload_fields(service: Service) -> dict[str, dict]:
    """The text fields an upload may carry beside its file: how to read it, as in ``ingest``."""
    return {
        "format": {
            "type": "string",
            "enum": list(ingesting.FORMAT_NAMES),
            "description": "Skip detection: the report's format",
        },
        "profile": {
            "type": "string",
            "enum": service.profiles,
            "description": "A shipped column-mapping profile, by name",
        },
        "encoding": {
            "type": "string",
            "description": "Text encoding of a file without a byte-order mark, e.g. cp1252",
        },
        "sheet": {"type": "string", "description": "The XLSX sheet to read"},
        "timezone": {
            "type": "string",
            "description": "IANA zone of times printed without one (unless the profile has one)",
        },
        "force": {
            "type": "boolean",
            "description": "Store content already ingested again, as a new version",
        },
    }


def upload_body(service: Service) -> dict:
    """The OpenAPI request body of an upload (parsed by hand, so declared by hand)."""
    limit = f"The report, at most {service.max_upload_bytes:,} bytes"
    properties = {
        "file": {"type": "string", "format": "binary", "description": limit},
        **upload_fields(service),
    }
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


async def receive_upload(
    request: Request, service: Service, guard: Guard, caller: Caller
) -> tuple[Upload, ReadOptions]:
    """The uploaded file, streamed with the size limit (413) and its read options checked
    (:class:`~subsmatch.errors.InvalidRequest`, answered 422).

    A refused upload is written to the audit trail before the error goes out.
    """
    try:
        upload = await _receive(request, service)
    except HTTPException as error:
        await _audit_refusal(request, guard, caller, error.status_code, str(error.detail))
        raise
    try:
        return upload, read_options(upload.fields)
    except UserError as error:
        upload.stream.close()
        await _audit_refusal(request, guard, caller, status_of(error), detail_of(error))
        raise


async def _audit_refusal(
    request: Request, guard: Guard, caller: Caller, status: int, detail: str
) -> None:
    await run_in_threadpool(
        guard.audit, request, action="upload", status=status, who=caller.who, detail=detail
    )


def read_options(fields: dict[str, str]) -> ReadOptions:
    """The read options of an upload's fields (empty means "detect"); shipped profiles only."""
    return ingesting.read_options(
        format=fields.get("format") or None,
        profile=fields.get("profile") or None,
        encoding=fields.get("encoding") or None,
        sheet=fields.get("sheet") or None,
        timezone=fields.get("timezone") or None,
        shipped_profile_only=True,
    )


async def _receive(request: Request, service: Service) -> Upload:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > service.max_upload_bytes + UPLOAD_OVERHEAD:
        raise HTTPException(
            413, f"the upload is larger than the limit of {service.max_upload_bytes:,} bytes"
        )
    return await read_upload(
        request.headers.get("content-type", ""), request.stream(), service.max_upload_bytes
    )


def _ingested(service: Service, upload: Upload, options: ReadOptions, role: str) -> FileSummary:
    (summary,) = ingesting.ingest(
        service.engine,
        [(upload.stream, upload.filename)],
        options,
        checker=service.checker,
        force=upload.fields.get("force", "").strip().lower() in YES,
        role=role,
    )
    return summary


async def ingest_upload(
    service: Service,
    guard: Guard,
    request: Request,
    caller: Caller,
    received: tuple[Upload, ReadOptions],
    wording: Wording,
) -> dict:
    """Ingest a received upload and audit it; the summary (its options worded by
    ``wording``), or HTTPException 422/403."""
    upload, options = received
    with upload.stream:
        summary = await run_in_threadpool(_ingested, service, upload, options, caller.who.role)
    summary = summary.worded(wording)
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


def stored_rows(rows: list[dict]) -> Response:
    """Stored findings as they are: their shape (:class:`Finding`) is the one documented and
    tested on real output; validating each row's verdict again would take four times as long
    as encoding it (rows of one substance share their verdict)."""
    return JSONResponse(rows)


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
        codes = body.jurisdictions or ()
        rows = checking.check(service.checker, texts, codes, body.as_of, body.home).rows
        record(service.engine, rows)
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
        received = await receive_upload(request, service, guard, caller)
        return await ingest_upload(service, guard, request, caller, received, api_field)

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
    ) -> Response:
        """Stored findings with their verdicts, newest files first, each status the headline at
        the service's home. ``flagged``: the flagged verdicts (controlled, generic, analogue,
        unknown, unresolved, a precursor of a flagged category; not with ``status``, 422)."""
        chosen = stored.selection(
            flagged=flagged,
            statuses=tuple(status or ()),
            case=case,
            since=since,
            until=until,
            home=service.checker.home,
        )
        rows = [stored.json_safe(r) for r in stored.findings(service.engine, chosen, limit)]
        guard.audit(
            request,
            action="read",
            status=200,
            who=caller.who,
            target=f"findings {request.url.query}".strip(),
            detail=f"{len(rows)} rows",
        )
        return stored_rows(rows)

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
    ) -> Response:
        """Every analysis, hit and verdict of one case, in report order."""
        rows = [stored.json_safe(r) for r in stored.case(service.engine, case_id)]
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
        return stored_rows(rows)

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
        per_substance, per_class = analysis.trends(
            service.engine,
            by=by,
            since=since,
            until=until,
            country=country,
            context=context,
            reference=service.checker.reference,
        )
        result = {
            "substances": [t.to_dict() for t in per_substance],
            "classes": [t.to_dict() for t in per_class],
        }
        guard.audit(
            request,
            action="read",
            status=200,
            who=caller.who,
            target=f"trends {request.url.query}".strip(),
        )
        return result

    return router
