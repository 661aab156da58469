"""The JSON API: /check, /ingest, /findings, /cases/{case_id} (and its rejections), /trends."""

# No `from __future__ import annotations`: FastAPI evaluates these annotations at run time.

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from subsmatch.errors import UserError, Wording, api_field, word
from subsmatch.operations import analysis
from subsmatch.operations import check as checking
from subsmatch.operations import findings as stored
from subsmatch.operations import ingest as ingesting
from subsmatch.operations.ingest import ReadOptions
from subsmatch.service.auth import Caller, Guard
from subsmatch.service.core import SafeJSON, Service, detail_of, status_of
from subsmatch.service.models import (
    CheckRequest,
    Finding,
    IngestSummary,
    Problem,
    Rejection,
    Trends,
    Verdict,
)
from subsmatch.service.uploads import Upload, read_upload
from subsmatch.service.worker import Job
from subsmatch.vocabulary import FINDING_STATUSES

FindingStatus = Literal[tuple(str(s) for s in FINDING_STATUSES)]  # type: ignore[misc]
UPLOAD_OVERHEAD = 1 << 20  # multipart boundaries and text fields beside the file
YES = frozenset({"1", "true", "on", "yes"})  # a form's boolean field
NO_CASE = {404: {"model": Problem, "description": "No such case"}}
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


async def upload_report(
    service: Service,
    guard: Guard,
    request: Request,
    caller: Caller,
    wording: Wording,
    name_of: Callable[[str], str] = str,
    form_check: Callable[[dict[str, str]], None] | None = None,
) -> dict:
    """Receive one upload (streamed, with the size limit: 413), check its read options
    (:class:`~subsmatch.errors.InvalidRequest`: 422) and, for the page, its form
    (``form_check``), ingest it: the summary, its options worded by ``wording``. A refused or
    unreadable file raises HTTPException (403, 422).

    Whatever happens, the upload has its audit record, with the status answered, the file's
    name and digest when it arrived, and why it failed.
    """
    audit: dict = {"status": 500, "target": None, "sha256": None, "detail": None}
    try:
        upload = await _receive(request, service)
        audit.update(target=upload.filename, sha256=upload.sha256)
        with upload.stream:
            options = read_options(upload.fields)
            if form_check is not None:
                form_check(upload.fields)
            summary = await service.workers.ingest(
                Job(
                    upload.path,
                    upload.filename,
                    options,
                    force=upload.fields.get("force", "").strip().lower() in YES,
                    role=caller.who.role,
                )
            )
        summary = summary.worded(wording)
        status = {"error": 422, "refused": 403}.get(summary.status, 200)
        audit.update(status=status, detail=summary.error or summary.status)
        if status != 200:
            raise HTTPException(status, summary.error)
        return summary.to_dict()
    except HTTPException as error:
        audit.update(status=error.status_code, detail=str(error.detail))
        raise
    except UserError as error:
        audit.update(status=status_of(error), detail=detail_of(error, wording, name_of))
        raise
    except Exception as error:  # a fault of ours: answered 500, recorded all the same
        audit.update(status=500, detail=f"{type(error).__name__}: {error}")
        raise
    finally:
        guard.audit(request, action="upload", who=caller.who, **audit)


def stored_rows(rows: list[dict]) -> Response:
    """Stored findings as they are: their shape (:class:`Finding`) is the one documented and
    tested on real output; validating each row's verdict again would take four times as long
    as encoding it (rows of one substance share their verdict)."""
    return JSONResponse(rows)


def api_router(service: Service, guard: Guard) -> APIRouter:
    """The API endpoints of one app."""
    router = APIRouter(responses=ERRORS)
    Reader = Annotated[Caller, Depends(guard.require("read", "read"))]  # analysts, admins

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
    ) -> Response:
        """Resolve names, CAS numbers or structures and say whether, where and since when
        they are controlled (the ``check --json`` object; a list for ``queries``)."""
        texts = body.texts()
        audited = {"action": "check", "who": caller.who, "target": "; ".join(texts)}
        try:
            rows = checking.check(
                service.checker,
                texts,
                body.jurisdictions or (),
                body.as_of,
                body.home,
                budget=service.check_budget,
            ).rows
        except UserError as error:
            guard.audit(request, status=status_of(error), detail=detail_of(error), **audited)
            raise
        service.recorder.checks(rows)
        guard.audit(request, status=200, detail=f"{len(texts)} queries", **audited)
        # sent as they are: the check --json objects are the documented shape (tested), and
        # validating them again cost more than judging a name already judged
        return SafeJSON(rows[0] if body.query is not None else rows)

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
        return await upload_report(service, guard, request, caller, api_field)

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

    def read_case(request: Request, caller: Caller, case_id: str, part: str) -> stored.Case:
        """The case (404 when the database holds nothing of it), the read audited."""
        status, detail = 500, None  # a fault of ours, unless one below says otherwise
        try:
            found = stored.case(service.engine, case_id)
        except UserError as error:
            status, detail = status_of(error), detail_of(error)
            raise
        except Exception as error:
            detail = f"{type(error).__name__}: {error}"
            raise
        else:
            status = 200
            detail = f"{len(found.findings)} findings, {len(found.rejections)} rejections"
        finally:
            guard.audit(
                request,
                action="read",
                status=status,
                who=caller.who,
                target=f"{part} {case_id}",
                detail=detail,
            )
        return found

    @router.get("/cases/{case_id}", response_model=list[Finding], tags=["read"], responses=NO_CASE)
    def case(case_id: str, request: Request, caller: Reader) -> Response:
        """Every analysis, hit and verdict of one case, in report order; an empty list for a
        case whose every row was rejected (``/cases/{case_id}/rejections`` says why)."""
        found = read_case(request, caller, case_id, "case")
        return stored_rows([stored.json_safe(r) for r in found.findings])

    @router.get(
        "/cases/{case_id}/rejections",
        response_model=list[Rejection],
        tags=["read"],
        responses=NO_CASE,
    )
    def case_rejections(case_id: str, request: Request, caller: Reader) -> list[dict]:
        """The rows of one case that became no finding: where, why, and the row as read."""
        found = read_case(request, caller, case_id, "rejections of case")
        return [{**row, "reason": word(row["reason"], api_field)} for row in found.rejections]

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
        recently_listed (the rows of ``subsmatch trends --json``), findings without a time
        counted apart (``undated``), and the window's time axis (``periods``: every period
        from the first to the last, the empty ones too)."""
        result = analysis.trends(
            service.engine,
            by=by,
            since=since,
            until=until,
            country=country,
            context=context,
            reference=service.checker.reference,
        ).to_dict()
        guard.audit(
            request,
            action="read",
            status=200,
            who=caller.who,
            target=f"trends {request.url.query}".strip(),
        )
        return result

    return router
