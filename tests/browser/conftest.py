"""A live server on loopback and Debian's chromium driven by Playwright.

The server runs the real app in a thread against its own SQLite file with real commits, so
the browser sees exactly what a resident would. Browsers cannot be downloaded here: we use
/usr/bin/chromium. Without it the tests skip, unless PBP_REQUIRE_BROWSER=1 (CI) makes that
a failure. Set PBP_SHOTS=/tmp/pb-shots to keep screenshots of the ballot and results pages
(desktop and phone); helpers.py has the shared steps and the accessibility checks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from pbplatform import create_app
from pbplatform.extensions import db
from tests.browser.helpers import live_apps

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("PBP_REQUIRE_BROWSER"):
        pytest.fail(f"{CHROMIUM} is missing and PBP_REQUIRE_BROWSER is set")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); .ci/run installs it")


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    path = tmp_path_factory.mktemp("live") / "live.sqlite3"
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "WTF_CSRF_ENABLED": True}
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_url(live_app: Flask) -> Iterator[str]:
    # PBP_BROWSER_PORT: a fixed port where a shared machine hands out port ranges (0: any free).
    port = int(os.environ.get("PBP_BROWSER_PORT", "0"))
    server = make_server("127.0.0.1", port, live_app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    live_apps[url] = live_app  # helpers.log_in issues officers' enrolment links through it
    yield url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:  # one chromium for the run; each test gets a fresh context
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    yield page
    context.close()
