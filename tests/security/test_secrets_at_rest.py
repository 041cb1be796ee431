"""Security case 43 (issue 12, broken case 2): no usable reset, invitation or enrolment link
and no TOTP secret can be read from the database alone, before or after the mail is sent.

Every check reads the raw rows with SQL, as someone holding a dump would, not the models."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from tests.accounts.test_reset import reset_link
from tests.factories import PASSWORD, login_as
from tests.mail.test_delivery import smtp_server  # noqa: F401  (fixture)


def raw_rows(table: str) -> str:
    """Every column of every row of `table`, as text, read past the ORM."""
    db.session.flush()
    rows = db.session.execute(sa.text(f"SELECT * FROM {table}")).all()  # noqa: S608
    return "\n".join(" | ".join(str(v) for v in row) for row in rows)


def test_queued_reset_link_is_not_readable_from_the_database(client, make_user):
    make_user("resident", email="queued@example.org")
    assert client.post("/reset", data={"email": "queued@example.org"}).status_code == 200
    link = reset_link("queued@example.org")  # the app itself can still read it, to send it
    token = link.rsplit("/", 1)[1]
    dump = raw_rows("outbox_messages")
    assert "queued@example.org" in dump
    assert token not in dump
    assert "/reset/" not in dump


def test_sent_reset_link_is_erased_from_the_outbox(app, client, runner, make_user, smtp_server):  # noqa: F811
    make_user("resident", email="sent@example.org")
    client.post("/reset", data={"email": "sent@example.org"})
    token = reset_link("sent@example.org").rsplit("/", 1)[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1])
    try:
        result = runner.invoke(args=["pb", "send-mail"])
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert result.exit_code == 0, result.output
    assert token in smtp_server.received[0]  # the person got the link ...
    dump = raw_rows("outbox_messages")
    assert token not in dump  # ... and the database no longer holds it in any form
    assert "sent@example.org" in dump
    from pbplatform.mail.models import OutboxMessage

    db.session.expire_all()
    [message] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert message.sent_at is not None
    assert message.body is None


def test_invitation_link_is_not_readable_from_the_database(client, make_user):
    login_as(client, make_user("admin"))
    response = client.post(
        "/admin/users/new",
        data={"email": "invited@example.org", "display_name": "Invited", "role": "admin"},
    )
    assert response.status_code == 302
    token = reset_link("invited@example.org").rsplit("/", 1)[1]
    assert token not in raw_rows("outbox_messages")


def test_totp_secret_is_not_stored_in_plain_text(client, make_user):
    officer = make_user("officer", email="totp@example.org")
    from pbplatform.accounts import mfa

    mfa.start_enrollment(officer)
    db.session.expire_all()
    secret = db.session.get(User, officer.id).totp_secret
    assert secret
    assert len(secret) >= 16
    assert pyotp.TOTP(secret).now().isdigit()
    dump = raw_rows("users")
    assert secret not in dump
    assert secret.lower() not in dump.lower()


def test_totp_secret_does_not_open_under_another_key(app, make_user):
    """The key is outside the database: with another DATA_ENCRYPTION_KEY the stored value is
    unusable (and the app says so instead of accepting a wrong secret)."""
    import pytest

    from pbplatform.security import encryption

    officer = make_user("officer", email="otherkey@example.org")
    officer.totp_secret = pyotp.random_base32()
    db.session.flush()
    stored = officer.totp_secret_encrypted
    app.config["DATA_ENCRYPTION_KEY"] = encryption.new_key()
    try:
        with pytest.raises(encryption.UndecryptableError):
            encryption.decrypt("totp", stored)
    finally:
        app.config.pop("DATA_ENCRYPTION_KEY")


def test_password_alone_cannot_enrol_a_second_factor(client, make_user):
    """Trust on first use is gone: the password holder of an unenrolled officer is not shown
    a secret to enrol; enrolment needs the single-use link mailed to the account."""
    make_user("officer", email="tofu@example.org")
    response = client.post("/login", data={"email": "tofu@example.org", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "otpauth://" not in text
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == "tofu@example.org"))
    assert user.totp_secret is None
    assert client.get("/account").status_code != 200
