"""Reads about accounts that views need: the signed-in person as a database row, one account,
the outbox a site administrator inspects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import current_user

from pbplatform.accounts.models import User
from pbplatform.extensions import db

if TYPE_CHECKING:
    from pbplatform.mail.models import OutboxMessage


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def signed_in_user() -> User:
    """The signed-in person as a row of this session (flask-login's proxy is not one)."""
    user = db.session.get(User, current_user.id)
    assert user is not None  # login_required ran: the account exists
    return user


def recent_outbox(limit: int = 100) -> Sequence[OutboxMessage]:
    from pbplatform.mail.models import OutboxMessage  # mail imports accounts

    return db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    ).all()
