"""Accounts: registration, authentication, password reset and role management.

Services flush and never commit (see transaction.py). Refusals a person can act on raise
DomainError; authentication failures return None so callers show one generic message.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from pbplatform.accounts.models import ROLES, PasswordResetToken, User, new_session_token
from pbplatform.accounts.passwords import hash_password, needs_rehash, verify_password
from pbplatform.audit import services as audit
from pbplatform.cycles.models import Area, Cycle
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.voting.models import Participation

PASSWORD_MIN = 12
PASSWORD_MAX = 256
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


# --- passwords ---------------------------------------------------------------------------

@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines
                     if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why `password` is not acceptable, or None. Length and a deny-list; no composition rules."""
    if len(password) < PASSWORD_MIN:
        return gettext("Use at least %(n)d characters.", n=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return gettext("Use at most %(n)d characters.", n=PASSWORD_MAX)
    folded = password.strip().casefold()
    context = {email.casefold(), email.partition("@")[0].casefold(), display_name.casefold()}
    if folded in common_passwords() or folded in context - {""} or len(set(folded)) < 3:
        return gettext("This password is too common or too easy to guess. Please choose another.")
    return None


def check_password_policy(password: str, *, email: str = "", display_name: str = "") -> None:
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise DomainError("weak_password", problem)


@cache
def _dummy_hash(params: str) -> str:
    return hash_password("not a real password, only for timing")


def burn_password_check(password: str) -> None:
    """Spend the same time as a real verification, so unknown e-mails are not revealed by timing."""
    verify_password(_dummy_hash(repr(current_app.config.get("ARGON2_PARAMS"))), password)


def set_password(user: User, password: str) -> None:
    """Set a new password and end every other session of the user."""
    check_password_policy(password, email=user.email, display_name=user.display_name)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    db.session.flush()


# --- users ---------------------------------------------------------------------------------

def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(email: str, display_name: str, password: str, *, role: str = "resident",
                home_area: Area | None = None, officer_areas: list[Area] | None = None,
                check_policy: bool = True) -> User:
    """Create an account. Refuses a taken e-mail (DomainError 409) and a weak password."""
    email = normalise_email(email)
    if role not in ROLES:
        raise DomainError("invalid_role", gettext("Unknown role."))
    if check_policy:
        check_password_policy(password, email=email, display_name=display_name)
    if find_user_by_email(email) is not None:
        raise DomainError("email_taken", gettext("This e-mail address is already registered."),
                          status=409)
    user = User(email=email, display_name=display_name.strip(), role=role, home_area=home_area,
                password_hash=hash_password(password), officer_area_list=officer_areas or [])
    try:
        with db.session.begin_nested():  # a concurrent registration may win the unique e-mail
            db.session.add(user)
    except IntegrityError as exc:
        raise DomainError("email_taken", gettext("This e-mail address is already registered."),
                          status=409) from exc
    return user


def register_resident(email: str, display_name: str, password: str,
                      home_area: Area | None) -> User | None:
    """Self-registration. Returns the new user, or None when the e-mail is already registered.

    Enumeration: the caller shows the same page either way. A new resident gets a welcome
    mail; the owner of an existing address is told someone tried to register with it. Both
    paths hash once, so the time taken does not reveal which one ran.
    """
    from pbplatform.mail.services import send_mail

    existing = find_user_by_email(email)
    if existing is not None:
        hash_password(password)  # same work as the new-account path
        send_mail(existing.email, gettext("Registration attempt"), gettext(
            "Someone tried to register a new account with this e-mail address. You already "
            "have an account: log in, or reset your password if you forgot it."))
        return None
    user = create_user(email, display_name, password, home_area=home_area)
    send_mail(user.email, gettext("Welcome"), gettext(
        "Your account for the citizens' budget is ready. You can log in now."))
    audit.record("account.registered", user, actor=user,
                 after={"email": user.email, "home_area_id": user.home_area_id})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user if e-mail and password match an active account; None for every kind of failure."""
    user = find_user_by_email(email)
    if user is None:
        burn_password_check(password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active_account:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()
    return user


def record_login_failure(email: str) -> None:
    audit.record("auth.login_failed", after={"email": normalise_email(email)[:254]},
                 outcome="denied")


def rotate_session_token(user: User) -> None:
    """Every cookie issued before this stops working on its next request."""
    user.session_token = new_session_token()
    db.session.flush()


def has_voted_in_open_cycle(user: User) -> bool:
    query = (sa.select(Participation.cycle_id).join(Cycle, Cycle.id == Participation.cycle_id)
             .where(Participation.voter_key == f"user:{user.id}",
                    Cycle.phase.in_(("voting", "counting"))))
    return db.session.scalar(query.limit(1)) is not None


def update_profile(user: User, display_name: str, home_area: Area | None) -> None:
    """Change name and home area; the area is fixed while a cycle the user voted in is open."""
    before = {"display_name": user.display_name, "home_area_id": user.home_area_id}
    new_area_id = home_area.id if home_area else None
    if new_area_id != user.home_area_id and has_voted_in_open_cycle(user):
        raise DomainError("area_locked", gettext(
            "You cannot change your home area while a vote you took part in is still open."),
            status=409)
    user.display_name = display_name.strip()
    user.home_area = home_area
    db.session.flush()
    audit.record("account.profile_changed", user, actor=user, before=before,
                 after={"display_name": user.display_name, "home_area_id": user.home_area_id})


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError("wrong_password", gettext("Your current password is not correct."))
    set_password(user, new)
    audit.record("account.password_changed", user, actor=user)


# --- password reset ------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_reset_token(user: User, ttl_seconds: int) -> str:
    """A fresh random token; only its SHA-256 is stored, so a database leak reveals no link."""
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordResetToken(user=user, token_hash=_token_hash(token),
                                      expires_at=utcnow() + timedelta(seconds=ttl_seconds)))
    db.session.flush()
    return token


def request_password_reset(email: str, reset_url_for: Callable[[str], str]) -> None:
    """Mail a single-use link if an active account has this e-mail; silent otherwise.

    `reset_url_for(token)` builds the absolute link (the view passes url_for with _external).
    """
    from pbplatform.mail.services import send_mail

    user = find_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    ttl = int(current_app.config["PASSWORD_RESET_TTL_SECONDS"])
    token = _issue_reset_token(user, ttl)
    send_mail(user.email, gettext("Reset your password"), gettext(
        "To choose a new password, open this link within %(minutes)d minutes:\n\n%(link)s\n\n"
        "If you did not ask for this, ignore this e-mail; your password stays as it is.",
        minutes=max(1, ttl // 60), link=reset_url_for(token)))
    audit.record("auth.reset_requested", user, actor=user)


def send_invitation(user: User, reset_url_for: Callable[[str], str]) -> None:
    """Mail a new staff account a single-use link to set its first password (valid longer
    than a reset: INVITATION_TTL_SECONDS, three days by default)."""
    from pbplatform.mail.services import send_mail

    ttl = int(current_app.config.get("INVITATION_TTL_SECONDS", 3 * 24 * 60 * 60))
    token = _issue_reset_token(user, ttl)
    send_mail(user.email, gettext("Your account for the citizens' budget"), gettext(
        "An account has been created for you. To choose your password, open this link within "
        "%(days)d days:\n\n%(link)s", days=max(1, ttl // 86400), link=reset_url_for(token)))


def find_valid_reset_token(token: str) -> PasswordResetToken | None:
    """The unused, unexpired token of an active account, or None."""
    if not token or len(token) > 128:
        return None
    row = db.session.scalar(sa.select(PasswordResetToken)
                            .where(PasswordResetToken.token_hash == _token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.is_active_account:
        return None
    return row


def reset_password(token: str, password: str) -> User:
    """Use a reset token once: set the password, burn all the user's tokens, end their sessions."""
    row = find_valid_reset_token(token)
    if row is None:
        raise DomainError("invalid_token", gettext(
            "This link is invalid or has expired. Please ask for a new one."), status=410)
    user = row.user
    set_password(user, password)
    now = utcnow()
    for other in db.session.scalars(sa.select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))):
        other.used_at = now
    db.session.flush()
    audit.record("auth.password_reset", user, actor=user)
    return user


# --- administration -----------------------------------------------------------------------

def _snapshot(user: User) -> dict[str, Any]:
    return {"role": user.role, "active": user.is_active_account,
            "officer_area_ids": sorted(a.id for a in user.officer_area_list)}


def search_users(query: str = "", page: int = 1, per_page: int = 25) -> tuple[list[User], int]:
    """Users whose name or e-mail contains `query` (a bound, escaped LIKE), ordered by id."""
    stmt = sa.select(User)
    query = (query or "").strip()[:100].lower()
    if query:
        stmt = stmt.where(sa.or_(sa.func.lower(User.email).contains(query, autoescape=True),
                                 sa.func.lower(User.display_name).contains(query, autoescape=True)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    users = db.session.scalars(stmt.order_by(User.id).offset((page - 1) * per_page)
                               .limit(per_page)).all()
    return list(users), total


def _active_admins_besides(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(
        User.role == "admin", User.is_active_account.is_(True), User.id != user.id)) or 0


def change_role(actor: User, user: User, role: str, officer_areas: list[Area]) -> None:
    """Set role and officer areas; ends the user's sessions when their rights change."""
    if role not in ROLES:
        raise DomainError("invalid_role", gettext("Unknown role."))
    if user.role == "admin" and role != "admin" and _active_admins_besides(user) == 0:
        raise DomainError("last_admin", gettext("The last administrator cannot be demoted."),
                          status=409)
    before = _snapshot(user)
    user.role = role
    user.officer_area_list = officer_areas if role == "officer" else []
    after = _snapshot(user)
    if after != before:
        user.session_token = new_session_token()
    db.session.flush()
    audit.record("user.role_changed", user, actor=actor, before=before, after=after)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate or reactivate; either way every existing session of the user ends."""
    if user.id == actor.id:
        raise DomainError("self_deactivate", gettext("You cannot deactivate your own account."),
                          status=409)
    before = _snapshot(user)
    user.is_active_account = active
    user.session_token = new_session_token()
    db.session.flush()
    audit.record("user.reactivated" if active else "user.deactivated", user, actor=actor,
                 before=before, after=_snapshot(user))


def create_staff_user(actor: User | None, email: str, display_name: str, role: str,
                      officer_areas: list[Area], password: str | None) -> User:
    """Create an officer or admin. Without a password the account gets an unusable one and the
    caller sends a reset link."""
    temporary = password or secrets.token_urlsafe(32)
    user = create_user(email, display_name, temporary, role=role,
                       officer_areas=officer_areas if role == "officer" else [],
                       check_policy=bool(password))
    db.session.flush()
    audit.record("user.created", user, actor=actor,
                 after={"email": user.email, **_snapshot(user)})
    return user
