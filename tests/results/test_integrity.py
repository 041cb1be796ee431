"""A published result is a public record the database refuses to change, that carries the
audit chain's head, and that is never shown once its content stops matching its hash
(issue 12, broken case 6)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from pbplatform.audit import services as audit
from pbplatform.audit.models import AuditEntry, AuditPersonal
from pbplatform.results.models import ResultVersion
from pbplatform.results.services import publish_results, run_count
from tests.factories import login_as
from tests.results.conftest import build_counted


def _published(db):
    s = build_counted(db)
    version = publish_results(run_count(s.cycle, s.counter), s.checker)
    db.session.flush()
    return s, version


def test_publication_carries_the_audit_head(app, db, client):
    s = build_counted(db)
    version = run_count(s.cycle, s.counter)
    head = audit.chain_head()
    publish_results(version, s.checker)
    assert (version.audit_head_id, version.audit_head_hash) == (head.id, head.hash)
    published = f"{head.id}:{head.hash}"
    page = client.get(f"/cycles/{s.cycle.slug}/results").get_data(as_text=True)
    assert published in page
    assert "Audit log at publication" in page
    body = client.get(f"/api/v1/cycles/{s.cycle.slug}/results").get_json()
    assert body["audit_head"] == published
    export = client.get(f"/cycles/{s.cycle.slug}/results/ballots.pb?area=district")
    assert f"audit_head;{published}" in export.get_data(as_text=True)
    verified = app.test_cli_runner().invoke(args=["pb", "audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "1 recorded head(s) present" in verified.output


def test_the_database_refuses_to_change_a_published_version(db):
    """Not only the ORM listener: a plain UPDATE is refused by a trigger."""
    _, version = _published(db)
    forged = json.dumps({"lists": []})
    with pytest.raises(DBAPIError, match="published"), db.session.begin_nested():
        db.session.execute(
            sa.text("UPDATE result_versions SET outcome = :o WHERE id = :id"),
            {"o": forged, "id": version.id},
        )


def _forge_outcome(session, version: ResultVersion) -> str:
    """Mark a project that lost as funded, as an insider would; returns its new title."""
    outcome = json.loads(json.dumps(version.outcome))
    loser = next(p for lst in outcome["lists"] for p in lst["projects"] if not p["selected"])
    loser["selected"] = True
    loser["title"] = "Forged winner"
    session.execute(
        sa.update(ResultVersion).where(ResultVersion.id == version.id).values(outcome=outcome)
    )
    session.expire_all()
    return loser["title"]


def test_a_changed_published_outcome_is_refused_loudly(app, insider):
    s, version = _published(insider.db)
    insider.lift()
    title = _forge_outcome(insider.db.session, version)
    client = app.test_client()
    page = client.get(f"/cycles/{s.cycle.slug}/results")
    text = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "altered in the database" in text
    assert version.content_hash in text
    assert title not in text
    export = client.get(f"/cycles/{s.cycle.slug}/results/ballots.pb?area={s.home.id}")
    assert export.status_code == 500
    assert title not in export.get_data(as_text=True)
    api = client.get(f"/api/v1/cycles/{s.cycle.slug}/results")
    assert api.status_code == 500
    assert api.get_json()["code"] == "result_tampered"
    assert title not in api.get_data(as_text=True)


def test_deleting_the_log_after_a_publication_is_detected(app, insider):
    """The head published with the result is gone: the audit page and verify say so."""
    s, version = _published(insider.db)
    insider.lift()
    session = insider.db.session
    for model, column in ((AuditPersonal, AuditPersonal.entry_id), (AuditEntry, AuditEntry.id)):
        session.execute(sa.delete(model).where(column >= version.audit_head_id))
    session.expire_all()
    assert audit.check_chain().ok, "without the published head the cut is invisible"
    result = app.test_cli_runner().invoke(args=["pb", "audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {version.audit_head_id}" in result.output
    admin = app.test_client()
    login_as(admin, s.checker)
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert f"Hash chain broken at entry {version.audit_head_id}" in page
    assert "newest entries were deleted" in page
