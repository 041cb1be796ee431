"""One vote per person across channels; the policy is public; refusals name the channel."""

from __future__ import annotations

import io

import sqlalchemy as sa

from pbplatform.channels.models import VotingSite
from pbplatform.voting.models import Ballot, Participation
from tests.factories import login_as
from tests.sealed import unseal_all


def _scene(make_cycle, make_proposal, make_user, **fields):
    cycle = make_cycle("voting", **fields)
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area)
    resident = make_user("resident", area=area)
    officer = make_user("officer", officer_areas=(area,))
    from pbplatform.extensions import db

    site = VotingSite(
        cycle_id=cycle.id, area_id=area.id, name="Hall", address="1 Road", checks_voters=True
    )
    db.session.add(site)
    db.session.flush()
    return cycle, area, proposal, resident, officer, site


def _paper(client, cycle, site, area, proposal, voter_ref, serial="P-1"):
    return client.post(
        f"/officer/paper/{cycle.slug}/sites/{site.id}/ballot?area={area.id}",
        data={"serial": serial, "voter_ref": voter_ref, f"p-{proposal.id}": "1"},
    )


def _online(client, cycle, proposal):
    return client.post(f"/cycles/{cycle.slug}/ballot/cast", data={f"p-{proposal.id}": "1"})


def _counts(db, cycle):
    unseal_all()  # ballots are sealed while voting is open (tests.sealed)
    parts = db.session.scalar(
        sa.select(sa.func.count(Participation.voter_key)).where(Participation.cycle_id == cycle.id)
    )
    ballots = db.session.scalar(
        sa.select(sa.func.count(Ballot.id)).where(Ballot.cycle_id == cycle.id)
    )
    return parts, ballots


def test_paper_then_online_is_refused_naming_paper(
    app, client, db, make_cycle, make_proposal, make_user
):
    cycle, area, proposal, resident, officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, officer)
    assert _paper(client, cycle, site, area, proposal, resident.email).status_code == 302
    online = app.test_client()
    login_as(online, resident)
    r = _online(online, cycle, proposal)
    assert r.status_code == 409
    assert b"paper" in r.data
    assert _counts(db, cycle) == (1, 1)


def test_online_then_paper_is_refused_naming_online(
    app, client, db, make_cycle, make_proposal, make_user
):
    cycle, area, proposal, resident, officer, site = _scene(make_cycle, make_proposal, make_user)
    online = app.test_client()
    login_as(online, resident)
    assert _online(online, cycle, proposal).status_code == 200
    login_as(client, officer)
    r = _paper(client, cycle, site, area, proposal, resident.email.upper())
    assert r.status_code == 409
    assert b"You already voted online" in r.data
    assert b"channel=online" in r.data
    assert _counts(db, cycle) == (1, 1)
    # in a CSV the row is reported and the whole file refused
    data = (
        f"serial,area_code,choices,voter_ref\nQ1,{area.code},{proposal.tracking_number},"
        f"{resident.email}\n"
    ).encode()
    r = client.post(
        f"/officer/paper/{cycle.slug}/sites/{site.id}/import",
        data={"file": (io.BytesIO(data), "q.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert b"row 2: You already voted online" in r.data
    assert _counts(db, cycle) == (1, 1)


def test_census_paper_entry_blocks_online_vote_of_verified_account(
    app, client, db, make_cycle, make_proposal, make_user
):
    cycle, area, proposal, resident, officer, site = _scene(
        make_cycle, make_proposal, make_user, vote_policy="census"
    )
    admin = make_user("admin")
    login_as(client, admin)
    register = b"identifier,birth_date,postcode\nX-9,1970-01-01,10365\n"
    client.post(
        f"/admin/census/{cycle.slug}",
        data={"file": (io.BytesIO(register), "r.csv")},
        content_type="multipart/form-data",
    )
    login_as(client, officer)
    r = _paper(client, cycle, site, area, proposal, "x-9|1970-01-01|10365")
    assert r.status_code == 302
    online = app.test_client()
    login_as(online, resident)
    r = online.post(
        f"/cycles/{cycle.slug}/verify",
        data={"identifier": "X-9", "birth_date": "1970-01-01", "postcode": "10365"},
    )
    assert r.status_code == 302
    r = _online(online, cycle, proposal)
    assert r.status_code == 409
    assert b"paper" in r.data
    assert _counts(db, cycle) == (1, 1)


def test_code_then_code_again_names_the_code_channel(
    client, db, make_cycle, make_proposal, make_user
):
    cycle, area, proposal, *_ = _scene(make_cycle, make_proposal, make_user)
    login_as(client, make_user("admin"))
    r = client.post(
        f"/admin/codes/{cycle.slug}", data={"label": "L", "count": 1, "area_id": area.id}
    )
    code = r.get_data(as_text=True).splitlines()[1].split(",")[0]
    assert (
        client.post("/vote/code/cast", data={"code": code, f"p-{proposal.id}": "1"}).status_code
        == 200
    )
    r = client.post("/vote/code/cast", data={"code": code, f"p-{proposal.id}": "1"})
    assert r.status_code == 409


def test_how_to_vote_states_the_policy(client, db, make_cycle, make_proposal, make_user):
    cycle, *_ = _scene(
        make_cycle, make_proposal, make_user, channel_weights={"online": 1, "meeting": 0.5}
    )
    r = client.get(f"/cycles/{cycle.slug}/how-to-vote")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "Everyone votes once" in text
    assert "they neither block nor are blocked by a vote" in text  # meeting dots
    assert "refused with the name of the channel" in text
    assert "a vote here blocks a second vote in other channels" in text  # checking site
    assert "Meetings (totals): weight 0.5" in text


def test_cycle_page_and_how_to_vote_say_the_same_about_meetings(
    client, db, make_cycle, make_proposal, make_user
):
    """One source for the policy text: the cycle page once said meeting dots block every other
    channel while the how-to-vote page said they do not (they do not: no Participation row)."""
    import html
    import re

    cycle, *_ = _scene(make_cycle, make_proposal, make_user)
    pages = [
        html.unescape(client.get(url).get_data(as_text=True))
        for url in (f"/cycles/{cycle.slug}", f"/cycles/{cycle.slug}/how-to-vote")
    ]
    sentences = [re.search(r"Everyone votes once[^<]*", page).group(0).strip() for page in pages]
    assert sentences[0] == sentences[1]
    assert "neither block nor are blocked" in sentences[0]
    assert "meeting blocks every other channel" not in " ".join(pages)


def test_identified_invalid_paper_ballot_still_records_the_voter(
    app, client, db, make_cycle, make_proposal, make_user
):
    from pbplatform.audit.models import AuditEntry

    cycle, area, proposal, resident, officer, site = _scene(
        make_cycle, make_proposal, make_user, area_budget=1_00
    )  # every project is over budget
    login_as(client, officer)
    r = _paper(client, cycle, site, area, proposal, resident.email, serial="SECRET-7")
    assert r.status_code == 302
    unseal_all()
    ballot = db.session.scalars(sa.select(Ballot).where(Ballot.cycle_id == cycle.id)).one()
    assert not ballot.is_valid
    assert ballot.choices == []
    part = db.session.scalars(
        sa.select(Participation).where(Participation.cycle_id == cycle.id)
    ).one()
    assert (part.channel, part.voter_key) == ("paper", f"user:{resident.id}")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "paper.ballot_entered")
    ).one()
    assert "SECRET-7" not in str(entry.after)
    assert str(proposal.id) not in str(entry.after)
    cheap = make_proposal(cycle, area=area, cost=1_00)
    online = app.test_client()
    login_as(online, resident)
    assert _online(online, cycle, cheap).status_code == 409


def test_new_account_on_the_same_register_entry_cannot_vote_again(
    app, client, db, make_cycle, make_proposal, make_user
):
    from pbplatform.channels.models import CensusEntry

    cycle, area, proposal, resident, _officer, _site = _scene(
        make_cycle, make_proposal, make_user, vote_policy="census"
    )
    login_as(client, make_user("admin"))
    register = b"identifier,birth_date,postcode\nK-1,1960-06-06,10367\n"
    client.post(
        f"/admin/census/{cycle.slug}",
        data={"file": (io.BytesIO(register), "r.csv")},
        content_type="multipart/form-data",
    )
    details = {"identifier": "K-1", "birth_date": "1960-06-06", "postcode": "10367"}
    login_as(client, resident)
    assert client.post(f"/cycles/{cycle.slug}/verify", data=details).status_code == 302
    assert _online(client, cycle, proposal).status_code == 200
    # the account is erased (its link is set NULL) and the person registers again
    entry = db.session.scalars(sa.select(CensusEntry)).one()
    entry.user_id = None
    db.session.flush()
    again = make_user("resident", area=area)
    fresh = app.test_client()
    login_as(fresh, again)
    assert fresh.post(f"/cycles/{cycle.slug}/verify", data=details).status_code == 302
    r = _online(fresh, cycle, proposal)
    assert r.status_code == 409
    assert _counts(db, cycle) == (1, 1)


def test_paper_voter_below_minimum_age_is_refused(client, db, make_cycle, make_proposal, make_user):
    from datetime import date

    cycle, area, proposal, _resident, officer, site = _scene(
        make_cycle, make_proposal, make_user, vote_policy="census", min_age=16
    )
    born = date(date.today().year - 12, 3, 3).isoformat()
    login_as(client, make_user("admin"))
    register = f"identifier,birth_date,postcode\nY-1,{born},10315\n".encode()
    client.post(
        f"/admin/census/{cycle.slug}",
        data={"file": (io.BytesIO(register), "r.csv")},
        content_type="multipart/form-data",
    )
    login_as(client, officer)
    r = _paper(client, cycle, site, area, proposal, f"Y-1|{born}|10315")
    assert r.status_code == 422
    assert b"below the minimum age" in r.data
    assert _counts(db, cycle) == (0, 0)
