"""Issue 12, secrets at rest: single-use recovery codes (hashed, shown once, usable instead of
a TOTP code, regenerable, audited) and single-use enrolment links for the second factor."""

from __future__ import annotations

import re

import sqlalchemy as sa

from pbplatform.accounts.models import MfaEnrolmentToken, RecoveryCode, User
from pbplatform.extensions import db
from tests.accounts.helpers import audit_actions, is_logged_in, login, open_enrolment_link
from tests.accounts.test_mfa import code_for, secret_of
from tests.factories import PASSWORD, login_as

EMAIL = "codes@example.org"


def enrol_and_read_codes(client, user: User) -> list[str]:
    open_enrolment_link(client, user.id)
    login(client, EMAIL, PASSWORD)
    response = client.post("/login/code/setup", data={"code": code_for(secret_of(user))})
    assert response.status_code == 200
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))


def test_codes_are_shown_once_stored_hashed_and_work_once_instead_of_a_totp_code(
    app, client, make_user
):
    officer = make_user("officer", email=EMAIL)
    codes = enrol_and_read_codes(client, officer)
    assert len(codes) == 10 and len(set(codes)) == 10  # noqa: PT018
    stored = " ".join(str(r) for r in db.session.execute(sa.text("SELECT * FROM recovery_codes")))
    assert all(c not in stored and c.replace("-", "") not in stored for c in codes)
    assert len(audit_actions("auth.recovery_codes_generated")) == 1

    phone_lost = app.test_client()
    assert login(phone_lost, EMAIL, PASSWORD).headers["Location"] == "/login/code"
    response = phone_lost.post("/login/code", data={"code": codes[3].upper()})
    assert response.status_code == 302
    assert is_logged_in(phone_lost)
    [used] = audit_actions("auth.recovery_code_used")
    assert used.after == {"remaining": 9}
    assert codes[3] not in str(used.before) + str(used.after)

    again = app.test_client()
    login(again, EMAIL, PASSWORD)
    assert again.post("/login/code", data={"code": codes[3]}).status_code == 200  # used up
    assert not is_logged_in(again)
    assert "9 unused recovery codes" in phone_lost.get("/account").get_data(as_text=True)


def test_codes_can_be_regenerated_and_the_old_ones_stop_working(app, client, make_user):
    officer = make_user("officer", email=EMAIL)
    old = enrol_and_read_codes(client, officer)
    response = client.post("/account/recovery-codes")
    assert response.status_code == 200
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)  # noqa: PT018
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 10
    assert len(audit_actions("auth.recovery_codes_generated")) == 2
    other = app.test_client()
    login(other, EMAIL, PASSWORD)
    assert other.post("/login/code", data={"code": old[0]}).status_code == 200
    assert other.post("/login/code", data={"code": new[0]}).status_code == 302


def test_residents_have_no_recovery_codes(client, make_user):
    login_as(client, make_user("resident"))
    assert client.post("/account/recovery-codes").status_code == 403


def test_enrolment_link_works_once(app, client, make_user):
    officer = make_user("officer", email=EMAIL)
    from pbplatform.accounts.enrolment import issue_enrolment_token

    token = issue_enrolment_token(officer)
    assert client.get(f"/login/code/enrol/{token}").status_code == 302
    login(client, EMAIL, PASSWORD)
    client.post("/login/code/setup", data={"code": code_for(secret_of(officer))})
    assert is_logged_in(client)
    [row] = db.session.scalars(sa.select(MfaEnrolmentToken)).all()
    assert row.used_at is not None
    assert token not in row.token_hash
    assert app.test_client().get(f"/login/code/enrol/{token}").status_code == 404


def test_a_wrong_code_does_not_use_up_the_enrolment_link(client, make_user):
    officer = make_user("officer", email=EMAIL)
    open_enrolment_link(client, officer.id)
    login(client, EMAIL, PASSWORD)
    secret = secret_of(officer)
    wrong = str((int(code_for(secret)) + 1) % 1_000_000).zfill(6)
    assert client.post("/login/code/setup", data={"code": wrong}).status_code == 200
    assert client.post("/login/code/setup", data={"code": code_for(secret)}).status_code == 200
    assert is_logged_in(client)


def test_another_accounts_link_does_not_enrol(app, client, make_user):
    officer = make_user("officer", email=EMAIL)
    other = make_user("officer", email="other-officer@example.org")
    open_enrolment_link(client, other.id)
    login(client, EMAIL, PASSWORD)
    page = client.get("/login/code/setup").get_data(as_text=True)
    assert "otpauth://" not in page
    assert secret_of(officer) is None


def test_promoting_a_resident_mails_an_enrolment_link(client, make_user):
    resident = make_user("resident", email="promoted@example.org")
    login_as(client, make_user("admin"))
    response = client.post(f"/admin/users/{resident.id}/role", data={"role": "officer"})
    assert response.status_code == 302
    from pbplatform.mail.models import OutboxMessage

    [mail] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "promoted@example.org")
    ).all()
    assert "/login/code/enrol/" in mail.body
    [entry] = audit_actions("user.mfa_enrolment_link_sent")
    assert entry.actor_id is not None
