"""Personal API tokens: create (plaintext returned once), revoke, and authenticate.

A token is 256 random bits; only its SHA-256 is stored, which is enough for secrets of that
strength (no salt or slow hash needed: nothing to guess). Services flush, never commit.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from pbplatform.accounts.models import User
from pbplatform.api.models import ApiToken
from pbplatform.audit import services as audit
from pbplatform.channels.models import CensusEntry
from pbplatform.db import today, utcnow
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


@functools.cache
def _token_query() -> sa.Select[ApiToken]:
    """Built once per process (building a statement costs more than running a cached one)."""
    census_hash = (
        sa.select(CensusEntry.entry_hash)
        .where(CensusEntry.user_id == User.id)
        .order_by(CensusEntry.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa.select(ApiToken)
        .join(ApiToken.user)
        .options(
            contains_eager(ApiToken.user).with_expression(
                User.preloaded_census_hash, sa.func.coalesce(census_hash, "")
            )
        )
        .where(ApiToken.token_hash == sa.bindparam("token_hash"))
    )


def authenticate_token(plaintext: str) -> ApiToken | None:
    """The active token with this plaintext whose owner's account is active, else None.

    One statement reads the token, its owner and the owner's census key (every API write
    needs all three). `last_used_on` is a day: it is written by the first use of each day
    only, with a Core UPDATE, never on every request.
    """
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
        return None
    token = db.session.scalar(_token_query(), {"token_hash": hash_token(plaintext)})
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.last_used_on != today():
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_on=today())
        )
        set_committed_value(token, "last_used_on", today())
    return token
