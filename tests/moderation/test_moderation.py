"""The officer journey: queue, approve, reject, merge, hide, flags, report-back, officer-entered
proposals, area scope (403 + audit) and phase rules."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.codesign.models import MergeConsent
from pbplatform.mail.models import OutboxMessage
from pbplatform.proposals.models import ProposalFlag
from tests.factories import login_as
from tests.proposals.helpers import audit_entries, form, fresh, proposals_of


def _scene(make_cycle, make_user, make_proposal, phase="review"):
    cycle = make_cycle(phase)
    area_a, area_b = (ca.area for ca in cycle.areas)
    author = make_user(area=area_a)
    officer = make_user("officer", officer_areas=(area_a,))
    proposal = make_proposal(
        cycle, area=area_a, status="pending", author=author, title="Trees for Elm Street"
    )
    return cycle, area_a, area_b, author, officer, proposal


def test_queue_shows_own_areas_only(client, make_cycle, make_user, make_proposal):
    cycle, area_a, area_b, _, officer, mine = _scene(make_cycle, make_user, make_proposal)
    district = make_proposal(cycle, status="pending", title="District-wide library")
    other = make_proposal(cycle, area=area_b, status="pending", title="Other area pond")
    make_proposal(cycle, area=area_a, status="approved", title="Already approved")
    login_as(client, officer)
    html = client.get("/officer/queue").get_data(as_text=True)
    assert mine.tracking_number in html
    # District-wide proposals need an officer with district scope (issue 12).
    assert district.tracking_number not in html
    assert other.tracking_number not in html
    assert "Already approved" not in html
    login_as(client, make_user("admin"))
    html = client.get("/officer/queue").get_data(as_text=True)
    assert other.tracking_number in html
    assert district.tracking_number in html
    login_as(client, make_user())
    assert client.get("/officer/queue").status_code == 403


def test_approve_with_cost_and_feasibility_is_audited(client, make_cycle, make_user, make_proposal):
    _, area_a, _, _, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    login_as(client, officer)
    url = f"/officer/proposals/{proposal.tracking_number}"
    assert client.get(url).status_code == 200
    response = client.post(
        f"{url}/approve", data={"officer_cost": "1500.00", "feasibility": "Parks office can plant."}
    )
    assert response.status_code == 303
    proposal = fresh(proposal)
    assert (proposal.status, proposal.officer_cost_minor) == ("approved", 150000)
    assert proposal.events[-1].kind == "approved"
    [entry] = audit_entries("proposal.approved")
    assert entry.actor_id == officer.id
    assert entry.area_id == area_a.id
    assert entry.before["status"] == "pending"
    assert entry.after["status"] == "approved"
    assert entry.after["officer_cost_minor"] == 150000
    html = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "€1,500.00" in html
    assert "Parks office can plant." in html
    assert "On the ballot" in html


def test_approve_refusals_change_nothing(client, make_cycle, make_user, make_proposal):
    cycle, area_a, _, _, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    login_as(client, officer)
    url = f"/officer/proposals/{proposal.tracking_number}/approve"
    for data in (
        {"officer_cost": "-1", "feasibility": "ok"},
        {"officer_cost": "", "feasibility": "ok"},
        {"officer_cost": "10", "feasibility": ""},
        {"officer_cost": "abc", "feasibility": "ok"},
    ):
        assert client.post(url, data=data).status_code == 422
    saving = make_proposal(cycle, area=area_a, status="pending", kind="saving")
    response = client.post(
        f"/officer/proposals/{saving.tracking_number}/approve",
        data={"officer_cost": "0", "feasibility": "Possible"},
        follow_redirects=True,
    )
    assert "impact statement" in response.get_data(as_text=True)
    assert fresh(proposal).status == "pending"
    assert fresh(saving).status == "pending"
    assert audit_entries("proposal.approved") == []
    client.post(
        f"/officer/proposals/{saving.tracking_number}/approve",
        data={
            "officer_cost": "0",
            "feasibility": "Possible",
            "impact_statement": "Libraries close one hour earlier.",
        },
    )
    assert fresh(saving).status == "approved"
    html = client.get(f"/proposals/{saving.tracking_number}").get_data(as_text=True)
    assert "Libraries close one hour earlier." in html


def test_no_status_change_once_voting_opened(client, make_cycle, make_user, make_proposal):
    _, _, _, _, officer, proposal = _scene(make_cycle, make_user, make_proposal, phase="voting")
    login_as(client, officer)
    url = f"/officer/proposals/{proposal.tracking_number}"
    response = client.post(
        f"{url}/approve", data={"officer_cost": "10", "feasibility": "ok"}, follow_redirects=True
    )
    assert "ballot is fixed" in response.get_data(as_text=True)
    client.post(f"{url}/reject", data={"reason": "Too late"})
    assert fresh(proposal).status == "pending"


def test_reject_with_reason_visible_to_author_and_mailed(
    client, db, make_cycle, make_user, make_proposal
):
    _, _, _, author, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    login_as(client, officer)
    url = f"/officer/proposals/{proposal.tracking_number}/reject"
    client.post(url, data={"reason": "  "})
    assert fresh(proposal).status == "pending"
    assert client.post(url, data={"reason": "The street belongs to the state."}).status_code == 303
    proposal = fresh(proposal)
    assert proposal.status == "rejected"
    [entry] = audit_entries("proposal.rejected")
    assert entry.after["rejection_reason"] == "The street belongs to the state."
    login_as(client, author)
    html = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "The street belongs to the state." in html
    assert "Not accepted" in html
    [mail] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == author.email)
    ).all()
    assert proposal.tracking_number in mail.subject
    assert "The street belongs to the state." in mail.body


def test_merge_duplicates_links_them(client, make_cycle, make_user, make_proposal):
    cycle, area_a, _, author, officer, target = _scene(make_cycle, make_user, make_proposal)
    dup1 = make_proposal(cycle, area=area_a, status="pending", title="Trees please")
    dup2 = make_proposal(cycle, area=area_a, status="approved", title="More trees")
    login_as(client, officer)
    response = client.post(
        f"/officer/proposals/{target.tracking_number}/merge",
        data={"originals": f"{dup1.tracking_number}, {dup2.tracking_number}"},
    )
    assert response.status_code == 303
    # The target's author is asked first (issue 16): nothing is merged before they agree.
    assert fresh(dup1).status == "pending"
    login_as(client, author)
    [consent] = MergeConsent.query.filter_by(user_id=author.id).all()
    assert client.post(f"/merge-consents/{consent.id}/accept").status_code == 303
    login_as(client, officer)
    for dup in (dup1, dup2):
        dup = fresh(dup)
        assert (dup.status, dup.merged_into_id) == ("merged", target.id)
        html = client.get(f"/proposals/{dup.tracking_number}").get_data(as_text=True)
        assert "Merged into" in html
        assert f'href="/proposals/{target.tracking_number}"' in html
    target = fresh(target)
    assert target.status == "pending"
    assert [e.kind for e in target.events][-2:] == ["merged_from", "merged_from"]
    html = client.get(f"/proposals/{target.tracking_number}").get_data(as_text=True)
    assert dup1.tracking_number in html
    assert dup2.tracking_number in html
    assert len(audit_entries("proposal.merged")) == 2


def test_merge_refusals_change_nothing(client, make_cycle, make_user, make_proposal):
    cycle, area_a, _, _, officer, target = _scene(make_cycle, make_user, make_proposal)
    dup = make_proposal(cycle, area=area_a, status="pending")
    other_cycle = make_proposal(make_cycle("review"), status="pending")
    login_as(client, officer)
    url = f"/officer/proposals/{target.tracking_number}/merge"
    for originals in (
        f"{dup.tracking_number}, NO-SUCH-9",
        target.tracking_number,
        other_cycle.tracking_number,
        "",
    ):
        client.post(url, data={"originals": originals})
    assert fresh(dup).status == "pending"
    assert fresh(other_cycle).status == "pending"
    assert audit_entries("proposal.merged") == []


def test_hide_and_unhide(client, make_cycle, make_user, make_proposal):
    cycle, _, _, _, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    login_as(client, officer)
    url = f"/officer/proposals/{proposal.tracking_number}"
    client.post(f"{url}/hide", data={"note": ""})
    assert not fresh(proposal).is_hidden
    assert client.post(f"{url}/hide", data={"note": "Insults"}).status_code == 303
    assert fresh(proposal).is_hidden
    [entry] = audit_entries("proposal.hidden")
    assert entry.after["reason"] == "Insults"
    # The text is hidden, not the proposal: a placeholder shows (issue 12).
    anonymous = client.__class__(client.application)
    page = anonymous.get(f"/proposals/{proposal.tracking_number}")
    assert page.status_code == 200
    assert "Trees for Elm Street" not in page.get_data(as_text=True)
    assert "Text hidden by moderation" in page.get_data(as_text=True)
    listing = anonymous.get(f"/proposals?cycle={cycle.slug}").get_data(as_text=True)
    assert "Trees for Elm Street" not in listing
    officer_view = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Trees for Elm Street" in officer_view
    assert "Moderation hid the text" in officer_view
    assert client.post(f"{url}/unhide", data={"note": "Edited out"}).status_code == 303
    assert not fresh(proposal).is_hidden
    page = anonymous.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Trees for Elm Street" in page


def test_flags_reach_the_queue_and_are_resolved(client, db, make_cycle, make_user, make_proposal):
    cycle, area_a, _, _, officer, _ = _scene(make_cycle, make_user, make_proposal)
    flagged = make_proposal(cycle, area=area_a, title="Rude title")
    for _n in range(2):
        login_as(client, make_user())
        client.post(f"/proposals/{flagged.tracking_number}/flag", data={"reason": "<b>rude</b>"})
    login_as(client, officer)
    queue = client.get("/officer/queue").get_data(as_text=True)
    assert flagged.tracking_number in queue
    review = client.get(f"/officer/proposals/{flagged.tracking_number}").get_data(as_text=True)
    assert "&lt;b&gt;rude&lt;/b&gt;" in review
    resolve = f"/officer/proposals/{flagged.tracking_number}/flags/resolve"
    assert client.post(resolve).status_code == 303
    open_flags = db.session.scalars(
        sa.select(ProposalFlag).where(ProposalFlag.resolved_at.is_(None))
    ).all()
    assert open_flags == []
    [entry] = audit_entries("proposal.flags_resolved")
    assert entry.before == {"open_flags": 2}
    assert flagged.tracking_number not in client.get("/officer/queue").get_data(as_text=True)


def test_officer_of_another_area_is_refused_and_audited(
    client, make_cycle, make_user, make_proposal
):
    cycle, _, area_b, _, _, proposal = _scene(make_cycle, make_user, make_proposal)
    outsider = make_user("officer", officer_areas=(area_b,))
    login_as(client, outsider)
    url = f"/officer/proposals/{proposal.tracking_number}"
    assert client.get(url).status_code == 403
    actions = {
        "approve": {"officer_cost": "1", "feasibility": "ok"},
        "reject": {"reason": "no"},
        "hide": {"note": "x"},
        "unhide": {"note": "x"},
        "flags/resolve": {},
    }
    for action, data in actions.items():
        assert client.post(f"{url}/{action}", data=data).status_code == 403, action
    # Merging another area's proposal into one's own is refused as well.
    own = make_proposal(cycle, area=area_b, status="pending")
    response = client.post(
        f"/officer/proposals/{own.tracking_number}/merge",
        data={"originals": proposal.tracking_number},
    )
    assert response.status_code == 403
    proposal = fresh(proposal)
    assert (proposal.status, proposal.is_hidden) == ("pending", False)
    assert fresh(own).status == "pending"
    denied = audit_entries("authz.denied")
    assert len(denied) == 1 + len(actions) + 1
    assert {e.outcome for e in denied} == {"denied"}
    assert {e.actor_id for e in denied} == {outsider.id}
    assert proposal.tracking_number not in client.get("/officer/queue").get_data(as_text=True)


def _letter(**overrides):
    data = form(
        channel="letter",
        received_on="2026-01-05",
        contact_consent="y",
        contact_name="Erika Muster",
        contact_details="Elm Street 1",
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_officer_enters_a_letter_and_gets_a_tracking_number(client, make_cycle, make_user):
    cycle = make_cycle("proposals")
    area_a = cycle.areas[0].area
    officer = make_user("officer", officer_areas=(area_a,))
    login_as(client, officer)
    assert client.get("/officer/proposals/new").status_code == 200
    response = client.post("/officer/proposals/new", data=_letter(area=str(area_a.id)))
    assert response.status_code == 303
    [proposal] = proposals_of(cycle)
    assert proposal.tracking_number.startswith("TC-")
    assert proposal.tracking_number.endswith("-0001")
    assert (proposal.channel, proposal.entered_by_id, proposal.author_id) == (
        "letter",
        officer.id,
        None,
    )
    assert proposal.received_on.isoformat() == "2026-01-05"
    assert (proposal.contact_name, proposal.contact_details) == ("Erika Muster", "Elm Street 1")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"tracking number {proposal.tracking_number}" in page
    [entry] = audit_entries("proposal.entered")
    assert entry.after["channel"] == "letter"
    assert "Erika" not in str(entry.after)  # no personal data in the audit log
    public = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Erika" not in public
    assert "Elm Street 1" not in public


def test_officer_entry_refusals_store_nothing(client, make_cycle, make_user):
    cycle = make_cycle("proposals")
    area_a, area_b = (ca.area for ca in cycle.areas)
    officer = make_user("officer", officer_areas=(area_a,))
    login_as(client, officer)
    bad = [
        _letter(contact_consent=None),  # contact details without consent
        _letter(area=str(area_b.id)),  # not one of the officer's areas
        _letter(channel="web"),  # not an officer channel
        _letter(received_on="2999-01-01"),  # in the future
        _letter(estimated_cost="-10"),
    ]
    for data in bad:
        assert client.post("/officer/proposals/new", data=data).status_code in (403, 422)
    assert proposals_of(cycle) == []
    resident = make_user()
    login_as(client, resident)
    assert client.post("/officer/proposals/new", data=_letter()).status_code == 403
    assert proposals_of(cycle) == []


def test_the_rejection_mail_is_in_the_sites_language_not_the_officers(
    client, db, make_cycle, make_user, make_proposal
):
    """The author's language is not known: their e-mail is written as every notification
    e-mail is, in the site's language, whatever language the officer works in."""
    _, _, _, author, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    login_as(client, officer)
    url = f"/officer/proposals/{proposal.tracking_number}/reject"
    german = {"Accept-Language": "de"}
    assert client.post(url, data={"reason": "Landesstraße."}, headers=german).status_code == 303
    [mail] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == author.email)
    ).all()
    assert mail.subject == f"Your proposal {proposal.tracking_number} was not accepted"
    assert "Reason: Landesstraße." in mail.body
