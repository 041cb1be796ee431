"""Meetings: two officers count dots independently; only agreed counts reach the count."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.channels.aggregates import meeting_aggregates
from pbplatform.channels.models import Meeting, MeetingTotal
from tests.factories import login_as


def _scene(make_cycle, make_proposal, make_user):
    cycle = make_cycle("voting")
    area = cycle.areas[0].area
    p1, p2 = make_proposal(cycle, area=area), make_proposal(cycle, area=None)
    officers = [make_user("officer", officer_areas=(area,)) for _ in range(2)]
    return cycle, area, (p1, p2), officers


def _create(client, cycle, area, attendance=10):
    r = client.post(
        f"/officer/meetings/{cycle.slug}",
        data={
            "area_id": area.id,
            "held_on": "2026-05-01",
            "place": "Town hall",
            "attendance": attendance,
            "dots_per_person": 5,
        },
    )
    assert r.status_code == 302, r.data
    return int(r.headers["Location"].rsplit("/", 1)[1])


def _count(client, cycle, mid, counts):
    data = {f"dots-{p.id}": n for p, n in counts.items()}
    return client.post(f"/officer/meetings/{cycle.slug}/{mid}/counts", data=data)


def test_matching_double_entry_is_confirmed_and_counted(
    app, client, db, make_cycle, make_proposal, make_user
):
    cycle, area, (p1, p2), (o1, o2) = _scene(make_cycle, make_proposal, make_user)
    login_as(client, o1)
    mid = _create(client, cycle, area)
    assert _count(client, cycle, mid, {p1: 20, p2: 7}).status_code == 302
    # the same officer cannot confirm alone (or be both entrants)
    assert client.post(f"/officer/meetings/{cycle.slug}/{mid}/confirm").status_code == 409
    login_as(client, o2)
    assert _count(client, cycle, mid, {p1: 20, p2: 7}).status_code == 302
    assert client.post(f"/officer/meetings/{cycle.slug}/{mid}/confirm").status_code == 302
    meeting = db.session.get(Meeting, mid)
    db.session.refresh(meeting)
    assert meeting.status == "confirmed"
    aggs = {a.project_id: (a.score, a.participants) for a in meeting_aggregates(cycle)}
    assert aggs == {str(p1.id): (20, 10), str(p2.id): (7, 10)}
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"meeting.create", "meeting.counts_entered", "meeting.confirm"} <= actions


def test_mismatch_is_listed_and_only_agreed_counts_count(
    client, db, make_cycle, make_proposal, make_user
):
    cycle, area, (p1, p2), (o1, o2) = _scene(make_cycle, make_proposal, make_user)
    login_as(client, o1)
    mid = _create(client, cycle, area)
    _count(client, cycle, mid, {p1: 20, p2: 7})
    login_as(client, o2)
    _count(client, cycle, mid, {p1: 20, p2: 8})
    page = client.get(f"/officer/meetings/{cycle.slug}/{mid}")
    assert b"differ and need correction" in page.data
    assert p2.tracking_number.encode() in page.data
    client.post(f"/officer/meetings/{cycle.slug}/{mid}/confirm")
    totals = {
        t.proposal_id: t.dots
        for t in db.session.scalars(sa.select(MeetingTotal).where(MeetingTotal.meeting_id == mid))
    }
    assert totals == {p1.id: 20}
    assert db.session.get(Meeting, mid).status == "needs_correction"
    assert {a.project_id for a in meeting_aggregates(cycle)} == {str(p1.id)}
    # the officer corrects their entry; confirming again takes both
    _count(client, cycle, mid, {p1: 20, p2: 7})
    client.post(f"/officer/meetings/{cycle.slug}/{mid}/confirm")
    db.session.expire_all()
    assert db.session.get(Meeting, mid).status == "confirmed"
    assert {a.project_id: a.score for a in meeting_aggregates(cycle)} == {
        str(p1.id): 20,
        str(p2.id): 7,
    }


def test_totals_above_attendance_times_dots_are_refused(
    client, db, make_cycle, make_proposal, make_user
):
    cycle, area, (p1, p2), (o1, _o2) = _scene(make_cycle, make_proposal, make_user)
    login_as(client, o1)
    mid = _create(client, cycle, area, attendance=3)  # at most 15 dots
    r = _count(client, cycle, mid, {p1: 10, p2: 6})
    assert r.status_code == 422
    assert b"more than 3 people" in r.data
    assert db.session.get(Meeting, mid).entries == []


def test_third_officer_and_other_area_are_refused(client, db, make_cycle, make_proposal, make_user):
    cycle, area, (p1, p2), (o1, o2) = _scene(make_cycle, make_proposal, make_user)
    login_as(client, o1)
    mid = _create(client, cycle, area)
    _count(client, cycle, mid, {p1: 1})
    login_as(client, o2)
    _count(client, cycle, mid, {p1: 1})
    login_as(client, make_user("officer", officer_areas=(area,)))
    assert _count(client, cycle, mid, {p1: 2}).status_code == 409
    login_as(client, make_user("officer", officer_areas=(cycle.areas[1].area,)))
    assert client.get(f"/officer/meetings/{cycle.slug}/{mid}").status_code == 403
    assert _count(client, cycle, mid, {p1: 2}).status_code == 403
