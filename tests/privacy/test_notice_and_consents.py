"""The privacy notice (from settings, English and German, linked from every page and form),
consents at registration and on the account page, and the processing record."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.privacy.models import ConsentRecord
from pbplatform.privacy.registry import TABLES
from tests.factories import create_cycle, create_user, login_as

PASSPHRASE = "a long enough passphrase here"


def _register(client, email, **extra):
    area = create_cycle("proposals").areas[0].area
    data = {
        "email": email,
        "display_name": "New Person",
        "home_area": str(area.id),
        "password": PASSPHRASE,
        "password_confirm": PASSPHRASE,
        **extra,
    }
    return client.post("/register", data=data)


def _records(email: str) -> list[ConsentRecord]:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    query = sa.select(ConsentRecord).where(ConsentRecord.user_id == user.id)
    return list(db.session.scalars(query.order_by(ConsentRecord.id)))


def test_notice_shows_the_settings_in_english_and_german(app, client):
    app.config["PRIVACY_CONTROLLER"] = "Bezirksamt Lichtenberg von Berlin"
    app.config["PRIVACY_DPO_CONTACT"] = "datenschutz@lichtenberg.example"
    try:
        page = client.get("/privacy")
        german = client.get("/privacy", headers={"Accept-Language": "de"})
    finally:
        app.config["PRIVACY_CONTROLLER"] = "The council (set PRIVACY_CONTROLLER)"
        app.config["PRIVACY_DPO_CONTACT"] = "dpo@council.example"
    assert page.status_code == 200
    for text in (b"Bezirksamt Lichtenberg", b"datenschutz@lichtenberg.example", b"2026-12-07"):
        assert text in page.data
        assert text in german.data
    assert b"Legal basis" in page.data
    assert b"183 days after" in page.data
    assert b"Rechtsgrundlage" in german.data
    assert "Datenschutzerklärung".encode() in german.data


def test_every_page_and_personal_data_form_links_the_notice(client, make_user):
    for url in ("/", "/register", "/login", "/proposals"):
        assert b'href="/privacy"' in client.get(url).data, url
    login_as(client, make_user("resident"))
    create_cycle("proposals")
    for url in ("/proposals/new", "/account", "/account/privacy"):
        assert b'href="/privacy"' in client.get(url).data, url


def test_registration_shows_the_notice_and_records_the_version_and_unticked_consents(client):
    form = client.get("/register")
    assert b'name="notice_version" type="hidden" value="2026-12-07"' in form.data
    assert b'name="consent_newsletter" type="checkbox" value="y">' in form.data  # unticked
    assert _register(client, "plain@example.org", notice_version="2026-12-07").status_code == 200
    records = _records("plain@example.org")
    assert [(r.purpose, r.granted, r.notice_version) for r in records] == [
        ("notice", True, "2026-12-07"),
        ("newsletter", False, "2026-12-07"),
        ("proposal_contact", False, "2026-12-07"),
    ]


def test_ticked_consent_is_recorded_and_withdrawn_on_the_account_page(client):
    _register(client, "keen@example.org", consent_newsletter="y")
    assert [r.granted for r in _records("keen@example.org")] == [True, True, False]
    user = db.session.scalar(sa.select(User).where(User.email == "keen@example.org"))
    login_as(client, user)
    page = client.get("/account/privacy")
    assert b'<input checked id="consent_newsletter"' in page.data
    assert client.post("/account/privacy/consents", data={}).status_code == 302
    latest = _records("keen@example.org")[-1]
    assert (latest.purpose, latest.granted) == ("newsletter", False)
    assert len(_records("keen@example.org")) == 4  # only the change was appended
    history = client.get("/account/privacy").get_data(as_text=True)
    assert history.count("Newsletter about the citizens&#39; budget") == 2  # given, withdrawn


def test_a_changed_notice_is_shown_again_before_registering(client):
    response = _register(client, "stale@example.org", notice_version="2020-01-01")
    assert response.status_code == 422
    assert b"privacy notice has changed" in response.data
    assert db.session.scalar(sa.select(User).where(User.email == "stale@example.org")) is None


def test_processing_record_lists_every_personal_column_and_the_periods(app, runner):
    app.config["RETENTION_CENSUS_DAYS"] = 14
    try:
        result = runner.invoke(args=["pb", "processing-record"])
    finally:
        app.config["RETENTION_CENSUS_DAYS"] = 0
    assert result.exit_code == 0, result.output
    assert "14 days after the cycle's results" in result.output
    for decl in TABLES.values():
        for column in decl.personal + decl.secret:
            assert column in result.output, f"{decl.name}.{column}"
        if decl.personal or decl.secret:
            assert f"{decl.name}(" in result.output


def test_admin_sees_what_is_due(client):
    login_as(client, create_user("admin"))
    page = client.get("/admin/privacy")
    assert page.status_code == 200
    assert b"Census register entries" in page.data
    assert b"Record of processing" in page.data
