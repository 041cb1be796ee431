"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import re
import time

import pyotp
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.audit.models import AuditEntry
from pbplatform.extensions import db
from tests.factories import PASSWORD


def audit_actions(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def is_logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def login(client, email: str, password: str, next_url: str | None = None):
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


def open_enrolment_link(client, user_id: int) -> None:
    """Issue a single-use enrolment link, as an administrator would, and open it in `client`
    (without it an officer's password alone cannot set up an authenticator app)."""
    from pbplatform.accounts.enrolment import issue_enrolment_token

    token = issue_enrolment_token(db.session.get(User, user_id))
    assert client.get(f"/login/code/enrol/{token}").status_code == 302


def pass_mfa(client, user_id: int, password: str = PASSWORD):
    """After an officer's password step: enter (or enroll with, through an enrolment link and
    a second password step) a valid TOTP code, computed from the secret in the database, of a
    step not used before."""
    db.session.expire_all()
    user = db.session.get(User, user_id)
    if user.totp_last_step is None:
        open_enrolment_link(client, user_id)
        assert login(client, user.email, password).status_code == 302  # makes the secret
        db.session.expire_all()
        user = db.session.get(User, user_id)
    totp = pyotp.TOTP(user.totp_secret)
    step = totp.timecode(time.time())
    if user.totp_last_step is not None:
        step = max(step, user.totp_last_step + 1)
    url = "/login/code/setup" if user.totp_last_step is None else "/login/code"
    return client.post(url, data={"code": totp.generate_otp(step)})


def without_csrf(page: bytes) -> bytes:
    """The page with its CSRF tokens blanked: they are signed with the current second, so
    two answers a second apart differ there and nowhere else."""
    return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token" value=""', page)
