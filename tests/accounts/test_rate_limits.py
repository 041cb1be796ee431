"""Rate limits on login, registration and reset requests (security case 33 and 38).

The suite's app runs with the limiter off, so each test here builds its own app with it on,
on a throw-away SQLite file (its commits must not reach the shared test database). The
limiter is one process-wide extension object, so the fixture restores its state afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

from pbplatform import ROOT
from pbplatform.accounts.passwords import hash_password
from pbplatform.extensions import db
from tests.limits import LIMITS_ON, app_builder

# Emptied by the test: give each engineer's run its own database (PBP_TEST_REDIS_URL).
REDIS_URL = os.environ.get("PBP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WRONG = {"password": "not the right password"}


@pytest.fixture
def limited_app(tmp_path):
    database = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/limits.sqlite3"}
    with app_builder(lambda _n: {**LIMITS_ON, **database}) as make:
        yield make


def fail_login(client, email, ip="127.0.0.1", **headers):
    return client.post(
        "/login", data={"email": email, **WRONG}, environ_base={"REMOTE_ADDR": ip}, headers=headers
    )


def test_sixth_failure_from_one_ip_is_429_even_with_forged_forwarded_for(limited_app):
    client = limited_app(PROXY_HOPS=0).test_client()
    for n in range(5):
        response = fail_login(
            client, f"user{n}@example.org", **{"X-Forwarded-For": f"203.0.113.{n}"}
        )
        assert response.status_code == 200
    blocked = fail_login(client, "user9@example.org", **{"X-Forwarded-For": "198.51.100.7"})
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data
    assert "frame-ancestors 'none'" in blocked.headers["Content-Security-Policy"]
    # Another client address is not affected.
    assert fail_login(client, "user10@example.org", ip="192.0.2.50").status_code == 200


def _add_user(app, email):
    from pbplatform.accounts.models import User

    with app.app_context():
        db.session.add(User(email=email, display_name="Victim", password_hash=hash_password(RIGHT)))
        db.session.commit()


RIGHT = "the right passphrase"


def test_sixth_failure_for_one_email_from_one_address_is_429(limited_app):
    client = limited_app(LOGIN_RATE_LIMIT="50 per minute").test_client()
    for _ in range(5):
        assert fail_login(client, "target@example.org", ip="192.0.2.1").status_code == 200
    assert fail_login(client, "TARGET@example.org", ip="192.0.2.1").status_code == 429
    assert fail_login(client, "other@example.org", ip="192.0.2.1").status_code == 200


def test_an_attacker_cannot_lock_a_chosen_account_out(limited_app):
    """Issue 12, broken case 8: five wrong passwords a minute from anywhere used to keep a
    chosen officer locked out. The owner logging in from their own address still gets in."""
    app = limited_app()
    _add_user(app, "victim@example.org")
    attacker = app.test_client()
    codes = [
        fail_login(attacker, "victim@example.org", ip="203.0.113.5").status_code for _ in range(8)
    ]
    assert codes == [200] * 5 + [429] * 3  # the attacker is slowed down ...
    victim = app.test_client()
    response = victim.post(
        "/login",
        data={"email": "victim@example.org", "password": RIGHT},
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )
    assert response.status_code == 302  # ... and the owner is not locked out


def test_many_addresses_are_capped_per_account_but_a_known_browser_gets_in(limited_app):
    app = limited_app(LOGIN_ACCOUNT_RATE_LIMIT="7 per hour")
    _add_user(app, "botnet@example.org")
    owner = app.test_client()
    ok = {"email": "botnet@example.org", "password": RIGHT}
    assert (
        owner.post("/login", data=ok, environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 302
    )
    owner.post("/logout", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    bots = app.test_client()
    for n in range(7):
        assert fail_login(bots, "botnet@example.org", ip=f"198.51.100.{n}").status_code == 200
    assert fail_login(bots, "botnet@example.org", ip="198.51.100.99").status_code == 429
    # A browser that never logged in to the account waits; the owner's usual browser does not.
    fresh = app.test_client()
    refused = fresh.post("/login", data=ok, environ_base={"REMOTE_ADDR": "192.0.2.11"})
    assert refused.status_code == 429
    again = owner.post("/login", data=ok, environ_base={"REMOTE_ADDR": "192.0.2.12"})
    assert again.status_code == 302


def test_a_forged_known_device_cookie_does_not_exempt(limited_app):
    app = limited_app(LOGIN_ACCOUNT_RATE_LIMIT="2 per hour")
    client = app.test_client()
    client.set_cookie("pbp_device", "forged.value")
    for n in range(2):
        assert fail_login(client, "x@example.org", ip=f"198.51.100.{n}").status_code == 200
    assert fail_login(client, "x@example.org", ip="198.51.100.9").status_code == 429


def test_hourly_limit_applies_too(limited_app):
    client = limited_app(LOGIN_RATE_LIMIT="50 per minute;7 per hour").test_client()
    for n in range(7):
        assert fail_login(client, f"hourly{n}@example.org", ip="192.0.2.7").status_code == 200
    assert fail_login(client, "hourly@example.org", ip="192.0.2.7").status_code == 429


def test_successful_logins_do_not_count(limited_app):
    app = limited_app()
    from pbplatform.accounts.models import User

    with app.app_context():
        db.session.add(
            User(
                email="ok@example.org",
                display_name="Ok",
                password_hash=hash_password("the right passphrase"),
            )
        )
        db.session.commit()
    client = app.test_client()
    for _ in range(8):
        response = client.post(
            "/login", data={"email": "ok@example.org", "password": "the right passphrase"}
        )
        assert response.status_code == 302
        client.post("/logout")


def test_login_page_itself_is_not_limited(limited_app):
    client = limited_app().test_client()
    for _ in range(6):
        fail_login(client, "x@example.org")
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/register", {"email": "not an email"}),
        ("/reset", {"email": "someone@example.org"}),
    ],
)
def test_registration_and_reset_requests_are_limited_per_ip(limited_app, url, data):
    client = limited_app(ACCOUNT_FORM_RATE_LIMIT="3 per hour").test_client()
    for _ in range(3):
        assert client.post(url, data=data).status_code in (200, 422)
    assert client.post(url, data=data, headers={"X-Forwarded-For": "1.2.3.4"}).status_code == 429
    assert client.get(url).status_code == 200


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


WORKER = textwrap.dedent("""
    import sys
    from pbplatform import create_app
    from pbplatform.extensions import db
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": True,
                      "LOGIN_ACCOUNT_RATE_LIMIT": "5 per minute",
                      "RATELIMIT_STORAGE_URI": sys.argv[1],
                      "SQLALCHEMY_DATABASE_URI": sys.argv[2]})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    codes = [client.post("/login", data={"email": "shared@example.org", "password": "wrong one"},
                         environ_base={"REMOTE_ADDR": "10.0.0.%d" % n}).status_code
             for n in range(3)]
    print(" ".join(map(str, codes)))
""")


@pytest.mark.skipif(not _redis_answers(), reason="needs Redis on 127.0.0.1:6379")
def test_redis_storage_is_shared_between_workers(limited_app, tmp_path):
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    try:
        # Worker 1 is another process with its own app and memory: only Redis is shared.
        worker = subprocess.run(
            [sys.executable, "-c", WORKER, REDIS_URL, f"sqlite:///{tmp_path}/worker.sqlite3"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert worker.stdout.split() == ["200", "200", "200"]
        # Worker 2, in this process, sees the three failures already counted.
        client = limited_app(
            RATELIMIT_STORAGE_URI=REDIS_URL, LOGIN_ACCOUNT_RATE_LIMIT="5 per minute"
        ).test_client()
        assert fail_login(client, "shared@example.org", ip="10.0.1.1").status_code == 200
        assert fail_login(client, "shared@example.org", ip="10.0.1.2").status_code == 200
        assert fail_login(client, "shared@example.org", ip="10.0.1.3").status_code == 429
    finally:
        store.flushdb()
        store.close()
