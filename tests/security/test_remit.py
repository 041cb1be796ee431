"""An officer outside a proposal's area is refused, and every refusal is audited the same way
(`security.access.require_remit`): action `authz.denied`, outcome `denied`, the officer as
actor, the proposal as object, its area; written apart, so it survives the 403's rollback."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.discussion import services as discussion
from pbplatform.discussion.models import Comment
from pbplatform.extensions import db
from tests.delivery.conftest import funded  # noqa: F401  (fixture)
from tests.factories import create_user, login_as


def _refusals():
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "authz.denied").order_by(AuditEntry.id)
    ).all()


def _assert_audited(entries, officer, proposal, n):
    assert len(entries) == n
    for entry in entries:
        assert (entry.actor_id, entry.outcome) == (officer.id, "denied")
        assert (entry.object_type, entry.object_id) == ("Proposal", str(proposal.id))
        assert entry.area_id == proposal.area_id


def test_moderation_refuses_and_audits(client, make_cycle, make_user, make_proposal):
    cycle = make_cycle("review")
    area_a, area_b = (ca.area for ca in cycle.areas)
    proposal = make_proposal(cycle, area=area_a, status="pending")
    outsider = make_user("officer", officer_areas=(area_b,))
    login_as(client, outsider)
    url = f"/officer/proposals/{proposal.tracking_number}"
    approve = client.post(f"{url}/approve", data={"officer_cost": "10", "feasibility": "Yes."})
    assert approve.status_code == 403
    assert client.post(f"{url}/hide", data={"note": "x"}).status_code == 403
    _assert_audited(_refusals(), outsider, proposal, 2)


def test_delivery_refuses_and_audits(client, funded):  # noqa: F811
    s = funded
    login_as(client, s.outsider)
    url = f"/officer/proposals/{s.a.tracking_number}/delivery"
    assert client.post(url, data={"status": "in_progress"}).status_code == 403
    _assert_audited(_refusals(), s.outsider, s.a, 1)


def test_discussion_refuses_and_audits(client, make_cycle, make_user, make_proposal):
    cycle = make_cycle("review")
    area_a, area_b = (ca.area for ca in cycle.areas)
    proposal = make_proposal(cycle, area=area_a, status="approved")
    comment = discussion.post_comment(proposal, make_user(area=area_a), "Is it shaded?")
    outsider = make_user("officer", officer_areas=(area_b,))
    login_as(client, outsider)
    answer = client.post(
        f"/officer/proposals/{proposal.tracking_number}/comments",
        data={
            "answer-kind": "official",
            "answer-body": "Yes.",
            "answer-department": "Parks",
            "answer-channel": "letter",
        },
    )
    assert answer.status_code == 403
    hide = client.post(f"/officer/comments/{comment.id}/hide", data={"reason": "Off topic"})
    assert hide.status_code == 403
    # Refused before the form is read: an empty form is refused (and audited) all the same.
    assert client.post(f"/officer/comments/{comment.id}/hide").status_code == 403
    assert client.post(f"/officer/proposals/{proposal.tracking_number}/comments").status_code == 403
    assert client.post(f"/officer/comments/{comment.id}/unhide").status_code == 403
    assert client.post(f"/officer/comments/{comment.id}/dismiss").status_code == 403
    _assert_audited(_refusals(), outsider, proposal, 6)
    assert db.session.get(Comment, comment.id).hidden_at is None
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1


def test_codesign_refuses_and_audits(client, make_cycle, make_user, make_proposal):
    cycle = make_cycle("review")
    area_a, area_b = (ca.area for ca in cycle.areas)
    proposal = make_proposal(cycle, area=area_a, status="pending")
    resident = create_user(area=area_a)
    outsider = make_user("officer", officer_areas=(area_b,))
    login_as(client, outsider)
    response = client.post(
        f"/officer/proposals/{proposal.tracking_number}/coauthors", data={"email": resident.email}
    )
    assert response.status_code == 403
    _assert_audited(_refusals(), outsider, proposal, 1)
