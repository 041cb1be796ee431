"""The pages nginx's error_page fetches for what it refuses itself (config/nginx/
pbplatform.conf; end to end in tests/serve/test_nginx.py): a body over client_max_body_size
(413) and a download over the per-address limit (429), in the reader's language,
problem+json for a refused API request, nothing when asked directly."""

from __future__ import annotations


def test_the_413_page_is_the_apps_in_german(client):
    page = client.get(
        "/errors/too-large", headers={"X-Refused-URI": "/login", "Accept-Language": "de"}
    )
    assert page.status_code == 413
    assert "Zu groß" in page.text
    assert "nichts wurde gespeichert" in page.text


def test_an_api_request_gets_problem_json(client):
    answer = client.get("/errors/too-large", headers={"X-Refused-URI": "/api/v1/proposals"})
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"
    assert answer.json["code"] == "request_entity_too_large"


def test_asked_for_directly_there_is_nothing(client):
    assert client.get("/errors/too-large").status_code == 404


def test_the_429_page_is_the_apps_in_german(client):
    page = client.get(
        "/errors/too-many",
        headers={"X-Refused-URI": "/cycles/x/open-data.zip", "Accept-Language": "de"},
    )
    assert page.status_code == 429
    assert '<html lang="de"' in page.text
    assert page.headers["Retry-After"] == "60"


def test_the_api_is_recognised_as_the_app_routes_it(client):
    """nginx names the refused request raw: //api/..., /%61pi/... and /x/../api/... are the
    API to the app's routing, so they get problem+json too (attack 2026-12-07c F7)."""
    for uri in ("//api/v1/proposals", "/%61pi/v1/proposals", "/x/../api/v1/proposals", "/api"):
        answer = client.get("/errors/too-large", headers={"X-Refused-URI": uri})
        assert answer.mimetype == "application/problem+json", uri
    for uri in ("/apix", "/cycles/api/", "/"):
        answer = client.get("/errors/too-large", headers={"X-Refused-URI": uri})
        assert answer.mimetype == "text/html", uri


def test_no_other_reason(client):
    assert client.get("/errors/teapot", headers={"X-Refused-URI": "/"}).status_code == 404
