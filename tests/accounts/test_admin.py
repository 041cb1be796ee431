"""Administrators manage officer accounts; every change audited; outbox in development only."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pbplatform.accounts.models import PasswordResetToken, User
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from tests.accounts.helpers import audit_actions, is_logged_in, login
from tests.factories import PASSWORD, login_as


def test_list_and_search_users(client, make_user):
    admin = make_user("admin", name="Ada Admin")
    make_user("resident", email="zed@example.org", name="Zed Zebra")
    make_user("resident", email="yan@example.org", name="Yan 100% Real_Name")
    login_as(client, admin)
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert b"zed@example.org" in page.data
    page = client.get("/admin/users?q=ZEBRA")
    assert b"zed@example.org" in page.data
    assert "1 user found." in page.get_data(as_text=True)
    german = client.get("/admin/users?q=ZEBRA", headers={"Accept-Language": "de"})
    assert "1 Nutzer:in gefunden." in german.get_data(as_text=True)
    assert b"yan@example.org" not in page.data
    # LIKE wildcards and SQL are searched for literally, never interpreted.
    assert b"yan@example.org" in client.get("/admin/users?q=100%25").data
    underscore = client.get("/admin/users?q=_").data
    assert b"yan@example.org" in underscore
    assert b"zed@example.org" not in underscore
    for q in ["' OR 1=1--", "%", "1;SELECT pg_sleep(3)"]:
        response = client.get("/admin/users", query_string={"q": q})
        assert response.status_code == 200
        assert b"zed@example.org" not in response.data


def test_sort_and_page_parameters_are_harmless(client, make_user):
    login_as(client, make_user("admin"))
    for qs in ["sort=password_hash", "page=-5", "page=abc", "page=99999", "per_page=10000"]:
        assert client.get(f"/admin/users?{qs}").status_code == 200


def test_pagination(client, make_user):
    admin = make_user("admin")
    for n in range(30):
        make_user("resident", email=f"bulk{n:02d}@example.org")
    login_as(client, admin)
    first, second = client.get("/admin/users"), client.get("/admin/users?page=2")
    assert b"Page 1 of 2" in first.data
    assert b"Page 2 of 2" in second.data
    assert b"bulk29@example.org" in second.data
    assert b"bulk29@example.org" not in first.data


def test_create_officer_with_reset_link(client, make_user, make_area):
    admin = make_user("admin")
    area = make_area()
    login_as(client, admin)
    assert client.get("/admin/users/new").status_code == 200
    response = client.post(
        "/admin/users/new",
        data={
            "email": "Officer.New@example.org",
            "display_name": "New Officer",
            "role": "officer",
            "officer_areas": [str(area.id)],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == "officer.new@example.org"))
    assert user.role == "officer"
    assert [a.id for a in user.officer_area_list] == [area.id]
    mail, enrol = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient == user.email)
        .order_by(OutboxMessage.id)
    ).all()
    assert "/reset/" in mail.body
    assert "/login/code/enrol/" in enrol.body  # the second factor needs its own link
    [token] = db.session.scalars(sa.select(PasswordResetToken)).all()
    assert token.user_id == user.id
    assert token.expires_at > utcnow() + timedelta(days=2)  # an invitation lasts longer
    [entry] = audit_actions("user.created")
    assert entry.actor_id == admin.id
    assert entry.after["role"] == "officer"
    assert entry.after["officer_area_ids"] == [area.id]


def test_create_officer_with_temporary_password(client, make_user):
    login_as(client, make_user("admin"))
    response = client.post(
        "/admin/users/new",
        data={
            "email": "temp@example.org",
            "display_name": "Temp Officer",
            "role": "officer",
            "password": "temporary passphrase 42",
        },
    )
    assert response.status_code == 302
    client.post("/logout")
    assert login(client, "temp@example.org", "temporary passphrase 42").status_code == 302


def test_create_refuses_duplicate_email_and_weak_password(client, make_user):
    login_as(client, make_user("admin"))
    make_user("resident", email="dup@example.org")
    dup = client.post(
        "/admin/users/new",
        data={"email": "DUP@example.org", "display_name": "Dup", "role": "officer"},
    )
    assert dup.status_code == 409
    assert b"already registered" in dup.data
    weak = client.post(
        "/admin/users/new",
        data={
            "email": "weak@example.org",
            "display_name": "Weak",
            "role": "officer",
            "password": "short",
        },
    )
    assert weak.status_code == 422
    assert db.session.scalar(sa.select(User).where(User.email == "weak@example.org")) is None


def test_change_role_and_areas_is_audited_and_ends_sessions(app, client, make_user, make_area):
    admin = make_user("admin")
    a, b = make_area(), make_area()
    officer = make_user("officer", email="o@example.org", officer_areas=(a,))
    officer_client = app.test_client()
    login(officer_client, "o@example.org", PASSWORD)
    login_as(client, admin)
    assert client.get(f"/admin/users/{officer.id}").status_code == 200
    response = client.post(
        f"/admin/users/{officer.id}/role",
        data={"role": "officer", "officer_areas": [str(a.id), str(b.id)]},
    )
    assert response.status_code == 302
    db.session.refresh(officer)
    assert sorted(x.id for x in officer.officer_area_list) == sorted([a.id, b.id])
    [entry] = audit_actions("user.role_changed")
    assert entry.actor_id == admin.id
    assert entry.before["officer_area_ids"] == [a.id]
    assert entry.after["officer_area_ids"] == sorted([a.id, b.id])
    assert not is_logged_in(officer_client)  # rights changed: log in again

    client.post(f"/admin/users/{officer.id}/role", data={"role": "resident"})
    db.session.refresh(officer)
    assert officer.role == "resident"
    assert officer.officer_area_list == []


def test_invalid_role_is_refused(client, make_user):
    login_as(client, make_user("admin"))
    target = make_user("resident")
    response = client.post(f"/admin/users/{target.id}/role", data={"role": "superuser"})
    assert response.status_code == 422
    db.session.refresh(target)
    assert target.role == "resident"


def test_last_admin_cannot_demote_themselves(client, make_user):
    admin = make_user("admin")
    login_as(client, admin)
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "resident"})
    assert response.status_code == 409
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_deactivate_and_reactivate(client, make_user):
    admin = make_user("admin")
    target = make_user("officer", email="t@example.org")
    login_as(client, admin)
    assert client.post(f"/admin/users/{target.id}/deactivate").status_code == 302
    db.session.refresh(target)
    assert not target.is_active_account
    assert client.post(f"/admin/users/{target.id}/reactivate").status_code == 302
    db.session.refresh(target)
    assert target.is_active_account
    [off] = audit_actions("user.deactivated")
    [on] = audit_actions("user.reactivated")
    assert off.before["active"] is True
    assert off.after["active"] is False
    assert on.after["active"] is True
    assert off.actor_id == on.actor_id == admin.id


def test_admin_cannot_deactivate_themselves(client, make_user):
    admin = make_user("admin")
    login_as(client, admin)
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code == 409
    assert is_logged_in(client)


def test_unknown_user_is_404(client, make_user):
    login_as(client, make_user("admin"))
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_officers_cannot_manage_users(client, make_user):
    officer = make_user("officer")
    target = make_user("resident")
    login_as(client, officer)
    assert client.post(f"/admin/users/{target.id}/role", data={"role": "admin"}).status_code == 403
    assert client.post(f"/admin/users/{officer.id}/role", data={"role": "admin"}).status_code == 403
    db.session.refresh(officer)
    assert officer.role == "officer"


def test_outbox_lists_mail_newest_first(client, make_user):
    make_user("resident", email="m@example.org")
    client.post("/reset", data={"email": "m@example.org"})
    client.post("/reset", data={"email": "m@example.org"})
    login_as(client, make_user("admin"))
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    assert page.data.count(b"m@example.org") == 2
    assert b"/reset/" in page.data


def test_outbox_is_404_in_production(app, client, make_user):
    login_as(client, make_user("admin"))
    app.config["ENV_NAME"] = "production"
    try:
        assert client.get("/admin/outbox").status_code == 404
    finally:
        app.config["ENV_NAME"] = "testing"


def test_user_supplied_text_is_escaped_on_admin_pages(client, make_user):
    target = make_user("resident", name='"><svg onload=alert(1)>{{7*7}}')
    login_as(client, make_user("admin"))
    for url in [
        "/admin/users",
        f"/admin/users/{target.id}",
        "/admin/users?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    ]:
        body = client.get(url).data
        assert b"<svg onload" not in body
        assert b"<script>alert" not in body
        assert b"{{7*7}}" in body or url.endswith("script%3E")
