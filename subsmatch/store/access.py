"""Service access: API tokens with roles (stored hashed) and the audit trail.

Roles and what they may do:

- ``customs``: check substances; upload field-screening results;
- ``lab``: check substances; upload lab reports;
- ``analyst``: check substances; read everything (findings, cases, trends, audit);
- ``admin``: manage tokens; read everything.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from subsmatch.errors import UserError
from subsmatch.store.models import ApiToken, AuditEvent, as_utc

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


class AccessError(UserError, ValueError):
    """A token operation that cannot be done (unknown role, duplicate name, no such token)."""


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


def token_hash(token: str) -> str:
    """Tokens are 256-bit random strings: a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(engine: Engine, name: str, role: str) -> str:
    """A new token for ``role``; the plain text is returned once and never stored."""
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with Session(engine) as session, session.begin():
            session.add(
                ApiToken(
                    name=name, role=role, token_hash=token_hash(token), created_at=datetime.now(UTC)
                )
            )
    except IntegrityError:
        raise AccessError(
            f"a token named {name!r} exists already; pick another name or revoke it first"
        ) from None
    return token


def authenticate(engine: Engine, token: str | None) -> TokenInfo | None:
    """The token's holder, or None for a missing, unknown or revoked token."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    with Session(engine) as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
        if row is None or row.revoked_at is not None:
            return None
        return TokenInfo(row.name, row.role, row.created_at, row.revoked_at)


def revoke_token(engine: Engine, name: str) -> None:
    with Session(engine) as session, session.begin():
        done = session.execute(
            update(ApiToken)
            .where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        if not done.rowcount:
            raise AccessError(
                f"no active token named {name!r}; list them with subsmatch tokens list"
            )


def list_tokens(engine: Engine) -> list[TokenInfo]:
    with Session(engine) as session:
        rows = session.scalars(select(ApiToken).order_by(ApiToken.id))
        return [
            TokenInfo(
                r.name,
                r.role,
                as_utc(r.created_at),
                as_utc(r.revoked_at) if r.revoked_at else None,
            )
            for r in rows
        ]


def record_event(
    engine: Engine,
    *,
    action: str,
    status: int,
    who: TokenInfo | None = None,
    target: str | None = None,
    sha256: str | None = None,
    client: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one event to the audit trail (its own transaction: it survives a failed action)."""
    with Session(engine) as session, session.begin():
        session.add(
            AuditEvent(
                at=datetime.now(UTC),
                token_name=who.name if who else None,
                role=who.role if who else None,
                action=action,
                target=target[:2000] if target else None,
                sha256=sha256,
                status=status,
                client=client,
                detail=detail,
            )
        )


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
