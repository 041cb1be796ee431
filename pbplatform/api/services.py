"""Personal API tokens: create (plaintext returned once), revoke, and authenticate.

A token is 256 random bits; only its SHA-256 is stored, which is enough for secrets of that
strength (no salt or slow hash needed: nothing to guess). Services flush, never commit.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.api.models import ApiToken
from pbplatform.audit import services as audit
from pbplatform.channels.models import CensusEntry
from pbplatform.db import core_connection, today, utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db

TOKEN_PREFIX = "pbp_"
NAME_MAX = 80
MAX_ACTIVE_TOKENS = 10


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8", "replace")).hexdigest()


def list_tokens(user: User) -> Sequence[ApiToken]:
    """The user's tokens, active ones first, newest first."""
    return db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Make a new token for `user`; returns the row and the plaintext (shown once, never kept)."""
    name = "".join(ch for ch in (name or "") if ch.isprintable()).strip()
    if not name or len(name) > NAME_MAX:
        raise DomainError(
            "validation_error", _("Give the token a name of at most %(n)d characters.", n=NAME_MAX)
        )
    active = (
        db.session.scalar(
            sa.select(sa.func.count(ApiToken.id)).where(
                ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
            )
        )
        or 0
    )
    if active >= MAX_ACTIVE_TOKENS:
        raise DomainError(
            "too_many_tokens",
            _("You have %(n)d active tokens; revoke one first.", n=MAX_ACTIVE_TOKENS),
            status=409,
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hash_token(plaintext), prefix=plaintext[:12]
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token.created", token, actor=user, after={"name": name, "prefix": token.prefix}
    )
    return token, plaintext


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; someone else's token is 'not found'."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise DomainError("not_found", _("No such token."), status=404)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record("api_token.revoked", token, actor=user, after={"prefix": token.prefix})
    return token


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """An API token's owner as `authenticate_token` reads it with the token: what casting needs
    (the one-vote key, the eligibility check), without an ORM object. `id` is the user's."""

    token_id: int
    id: int
    home_area_id: int | None
    birth_date: date | None
    is_active: bool
    preloaded_census_hash: str  # "" when never verified against a register


@functools.cache
def _token_query() -> sa.Select[Any]:
    """Built once per process (building a statement costs more than running a cached one)."""
    t, u, c = ApiToken.__table__.c, User.__table__.c, CensusEntry.__table__.c
    census_hash = (
        sa.select(c.entry_hash)
        .where(c.user_id == u.id)
        .order_by(c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa.select(t.id, t.revoked_at, t.last_used_on, u.id, u.home_area_id, u.birth_date)
        .add_columns(u.is_active_account, sa.func.coalesce(census_hash, ""))
        .select_from(ApiToken.__table__)
        .join(User.__table__, u.id == t.user_id)
        .where(t.token_hash == sa.bindparam("token_hash"))
    )


@functools.cache
def _record_use() -> sa.Update:
    t = ApiToken.__table__.c
    return (
        sa.update(ApiToken.__table__)
        .where(t.id == sa.bindparam("token_id"))
        .values(last_used_on=sa.bindparam("day"))
    )


def authenticate_token(plaintext: str) -> TokenOwner | None:
    """The owner of the active token with this plaintext if their account is active, else None.

    One Core statement reads the token, its owner and the owner's census key (every API write
    needs all three). `last_used_on` is a day: it is written by the first use of each day
    only, never on every request.
    """
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
        return None
    connection = core_connection(db.session)
    row = connection.execute(_token_query(), {"token_hash": hash_token(plaintext)}).first()
    if row is None:
        return None
    token_id, revoked_at, last_used_on, user_id, area_id, born, active, census_hash = row
    if revoked_at is not None or not active:
        return None
    if last_used_on != (day := today()):
        connection.execute(_record_use(), {"token_id": token_id, "day": day})
    return TokenOwner(token_id, user_id, area_id, born, active, census_hash)
