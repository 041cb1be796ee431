"""Two app servers, one PostgreSQL database and one Redis: whichever server answers, it works.

Each server is the production stack as `make serve` runs it (`python -m pbplatform.procfile`:
gunicorn and a job worker) with `PBP_ENV=production`, on its own port, behind a pretend proxy
(`PROXY_HOPS=1`: the tests send X-Forwarded-For/-Proto as nginx would). The database is a
fresh one next to the test database, migrated with `flask db upgrade` and granted with
`flask pb grant-app-role` as its owner, served as its app role (README, "Production"); Redis
is `PBP_TEST_REDIS_URL` (default DB 13, emptied before and after: it must be the test's own).

Sessions, CSRF tokens, rate limits, idempotency keys, jobs and stored files are all shown to
work across the two; nothing one server keeps in memory is needed by the other.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pyotp
import pytest
import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError

from tests.conftest import PG_URL
from tests.serve.production import (
    HOST,
    REDIS_URL,
    ROOT,
    Answer,
    production_environment,
    seeding_app,
)

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery staple"  # tests.factories.PASSWORD


# --- a browser of our own: cookies kept by hand (production's are Secure, on plain HTTP here) ---


@dataclass
class Browser:
    """One person's browser at one address; each request names the server that answers."""

    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        port: int,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {
            "Host": HOST,
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
            **(headers or {}),
        }
        if form is not None:  # as a browser posts a form: from a page of the site
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent.setdefault("Referer", f"https://{HOST}/")
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, port: int, path: str, **kwargs: Any) -> Answer:
        return self.request(port, "GET", path, **kwargs)

    def post(self, port: int, path: str, form: dict[str, str], **kwargs: Any) -> Answer:
        return self.request(port, "POST", path, form, **kwargs)

    def log_in(self, password_on: int, email: str, *, token_from: int) -> Answer:
        token = self.get(token_from, "/login").csrf()
        return self.post(
            password_on, "/login", {"csrf_token": token, "email": email, "password": PASSWORD}
        )


def _location(answer: Answer) -> str:
    assert answer.status in (302, 303), (answer.status, answer.text[:500])
    location = answer.headers["Location"]
    return re.sub(r"^https?://[^/]+", "", location)


# --- the cluster --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ports() -> tuple[int, int]:
    given = os.environ.get("PBP_TEST_SERVER_PORTS")  # e.g. "5120,5121" where ports are shared
    if given:
        first, second = (int(p) for p in given.split(","))
        return first, second
    return _free_port(), _free_port()


def _redis() -> Redis:
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisError as exc:
        pytest.skip(f"needs Redis at {REDIS_URL} ({exc.__class__.__name__})")
    return connection


def _create_database(name: str) -> dict[str, str]:
    """A new database owned by `<name>_owner`, with `<name>_app` for the app (README)."""
    url = sa.make_url(PG_URL)
    owner, app = f"{name}_owner", f"{name}_app"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # a refused connection fails the run (never skips)
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for role in (owner, app):
            if not conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
                conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(sa.text(f'GRANT "{app}" TO "{owner}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))
    admin.dispose()
    inside = sa.create_engine(url.set(database=name), isolation_level="AUTOCOMMIT")
    with inside.connect() as conn:
        conn.execute(sa.text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        conn.execute(sa.text(f'ALTER SCHEMA public OWNER TO "{owner}"'))
    inside.dispose()

    def as_role(role: str) -> str:
        return url.set(database=name, username=role).render_as_string(hide_password=False)

    return {"owner": as_role(owner), "app": as_role(app), "app_role": app}


def _drop_database(name: str) -> None:
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _flask(env: dict[str, str], *args: str) -> None:
    flask = str(Path(sys.executable).with_name("flask"))
    done = subprocess.run(
        [flask, "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _seed(app_url: str) -> SimpleNamespace:
    """The people and cycles, written with the test factories into the new database under the
    servers' secrets (ballots sealed and audit entries signed as the servers would)."""
    from pbplatform.api.services import create_token
    from pbplatform.extensions import db
    from tests.factories import create_cycle, create_proposal, create_user
    from tests.results.conftest import build_counted

    app = seeding_app(app_url)
    with app.app_context():
        s = build_counted(db)  # a counting-phase cycle; officer, admin and a resident
        for officer in (s.counter, s.checker):  # enrolled in an authenticator app
            officer.totp_secret = pyotp.random_base32()
            officer.totp_last_step = 1
        s.exporter = create_user("resident")
        voting = create_cycle("voting", areas=1, area_budget=100_00, district_budget=100_00)
        area = voting.areas[0].area
        s.voter = create_user("resident", area=area)
        s.cheap = create_proposal(voting, area=area, cost=60_00)
        _, s.token = create_token(s.voter, "two servers")
        db.session.commit()
        scene = SimpleNamespace(
            app=app,
            slug=s.cycle.slug,
            voting_slug=voting.slug,
            voting_id=voting.id,
            cheap_id=s.cheap.id,
            token=s.token,
            resident=s.resident.email,
            exporter=s.exporter.email,
            counter=(s.counter.email, s.counter.totp_secret),
            checker=(s.checker.email, s.checker.totp_secret),
        )
        db.session.remove()
    return scene


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pbplatform.procfile", "Procfile", "--grace", "20"],
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_until_up(port: int, runner: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert runner.poll() is None, log.read_text()[-3000:]
        try:
            if Browser("192.0.2.1").get(port, "/healthz").status == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.3)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    redis = _redis()
    redis.flushdb()
    name = f"{sa.make_url(PG_URL).database}_two_servers"
    urls = _create_database(name)
    runners: list[subprocess.Popen[bytes]] = []
    scene = None
    try:
        owner_env = production_environment(urls["owner"])
        _flask(owner_env, "db", "upgrade")
        _flask(owner_env, "pb", "grant-app-role", urls["app_role"])
        scene = _seed(urls["app"])
        env = production_environment(urls["app"])
        logs = tmp_path_factory.mktemp("servers")
        ports = _ports()
        for port, label in zip(ports, "ab", strict=True):
            runners.append(_start(env, port, logs / f"{label}.log"))
        for port, runner, label in zip(ports, runners, "ab", strict=True):
            _wait_until_up(port, runner, logs / f"{label}.log")
        scene.a, scene.b = ports
        scene.logs = logs
        yield scene
        for runner in runners:  # Ctrl-C: the runner stops gunicorn and the worker, then exits
            runner.send_signal(signal.SIGINT)
        for runner in runners:
            assert runner.wait(60) == 0
    finally:
        for runner in runners:
            if runner.poll() is None:
                runner.kill()
                runner.wait()
        if scene is not None:
            from pbplatform.extensions import db

            with scene.app.app_context():
                db.engine.dispose()
        _drop_database(name)
        redis.flushdb()


def _db_scalar(scene: SimpleNamespace, statement: sa.Executable) -> Any:
    from pbplatform.extensions import db

    with scene.app.app_context():
        try:
            return db.session.scalar(statement)
        finally:
            db.session.remove()


def _pass_code(browser: Browser, port: int, secret: str) -> Answer:
    token = browser.get(port, "/login/code").csrf()
    code = pyotp.TOTP(secret).now()
    return browser.post(port, "/login/code", {"csrf_token": token, "code": code})


def _log_in_officer(scene, browser: Browser, who: tuple[str, str], first: int, second: int):
    """Password on one server, the authenticator code on the other."""
    email, secret = who
    assert _location(browser.log_in(first, email, token_from=second)).startswith("/login/code")
    answer = _pass_code(browser, second, secret)
    assert answer.status in (302, 303), answer.text[:800]


def _wait_for_job(browser: Browser, port: int, job_path: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while True:
        status = browser.get(port, f"{job_path}/status")
        assert status.status == 200, status.text[:500]
        data = status.json()
        if data["finished"]:
            return data
        assert time.monotonic() < deadline, f"job not finished: {data}"
        time.sleep(0.3)


# --- the tests ----------------------------------------------------------------------------------


def test_a_session_and_its_csrf_token_work_on_either_server(cluster):
    a, b = cluster.a, cluster.b
    browser = Browser("198.51.100.10")
    assert _location(browser.log_in(a, cluster.resident, token_from=b)) == "/"
    page = browser.get(b, "/account/privacy")
    assert page.status == 200
    token = page.csrf()  # from B, used on A
    assert browser.post(a, "/account/privacy/consents", {}).status == 400  # no token: refused
    assert browser.post(a, "/account/privacy/consents", {"csrf_token": "forged"}).status == 400
    saved = browser.post(a, "/account/privacy/consents", {"csrf_token": token})
    assert saved.status in (302, 303), saved.text[:500]
    assert browser.get(a, "/account/privacy").status == 200
    # Logging out on A ends the session on B as well (the session token lives in the database).
    copied = dict(browser.cookies)
    assert browser.post(a, "/logout", {"csrf_token": token}).status in (302, 303)
    thief = Browser("198.51.100.10", cookies=copied)
    assert thief.get(b, "/account/privacy").status == 401  # as for anyone not logged in


def test_failed_logins_count_against_one_limit_on_both_servers(cluster):
    a, b = cluster.a, cluster.b
    guesser = Browser("203.0.113.66")
    token = guesser.get(a, "/login").csrf()
    form = {"csrf_token": token, "email": "nobody@example.org", "password": "wrong guess"}
    # LOGIN_RATE_LIMIT is 4 per minute per address here: two tries on each server use it up.
    assert [guesser.post(port, "/login", form).status for port in (a, b, a, b)] == [200] * 4
    assert guesser.post(a, "/login", form).status == 429
    assert guesser.post(b, "/login", form).status == 429
    other = Browser("203.0.113.67")  # per address: someone else is not affected
    form["csrf_token"] = other.get(b, "/login").csrf()
    assert other.post(b, "/login", form).status == 200


def test_one_idempotency_key_on_both_servers_stores_one_ballot(cluster):
    from pbplatform.ballotbox.models import SealedBallot
    from pbplatform.voting.models import Participation

    api = Browser("198.51.100.20")
    path = f"/api/v1/cycles/{cluster.voting_slug}/ballot"
    body = json.dumps({"selections": [{"proposal_id": cluster.cheap_id}]}).encode()
    headers = {
        "Authorization": f"Bearer {cluster.token}",
        "Content-Type": "application/json",
        "Idempotency-Key": "retry-on-the-other-server",
    }
    first = api.request(cluster.a, "POST", path, body=body, headers=headers)
    again = api.request(cluster.b, "POST", path, body=body, headers=headers)
    assert first.status == again.status == 201, (first.text, again.text)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    fresh = {**headers, "Idempotency-Key": "a-new-key"}
    assert api.request(cluster.b, "POST", path, body=body, headers=fresh).status == 409
    for model in (Participation, SealedBallot):
        count = sa.select(sa.func.count()).select_from(model)
        assert _db_scalar(cluster, count.where(model.cycle_id == cluster.voting_id)) == 1


def test_a_job_started_on_one_server_is_worked_and_its_file_served_by_the_other(cluster):
    a, b = cluster.a, cluster.b
    browser = Browser("198.51.100.30")
    assert _location(browser.log_in(a, cluster.exporter, token_from=a)) == "/"
    token = browser.get(a, "/account/privacy").csrf()
    job_path = _location(browser.post(a, "/account/privacy/export", {"csrf_token": token}))
    assert job_path.startswith("/jobs/")
    job = _wait_for_job(browser, b, job_path)
    assert job["status"] == "done", job
    assert "done" in browser.get(a, job_path).text.lower()
    download = browser.get(b, job["result_url"])
    assert download.status == 200
    assert download.headers["Content-Type"] == "application/zip"
    assert download.body.startswith(b"PK")


def test_results_published_through_one_server_are_served_by_the_other(cluster):
    """Count (a job) through B, publish through A, read the files through both; then a second
    version published through B replaces the page A had rendered and kept (results/cache.py)."""
    from pbplatform.results.models import ResultFile, ResultVersion

    a, b = cluster.a, cluster.b
    counter, checker = Browser("198.51.100.40"), Browser("198.51.100.41")
    _log_in_officer(cluster, counter, cluster.counter, a, b)
    _log_in_officer(cluster, checker, cluster.checker, b, a)
    slug, reader = cluster.slug, Browser("198.51.100.42")

    def count_and_publish(count_on: int, publish_on: int, number: int) -> None:
        token = counter.get(count_on, f"/officer/cycles/{slug}/count/confirm").csrf()
        job_path = _location(
            counter.post(count_on, f"/officer/cycles/{slug}/count", {"csrf_token": token})
        )
        job = _wait_for_job(counter, publish_on, job_path)
        assert job["status"] == "done", job
        page = checker.get(publish_on, f"/officer/cycles/{slug}/results/{number}/publish")
        published = checker.post(
            publish_on,
            f"/officer/cycles/{slug}/results/{number}/publish",
            {"csrf_token": page.csrf()},
        )
        assert _location(published) == f"/cycles/{slug}/results"

    count_and_publish(b, a, 1)
    pages = {port: reader.get(port, f"/cycles/{slug}/results") for port in (a, b)}
    assert pages[a].status == pages[b].status == 200
    assert "version=1" in pages[a].text
    assert "version=2" not in pages[a].text
    etag = pages[a].headers["ETag"]
    assert pages[b].headers["ETag"] == etag  # and so a copy from A is fresh on B
    assert reader.get(b, f"/cycles/{slug}/results", headers={"If-None-Match": etag}).status == 304

    path = f"/cycles/{slug}/results/ballots.pb?area=district&version=1"
    files = {port: reader.get(port, path) for port in (a, b)}
    stored = _db_scalar(
        cluster,
        sa.select(ResultFile.sha256)
        .join(ResultVersion, ResultVersion.id == ResultFile.version_id)
        .where(ResultVersion.version == 1, ResultFile.list_key == "district"),
    )
    for answer in files.values():
        assert answer.status == 200
        assert hashlib.sha256(answer.body).hexdigest() == stored
        assert answer.headers["ETag"] == f'"{stored}"'

    # Every worker process of A renders version 1's page and keeps it; then B publishes 2.
    for _ in range(6):
        assert "version=1" in reader.get(a, f"/cycles/{slug}/results").text
    count_and_publish(a, b, 2)
    for _ in range(6):
        newer = reader.get(a, f"/cycles/{slug}/results")
        assert newer.status == 200
        assert "version=2" in newer.text
        assert newer.headers["ETag"] != etag
    assert reader.get(a, f"/cycles/{slug}/results", headers={"If-None-Match": etag}).status == 200
