"""The app behind the real nginx, run with the repository's own configuration
(config/nginx/pbplatform.conf, shown in README "Production: Reverse proxy").

gunicorn runs the Procfile's web command with `PBP_ENV=production` (throwaway secrets,
`PROXY_HOPS=1`, `FILE_CACHE_ACCEL_PREFIX=/_files/`) on PostgreSQL when PBP_TEST_DATABASE_URL is
set, else SQLite; nginx runs in the foreground with the file as written, only its names, ports
and paths swapped for the test's by config/nginx/loopback.py (each must occur in it, so a
renamed one fails here), and a self-signed certificate. Clients connect from different
loopback addresses (127.0.0.2, .3, …) so the app can tell them apart from nginx (127.0.0.1).

Without nginx (`/usr/sbin/nginx`) the module is skipped, unless PBP_REQUIRE_NGINX=1 (CI).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError

from config.nginx import loopback
from tests.conftest import PG_URL
from tests.serve.production import (
    HOST,
    REDIS_URL,
    ROOT,
    Answer,
    production_environment,
    seeding_app,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ACCEL = "/_files/"

if not Path(NGINX).exists():
    if os.environ.get("PBP_REQUIRE_NGINX") == "1":
        raise RuntimeError(f"PBP_REQUIRE_NGINX=1 but there is no nginx at {NGINX}")
    pytest.skip(
        "needs nginx (apt-get install nginx); PBP_REQUIRE_NGINX=1 fails instead",
        allow_module_level=True,
    )


# --- a client of our own: its address, its cookies, TLS without verification ------------------


@dataclass
class Client:
    """One person at one loopback address, talking to nginx (HTTPS unless told)."""

    stack: SimpleNamespace
    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        tls: bool = True,
    ) -> Answer:
        sent = {"Host": HOST, **(headers or {})}
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent.setdefault("Referer", f"https://{HOST}/")
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = self._connect(tls)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer

    def _connect(self, tls: bool) -> http.client.HTTPConnection:
        source = (self.address, 0)
        if not tls:
            return http.client.HTTPConnection(
                "127.0.0.1", self.stack.http_port, timeout=60, source_address=source
            )
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        return http.client.HTTPSConnection(
            "127.0.0.1", self.stack.https_port, timeout=60, source_address=source, context=context
        )

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict[str, str], **kwargs) -> Answer:
        return self.request("POST", path, form, **kwargs)


# --- the stack: database, gunicorn, nginx -------------------------------------------------------


def _ports() -> tuple[int, int, int, int]:
    # "app,http,https,files" where ports are shared
    given = os.environ.get("PBP_TEST_NGINX_PORTS")
    if given:
        app, plain, secure, files = (int(p) for p in given.split(","))
        return app, plain, secure, files
    found = []
    for _ in range(4):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            found.append(s.getsockname()[1])
    return found[0], found[1], found[2], found[3]


def _database(folder: Path) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{folder / 'nginx.sqlite3'}"
        return
    name = f"{sa.make_url(PG_URL).database}_nginx"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _environment(database_url: str, cache: Path, port: int) -> dict[str, str]:
    return production_environment(
        database_url,
        FILE_CACHE_DIR=str(cache),
        FILE_CACHE_ACCEL_PREFIX=ACCEL,
        PORT=str(port),
    )


def _seed(database_url: str) -> SimpleNamespace:
    """A published result (counted and published as the officers would), with the servers'
    secrets so its ballots are sealed as theirs."""
    from pbplatform.extensions import db
    from pbplatform.results.models import ResultFile, ResultVersion
    from pbplatform.results.services import publish_results, run_count
    from tests.results.conftest import build_counted

    app = seeding_app(database_url)
    with app.app_context():
        s = build_counted(db)
        version = publish_results(run_count(s.cycle, s.counter), s.checker)
        db.session.commit()
        stored = db.session.scalars(
            sa.select(ResultFile)
            .join(ResultVersion, ResultVersion.id == ResultFile.version_id)
            .where(ResultVersion.id == version.id, ResultFile.list_key == "district")
        ).one()
        scene = SimpleNamespace(
            app=app,
            download=f"/cycles/{s.cycle.slug}/results/ballots.pb?area=district&version={version.version}",
            open_data=f"/cycles/{s.cycle.slug}/open-data.zip",
            version=version.version,
            content=stored.content,
            sha256=stored.sha256,
            resident=s.resident.email,
        )
        db.session.remove()
    return scene


def _wait(check, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, f"{what} stopped:\n{log.read_text()[-3000:]}"
        try:
            if check():
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"{what} never answered:\n{log.read_text()[-3000:]}"
        time.sleep(0.3)


def _stop(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    try:
        redis = Redis.from_url(REDIS_URL)
        redis.ping()
    except RedisError as exc:
        pytest.skip(f"needs Redis at {REDIS_URL} ({exc.__class__.__name__})")
    redis.flushdb()
    logs = tmp_path_factory.mktemp("nginx")
    # nginx's workers (www-data when run as root) read the cache and the configuration: a
    # folder they may enter, as /var/cache/pbplatform would be.
    folder = Path(tempfile.mkdtemp(prefix="pbp-nginx-"))
    folder.chmod(0o755)
    cache = folder / "file-cache"
    app_port, http_port, https_port, files_port = _ports()
    processes: list[tuple[subprocess.Popen, int]] = []
    databases = _database(logs)
    scene = None
    try:
        database_url = next(databases)
        env = _environment(database_url, cache, app_port)
        flask = str(Path(sys.executable).with_name("flask"))
        done = subprocess.run(
            [flask, "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        scene = _seed(database_url)
        procfile = logs / "Procfile"  # the project Procfile's web line alone: no job worker needed
        web = next(
            line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
        )
        procfile.write_text(web + "\n")
        with (logs / "gunicorn.log").open("wb") as out:
            gunicorn = subprocess.Popen(
                [sys.executable, "-m", "pbplatform.procfile", str(procfile), "--grace", "10"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append((gunicorn, signal.SIGINT))
        site = loopback.render(
            host=HOST,
            app=app_port,
            http=http_port,
            https=https_port,
            files=files_port,
            cache=cache,
            kept=folder / "kept",
            tls=loopback.certificate(folder, HOST),
        )
        nginx = loopback.start(NGINX, folder, site, logs / "nginx.out")
        processes.append((nginx, signal.SIGQUIT))
        scene.http_port, scene.https_port, scene.app_port = http_port, https_port, app_port
        scene.cache, scene.folder, scene.logs = cache, folder, logs
        probe = Client(scene, "127.0.0.2")
        _wait(
            lambda: probe.get("/healthz").status == 200,
            gunicorn,
            logs / "gunicorn.log",
            "gunicorn behind nginx",
        )
        yield scene
    finally:
        for process, sig in reversed(processes):
            _stop(process, sig)
        if scene is not None:  # the seeding app's pool, before its database is dropped
            from pbplatform.extensions import db

            with scene.app.app_context():
                db.engine.dispose()
        databases.close()
        shutil.rmtree(folder, ignore_errors=True)
        redis.flushdb()


def _accel_log(stack) -> list[str]:
    return (stack.folder / "access.log").read_text().splitlines()


def _downloads_sent_by_nginx(stack, at_least: int = 0) -> list[str]:
    """The access log's X-Accel lines, once there are `at_least`: nginx logs a request when
    it is finished, which can be a moment after the client has read the last byte."""
    deadline = time.monotonic() + 5
    while True:
        sent = [line for line in _accel_log(stack) if f'accel="{ACCEL}' in line]
        if len(sent) >= at_least or time.monotonic() > deadline:
            return sent
        time.sleep(0.05)


# --- the tests ----------------------------------------------------------------------------------


def test_nginx_sends_the_download_named_by_the_app(stack):
    client = Client(stack, "127.0.0.2")
    before = len(_downloads_sent_by_nginx(stack))
    answer = client.get(stack.download)
    assert answer.status == 200, answer.text[:500]
    assert answer.body == stack.content
    assert hashlib.sha256(answer.body).hexdigest() == stack.sha256
    assert "X-Accel-Redirect" not in answer.headers  # nginx acted on it and kept it to itself
    sent = _downloads_sent_by_nginx(stack, before + 1)
    assert len(sent) == before + 1, sent
    assert f'accel="{ACCEL}{stack.sha256[:2]}/{stack.sha256}"' in sent[-1]
    assert answer.headers["ETag"] == f'"{stack.sha256}"'
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "immutable" in answer.headers["Cache-Control"]
    assert "Accept-Encoding" in answer.headers["Vary"]
    assert "Content-Encoding" not in answer.headers
    assert int(answer.headers["Content-Length"]) == len(stack.content)


def test_the_download_keeps_the_apps_security_headers(stack):
    answer = Client(stack, "127.0.0.2").get(stack.download)
    own = Client(stack, "127.0.0.2").get("/healthz")
    for name in (
        "X-Content-Type-Options",
        "Content-Security-Policy",
        "Referrer-Policy",
        "X-Frame-Options",
        "Strict-Transport-Security",
    ):
        assert answer.headers.get_all(name) == own.headers.get_all(name), name


def test_if_none_match_gives_304_and_range_206(stack):
    client = Client(stack, "127.0.0.2")
    etag = f'"{stack.sha256}"'
    unchanged = client.get(stack.download, headers={"If-None-Match": etag})
    assert unchanged.status == 304
    assert unchanged.body == b""
    assert unchanged.headers["ETag"] == etag
    part = client.get(stack.download, headers={"Range": "bytes=10-99"})
    assert part.status == 206, part.status
    assert part.body == stack.content[10:100]
    assert part.headers["Content-Range"] == f"bytes 10-99/{len(stack.content)}"
    assert part.headers["ETag"] == etag
    resumed = client.get(stack.download, headers={"Range": "bytes=100-", "If-Range": etag})
    assert resumed.status == 206
    assert resumed.body == stack.content[100:]
    other = client.get(stack.download, headers={"Range": "bytes=100-", "If-Range": '"other"'})
    assert other.status == 200  # not the file the client had: all of it
    assert other.body == stack.content


def test_gzip_copy_is_sent_with_its_own_etag(stack):
    client = Client(stack, "127.0.0.2")
    before = len(_downloads_sent_by_nginx(stack))
    packed = client.get(stack.download, headers={"Accept-Encoding": "gzip"})
    assert packed.status == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] == f'"{stack.sha256}-gzip"'
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.body) == stack.content
    assert (
        f'accel="{ACCEL}{stack.sha256[:2]}/{stack.sha256}.gz"'
        in _downloads_sent_by_nginx(stack, before + 1)[-1]
    )
    again = client.get(
        stack.download,
        headers={"Accept-Encoding": "gzip", "If-None-Match": f'"{stack.sha256}-gzip"'},
    )
    assert again.status == 304


def test_the_internal_location_is_not_reachable_from_outside(stack):
    client = Client(stack, "127.0.0.2")
    assert client.get(stack.download).status == 200  # the file is in the cache now
    path = f"{ACCEL}{stack.sha256[:2]}/{stack.sha256}"
    assert (stack.cache / stack.sha256[:2] / stack.sha256).exists()
    assert client.get(path).status == 404
    assert client.get(path, headers={"X-Accel-Redirect": path}).status == 404


def _fresh(stack, name: str) -> str:
    """The download under a URL nginx never keeps (a parameter the app's links do not make,
    which the app ignores), so every request for it reaches the app."""
    return f"{stack.download}&fresh={name}"


def _other_spelling(stack, n: int) -> str:
    """The same file under another URL the app's links could make, kept by nginx: the
    district by default, the newest version by default."""
    path = stack.download.split("?")[0]
    return [path, f"{path}?area=district", f"{path}?version={stack.version}"][n]


def test_a_tampered_cache_file_is_not_sent(stack):
    client = Client(stack, "127.0.0.2")
    assert client.get(_fresh(stack, "tamper")).body == stack.content
    cached = stack.cache / stack.sha256[:2] / stack.sha256
    forged = stack.content.replace(b"VOTES", b"VOTEZ", 1)
    assert forged != stack.content
    assert len(forged) == len(stack.content)
    before = cached.stat()
    cached.chmod(0o644)
    cached.write_bytes(forged)
    os.utime(cached, ns=(before.st_atime_ns, before.st_mtime_ns))
    for n in range(4):  # every worker process: each checks the file it is about to name
        answer = client.get(_fresh(stack, f"tamper-{n}"))
        assert answer.status == 200
        assert answer.body == stack.content
    assert cached.read_bytes() == stack.content


def test_nginx_answers_repeated_downloads_from_its_own_copy(stack):
    """Results day: a published file is asked of the app once; nginx answers the rest (and
    their 304s and ranges) itself, with the headers the app gave."""
    client = Client(stack, "127.0.0.2")
    url = _other_spelling(stack, 0)
    before = len(_downloads_sent_by_nginx(stack))
    first = client.get(url)
    assert first.status == 200
    assert first.headers["X-Cache-Status"] == "MISS"
    assert len(_downloads_sent_by_nginx(stack, before + 1)) == before + 1  # the app named it
    own = client.get("/healthz")
    for _ in range(3):
        again = client.get(url)
        assert again.status == 200
        assert again.headers["X-Cache-Status"] == "HIT"
        assert again.body == stack.content
        for name in ("ETag", "Content-Disposition", "Cache-Control", "Last-Modified"):
            assert again.headers[name] == first.headers[name], name
        for name in ("X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options"):
            assert again.headers.get_all(name) == own.headers.get_all(name), name
        assert "Set-Cookie" not in again.headers
        assert "X-RateLimit-Remaining" not in again.headers  # the first asker's count
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status == 304
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status == 206
    assert part.body == stack.content[10:20]
    time.sleep(0.3)  # nginx logs a request when it has finished it
    assert len(_downloads_sent_by_nginx(stack)) == before + 1  # none of those reached the app


def test_a_range_asked_first_keeps_the_whole_file(stack):
    """nginx asks the app for the whole file to keep (never the client's Range, If-None-Match
    or If-Range), so a first request for a part cannot leave a part as the copy."""
    client = Client(stack, "127.0.0.2")
    url = _other_spelling(stack, 1)
    part = client.get(url, headers={"Range": "bytes=0-9"})
    assert part.status == 206
    assert part.body == stack.content[:10]
    whole = client.get(url)
    assert whole.status == 200
    assert whole.headers["X-Cache-Status"] == "HIT"
    assert whole.body == stack.content
    fresh = _other_spelling(stack, 2)
    assert client.get(fresh, headers={"If-None-Match": f'"{stack.sha256}"'}).status == 304
    assert client.get(fresh).body == stack.content


def test_the_open_data_zip_is_kept_too(stack):
    client = Client(stack, "127.0.0.11")
    first = client.get(stack.open_data)
    assert first.status == 200, first.text[:300]
    assert first.body.startswith(b"PK")
    again = client.get(stack.open_data)
    assert again.headers["X-Cache-Status"] == "HIT"
    assert again.body == first.body
    assert again.headers["ETag"] == first.headers["ETag"]


def test_one_copy_whatever_the_clients_accept_encoding_says(stack):
    client = Client(stack, "127.0.0.12")
    url = _other_spelling(stack, 0)
    assert client.get(url).status == 200  # kept before or now
    packed = [client.get(url, headers={"Accept-Encoding": e}) for e in ("gzip, x1", "br, gzip")]
    assert packed[1].headers["X-Cache-Status"] == "HIT"  # "gzip" to the key either way
    for answer in packed:
        assert answer.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(answer.body) == stack.content
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, br"})
    assert refused.headers["X-Cache-Status"] == "HIT"
    assert "Content-Encoding" not in refused.headers
    assert refused.body == stack.content


def test_a_url_the_app_does_not_make_is_answered_but_never_kept(stack):
    """Attack 2026-12-07c F1, F2: extra parameters reach the app every time (and its limit),
    never nginx's disk; a long one is no 502 (the key and headers outgrew 4 KB)."""
    client = Client(stack, "127.0.0.13")
    for url in (_fresh(stack, "odd"), _fresh(stack, "odd"), _fresh(stack, "a" * 3000)):
        answer = client.get(url)
        assert answer.status == 200
        assert answer.headers["X-Cache-Status"] == "BYPASS"
        assert answer.body == stack.content


def test_nginx_keeps_no_error(stack):
    client = Client(stack, "127.0.0.2")
    missing = stack.download.replace("version=", "version=9")  # one the app could link
    for _ in range(2):
        answer = client.get(missing)
        assert answer.status == 404
        assert answer.headers["X-Cache-Status"] == "MISS"


def test_downloads_are_limited_per_address_also_from_nginxs_copy(stack):
    """30 a minute per address, as the app counts those that reach it (a burst of 30)."""
    client = Client(stack, "127.0.0.9")
    german = {"Accept-Language": "de"}
    answers = [client.get(stack.download, headers=german) for _ in range(40)]
    assert [a.status for a in answers[:30]] == [200] * 30
    refused = [a for a in answers[30:] if a.status == 429]
    assert refused
    assert '<html lang="de"' in refused[0].text  # the app's page, not nginx's
    assert refused[0].headers["Retry-After"] == "60"
    assert Client(stack, "127.0.0.10").get(stack.download).status == 200  # others are not


def test_static_files_are_sent_by_nginx(stack):
    answer = Client(stack, "127.0.0.2").get("/static/site.css")
    assert answer.status == 200
    assert answer.body == (ROOT / "static" / "site.css").read_bytes()
    assert answer.headers["Content-Type"].startswith("text/css")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert Client(stack, "127.0.0.2").get("/static/../config/production.py").status in (400, 404)


def test_plain_http_is_sent_to_https(stack):
    answer = Client(stack, "127.0.0.2").get("/cycles?x=1", tls=False)
    assert answer.status == 301
    assert answer.headers["Location"] == f"https://{HOST}/cycles?x=1"
    forged = Client(stack, "127.0.0.2").get("/x", tls=False, headers={"Host": "evil.example"})
    assert forged.headers["Location"] == f"https://{HOST}/x"  # never the client's Host


def test_a_host_not_ours_is_refused(stack):
    answer = Client(stack, "127.0.0.2").get("/", headers={"Host": "evil.example"})
    assert answer.status == 400


def test_rate_limits_count_the_clients_address_not_nginxs(stack):
    def failed_login(client: Client) -> int:
        token = client.get("/login").csrf()
        form = {"csrf_token": token, "email": "nobody@example.org", "password": "wrong"}
        return client.post("/login", form).status

    guesser = Client(stack, "127.0.0.3")
    spoofed = {"X-Forwarded-For": "203.0.113.9"}  # a client's own claim is not believed
    # LOGIN_RATE_LIMIT is 4 per minute per address.
    assert [failed_login(guesser) for _ in range(4)] == [200] * 4
    guesser.cookies.clear()
    token = guesser.get("/login").csrf()
    form = {"csrf_token": token, "email": "nobody@example.org", "password": "wrong"}
    assert guesser.post("/login", form, headers=spoofed).status == 429
    assert failed_login(Client(stack, "127.0.0.4")) == 200  # someone else is not affected


def test_links_built_by_the_app_are_https(stack):
    from pbplatform.extensions import db
    from pbplatform.mail.models import OutboxMessage

    client = Client(stack, "127.0.0.5")
    page = client.get("/reset")
    assert page.status == 200
    # production's session cookie: Secure, __Host- (set only because the app sees HTTPS)
    assert "__Host-pbp_session" in client.cookies
    sent = client.post("/reset", {"csrf_token": page.csrf(), "email": stack.resident})
    assert sent.status == 200, sent.text[:500]
    with stack.app.app_context():
        try:
            message = db.session.scalars(
                sa.select(OutboxMessage).where(OutboxMessage.recipient == stack.resident)
            ).one()
            body = message.body
        finally:
            db.session.remove()
    assert f"https://{HOST}/reset/" in body


def test_a_too_large_upload_gets_413(stack):
    client = Client(stack, "127.0.0.6")
    token = client.get("/login").csrf()
    big = urlencode({"csrf_token": token, "email": "x" * (6 * 1024 * 1024)}).encode()
    answer = client.request(
        "POST",
        "/login",
        body=big,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{HOST}/",
        },
    )
    assert answer.status == 413


def test_a_too_large_body_gets_the_apps_413_in_the_readers_language(stack):
    """nginx refuses a body over client_max_body_size before the app sees it; the page is
    still the app's (its layout, the reader's language), and the API's is problem+json, not
    nginx's English HTML page."""
    client = Client(stack, "127.0.0.7")
    big = b"x" * (6 * 1024 * 1024)
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "de"}
    page = client.request("POST", "/login", body=big, headers=form)
    assert page.status == 413
    assert '<html lang="de"' in page.text, page.text[:300]
    assert "Zu groß" in page.text
    assert "nginx" not in page.text
    api = client.request(
        "POST", "/api/v1/proposals", body=big, headers={"Content-Type": "application/json"}
    )
    assert api.status == 413
    assert api.headers["Content-Type"] == "application/problem+json"
    assert api.json()["code"] == "request_entity_too_large"
    assert client.get("/errors/too-large").status == 404  # only nginx's error_page goes there
    download = client.request("POST", stack.download, body=big, headers=form)
    assert download.status == 413  # the download location too (its own error_page before)
    assert '<html lang="de"' in download.text


def _from_the_app(stack, path: str) -> Answer:
    """The app's own answer, as nginx receives it (X-Accel-Redirect and all)."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.app_port, timeout=60)
    headers = {"Host": HOST, "X-Forwarded-For": "127.0.0.2", "X-Forwarded-Proto": "https"}
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def test_the_download_says_when_it_was_published_as_the_app_does(stack):
    """nginx dates a file it sends by its mtime: the cache file's must be the publication's,
    or each machine would give the same file its own date (and answer If-Modified-Since by it)."""
    own = _from_the_app(stack, stack.download)
    assert own.headers["X-Accel-Redirect"]
    assert own.body == b""
    published = own.headers["Last-Modified"]
    assert published
    client = Client(stack, "127.0.0.2")
    answer = client.get(stack.download)
    assert answer.headers.get_all("Last-Modified") == [published]
    cached = stack.cache / stack.sha256[:2] / stack.sha256
    cached.chmod(0o644)
    cached.unlink()  # a machine whose cache was emptied writes it anew, with the same date
    assert client.get(stack.download).headers.get_all("Last-Modified") == [published]
