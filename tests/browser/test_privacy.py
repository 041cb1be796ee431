"""Journey: register (notice shown, consent recorded), download my data, delete my account,
in English and German, on a desktop and at 390 px."""

from __future__ import annotations

import io
import json
import os
import threading
import zipfile
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.privacy.models import AccountErasure, ConsentRecord
from tests.browser.helpers import assert_accessible, assert_no_horizontal_scroll, committed, unique
from tests.factories import create_area, create_cycle

pytestmark = pytest.mark.browser

PASSPHRASE = "lilac trams hum at dawn"
TEXT = {
    "en": {
        "notice": "Privacy notice",
        "deleted": "Your account has been deleted",
        "rights": "Your rights",
    },
    "de": {
        "notice": "Datenschutzerklärung",
        "deleted": "Ihr Konto wurde gelöscht",
        "rights": "Ihre Rechte",
    },
}


@pytest.fixture(scope="module")
def live_url(live_app: Flask) -> Iterator[str]:
    """As in conftest, on PBP_LIVE_PORT when set (engineers sharing a machine get ports)."""
    port = int(os.environ.get("PBP_LIVE_PORT", "0"))
    server = make_server("127.0.0.1", port, live_app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("de", 390), ("en", 390)])
def test_register_download_and_delete(browser, live_app, live_url, tmp_path, lang, width):
    with committed(live_app):
        area = create_area(unique("Fennpfuhl"))
        create_cycle("proposals", areas=[area, create_area()])
        area_id = area.id
    email = f"{unique('private').replace(' ', '-')}@example.org"
    text = TEXT[lang]
    context = browser.new_context(
        locale="de-DE" if lang == "de" else "en-GB",
        viewport={"width": width, "height": 900},
        accept_downloads=True,
    )
    page = context.new_page()
    try:
        # Register: the notice is shown and linked, optional uses are unticked.
        page.goto(live_url + "/register")
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
        form = page.locator("form[action='/register']")
        assert form.locator("a[href='/privacy']").count() == 1
        assert "2026-12-07" in form.inner_text()
        assert not page.locator("#consent_newsletter").is_checked()
        assert not page.locator("#consent_proposal_contact").is_checked()
        page.fill("#email", email)
        page.fill("#display_name", "Rosa Private")
        page.select_option("#home_area", str(area_id))
        page.fill("#password", PASSPHRASE)
        page.fill("#password_confirm", PASSPHRASE)
        page.check("#consent_proposal_contact")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        with live_app.app_context():
            user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
            consents = db.session.execute(
                sa.select(
                    ConsentRecord.purpose, ConsentRecord.granted, ConsentRecord.notice_version
                )
                .where(ConsentRecord.user_id == user_id)
                .order_by(ConsentRecord.id)
            ).all()
        assert [tuple(c) for c in consents] == [
            ("notice", True, "2026-12-07"),
            ("newsletter", False, "2026-12-07"),
            ("proposal_contact", True, "2026-12-07"),
        ]

        # The notice itself, from the footer of any page.
        page.locator("footer a[href='/privacy']").click()
        assert page.locator("h1").inner_text() == text["notice"]
        assert text["rights"] in page.inner_text("main")
        assert_accessible(page)
        assert_no_horizontal_scroll(page)

        # Log in, open the privacy page from the account page.
        page.goto(live_url + "/login")
        page.fill("#email", email)
        page.fill("#password", PASSPHRASE)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(live_url + "/account")
        page.locator("a[href='/account/privacy']").click()
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
        assert page.locator("#consent_proposal_contact").is_checked()

        # Download my data: prepared as a job, whose page links the file when it is done.
        page.locator("form[action='/account/privacy/export'] button").click()
        page.wait_for_load_state()
        assert "/jobs/" in page.url
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
        with page.expect_download() as download:
            page.locator("a[href^='/account/privacy/export/']").first.click()
        path = tmp_path / "mine.zip"
        download.value.save_as(path)
        archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        data = json.loads(archive.read("data.json"))
        assert data["tables"]["users"][0]["email"] == email
        assert email in archive.read("index.html").decode()
        page.goto(live_url + "/account/privacy")

        # Delete my account.
        erase = page.locator("form[action='/account/privacy/erase']")
        erase.locator("#password").fill(PASSPHRASE)
        erase.locator("#confirm").check()
        erase.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == text["deleted"]
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
    finally:
        context.close()

    with live_app.app_context():
        assert db.session.scalar(sa.select(User.id).where(User.email == email)) is None
        assert db.session.get(AccountErasure, user_id).via == "self"
        assert db.session.get(User, user_id).display_name == "Former resident"
