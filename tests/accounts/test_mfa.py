"""Security case 36: officers and admins need a TOTP code after their password; a code is
accepted once; a password reset does not skip it; an administrator's MFA reset is audited."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.accounts.passwords import hash_password
from pbplatform.extensions import db
from tests.accounts.helpers import audit_actions, is_logged_in, login, open_enrolment_link
from tests.accounts.test_reset import NEW, reset_link
from tests.factories import PASSWORD, login_as
from tests.limits import limited_app


def mails_to(user: User) -> list:
    from pbplatform.mail.models import OutboxMessage

    db.session.expire_all()
    query = sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email)
    return list(db.session.scalars(query.order_by(OutboxMessage.id.desc())))


def secret_of(user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).totp_secret


def code_for(secret: str, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + offset_steps * totp.interval)


def enroll(client, user: User, email: str) -> str:
    """Open the enrolment link, log in with the password, then confirm the enrollment with a
    code (the recovery codes page follows); returns the secret."""
    open_enrolment_link(client, user.id)
    assert login(client, email, PASSWORD).headers["Location"] == "/login/code/setup"
    secret = secret_of(user)
    response = client.post("/login/code/setup", data={"code": code_for(secret)})
    assert response.status_code == 200
    assert "Your recovery codes" in response.get_data(as_text=True)
    return secret


@pytest.fixture
def officer(make_user):
    return make_user("officer", email="mfa-officer@example.org")


def test_password_alone_does_not_log_an_officer_in(client, officer):
    response = login(client, "mfa-officer@example.org", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code/setup"
    assert not is_logged_in(client)
    assert client.get("/admin/users").status_code in (401, 403)
    assert client.get("/officer/queue").status_code in (401, 404)


def test_officer_route_refuses_a_session_without_the_mfa_mark(client, officer):
    """Default deny in access._check: a logged-in officer session lacking the TOTP mark."""
    with client.session_transaction() as session:
        session["_user_id"] = officer.get_id()
    assert is_logged_in(client)  # resident-level pages are fine
    admin_like = [
        rule.rule
        for rule in client.application.url_map.iter_rules()
        if getattr(client.application.view_functions[rule.endpoint], "access_level", None)
        == "officer"
        and not rule.arguments
        and "GET" in rule.methods
    ]
    assert admin_like
    for url in admin_like:
        assert client.get(url).status_code == 401, url


def test_enrollment_shows_the_secret_and_needs_a_valid_code(client, officer):
    open_enrolment_link(client, officer.id)
    login(client, "mfa-officer@example.org", PASSWORD)
    secret = secret_of(officer)
    page = client.get("/login/code/setup").get_data(as_text=True)
    assert secret in page
    assert "otpauth://totp/" in page
    wrong = client.post(
        "/login/code/setup", data={"code": "000000" if code_for(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert not is_logged_in(client)
    assert len(audit_actions("auth.mfa_failed")) == 1

    response = client.post("/login/code/setup", data={"code": code_for(secret)})
    assert response.status_code == 200  # the recovery codes, shown once
    assert is_logged_in(client)
    assert client.get("/admin/users").status_code == 403  # an officer, not an admin
    db.session.expire_all()
    assert db.session.get(User, officer.id).totp_last_step is not None
    [entry] = audit_actions("auth.mfa_enrolled")
    assert secret not in str(entry.before) + str(entry.after)


def test_enrolled_officer_logs_in_with_a_code_and_reaches_officer_routes(app, client, make_user):
    admin = make_user("admin", email="mfa-admin@example.org")
    secret = enroll(app.test_client(), admin, "mfa-admin@example.org")

    response = login(client, "mfa-admin@example.org", PASSWORD, next_url="/admin/users")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/admin/users").status_code == 401
    response = client.post("/login/code", data={"code": code_for(secret, 1)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200


def test_wrong_code_is_refused_and_audited_without_the_code(app, client, officer):
    secret = enroll(app.test_client(), officer, "mfa-officer@example.org")
    login(client, "mfa-officer@example.org", PASSWORD)
    wrong = str((int(code_for(secret, 1)) + 1) % 1_000_000).zfill(6)
    for bad in (wrong, "abc", ""):
        response = client.post("/login/code", data={"code": bad})
        assert response.status_code == 200
        assert "not valid" in response.get_data(as_text=True) or bad == ""
    assert not is_logged_in(client)
    failures = audit_actions("auth.mfa_failed")
    assert len(failures) >= 2
    assert all(wrong not in str(f.after) and secret not in str(f.after) for f in failures)


def test_a_code_is_refused_on_reuse(app, client, officer):
    secret = enroll(app.test_client(), officer, "mfa-officer@example.org")
    used = code_for(secret)  # the enrollment just accepted this step
    login(client, "mfa-officer@example.org", PASSWORD)
    assert client.post("/login/code", data={"code": used}).status_code == 200
    assert not is_logged_in(client)
    earlier = code_for(secret, -1)
    assert client.post("/login/code", data={"code": earlier}).status_code == 200
    assert not is_logged_in(client)
    assert client.post("/login/code", data={"code": code_for(secret, 1)}).status_code == 302
    assert is_logged_in(client)


def test_password_reset_does_not_bypass_mfa(app, client, officer):
    secret = enroll(app.test_client(), officer, "mfa-officer@example.org")
    client.post("/reset", data={"email": "mfa-officer@example.org"})
    link = reset_link("mfa-officer@example.org")
    assert client.post(link, data={"password": NEW, "password_confirm": NEW}).status_code == 302
    assert not is_logged_in(client)
    assert client.get("/officer/queue").status_code in (401, 404)
    response = login(client, "mfa-officer@example.org", NEW)
    assert response.headers["Location"] == "/login/code"
    assert not is_logged_in(client)
    assert secret_of(officer) == secret


def test_pending_step_dies_with_the_session_token(app, client, officer):
    secret = enroll(app.test_client(), officer, "mfa-officer@example.org")
    login(client, "mfa-officer@example.org", PASSWORD)
    db.session.get(User, officer.id).session_token = "rotated-elsewhere"
    db.session.flush()
    response = client.post("/login/code", data={"code": code_for(secret, 1)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not is_logged_in(client)


def test_admin_mfa_reset_is_audited_and_forces_a_new_enrollment(app, client, make_user, officer):
    secret = enroll(app.test_client(), officer, "mfa-officer@example.org")
    admin = make_user("admin")
    login_as(client, admin)
    assert client.post(f"/admin/users/{officer.id}/mfa/reset").status_code == 302
    db.session.expire_all()
    fresh = db.session.get(User, officer.id)
    assert fresh.totp_secret is None
    assert fresh.totp_last_step is None
    [entry] = audit_actions("user.mfa_reset")
    assert entry.actor_id == admin.id
    assert entry.before == {"mfa_enrolled": True}
    assert entry.after == {"mfa_enrolled": False}
    assert secret not in str(entry.before) + str(entry.after)

    again = app.test_client()
    assert (
        login(again, "mfa-officer@example.org", PASSWORD).headers["Location"] == "/login/code/setup"
    )
    assert secret_of(officer) is None  # no enrolment with the password alone
    assert "otpauth://" not in again.get("/login/code/setup").get_data(as_text=True)
    link = re.search(r"http://localhost(/login/code/enrol/\S+)", mails_to(officer)[0].body)
    assert again.get(link.group(1)).status_code == 302  # the link the reset mailed
    assert secret_of(officer) is None  # opening it (a GET) writes nothing
    login(again, "mfa-officer@example.org", PASSWORD)  # the password step with the link
    assert "otpauth://" in again.get("/login/code/setup").get_data(as_text=True)
    assert secret_of(officer) not in (None, secret)


def test_only_admins_reset_mfa(client, make_user, officer):
    login_as(client, make_user("officer"))
    assert client.post(f"/admin/users/{officer.id}/mfa/reset").status_code == 403


def test_residents_are_not_asked_for_a_code(client, make_user):
    make_user("resident", email="mfa-resident@example.org")
    response = login(client, "mfa-resident@example.org", PASSWORD)
    assert response.status_code == 302
    assert "/login/code" not in response.headers["Location"]
    assert is_logged_in(client)


def test_code_pages_without_a_password_step_go_back_to_login(client):
    for url in ("/login/code", "/login/code/setup"):
        response = client.post(url, data={"code": "123456"})
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"


def test_mfa_can_be_switched_off_by_config(app, client, officer):
    app.config["OFFICER_MFA_REQUIRED"] = False
    try:
        response = login(client, "mfa-officer@example.org", PASSWORD)
        assert "/login/code" not in response.headers["Location"]
        assert is_logged_in(client)
    finally:
        app.config["OFFICER_MFA_REQUIRED"] = True


def test_code_form_is_rate_limited():
    with limited_app(MFA_RATE_LIMIT="2 per minute") as app:
        with app.app_context():
            db.session.add(
                User(
                    email="rl@example.org",
                    display_name="Rl",
                    role="officer",
                    password_hash=hash_password(PASSWORD),
                )
            )
            db.session.commit()
        client = app.test_client()
        with app.app_context():
            open_enrolment_link(client, 1)
        assert login(client, "rl@example.org", PASSWORD).status_code == 302
        for _ in range(2):
            assert client.post("/login/code/setup", data={"code": "abcdef"}).status_code == 200
        assert client.post("/login/code/setup", data={"code": "123456"}).status_code == 429
        # Another client, another pending account: not affected.
        with app.app_context():
            db.session.add(
                User(
                    email="rl2@example.org",
                    display_name="Rl2",
                    role="officer",
                    password_hash=hash_password(PASSWORD),
                )
            )
            db.session.commit()
        other = app.test_client()
        login(other, "rl2@example.org", PASSWORD)
        assert (
            other.post(
                "/login/code/setup",
                data={"code": "abcdef"},
                environ_base={"REMOTE_ADDR": "192.0.2.9"},
            ).status_code
            == 200
        )
