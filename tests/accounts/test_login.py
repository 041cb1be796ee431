"""Login, logout and sessions: generic errors, replayed cookies, fixation, deactivation, next."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.accounts.passwords import hash_password
from pbplatform.extensions import db
from tests.accounts.helpers import audit_actions, is_logged_in, login, pass_mfa
from tests.factories import PASSWORD, login_as

GENERIC = b"E-mail or password is incorrect."


def test_login_and_logout_round_trip(client, make_user):
    user = make_user("resident", email="ann@example.org")
    assert client.get("/login").status_code == 200
    response = login(client, "  ANN@example.org ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)
    response = client.post("/logout")
    assert response.status_code == 302
    assert not is_logged_in(client)
    assert [e.actor_id for e in audit_actions("auth.login")] == [user.id]
    assert [e.actor_id for e in audit_actions("auth.logout")] == [user.id]


def test_logout_is_post_only(client, make_user):
    login_as(client, make_user())
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)


def test_replayed_cookie_after_logout_is_refused(app, client, make_user):
    make_user("resident", email="replay@example.org")
    login(client, "replay@example.org", PASSWORD)
    saved = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", saved)
    assert not is_logged_in(thief)


def test_unknown_email_and_wrong_password_look_the_same(client, make_user):
    make_user("resident", email="known@example.org")
    unknown = login(client, "nobody@example.org", "whatever password 1")
    wrong = login(client, "known@example.org", "whatever password 1")
    assert unknown.status_code == wrong.status_code == 200
    assert GENERIC in unknown.data
    assert GENERIC in wrong.data

    def strip(body: bytes) -> bytes:  # the only difference may be the echoed e-mail
        return body.replace(b"nobody@example.org", b"X").replace(b"known@example.org", b"X")

    assert strip(unknown.data) == strip(wrong.data)
    assert not is_logged_in(client)
    failures = audit_actions("auth.login_failed")
    assert [f.shown("after")["email"] for f in failures] == [
        "nobody@example.org",
        "known@example.org",
    ]
    assert all(f.actor_id is None and f.outcome == "denied" for f in failures)
    assert all("whatever" not in str(f.after) for f in failures)  # never the password


def test_deactivated_user_is_refused_with_the_generic_message(client, make_user):
    user = make_user("resident", email="gone@example.org")
    user.is_active_account = False
    db.session.flush()
    response = login(client, "gone@example.org", PASSWORD)
    assert GENERIC in response.data
    assert not is_logged_in(client)


def test_deactivation_kills_an_existing_session(app, client, make_user):
    admin = make_user("admin")
    victim = make_user("officer", email="officer-x@example.org")
    victim_client = app.test_client()
    login(victim_client, "officer-x@example.org", PASSWORD)
    pass_mfa(victim_client, victim.id)
    assert is_logged_in(victim_client)
    login_as(client, admin)
    assert client.post(f"/admin/users/{victim.id}/deactivate").status_code == 302
    assert not is_logged_in(victim_client)
    assert login(victim_client, "officer-x@example.org", PASSWORD).status_code == 200
    assert not is_logged_in(victim_client)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test",
        "//evil.test",
        "/\\evil.test",
        "javascript:alert(1)",
        "http:/evil.test",
        " //evil.test",
        "/%0d%0aLocation:evil.test",
    ],
)
def test_login_next_never_leaves_the_site(client, make_user, target):
    make_user("resident", email="nx@example.org")
    response = login(client, "nx@example.org", PASSWORD, next_url=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert "evil" not in location or location.startswith("/%")


def test_login_follows_a_local_next(client, make_user):
    make_user("resident", email="local@example.org")
    assert client.get("/login?next=/account").status_code == 200
    response = login(client, "local@example.org", PASSWORD, next_url="/account?tab=1")
    assert response.headers["Location"] == "/account?tab=1"


@pytest.mark.parametrize(
    "target", ["https://evil.test", "//evil.test", "/\\evil.test", "javascript:alert(1)"]
)
def test_logout_next_never_leaves_the_site(client, make_user, target):
    login_as(client, make_user())
    response = client.post("/logout", data={"next": target})
    assert response.headers["Location"] == "/"


def test_login_starts_a_fresh_session(client, make_user):
    make_user("resident", email="fix@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "fix@example.org", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].endswith(
            db.session.scalar(sa.select(User.session_token).where(User.email == "fix@example.org"))
        )


def test_login_rehashes_an_outdated_hash(app, client, make_user):
    user = make_user("resident", email="old@example.org")
    with app.app_context():
        app.config["ARGON2_PARAMS"], saved = (
            {"time_cost": 2, "memory_cost": 8, "parallelism": 1},
            app.config["ARGON2_PARAMS"],
        )
        try:
            user.password_hash = hash_password(PASSWORD)
        finally:
            app.config["ARGON2_PARAMS"] = saved
    db.session.flush()
    old_hash = user.password_hash
    assert "t=2" in old_hash
    login(client, "old@example.org", PASSWORD)
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert "t=1" in user.password_hash
    assert user.password_hash.startswith("$argon2id$")


def test_production_hash_parameters_are_argon2id(app):
    from argon2 import PasswordHasher

    saved = app.config.pop("ARGON2_PARAMS")  # production sets none: argon2-cffi's defaults
    try:
        with app.app_context():
            stored = hash_password("a long enough password")
    finally:
        app.config["ARGON2_PARAMS"] = saved
    assert stored.startswith("$argon2id$")
    default = PasswordHasher()
    assert f"m={default.memory_cost},t={default.time_cost},p={default.parallelism}" in stored


def test_absolute_session_timeout(client, make_user):
    make_user("resident", email="long@example.org")
    login(client, "long@example.org", PASSWORD)
    assert is_logged_in(client)
    with client.session_transaction() as session:
        session["auth_at"] -= 13 * 60 * 60
    assert not is_logged_in(client)


def test_session_cookie_flags(client, make_user):
    make_user("resident", email="flags@example.org")
    response = login(client, "flags@example.org", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "url", ["/login", "/logout", "/register", "/reset", "/account/profile", "/account/password"]
)
def test_forms_without_csrf_token_are_refused(app, client, make_user, url):
    user = make_user("resident", email="csrf@example.org")
    login_as(client, user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            url, data={"email": "csrf@example.org", "password": PASSWORD, "display_name": "Changed"}
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert is_logged_in(client)
    db.session.refresh(user)
    assert user.display_name != "Changed"


def test_unknown_email_takes_as_long_as_a_wrong_password(app, client, make_user):
    """With real-cost hashing, an unknown e-mail still runs one argon2 verification."""
    import statistics
    import time

    saved = app.config["ARGON2_PARAMS"]
    app.config["ARGON2_PARAMS"] = {"time_cost": 2, "memory_cost": 65536, "parallelism": 1}
    try:
        make_user("resident", email="timed@example.org")  # hashed with the costly params

        # CPU time of this thread, not wall time: other processes on the machine don't count,
        # and argon2 runs here. Alternating the two cases cancels drift.
        samples: dict[str, list[float]] = {"known": [], "unknown": []}
        for _ in range(5):
            for case, email in (
                ("known", "timed@example.org"),
                ("unknown", "nobody-timed@example.org"),
            ):
                start = time.thread_time()
                login(client, email, "a wrong password here")
                samples[case].append(time.thread_time() - start)
        known, unknown = (statistics.median(samples[c]) for c in ("known", "unknown"))
    finally:
        app.config["ARGON2_PARAMS"] = saved
    assert known > 0.02  # the costly hash really ran
    assert 0.5 < unknown / known < 2, (known, unknown)


def test_next_is_escaped_in_the_login_form(client):
    body = client.get('/login?next="><script>alert(1)</script>').data
    assert b"<script>alert(1)</script>" not in body
    assert b"&#34;&gt;&lt;script&gt;" in body or b"&quot;&gt;&lt;script&gt;" in body


def test_login_keeps_the_chosen_language(client, make_user):
    make_user("resident", email="de@example.org")
    client.post("/language", data={"lang": "de"})
    login(client, "de@example.org", PASSWORD)
    assert b'lang="de"' in client.get("/account").data
