"""Accounts: registration, authentication and a person's own account (profile, password).

Password hashing and policy are in `passwords`, reset and invitation links in `reset`, the
administrators' user management in `management`.

Services flush and never commit (see transaction.py). Refusals a person can act on raise
DomainError; authentication failures return None so callers show one generic message.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from pbplatform.accounts.models import Role, User, new_session_token
from pbplatform.accounts.passwords import (
    burn_password_check,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from pbplatform.audit import services as audit
from pbplatform.cycles.models import Area, Cycle, Phase
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.vocabulary import member_of
from pbplatform.voting.models import Participation


def set_password(user: User, password: str) -> None:
    """Set a new password and end every other session of the user."""
    check_password_policy(password, email=user.email, display_name=user.display_name)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    db.session.flush()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    display_name: str,
    password: str,
    *,
    role: str = Role.RESIDENT,
    home_area: Area | None = None,
    officer_areas: list[Area] | None = None,
    check_policy: bool = True,
) -> User:
    """Create an account. Refuses a taken e-mail (DomainError 409) and a weak password."""
    email = normalise_email(email)
    if member_of(Role, role) is None:
        raise DomainError("invalid_role", gettext("Unknown role."))
    if check_policy:
        check_password_policy(password, email=email, display_name=display_name)
    if find_user_by_email(email) is not None:
        raise DomainError(
            "email_taken", gettext("This e-mail address is already registered."), status=409
        )
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        home_area=home_area,
        password_hash=hash_password(password),
        officer_area_list=officer_areas or [],
    )
    try:
        with db.session.begin_nested():  # a concurrent registration may win the unique e-mail
            db.session.add(user)
    except IntegrityError as exc:
        raise DomainError(
            "email_taken", gettext("This e-mail address is already registered."), status=409
        ) from exc
    return user


def register_resident(
    email: str, display_name: str, password: str, home_area: Area | None
) -> User | None:
    """Self-registration. Returns the new user, or None when the e-mail is already registered.

    Enumeration: the caller shows the same page either way. A new resident gets a welcome
    mail; the owner of an existing address is told someone tried to register with it. Both
    paths hash once, so the time taken does not reveal which one ran.
    """
    from pbplatform.mail.services import send_mail

    existing = find_user_by_email(email)
    if existing is not None:
        hash_password(password)  # same work as the new-account path
        send_mail(
            existing.email,
            gettext("Registration attempt"),
            gettext(
                "Someone tried to register a new account with this e-mail address. You already "
                "have an account: log in, or reset your password if you forgot it."
            ),
        )
        return None
    user = create_user(email, display_name, password, home_area=home_area)
    send_mail(
        user.email,
        gettext("Welcome"),
        gettext("Your account for the citizens' budget is ready. You can log in now."),
    )
    audit.record(
        "account.registered",
        user,
        actor=user,
        after={"email": user.email, "home_area_id": user.home_area_id},
    )
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
    audit.record(
        "auth.login_failed", after={"email": normalise_email(email)[:254]}, outcome="denied"
    )


def rotate_session_token(user: User) -> None:
    """Every cookie issued before this stops working on its next request."""
    user.session_token = new_session_token()
    db.session.flush()


def has_voted_in_open_cycle(user: User) -> bool:
    query = (
        sa.select(Participation.cycle_id)
        .join(Cycle, Cycle.id == Participation.cycle_id)
        .where(
            Participation.voter_key == f"user:{user.id}",
            Cycle.phase.in_((Phase.VOTING, Phase.COUNTING)),
        )
    )
    return db.session.scalar(query.limit(1)) is not None


def update_profile(user: User, display_name: str, home_area: Area | None) -> None:
    """Change name and home area; the area is fixed while a cycle the user voted in is open."""
    before = {"display_name": user.display_name, "home_area_id": user.home_area_id}
    new_area_id = home_area.id if home_area else None
    if new_area_id != user.home_area_id and has_voted_in_open_cycle(user):
        raise DomainError(
            "area_locked",
            gettext(
                "You cannot change your home area while a vote you took part in is still open."
            ),
            status=409,
        )
    user.display_name = display_name.strip()
    user.home_area = home_area
    db.session.flush()
    audit.record(
        "account.profile_changed",
        user,
        actor=user,
        before=before,
        after={"display_name": user.display_name, "home_area_id": user.home_area_id},
    )


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError("wrong_password", gettext("Your current password is not correct."))
    set_password(user, new)
    audit.record("account.password_changed", user, actor=user)
