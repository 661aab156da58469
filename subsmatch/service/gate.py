"""The outermost layer: authenticate every request, bound bodies, add security headers.

Authentication happens here, before any body is read or parsed, so that every request
without a valid token answers 401, whatever else is wrong with it. Roles are checked later,
per endpoint (:meth:`subsmatch.service.auth.Guard.require`). A JSON body is bounded in size
and in nesting depth (a parser recursing through ``[[[[...`` would fail deep inside).

>>> json_depth(b'{"queries": ["[[[", "a\\"]"], "as_of": null}'), json_depth(b"[" * 40)
(2, 40)
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from subsmatch.service.auth import UNAUTHENTICATED, Guard, target_of

ACTIONS = {
    "check": "check",
    "ingest": "upload",
    "findings": "read",
    "cases": "read",
    "trends": "read",
    "ui": "page",
    "": "page",
}
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


INLINE_BODY = 4 << 10  # bytes of JSON measured on the event loop (a /check of a few names)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_DEPTH_STEP = np.zeros(256, dtype=np.int8)
_DEPTH_STEP[[ord("["), ord("{")]] = 1
_DEPTH_STEP[[ord("]"), ord("}")]] = -1


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped)."""
    skeleton = _STRING.sub(b"", body).translate(None, bytes(set(range(256)) - set(b"[]{}")))
    if not skeleton:
        return 0
    return int(np.cumsum(_DEPTH_STEP[np.frombuffer(skeleton, dtype=np.uint8)]).max())


def action_of(path: str) -> str:
    """The audit action a path belongs to ("check", "upload", "read", "page", "request").

    >>> action_of("/cases/24-1"), action_of("/ingest"), action_of("/openapi.json")
    ('read', 'upload', 'request')
    """
    first = path.strip("/").split("/", 1)[0]
    return ACTIONS.get(first, "request")


class Gate:
    """ASGI middleware: 401 for requests without a valid token (except ``public`` paths), 413
    for bodies over ``body_limit`` (except ``streamed`` paths, which bound their own), 422 for
    JSON nested deeper than ``json_depth``, and security headers on every response. The
    authenticated caller is put in ``request.state.caller``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        guard: Guard,
        public: Callable[[str], bool],
        streamed: frozenset[str],
        body_limit: int,
        json_depth: int,
        unauthenticated: Callable[[Request], Response],
    ) -> None:
        self.app = app
        self.guard = guard
        self.public = public
        self.streamed = streamed
        self.body_limit = body_limit
        self.json_depth = json_depth
        self.unauthenticated = unauthenticated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = with_headers(send)
        request = Request(scope)
        path = scope["path"]
        if not self.public(path):
            # a token remembered valid is known at once; else the database is asked in a thread
            caller = self.guard.remembered(request) or await run_in_threadpool(
                self.guard.caller, request
            )
            if caller is None:
                await run_in_threadpool(
                    self.guard.audit,
                    request,
                    action=action_of(path),
                    status=401,
                    target=target_of(request),
                    detail=UNAUTHENTICATED,
                )
                await self.unauthenticated(request)(scope, receive, send)
                return
            scope.setdefault("state", {})["caller"] = caller
        if path not in self.streamed and scope["method"] not in ("GET", "HEAD"):
            body = await read_bounded(receive, self.body_limit)
            if body is None:
                await JSONResponse(
                    {"detail": f"the request body is larger than {self.body_limit:,} bytes"},
                    413,
                    headers={"connection": "close"},
                )(scope, receive, send)
                return
            if is_json(request) and (depth := await self.depth(body)) > self.json_depth:
                await JSONResponse(
                    {
                        "detail": f"the JSON body nests {depth} levels deep; at most "
                        f"{self.json_depth} are read"
                    },
                    422,
                )(scope, receive, send)
                return
            receive = replay(body, receive)
        await self.app(scope, receive, send)

    @staticmethod
    async def depth(body: bytes) -> int:
        """:func:`json_depth` of a body: a small one here (microseconds: a hop to a thread and
        back would cost more, and wait for a thread), a large one in a thread."""
        if len(body) <= INLINE_BODY:
            return json_depth(body)
        return await run_in_threadpool(json_depth, body)


def is_json(request: Request) -> bool:
    """The request says its body is JSON (``application/json``, ``application/x+json``)."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def with_headers(send: Send) -> Send:
    """``send`` adding the security headers to the response start."""

    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sender


async def read_bounded(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it exceeds ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # disconnected: the app will see it too
        chunk = message.get("body", b"")
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then defers to the real one."""
    sent = False

    async def receiver() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receiver
