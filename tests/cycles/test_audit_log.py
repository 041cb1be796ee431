"""The audit log page (admins only), and the log's own guarantees: append-only, hash-chained."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from pbplatform.audit import services as audit
from pbplatform.audit.models import AuditEntry
from tests.factories import login_as

# SQLite's trigger says this; on PostgreSQL the app's role lacks the privilege in the first place.
REFUSED = "append-only|permission denied"


def test_admin_sees_entries_and_a_verified_chain(client, db, make_user, make_area):
    admin = make_user("admin", name="Ada Admin")
    area = make_area("Rummelsburg")
    audit.record("area.create", area, after={"name": "Rummelsburg"}, actor=admin)
    login_as(client, admin)
    page = client.get("/admin/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Hash chain verified" in text
    assert "area.create" in text
    assert "Ada Admin" in text
    assert "Rummelsburg" in text
    assert "When (UTC)" in text


def test_officers_and_residents_are_refused(client, db, make_user, make_area):
    assert client.get("/admin/audit").status_code == 401
    login_as(client, make_user("officer", officer_areas=(make_area(),)))
    assert client.get("/admin/audit").status_code == 403
    login_as(client, make_user("resident"))
    assert client.get("/admin/audit").status_code == 403


def test_xss_in_a_display_name_is_escaped(client, db, make_user, make_area):
    evil = make_user("admin", name='<script>alert("pwn")</script>')
    login_as(client, evil)
    # A real admin action writes the entry, carrying the name and the typed text.
    response = client.post("/admin/areas", data={"name": '"><svg onload=alert(1)>', "code": "X1"})
    assert response.status_code == 302
    text = client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert" not in text
    assert "<svg onload" not in text
    assert "&lt;script&gt;alert(&#34;pwn&#34;)&lt;/script&gt;" in text
    assert "&lt;svg onload=alert(1)&gt;" in text


def test_filter_by_action_is_allow_listed(client, db, make_user, make_area):
    admin = make_user("admin")
    area = make_area()
    audit.record("area.create", area, actor=admin)
    audit.record("area.rename", area, actor=admin)
    login_as(client, admin)
    only = client.get("/admin/audit?action=area.rename").get_data(as_text=True)
    assert "<td>area.rename</td>" in only
    assert "<td>area.create</td>" not in only
    injected = client.get("/admin/audit", query_string={"action": "x' OR 1=1--"})
    assert injected.status_code == 200
    text = injected.get_data(as_text=True)
    assert "<td>area.rename</td>" in text
    assert "<td>area.create</td>" in text


def test_pagination_caps_per_page(client, db, make_user, make_area):
    admin = make_user("admin")
    area = make_area()
    for _ in range(105):
        audit.record("area.rename", area, actor=admin)
    login_as(client, admin)
    text = client.get("/admin/audit?per_page=10000").get_data(as_text=True)
    assert text.count("<td>area.rename</td>") == 100
    assert "Page 1 of 2" in text
    for query in ("page=2&per_page=100", "page=-3", "page=abc&per_page=0", "page=99999999999"):
        assert client.get(f"/admin/audit?{query}").status_code == 200, query
    assert (
        client.get("/admin/audit?page=2&per_page=100")
        .get_data(as_text=True)
        .count("<td>area.rename</td>")
        == 5
    )


def test_audit_entries_cannot_be_changed_or_deleted(db, make_user):
    entry = audit.record("probe", actor=make_user("admin"))
    with pytest.raises(DatabaseError, match=REFUSED), db.session.begin_nested():
        db.session.execute(
            sa.update(AuditEntry).where(AuditEntry.id == entry.id).values(action="forged")
        )
    with pytest.raises(DatabaseError, match=REFUSED), db.session.begin_nested():
        db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == entry.id))
    db.session.expire_all()
    assert db.session.get(AuditEntry, entry.id).action == "probe"
    assert audit.verify_chain() is None


def test_chain_links_every_entry(db, make_user):
    admin = make_user("admin")
    first = audit.record("one", actor=admin)
    second = audit.record("two", actor=admin, before={"a": 1}, after={"a": 2})
    assert second.prev_hash == first.entry_hash
    assert audit.verify_chain() is None


def test_refusal_survives_the_rollback_of_its_request(admin_client, db, make_cycle):
    cycle = make_cycle("voting")
    form = {
        "ballot_rule": "k_approval",
        "max_projects": "2",
        "count_rule": "greedy",
        "tie_break": "default",
        "combination": "raw",
        "vote_policy": "registered",
        "weight_online": "1",
        "weight_paper": "1",
        "weight_code": "1",
        "weight_meeting": "1",
    }
    assert admin_client.post(f"/admin/cycles/{cycle.id}/rules", data=form).status_code == 409
    # The request answered 409 and so was rolled back (transaction.py); the entry was
    # committed on its own before that, so another session still sees it.
    refusals = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.outcome == "refused")
    ).all()
    assert [e.action for e in refusals] == ["cycle.rules"]
    assert refusals[0].ip == "127.0.0.1"
    page = admin_client.get("/admin/audit?action=cycle.rules").get_data(as_text=True)
    assert "<td>refused</td>" in page
