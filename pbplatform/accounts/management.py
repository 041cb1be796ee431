"""User management by administrators: search, roles and officer areas, (de)activation and
new staff accounts. Every change is audited with the acting administrator."""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from pbplatform.accounts.models import RecoveryCode, Role, User, new_session_token
from pbplatform.accounts.services import create_user
from pbplatform.audit import services as audit
from pbplatform.cycles.models import Area
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.vocabulary import member_of


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "active": user.is_active_account,
        "officer_area_ids": sorted(a.id for a in user.officer_area_list),
    }


def search_users(query: str = "", page: int = 1, per_page: int = 25) -> tuple[list[User], int]:
    """Users whose name or e-mail contains `query` (a bound, escaped LIKE), ordered by id."""
    stmt = sa.select(User)
    query = (query or "").strip()[:100].lower()
    if query:
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(User.email).contains(query, autoescape=True),
                sa.func.lower(User.display_name).contains(query, autoescape=True),
            )
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    users = db.session.scalars(
        stmt.order_by(User.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(users), total


def _active_admins_besides(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                User.role == Role.ADMIN, User.is_active_account.is_(True), User.id != user.id
            )
        )
        or 0
    )


def change_role(actor: User, user: User, role: str, officer_areas: list[Area]) -> None:
    """Set role and officer areas; ends the user's sessions when their rights change."""
    if member_of(Role, role) is None:
        raise DomainError("invalid_role", gettext("Unknown role."))
    if user.role == Role.ADMIN and role != Role.ADMIN and _active_admins_besides(user) == 0:
        raise DomainError(
            "last_admin", gettext("The last administrator cannot be demoted."), status=409
        )
    before = _snapshot(user)
    user.role = role
    user.officer_area_list = officer_areas if role == Role.OFFICER else []
    after = _snapshot(user)
    if after != before:
        user.session_token = new_session_token()
    db.session.flush()
    audit.record("user.role_changed", user, actor=actor, before=before, after=after)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate or reactivate; either way every existing session of the user ends."""
    if user.id == actor.id:
        raise DomainError(
            "self_deactivate", gettext("You cannot deactivate your own account."), status=409
        )
    before = _snapshot(user)
    user.is_active_account = active
    user.session_token = new_session_token()
    db.session.flush()
    audit.record(
        "user.reactivated" if active else "user.deactivated",
        user,
        actor=actor,
        before=before,
        after=_snapshot(user),
    )


def create_staff_user(
    actor: User | None,
    email: str,
    display_name: str,
    role: str,
    officer_areas: list[Area],
    password: str | None,
) -> User:
    """Create an officer or admin. Without a password the account gets an unusable one and the
    caller sends a reset link."""
    temporary = password or secrets.token_urlsafe(32)
    user = create_user(
        email,
        display_name,
        temporary,
        role=role,
        officer_areas=officer_areas if role == Role.OFFICER else [],
        check_policy=bool(password),
    )
    db.session.flush()
    audit.record("user.created", user, actor=actor, after={"email": user.email, **_snapshot(user)})
    return user


def reset_mfa(actor: User, user: User) -> None:
    """Clear the user's TOTP secret and recovery codes (a lost phone): they enroll again, with
    a new enrolment link (enrolment.py), and every session they have ends. Audited without
    the secret."""
    before = {
        "mfa_enrolled": user.totp_secret_encrypted is not None and user.totp_last_step is not None
    }
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_token = new_session_token()
    db.session.flush()
    audit.record("user.mfa_reset", user, actor=actor, before=before, after={"mfa_enrolled": False})
