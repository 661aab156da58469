"""Who is asking: bearer tokens or the page's session cookie, roles, CSRF, the audit trail.

Authentication: ``Authorization: Bearer smt_...`` (a valid token is remembered for a few
seconds, :class:`~subsmatch.store.access.TokenCache`: a revocation with ``subsmatch tokens
revoke`` takes effect within ``TOKEN_CACHE_TTL`` seconds, an expiry on time) or the
``subsmatch_session`` cookie that the login form sets (HttpOnly, SameSite=Strict, Secure
unless turned off for plain-HTTP loopback).
The cookie holds a session id, never the token: a random id of its own, stored hashed on the
server, that ends after :data:`SESSION_LIFETIME` (or when its token expires, if sooner), at
logout, or when the token is revoked. A request without a valid token or session answers 401
(``WWW-Authenticate: Bearer``), one outside its role 403; both are recorded in the audit
trail (those without a valid token aggregated per client: see
:mod:`~subsmatch.service.recorder`).

CSRF: a request authenticated by the cookie that changes anything (any method but GET/HEAD)
must carry the CSRF token of that session, in the form field ``csrf`` or the header
``X-CSRF-Token``, and, when the browser sends an ``Origin``, come from this very origin. The
CSRF token is an HMAC of the session id under a key made at start-up, so it cannot be
derived by another site. Bearer requests need neither: a browser never attaches that header
on its own.
"""

# No `from __future__ import annotations`: FastAPI evaluates these annotations at run time.

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyCookie, HTTPBearer
from sqlalchemy import Engine

from subsmatch.operations.access import (
    Event,
    TokenCache,
    TokenInfo,
    authenticate,
    session_holder,
)
from subsmatch.service.recorder import Recorder

COOKIE = "subsmatch_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_LIFETIME = timedelta(hours=8)  # a working shift; the token's own expiry if sooner
UNAUTHENTICATED = (
    "a valid token is needed: send 'Authorization: Bearer smt_...' or log in on the page"
)
bearer_scheme = HTTPBearer(auto_error=False, description="An API token: smt_...")
cookie_scheme = APIKeyCookie(
    name=COOKIE, auto_error=False, description="The page's session (set by POST /login)"
)


@dataclass(frozen=True)
class Caller:
    """An authenticated request: the token's holder, and the bearer token or the session id
    it came with (``by_cookie``)."""

    who: TokenInfo
    secret: str
    by_cookie: bool


class Guard:
    """Authentication, authorisation, CSRF and auditing for one app."""

    def __init__(self, engine: Engine, recorder: Recorder) -> None:
        self.engine = engine
        self.recorder = recorder
        self.tokens = TokenCache()
        self._csrf_key = secrets.token_bytes(32)

    def csrf_token(self, session_id: str) -> str:
        """The CSRF token of a session: HMAC-SHA256 of its id under this process's key."""
        return hmac.new(self._csrf_key, session_id.encode(), hashlib.sha256).hexdigest()

    def audit(
        self,
        request: Request,
        *,
        action: str,
        status: int,
        who: TokenInfo | None = None,
        target: str | None = None,
        sha256: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Append one event to the audit trail for this request (written in the background)."""
        self.recorder.event(Event(action, status, who, target, sha256, client_of(request), detail))

    def remembered(self, request: Request) -> Caller | None:
        """The caller of a bearer request whose token is remembered valid (no database read:
        the event loop may ask); None when :meth:`caller` must ask the database."""
        token = bearer_token(request)
        who = self.tokens.holder(token) if token else None
        return Caller(who, token, by_cookie=False) if who else None

    def caller(self, request: Request) -> Caller | None:
        """The request's valid token from the Authorization header, else its session."""
        header = request.headers.get("authorization", "")
        if (token := bearer_token(request)) is not None:
            who = authenticate(self.engine, token, self.tokens)
            return Caller(who, token, by_cookie=False) if who else None
        if header:
            return None  # another scheme: not ours
        session_id = request.cookies.get(COOKIE, "")
        who = session_holder(self.engine, session_id)
        return Caller(who, session_id, by_cookie=True) if who else None

    def refuse(
        self,
        request: Request,
        action: str,
        status: int,
        detail: str,
        who: TokenInfo | None = None,
        *,
        audit: bool = True,
    ) -> HTTPException:
        """Record a refused request (unless its handler records it: ``audit``) and make the
        exception that answers it."""
        if audit:
            self.audit(
                request,
                action=action,
                status=status,
                who=who,
                target=target_of(request),
                detail=detail,
            )
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return HTTPException(status, detail, headers=headers)

    def require(
        self, permission: str | None, action: str, *, csrf_in_form: bool = False
    ) -> Callable[..., Caller]:
        """A dependency: the caller (authenticated by :class:`Gate`), who must hold
        ``permission`` (None: any valid token). A cookie-authenticated unsafe request must
        come from this origin and, unless its form carries it (``csrf_in_form``, checked by
        the endpoint), send the CSRF header."""

        def dependency(
            request: Request,
            _bearer: Annotated[object, Security(bearer_scheme)] = None,
            _cookie: Annotated[object, Security(cookie_scheme)] = None,
        ) -> Caller:
            # the two Security parameters declare the schemes in the OpenAPI description
            caller = getattr(request.state, "caller", None) or self.caller(request)
            if caller is None:
                raise self.refuse(request, action, 401, UNAUTHENTICATED)
            if permission and not caller.who.may(permission):
                raise self.refuse(
                    request, action, 403, f"role {caller.who.role!r} may not {action}", caller.who
                )
            if caller.by_cookie and request.method not in SAFE_METHODS:
                self.check_origin(request, action, caller)
                if not csrf_in_form:
                    self.check_csrf(request, caller, action)
            return caller

        return dependency

    def check_origin(self, request: Request, action: str, caller: Caller) -> None:
        """Refuse (403) a cookie-authenticated unsafe request from another origin."""
        if not same_origin(request):
            raise self.refuse(request, action, 403, "cross-origin request refused", caller.who)

    def check_csrf(
        self,
        request: Request,
        caller: Caller,
        action: str,
        submitted: str | None = None,
        *,
        audit: bool = True,
    ) -> None:
        """Refuse (403) a cookie-authenticated unsafe request without its session's CSRF token.

        ``submitted`` is the form field when the body was a form; else the header is used.
        """
        if not caller.by_cookie or request.method in SAFE_METHODS:
            return
        given = submitted if submitted is not None else request.headers.get(CSRF_HEADER, "")
        expected = self.csrf_token(caller.secret)
        if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode()):
            raise self.refuse(
                request,
                action,
                403,
                "missing or wrong CSRF token; reload the page",
                caller.who,
                audit=audit,
            )


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, else None."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def same_origin(request: Request) -> bool:
    """False when the browser says (Origin, else Referer) that another site sent this."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    return not origin or urlsplit(origin).netloc == request.headers.get("host")


def client_of(request: Request) -> str | None:
    """The client's address as seen by the server."""
    return request.client.host if request.client else None


def target_of(request: Request) -> str:
    """The method and path (with query string) of a request, for the audit trail."""
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.method} {request.url.path}{query}"
