"""Moderation against insiders (issue 12, case 1): hiding hides text only, withdrawing once
voting has opened takes two officers and a reason, and district-wide items need an officer
with district scope."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.voting.models import BallotChoice
from pbplatform.voting.services import ballot_sheet, cast_ballot
from tests.factories import login_as
from tests.proposals.helpers import audit_entries, fresh
from tests.sealed import unseal

PLACEHOLDER = "Text hidden by moderation"


def _voting(make_cycle, make_user, make_proposal):
    cycle = make_cycle("voting")
    area_a, area_b = (ca.area for ca in cycle.areas)
    mine = make_proposal(cycle, area=area_a, title="Trees for Elm Street")
    district = make_proposal(cycle, area=None, title="Cycle lanes everywhere")
    limited = make_user("officer", officer_areas=(area_a,))
    return cycle, area_a, area_b, mine, district, limited


def test_area_officer_cannot_act_on_a_district_wide_item(
    client, make_cycle, make_user, make_proposal
):
    cycle, _, _, _, district, limited = _voting(make_cycle, make_user, make_proposal)
    pending = make_proposal(make_cycle("review"), area=None, status="pending")
    login_as(client, limited)
    for p in (district, pending):
        url = f"/officer/proposals/{p.tracking_number}"
        assert client.get(url).status_code == 403
        assert client.post(f"{url}/hide", data={"note": "x"}).status_code == 403
        assert client.post(f"{url}/reject", data={"reason": "x"}).status_code == 403
        assert client.post(f"{url}/withdrawal", data={"reason": "x"}).status_code == 403
    assert not fresh(district).is_hidden
    assert fresh(pending).status == "pending"
    assert pending.tracking_number not in client.get("/officer/queue").get_data(as_text=True)
    assert len(audit_entries("authz.denied")) >= 8


def test_hidden_text_keeps_the_project_on_the_ballot_with_a_placeholder(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle, area_a, _, mine, _, limited = _voting(make_cycle, make_user, make_proposal)
    login_as(client, limited)
    url = f"/officer/proposals/{mine.tracking_number}"
    assert client.post(f"{url}/hide", data={"note": "Insults"}).status_code == 303
    assert fresh(mine).is_hidden
    sheet = ballot_sheet(cycle, area_a.id)
    assert mine.id in {i.id for i in sheet.all_items()}
    cast_ballot(cycle, "test:1", {mine.id: 1}, area_id=area_a.id)  # still choosable
    resident = make_user(area=area_a)
    voter = app.test_client()
    login_as(voter, resident)
    ballot = voter.get(f"/cycles/{cycle.slug}/ballot").get_data(as_text=True)
    assert "Trees for Elm Street" not in ballot
    assert PLACEHOLDER in ballot
    anonymous = app.test_client()
    page = anonymous.get(f"/proposals/{mine.tracking_number}")
    assert page.status_code == 200
    assert "Trees for Elm Street" not in page.get_data(as_text=True)
    assert PLACEHOLDER in page.get_data(as_text=True)
    german = anonymous.get(
        f"/proposals/{mine.tracking_number}", headers={"Accept-Language": "de"}
    ).get_data(as_text=True)
    assert "Text von der Moderation ausgeblendet" in german
    listing = anonymous.get(f"/proposals?cycle={cycle.slug}").get_data(as_text=True)
    assert mine.tracking_number in listing
    assert "Trees for Elm Street" not in listing
    # The hidden text is not found by searching for it either.
    found = anonymous.get(f"/proposals?cycle={cycle.slug}&q=Elm").get_data(as_text=True)
    assert mine.tracking_number not in found


def test_withdrawal_during_voting_needs_a_second_officer(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle, area_a, _, mine, district, limited = _voting(make_cycle, make_user, make_proposal)
    cast_ballot(cycle, "test:1", {mine.id: 1, district.id: 1}, area_id=area_a.id)
    colleague = make_user("officer", officer_areas=(area_a,))
    url = f"/officer/proposals/{mine.tracking_number}"
    login_as(client, limited)
    assert client.post(f"{url}/withdrawal", data={"reason": ""}).status_code == 422
    assert audit_entries("proposal.withdrawal_proposed") == []
    r = client.post(f"{url}/withdrawal", data={"reason": "Planning permission refused"})
    assert r.status_code == 303
    assert fresh(mine).status == "approved"
    page = client.get(url).get_data(as_text=True)
    assert "Planning permission refused" in page
    client.post(f"{url}/withdrawal/confirm")  # the same officer cannot confirm
    assert fresh(mine).status == "approved"
    assert "Planning permission refused" not in client.get("/officer/queue").get_data(as_text=True)
    login_as(client, colleague)
    assert "Planning permission refused" in client.get("/officer/queue").get_data(as_text=True)
    assert client.post(f"{url}/withdrawal/confirm").status_code == 303
    assert fresh(mine).status == "withdrawn"
    assert mine.id not in {i.id for i in ballot_sheet(cycle, area_a.id).all_items()}
    unseal(cycle)  # what the close stores: the choice of the withdrawn project is kept
    stored = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(BallotChoice)
        .where(BallotChoice.proposal_id == mine.id)
    )
    assert stored == 1
    [proposed] = audit_entries("proposal.withdrawal_proposed")
    [confirmed] = audit_entries("proposal.withdrawal_confirmed")
    assert proposed.actor_id == limited.id
    assert confirmed.actor_id == colleague.id
    assert confirmed.after["reason"] == "Planning permission refused"
    public = client.__class__(client.application)
    html = public.get(f"/proposals/{mine.tracking_number}").get_data(as_text=True)
    assert "Planning permission refused" in html


def test_withdrawal_is_only_for_projects_on_an_opened_ballot(
    client, make_cycle, make_user, make_proposal
):
    cycle = make_cycle("review")
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area)
    login_as(client, make_user("officer"))
    url = f"/officer/proposals/{proposal.tracking_number}/withdrawal"
    client.post(url, data={"reason": "Too early"})
    assert audit_entries("proposal.withdrawal_proposed") == []


def test_area_officer_keeps_their_own_work_that_has_no_area(
    client, db, make_cycle, make_user, make_proposal
):
    """District scope is about district-wide items. A voting site shared by every area stays
    usable for an area officer's own ballots, and intake offers no district-wide choice."""
    from pbplatform.channels.models import VotingSite

    cycle, area_a, area_b, mine, _, limited = _voting(make_cycle, make_user, make_proposal)
    site = VotingSite(cycle_id=cycle.id, area_id=None, name="Town hall", address="Square 1")
    db.session.add(site)
    db.session.flush()
    login_as(client, limited)
    url = f"/officer/paper/{cycle.slug}/sites/{site.id}/ballot"
    page = client.get(f"{url}?area={area_a.id}")
    assert page.status_code == 200
    assert area_b.name not in page.get_data(as_text=True)
    r = client.post(f"{url}?area={area_a.id}", data={"serial": "S-1", f"p-{mine.id}": "1"})
    assert r.status_code == 302
    intake = client.get(f"/officer/proposals/new?cycle={make_cycle('proposals').slug}")
    assert intake.status_code == 200
    assert ">District-wide</option>" not in intake.get_data(as_text=True)


def test_paper_sheets_printed_before_a_withdrawal_are_entered_as_cast(
    app, client, db, make_cycle, make_user, make_proposal
):
    import io

    from pbplatform.channels.models import VotingSite
    from pbplatform.errors import DomainError
    from pbplatform.moderation.withdrawal import confirm_withdrawal, propose_withdrawal

    cycle, area_a, _, mine, district, limited = _voting(make_cycle, make_user, make_proposal)
    propose_withdrawal(district, make_user("officer"), "Duplicate of a state project")
    confirm_withdrawal(district, make_user("officer"))
    with pytest.raises(DomainError, match="not on this ballot"):  # off the ballot online
        cast_ballot(cycle, "test:online", {district.id: 1}, area_id=area_a.id)
    site = VotingSite(cycle_id=cycle.id, area_id=area_a.id, name="Hall", address="Road 1")
    db.session.add(site)
    db.session.flush()
    login_as(client, limited)
    data = (
        f"serial,area_code,choices\nQ1,{area_a.code},"
        f"{mine.tracking_number};{district.tracking_number}\n"
    ).encode()
    r = client.post(
        f"/officer/paper/{cycle.slug}/sites/{site.id}/import",
        data={"file": (io.BytesIO(data), "q.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code in (200, 302, 303), r.get_data(as_text=True)[:2000]
    unseal(cycle)  # what the close stores
    stored = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(BallotChoice)
        .where(BallotChoice.proposal_id == district.id)
    )
    assert stored == 1
