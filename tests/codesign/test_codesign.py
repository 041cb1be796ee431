"""Co-authors, amendments and merge consent (issue 16 item 3)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pbplatform.codesign.models import Amendment, CoAuthor, MergeConsent, MergeRequest
from pbplatform.db import utcnow
from pbplatform.notifications.models import Notification
from tests.factories import login_as
from tests.proposals.helpers import fresh


def _scene(make_cycle, make_user, make_proposal):
    cycle = make_cycle("review")
    area_a = cycle.areas[0].area
    author = make_user(area=area_a, name="Ana")
    proposal = make_proposal(
        cycle, area=area_a, status="pending", author=author, title="Benches by the river"
    )
    proposal.description = "Six benches for older people."
    return cycle, area_a, author, proposal


def _kinds(db, user):
    db.session.expire_all()
    return [
        n.kind
        for n in db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    ]


def test_an_accepted_amendment_changes_the_text_keeps_both_and_makes_a_co_author(
    app, client, db, make_cycle, make_user, make_proposal
):
    _, _, author, proposal = _scene(make_cycle, make_user, make_proposal)
    amender = make_user(name="Ben")
    login_as(client, amender)
    page = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Propose an amendment" in page
    form = client.get(f"/proposals/{proposal.tracking_number}/amendments/new")
    assert "Six benches for older people." in form.get_data(as_text=True)
    response = client.post(
        f"/proposals/{proposal.tracking_number}/amendments",
        data={"title": "Benches by the river", "description": "Ten benches for older people."},
    )
    assert response.status_code == 303
    [amendment] = db.session.scalars(sa.select(Amendment)).all()
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<del>Six</del><ins>Ten</ins>" in shown
    assert "amendment_proposed" in _kinds(db, author)
    # Only authors answer.
    assert client.post(f"/amendments/{amendment.id}/accept").status_code == 403
    login_as(client, author)
    assert client.post(f"/amendments/{amendment.id}/accept").status_code == 303
    proposal, amendment = fresh(proposal), db.session.get(Amendment, amendment.id)
    assert proposal.description == "Ten benches for older people."
    assert (amendment.old_description, amendment.status) == (
        "Six benches for older people.",
        "accepted",
    )
    assert proposal.events[-1].kind == "amended"
    [co] = db.session.scalars(sa.select(CoAuthor)).all()
    assert (co.user_id, co.status) == (amender.id, "accepted")
    page = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Co-authors: Ben" in page


def test_a_declined_amendment_tells_the_amender_why(
    app, client, db, make_cycle, make_user, make_proposal
):
    _, _, author, proposal = _scene(make_cycle, make_user, make_proposal)
    amender = make_user()
    login_as(client, amender)
    client.post(
        f"/proposals/{proposal.tracking_number}/amendments",
        data={"title": "Benches", "description": "Fewer benches."},
    )
    [amendment] = db.session.scalars(sa.select(Amendment)).all()
    login_as(client, author)
    client.post(f"/amendments/{amendment.id}/decline", data={"reason": ""})
    assert db.session.get(Amendment, amendment.id).status == "pending"  # a reason is needed
    client.post(f"/amendments/{amendment.id}/decline", data={"reason": "Ten is the minimum."})
    db.session.expire_all()
    assert db.session.get(Amendment, amendment.id).status == "declined"
    assert fresh(proposal).description == "Six benches for older people."
    assert _kinds(db, amender)[-1] == "amendment_declined"


def test_invitations_do_not_reveal_who_is_registered(
    app, client, db, make_cycle, make_user, make_proposal
):
    _, _, author, proposal = _scene(make_cycle, make_user, make_proposal)
    friend = make_user(email="friend@example.org")
    login_as(client, author)
    known = client.post(
        f"/proposals/{proposal.tracking_number}/coauthors",
        data={"email": "friend@example.org"},
        follow_redirects=True,
    ).get_data(as_text=True)
    unknown = client.post(
        f"/proposals/{proposal.tracking_number}/coauthors",
        data={"email": "nobody@example.org"},
        follow_redirects=True,
    ).get_data(as_text=True)
    message = "If this address belongs to a registered resident, they are invited."
    assert message in known
    assert message in unknown
    login_as(client, friend)
    asked = client.get("/my/asked").get_data(as_text=True)
    assert proposal.tracking_number in asked
    [row] = db.session.scalars(sa.select(CoAuthor)).all()
    assert client.post(f"/coauthor-invitations/{row.id}/accept").status_code == 303
    db.session.expire_all()
    assert db.session.get(CoAuthor, row.id).status == "accepted"


def test_a_merge_waits_for_every_author_and_one_refusal_stops_it(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle, area_a, author, target = _scene(make_cycle, make_user, make_proposal)
    other_author = make_user()
    dup = make_proposal(cycle, area=area_a, status="pending", author=other_author)
    officer = make_user("officer", officer_areas=(area_a,))
    login_as(client, officer)
    client.post(
        f"/officer/proposals/{target.tracking_number}/merge",
        data={"originals": dup.tracking_number},
    )
    [request] = db.session.scalars(sa.select(MergeRequest)).all()
    assert request.status == "pending"
    assert "merge_proposed" in _kinds(db, other_author)
    consents = {c.user_id: c for c in db.session.scalars(sa.select(MergeConsent))}
    login_as(client, author)
    client.post(f"/merge-consents/{consents[author.id].id}/accept")
    assert fresh(dup).status == "pending"
    login_as(client, other_author)
    client.post(f"/merge-consents/{consents[other_author.id].id}/decline")
    db.session.expire_all()
    assert db.session.get(MergeRequest, request.id).status == "refused"
    assert fresh(dup).status == "pending"
    assert "merge_refused" in _kinds(db, officer)


def test_a_merge_proceeds_after_the_waiting_time_with_a_reason(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle, area_a, author, target = _scene(make_cycle, make_user, make_proposal)
    dup = make_proposal(cycle, area=area_a, status="pending")
    officer = make_user("officer", officer_areas=(area_a,))
    login_as(client, officer)
    client.post(
        f"/officer/proposals/{target.tracking_number}/merge",
        data={"originals": dup.tracking_number},
    )
    [request] = db.session.scalars(sa.select(MergeRequest)).all()
    url = f"/officer/merges/{request.id}/proceed"
    assert client.post(url, data={"reason": "No answer"}).status_code == 409  # too early
    request.created_at = utcnow() - timedelta(days=15)
    db.session.flush()
    assert client.post(url, data={"reason": ""}).status_code == 422
    assert client.post(url, data={"reason": "No answer in 14 days; same bench"}).status_code == 303
    db.session.expire_all()
    request = db.session.get(MergeRequest, request.id)
    assert (request.status, request.proceed_reason) == (
        "merged",
        "No answer in 14 days; same bench",
    )
    assert (fresh(dup).status, fresh(dup).merged_into_id) == ("merged", target.id)


def test_an_amendment_cannot_be_accepted_once_the_proposal_is_approved(
    app, client, db, make_cycle, make_user, make_proposal
):
    """Attack 2026-12-07 (evening): an author accepted a pending amendment after the vote and
    changed a funded proposal's public title without review."""
    _, area_a, author, proposal = _scene(make_cycle, make_user, make_proposal)
    amender = make_user()
    login_as(client, amender)
    client.post(
        f"/proposals/{proposal.tracking_number}/amendments",
        data={"title": "AMENDED AFTER THE VOTE", "description": "Other text."},
    )
    [amendment] = db.session.scalars(sa.select(Amendment)).all()
    proposal.status, proposal.officer_cost_minor = "approved", 10_000_00
    db.session.flush()
    login_as(client, author)
    refused = client.post(f"/amendments/{amendment.id}/accept")
    assert refused.status_code == 409
    assert fresh(proposal).title == "Benches by the river"
    declined = client.post(f"/amendments/{amendment.id}/decline", data={"reason": "Too late."})
    assert declined.status_code == 303


def test_open_merges_of_a_proposal_are_found_in_sql(db, make_cycle, make_user, make_proposal):
    """A proposal's pending merges, as target or as a duplicate, are selected by the database:
    the other pending merges (here 30) are not even loaded; closed ones do not count."""
    from pbplatform.codesign.models import MergeStatus
    from pbplatform.codesign.queries import open_merges_of

    cycle = make_cycle("review")
    area = cycle.areas[0].area
    proposal, other, target = (make_proposal(cycle, area=area, status="pending") for _n in "abc")
    as_target = MergeRequest(target_id=proposal.id, original_ids=[other.id])
    as_original = MergeRequest(target_id=target.id, original_ids=[other.id, proposal.id])
    closed = MergeRequest(
        target_id=target.id, original_ids=[proposal.id], status=MergeStatus.REFUSED
    )
    unrelated = [MergeRequest(target_id=target.id, original_ids=[other.id]) for _n in range(30)]
    db.session.add_all([as_target, as_original, closed, *unrelated])
    db.session.flush()
    wanted = [as_target.id, as_original.id]
    db.session.expunge_all()
    loaded = []

    def record(obj, _context):  # noqa: ANN001
        loaded.append(obj.id)

    sa.event.listen(MergeRequest, "load", record)
    try:
        found = open_merges_of(db.session.get(type(proposal), proposal.id))
    finally:
        sa.event.remove(MergeRequest, "load", record)
    assert [r.id for r in found] == wanted
    assert sorted(loaded) == wanted
    assert [r.id for r in open_merges_of(db.session.get(type(target), target.id))] == [
        as_original.id,
        *(r.id for r in unrelated),
    ]
