"""Download of one's data: every kind of personal data the models hold, behind the login,
for a short time, never the content of a vote."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.privacy.models import DataExport
from pbplatform.privacy.registry import TABLES
from tests.factories import create_user, login_as
from tests.privacy.scene import EMAIL, NAME, rich_resident


def _download(client) -> zipfile.ZipFile:
    # Produced as a job (in-process here): the POST leads to the job's page, which links it.
    posted = client.post("/account/privacy/export")
    assert posted.status_code == 303
    assert posted.headers["Location"].startswith("/jobs/")
    job_page = client.get(posted.headers["Location"])
    page = client.get("/account/privacy")
    export_id = db.session.scalar(sa.select(sa.func.max(DataExport.id)))
    assert f"/account/privacy/export/{export_id}".encode() in job_page.data
    assert f"/account/privacy/export/{export_id}".encode() in page.data
    response = client.get(f"/account/privacy/export/{export_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_download_holds_every_kind_of_personal_data(client):
    scene = rich_resident()
    login_as(client, scene.user)
    archive = _download(client)
    assert sorted(archive.namelist()) == ["data.json", "index.html"]
    data = json.loads(archive.read("data.json"))
    tables = data["tables"]
    # Every table that holds personal data about a person is in the download, with rows.
    for decl in TABLES.values():
        if not decl.about_a_person and decl.name != "outbox_messages":
            continue
        if not (decl.personal or decl.secret):
            continue
        assert tables.get(decl.name), f"{decl.name} missing from the download"
        for row in tables[decl.name]:
            assert set(decl.personal) <= row.keys(), decl.name
    [me] = tables["users"]
    assert (me["email"], me["display_name"], me["birth_date"]) == (EMAIL, NAME, "1990-12-10")
    assert me["password_hash"].startswith("(stored, not shown")
    assert tables["proposals"][0]["contact_details"].startswith("Frankfurter Allee")
    [vote] = tables["participations"]
    assert vote["channel"] == "online"
    assert vote["voter_key"].startswith("(stored, not shown")
    assert {c["purpose"] for c in tables["consent_records"]} >= {"notice", "newsletter"}
    assert any(e["action"] == "auth.login" for e in tables["audit_entries"])
    assert "ballots" not in tables
    assert "ballot_choices" not in tables
    html = archive.read("index.html").decode()
    assert EMAIL in html
    assert "Frankfurter Allee" in html


def test_download_is_only_for_its_owner_and_expires(client):
    scene = rich_resident()
    login_as(client, scene.user)
    client.post("/account/privacy/export")
    client.post("/account/privacy/export")  # a new download replaces the old one
    [export] = db.session.scalars(sa.select(DataExport).where(DataExport.user_id == scene.user.id))
    url = f"/account/privacy/export/{export.id}"
    other = client.application.test_client()
    login_as(other, create_user("resident"))
    assert other.get(url).status_code == 404
    assert client.application.test_client().get(url).status_code == 401
    export.expires_at = utcnow() - timedelta(seconds=1)
    export.created_at = utcnow() - timedelta(hours=2)
    db.session.flush()
    assert client.get(url).status_code == 404


def test_the_download_link_gives_its_times_in_the_readers_language(client):
    """'prepared 2026-12-07 15:13 UTC, available until ...' in every language; now the times
    are written as the rest of the site writes them (the site's zone, the reader's language)."""
    from datetime import UTC, datetime

    scene = rich_resident()
    login_as(client, scene.user)
    client.post("/account/privacy/export")
    [export] = db.session.scalars(sa.select(DataExport).where(DataExport.user_id == scene.user.id))
    export.created_at = datetime(2031, 3, 4, 9, 5, tzinfo=UTC)
    export.expires_at = datetime(2031, 3, 5, 9, 5, tzinfo=UTC)
    db.session.flush()
    # 09:05 UTC is 10:05 in the site's zone (Europe/Berlin by default, winter time)
    written = (
        ("en", "prepared Mar 4, 2031, 10:05:00\u202fAM"),
        ("de", "erstellt 04.03.2031, 10:05:00"),
    )
    for lang, prepared in written:
        page = client.get("/account/privacy", headers={"Accept-Language": lang})
        html = page.get_data(as_text=True)
        assert prepared in html, lang
        assert "2031-03-04" not in html, lang
