"""Password reset: same answer for every address, single use, expiry, sessions end."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from pbplatform.accounts.models import PasswordResetToken
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from tests.accounts.helpers import audit_actions, is_logged_in, login, without_csrf
from tests.factories import PASSWORD

NEW = "a brand new passphrase for me"


def reset_link(email: str) -> str:
    db.session.expire_all()
    mails = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).all()
    links = [re.search(r"http://localhost(/reset/[A-Za-z0-9_\-]+)", m.body or "") for m in mails]
    match = next((m for m in links if m), None)  # the newest mail with a reset link
    assert match, [m.body for m in mails]
    return match.group(1)


def test_request_answers_the_same_for_known_and_unknown_addresses(client, make_user):
    make_user("resident", email="known@example.org")
    known = client.post("/reset", data={"email": "KNOWN@example.org"})
    unknown = client.post("/reset", data={"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.data) == without_csrf(unknown.data)
    recipients = db.session.scalars(sa.select(OutboxMessage.recipient)).all()
    assert recipients == ["known@example.org"]


def test_token_is_stored_only_as_a_hash(client, make_user):
    make_user("resident", email="hash@example.org")
    client.post("/reset", data={"email": "hash@example.org"})
    token = reset_link("hash@example.org").rsplit("/", 1)[1]
    [row] = db.session.scalars(sa.select(PasswordResetToken)).all()
    assert token not in row.token_hash
    assert len(row.token_hash) == 64


def test_full_reset_flow_is_single_use_and_ends_sessions(app, client, make_user):
    user = make_user("resident", email="forgot@example.org")
    other_device = app.test_client()
    login(other_device, "forgot@example.org", PASSWORD)
    assert is_logged_in(other_device)

    client.post("/reset", data={"email": "forgot@example.org"})
    link = reset_link("forgot@example.org")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW, "password_confirm": NEW})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"

    assert not is_logged_in(other_device)  # the reset ended every session
    assert login(client, "forgot@example.org", PASSWORD).status_code == 200  # old one is dead
    assert login(client, "forgot@example.org", NEW).status_code == 302
    client.post("/logout")

    again = client.post(
        link,
        data={"password": "yet another passphrase", "password_confirm": "yet another passphrase"},
    )
    assert again.status_code == 404
    assert b"already been used or has expired" in again.data
    assert login(client, "forgot@example.org", NEW).status_code == 302
    assert [e.object_id for e in audit_actions("auth.password_reset")] == [str(user.id)]


def test_expired_token_is_refused(client, make_user):
    make_user("resident", email="late@example.org")
    client.post("/reset", data={"email": "late@example.org"})
    link = reset_link("late@example.org")
    row = db.session.scalars(sa.select(PasswordResetToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.get(link).status_code == 404
    response = client.post(link, data={"password": NEW, "password_confirm": NEW})
    assert response.status_code == 404
    assert login(client, "late@example.org", NEW).status_code == 200


def test_a_newer_reset_burns_older_links(client, make_user):
    make_user("resident", email="two@example.org")
    client.post("/reset", data={"email": "two@example.org"})
    first = reset_link("two@example.org")
    client.post("/reset", data={"email": "two@example.org"})
    second = reset_link("two@example.org")
    assert first != second
    assert client.post(second, data={"password": NEW, "password_confirm": NEW}).status_code == 302
    assert client.get(first).status_code == 404


def test_weak_new_password_is_refused_and_token_stays_usable(client, make_user):
    make_user("resident", email="weak@example.org")
    client.post("/reset", data={"email": "weak@example.org"})
    link = reset_link("weak@example.org")
    response = client.post(link, data={"password": "short", "password_confirm": "short"})
    assert response.status_code == 422
    assert client.get(link).status_code == 200
    assert login(client, "weak@example.org", PASSWORD).status_code == 302


def test_deactivated_account_gets_no_reset_mail(client, make_user):
    user = make_user("resident", email="off@example.org")
    user.is_active_account = False
    db.session.flush()
    response = client.post("/reset", data={"email": "off@example.org"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_garbage_tokens_are_404_not_500(client):
    for token in ["x", "a" * 500, "%00", "..%2f..%2fetc"]:
        assert client.get(f"/reset/{token}").status_code == 404
