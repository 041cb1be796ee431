"""Security headers on responses of every kind, error pages included (security case 37).

About `Server`: the app never sets it (asserted on every response below). Werkzeug's test
client adds none; Werkzeug's dev server adds "Werkzeug/x Python/y" (development only);
gunicorn writes "Server: gunicorn" with no version (its versioned SERVER_SOFTWARE goes only
into the WSGI environ; asserted below). Behind nginx, `server_tokens off` hides its version.
"""

from __future__ import annotations

import re

import pytest

from pbplatform.extensions import db
from pbplatform.security.access import public
from tests.security.conftest import login
from tests.security.scene import build_scene


def assert_secure_headers(response, what: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert directives.get("object-src") == "object-src 'none'", what
    assert directives.get("base-uri") == "base-uri 'none'", what
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", what
    assert "unsafe-inline" not in csp, what
    assert "unsafe-eval" not in csp, what
    assert "script-src" in directives or "default-src" in directives, what
    hsts = headers.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age, what
    assert int(max_age.group(1)) >= 31536000, what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") in {
        "same-origin",
        "no-referrer",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }, what
    assert "Server" not in headers, what


@pytest.fixture
def scene_app(build_app):
    def make(**overrides):
        app = build_app(**overrides)
        with app.app_context():
            scene = build_scene()
        return app, scene

    return make


def test_ordinary_and_error_responses(scene_app):
    app, scene = scene_app(WTF_CSRF_ENABLED=True)
    anon = app.test_client()
    admin = app.test_client()
    login(app, admin, scene.admin_id)
    resident = app.test_client()
    login(app, resident, scene.evil_id)
    cases = {
        "200 page": (anon.get("/"), 200),
        "200 healthz": (anon.get("/healthz"), 200),
        "200 admin page": (admin.get("/admin/audit"), 200),
        "200 API": (anon.get("/api/v1/cycles"), 200),
        "404 page": (anon.get("/no/such/page"), 404),
        "404 API": (anon.get("/api/v1/proposals/NOPE-1"), 404),
        "405": (anon.get("/logout"), 405),
        "401 page": (anon.get("/account"), 401),
        "401 API": (anon.get("/api/v1/me"), 401),
        "403": (resident.get("/admin/audit"), 403),
        "400 CSRF": (admin.post("/logout"), 400),
        "413": (anon.post("/login", data={"email": "x" * (6 * 1024 * 1024)}), 413),
        "413 API": (
            anon.post(
                f"/api/v1/cycles/{scene.values['slug']}/ballot",
                data=b"[" * (6 * 1024 * 1024),
                content_type="application/json",
                headers={"Authorization": f"Bearer {scene.api_token}"},
            ),
            413,
        ),
        "static": (anon.get("/static/site.css"), None),
    }
    for what, (response, status) in cases.items():
        if status is not None:
            assert response.status_code == status, what
        assert_secure_headers(response, what)
        response.close()
    assert cases["404 API"][0].mimetype == "application/problem+json"


def test_rate_limited_response(scene_app):
    app, _scene = scene_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    responses = [
        client.post("/login", data={"email": "a@example.org", "password": "wrong"})
        for _ in range(7)
    ]
    assert responses[-1].status_code == 429
    assert_secure_headers(responses[-1], "429")


def test_unexpected_error_page_has_headers_and_no_traceback(build_app):
    app = build_app(TESTING=False, ENV_NAME="development")

    @public
    def explode():
        raise RuntimeError("secret internals: /srv/app/pbplatform/views.py line 42")

    app.add_url_rule("/_test/explode", "test_explode", explode)
    app.add_url_rule("/api/v1/_test/explode", "test_explode_api", explode)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for url, mimetype in (
        ("/_test/explode", "text/html"),
        ("/api/v1/_test/explode", "application/problem+json"),
    ):
        response = client.get(url)
        assert response.status_code == 500
        assert response.mimetype == mimetype
        body = response.get_data(as_text=True)
        assert "Traceback" not in body
        assert "secret internals" not in body
        assert "RuntimeError" not in body
        assert_secure_headers(response, url)


def test_gunicorn_banner_carries_no_version():
    import gunicorn
    from gunicorn.http import wsgi

    assert wsgi.SERVER == "gunicorn"  # what Response.default_headers() sends as Server
    assert gunicorn.__version__ not in wsgi.SERVER
