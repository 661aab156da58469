"""Service access: API tokens with roles (stored hashed) and the audit trail.

Roles and what they may do:

- ``customs``: check substances; upload field-screening results;
- ``lab``: check substances; upload lab reports;
- ``analyst``: check substances; read everything (findings, cases, trends, audit);
- ``admin``: manage tokens; read everything.

A token may have an expiry: from then on it is refused as a revoked one is. People log in on
the page with a token and get a session: a random id of its own (the cookie holds only that,
never the token), stored as its SHA-256, which ends at its expiry, at logout, or with its
token.

A long-running process (the service) may remember valid tokens for a few seconds
(:class:`TokenCache`), so that a request does not read the database to authenticate: an
expiry then still takes effect on the second, a revocation in the same process at once, and
one from another process (``subsmatch tokens revoke``) within :data:`TOKEN_CACHE_TTL` seconds.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from subsmatch.errors import UserError
from subsmatch.store.engine import writer
from subsmatch.store.models import ApiToken, AuditEvent, PageSession, as_utc

ROLES = ("customs", "lab", "analyst", "admin")
PERMISSIONS = {
    "check": frozenset({"customs", "lab", "analyst"}),
    "upload_field": frozenset({"customs", "lab"}),
    "upload_lab": frozenset({"lab"}),
    "read": frozenset({"analyst", "admin"}),
    "manage_tokens": frozenset({"admin"}),
}
UPLOAD_CONTEXTS = {  # which analysis contexts a role may upload
    "customs": frozenset({"field_screening"}),
    "lab": frozenset({"field_screening", "lab_screening", "lab_confirmation"}),
}
TOKEN_PREFIX = "smt_"
SESSION_PREFIX = "sms_"
TARGET_CHARS = 2000  # an audited query text or path is cut here
TOKEN_CACHE_TTL = 5.0  # seconds a valid token is remembered (a revocation elsewhere waits so long)
TOKEN_CACHE_SIZE = 10_000  # tokens remembered at most (beyond, the cache starts again)


class AccessError(UserError, ValueError):
    """A token operation that cannot be done (unknown role, duplicate name, no such token)."""


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = None

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    def valid_at(self, moment: datetime) -> bool:
        """Neither revoked nor expired at ``moment``."""
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


def token_hash(token: str) -> str:
    """Tokens are 256-bit random strings: a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        row.name,
        row.role,
        as_utc(row.created_at),
        as_utc(row.revoked_at) if row.revoked_at else None,
        as_utc(row.expires_at) if row.expires_at else None,
    )


def create_token(engine: Engine, name: str, role: str, expires_at: datetime | None = None) -> str:
    """A new token for ``role``, valid until ``expires_at`` (None: until revoked); the plain
    text is returned once and never stored."""
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    now = datetime.now(UTC)
    if expires_at is not None and as_utc(expires_at) <= now:
        raise AccessError(
            f"the expiry {as_utc(expires_at):%Y-%m-%d %H:%M} UTC is not in the future; "
            "give a later date or a duration"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with Session(writer(engine)) as session, session.begin():
            session.add(
                ApiToken(
                    name=name,
                    role=role,
                    token_hash=token_hash(token),
                    created_at=now,
                    expires_at=as_utc(expires_at) if expires_at else None,
                )
            )
    except IntegrityError:
        raise AccessError(
            f"a token named {name!r} exists already; pick another name or revoke it first"
        ) from None
    return token


def _token_row(session: Session, token: str | None) -> ApiToken | None:
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))


class TokenCache:
    """Valid tokens remembered for ``ttl`` seconds, by their hash, with their holder.

    A remembered holder is still checked against the clock on every use (an expiry takes effect
    on time); a revocation in this process (:func:`revoke_token`) forgets every token at once;
    a revocation or a changed expiry written by another process is seen once the entry is older
    than ``ttl``. Unknown and invalid tokens are never remembered: each is asked again.

    >>> now = [0.0]
    >>> cache = TokenCache(ttl=5.0, clock=lambda: now[0])
    >>> who = TokenInfo("lims", "lab", datetime(2026, 1, 1, tzinfo=UTC), None)
    >>> cache.remember("smt_x", who, revocations())
    >>> cache.holder("smt_x") == who, cache.holder("smt_y")
    (True, None)
    >>> now[0] = 5.0
    >>> cache.holder("smt_x") is None  # too old: ask the database again
    True
    """

    def __init__(
        self,
        ttl: float = TOKEN_CACHE_TTL,
        size: int = TOKEN_CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._held: dict[str, tuple[TokenInfo, float, int]] = {}
        self._lock = threading.Lock()

    def holder(self, token: str | None) -> TokenInfo | None:
        """The remembered holder of ``token`` if still valid; None when it must be asked."""
        if not token:
            return None
        with self._lock:
            found = self._held.get(token_hash(token))
        if found is None:
            return None
        who, since, generation = found
        fresh = self.clock() - since < self.ttl and generation == revocations()
        return who if fresh and who.valid_at(datetime.now(UTC)) else None

    def remember(self, token: str, who: TokenInfo, generation: int) -> None:
        """Remember ``who`` as read when :func:`revocations` said ``generation`` (taken before
        the read: a revocation committed after it makes the entry stale)."""
        with self._lock:
            if len(self._held) >= self.size:
                self._held.clear()
            self._held[token_hash(token)] = (who, self.clock(), generation)


_revoked = [0]  # revocations this process has committed
_revoked_lock = threading.Lock()


def revocations() -> int:
    """How many revocations this process has committed (what a cache remembered before the
    last one is stale)."""
    return _revoked[0]


def authenticate(
    engine: Engine, token: str | None, cache: TokenCache | None = None
) -> TokenInfo | None:
    """The token's holder, or None for a missing, unknown, revoked or expired token
    (``cache``: remembered, see :class:`TokenCache`)."""
    if cache is not None and (who := cache.holder(token)) is not None:
        return who
    generation = revocations()
    with Session(engine) as session:
        row = _token_row(session, token)
        info = _info(row) if row is not None else None
    if info is None or not info.valid_at(datetime.now(UTC)):
        return None
    if cache is not None:
        cache.remember(token, info, generation)
    return info


def revoke_token(engine: Engine, name: str) -> None:
    """Revoke a token by name; its page sessions end with it (and what this process
    remembered of tokens is forgotten)."""
    with Session(writer(engine)) as session, session.begin():
        done = session.execute(
            update(ApiToken)
            .where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        if not done.rowcount:
            raise AccessError(
                f"no active token named {name!r}; list them with subsmatch tokens list"
            )
        token_id = select(ApiToken.id).where(ApiToken.name == name).scalar_subquery()
        session.execute(delete(PageSession).where(PageSession.token_id == token_id))
    with _revoked_lock:
        _revoked[0] += 1


def list_tokens(engine: Engine) -> list[TokenInfo]:
    with Session(engine) as session:
        return [_info(r) for r in session.scalars(select(ApiToken).order_by(ApiToken.id))]


def session_hash(session_id: str) -> str:
    """Session ids are 256-bit random strings, stored as their SHA-256 like tokens."""
    return token_hash(session_id)


def start_session(
    engine: Engine, token: str | None, lifetime: timedelta
) -> tuple[str, TokenInfo, datetime] | None:
    """A new page session for a valid token: its id (shown once, for the cookie), the token's
    holder and when it ends (after ``lifetime``, or when the token expires if sooner); None
    for a token that is not valid. Sessions that have ended are deleted on the way."""
    now = datetime.now(UTC)
    session_id = SESSION_PREFIX + secrets.token_urlsafe(32)
    with Session(writer(engine)) as session, session.begin():
        row = _token_row(session, token)
        if row is None or not _info(row).valid_at(now):
            return None
        who = _info(row)
        ends = min(now + lifetime, who.expires_at or now + lifetime)
        session.execute(delete(PageSession).where(PageSession.expires_at <= now))
        session.add(
            PageSession(
                session_hash=session_hash(session_id),
                token_id=row.id,
                created_at=now,
                expires_at=ends,
            )
        )
    return session_id, who, ends


def session_holder(engine: Engine, session_id: str | None) -> TokenInfo | None:
    """The holder of a page session that has not ended (nor has its token); else None."""
    if not session_id or not session_id.startswith(SESSION_PREFIX):
        return None
    now = datetime.now(UTC)
    with Session(engine) as session:
        found = session.execute(
            select(PageSession.expires_at, ApiToken)
            .join(ApiToken, PageSession.token_id == ApiToken.id)
            .where(PageSession.session_hash == session_hash(session_id))
        ).first()
        if found is None or as_utc(found[0]) <= now:
            return None
        who = _info(found[1])
    return who if who.valid_at(now) else None


def end_session(engine: Engine, session_id: str | None) -> None:
    """Log out: the session is deleted (an unknown id changes nothing)."""
    if not session_id:
        return
    with Session(writer(engine)) as session, session.begin():
        session.execute(
            delete(PageSession).where(PageSession.session_hash == session_hash(session_id))
        )


@dataclass(frozen=True)
class Event:
    """One entry of the audit trail: what was done, by whom, with what answer."""

    action: str
    status: int
    who: TokenInfo | None = None
    target: str | None = None
    sha256: str | None = None
    client: str | None = None
    detail: str | None = None
    at: datetime | None = None  # None: when it is written


def record_events(engine: Engine, events: Iterable[Event]) -> int:
    """Append events to the audit trail in one transaction, one bulk insert (no ORM objects:
    the service's recorder writes hundreds at a time); returns how many."""
    now = datetime.now(UTC)
    rows = [
        {
            "at": e.at or now,
            "token_name": e.who.name if e.who else None,
            "role": e.who.role if e.who else None,
            "action": e.action,
            "target": e.target[:TARGET_CHARS] if e.target else None,
            "sha256": e.sha256,
            "status": e.status,
            "client": e.client,
            "detail": e.detail,
        }
        for e in events
    ]
    if rows:
        with Session(writer(engine)) as session, session.begin():
            session.execute(insert(AuditEvent), rows)
    return len(rows)


def record_event(engine: Engine, **fields: object) -> None:
    """Append one event (the fields of :class:`Event`) in its own transaction: it survives a
    failed action."""
    record_events(engine, [Event(**fields)])


def audit_events(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[dict]:
    """The audit trail from ``since`` to before ``until``, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if since is not None:
        query = query.where(AuditEvent.at >= as_utc(since))
    if until is not None:
        query = query.where(AuditEvent.at < as_utc(until))
    with Session(engine) as session:
        return [
            {
                "at": as_utc(e.at),
                "token": e.token_name,
                "role": e.role,
                "action": e.action,
                "target": e.target,
                "sha256": e.sha256,
                "status": e.status,
                "client": e.client,
                "detail": e.detail,
            }
            for e in session.scalars(query)
        ]
