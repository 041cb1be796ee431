"""Published downloads (`ballots.pb`, `open-data.zip`) count their per-address limit
(RESULT_DOWNLOAD_RATE_LIMIT) in one Redis round trip, as the API does (security/ratelimit.py;
Flask-Limiter spent three: the hit and two reads for the X-RateLimit headers), with the same
headers, the same 429 and the same behaviour with the store down (RATELIMIT_FALLBACK).

An anonymous download of a versioned file is public and immutable: it sets no cookie and no
`Vary: Cookie`, so a shared cache may keep it; signed-in pages still vary on the cookie."""

from __future__ import annotations

import time

import pytest

from pbplatform.extensions import db
from tests.api.test_rate_limits import redis_store  # noqa: F401  (fixture)
from tests.factories import create_user, sign_in
from tests.limits import count_redis_commands, limited_app
from tests.results.test_results_day import _published

DOWN = "redis://127.0.0.1:5139/4"  # a closed port: the store is down (tests/security)


def _scene(app) -> tuple[str, str]:
    """A published count committed in `app`'s database: the ballots and open-data URLs."""
    with app.app_context():
        s, version = _published(db)
        db.session.commit()
        slug, number = s.cycle.slug, version.version
    ballots = f"/cycles/{slug}/results/ballots.pb?area=district&version={number}"
    return ballots, f"/cycles/{slug}/open-data.zip?release=1"


@pytest.fixture
def redis_commands(monkeypatch) -> list[str]:
    return count_redis_commands(monkeypatch)


@pytest.mark.parametrize("which", [0, 1], ids=["ballots", "open-data"])
def test_a_download_counts_its_limit_in_one_redis_round_trip(
    redis_store,  # noqa: F811
    redis_commands,
    which,
):
    url, prefix = redis_store
    with limited_app(
        RATELIMIT_STORAGE_URI=url,
        RATELIMIT_KEY_PREFIX=prefix,
        RESULT_DOWNLOAD_RATE_LIMIT="2 per minute",
    ) as app:
        download = _scene(app)[which]
        client = app.test_client()
        assert client.get("/").status_code == 200  # warm: connection and script loaded
        redis_commands.clear()
        first = client.get(download)
        assert first.status_code == 200
        assert redis_commands == ["EVALSHA"]
        assert first.headers["X-RateLimit-Limit"] == "2"
        assert first.headers["X-RateLimit-Remaining"] == "1"
        assert int(first.headers["X-RateLimit-Reset"]) > time.time()
        assert client.get(download).status_code == 200
        redis_commands.clear()
        refused = client.get(download)
        assert redis_commands == ["EVALSHA"]
        assert refused.status_code == 429
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        other = client.get(download, environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert other.status_code == 200  # per address


def test_each_download_route_counts_on_its_own():
    """As with Flask-Limiter's per-route limits: the ballots' count is not the zip's."""
    with limited_app(RESULT_DOWNLOAD_RATE_LIMIT="1 per minute") as app:
        ballots, zipped = _scene(app)
        client = app.test_client()
        assert [client.get(ballots).status_code for _ in range(2)] == [200, 429]
        assert [client.get(zipped).status_code for _ in range(2)] == [200, 429]


def test_store_down_refuses_downloads_with_503_by_default():
    with limited_app(RATELIMIT_STORAGE_URI=DOWN) as app:
        ballots, zipped = _scene(app)
        client = app.test_client()
        for url in (ballots, zipped):
            answer = client.get(url)
            assert answer.status_code == 503
            assert answer.headers["Retry-After"]
            assert "try again in a few minutes" in answer.get_data(as_text=True)


def test_store_down_with_memory_fallback_limits_per_process():
    with limited_app(
        RATELIMIT_STORAGE_URI=DOWN,
        RATELIMIT_FALLBACK="memory",
        RESULT_DOWNLOAD_RATE_LIMIT="2 per minute",
    ) as app:
        ballots, _ = _scene(app)
        client = app.test_client()
        assert [client.get(ballots).status_code for _ in range(3)] == [200, 200, 429]


def test_an_anonymous_versioned_download_sets_no_cookie_and_does_not_vary_on_it():
    with limited_app(RESULT_DOWNLOAD_RATE_LIMIT="30 per minute") as app:
        ballots, zipped = _scene(app)
        client = app.test_client()
        for url in (ballots, zipped):
            answer = client.get(url)
            assert answer.status_code == 200
            assert "immutable" in answer.headers["Cache-Control"]
            assert "Set-Cookie" not in answer.headers
            assert "cookie" not in answer.headers.get("Vary", "").lower()
        with app.app_context():
            user = create_user()
            db.session.commit()
            ids = (user.get_id(), user.id)
        signed_in = app.test_client()
        sign_in(signed_in, *ids)
        page = signed_in.get("/account")
        assert page.status_code == 200
        assert "Cookie" in page.headers["Vary"]
        assert "Cookie" in client.get("/").headers["Vary"]  # an anonymous page still varies
