"""One vote per person across channels; the policy is public; refusals name the channel."""

from __future__ import annotations

import io

import sqlalchemy as sa

from pbplatform.channels.models import VotingSite
from pbplatform.voting.models import Ballot, Participation
from tests.factories import login_as


def _scene(make_cycle, make_proposal, make_user, **fields):
    cycle = make_cycle("voting", **fields)
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area)
    resident = make_user("resident", area=area)
    officer = make_user("officer", officer_areas=(area,))
    from pbplatform.extensions import db
    site = VotingSite(cycle_id=cycle.id, area_id=area.id, name="Hall", address="1 Road",
                      checks_voters=True)
    db.session.add(site)
    db.session.flush()
    return cycle, area, proposal, resident, officer, site


def _paper(client, cycle, site, area, proposal, voter_ref, serial="P-1"):
    return client.post(f"/officer/paper/{cycle.slug}/sites/{site.id}/ballot?area={area.id}",
                       data={"serial": serial, "voter_ref": voter_ref,
                             f"p-{proposal.id}": "1"})


def _online(client, cycle, proposal):
    return client.post(f"/cycles/{cycle.slug}/ballot/cast", data={f"p-{proposal.id}": "1"})


def _counts(db, cycle):
    parts = db.session.scalar(sa.select(sa.func.count(Participation.id)).where(
        Participation.cycle_id == cycle.id))
    ballots = db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(
        Ballot.cycle_id == cycle.id))
    return parts, ballots


def test_paper_then_online_is_refused_naming_paper(app, client, db, make_cycle, make_proposal,
                                                   make_user):
    cycle, area, proposal, resident, officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, officer)
    assert _paper(client, cycle, site, area, proposal, resident.email).status_code == 302
    online = app.test_client()
    login_as(online, resident)
    r = _online(online, cycle, proposal)
    assert r.status_code == 409
    assert b"paper" in r.data
    assert _counts(db, cycle) == (1, 1)


def test_online_then_paper_is_refused_naming_online(app, client, db, make_cycle, make_proposal,
                                                    make_user):
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
    data = (f"serial,area_code,choices,voter_ref\nQ1,{area.code},{proposal.tracking_number},"
            f"{resident.email}\n").encode()
    r = client.post(f"/officer/paper/{cycle.slug}/sites/{site.id}/import",
                    data={"file": (io.BytesIO(data), "q.csv")}, content_type="multipart/form-data")
    assert r.status_code == 422
    assert b"row 2: You already voted online" in r.data
    assert _counts(db, cycle) == (1, 1)


def test_census_paper_entry_blocks_online_vote_of_verified_account(
        app, client, db, make_cycle, make_proposal, make_user):
    cycle, area, proposal, resident, officer, site = _scene(
        make_cycle, make_proposal, make_user, vote_policy="census")
    admin = make_user("admin")
    login_as(client, admin)
    register = b"identifier,birth_date,postcode\nX-9,1970-01-01,10365\n"
    client.post(f"/admin/census/{cycle.slug}", data={"file": (io.BytesIO(register), "r.csv")},
                content_type="multipart/form-data")
    login_as(client, officer)
    r = _paper(client, cycle, site, area, proposal, "x-9|1970-01-01|10365")
    assert r.status_code == 302
    online = app.test_client()
    login_as(online, resident)
    r = online.post(f"/cycles/{cycle.slug}/verify", data={
        "identifier": "X-9", "birth_date": "1970-01-01", "postcode": "10365"})
    assert r.status_code == 302
    r = _online(online, cycle, proposal)
    assert r.status_code == 409
    assert b"paper" in r.data
    assert _counts(db, cycle) == (1, 1)


def test_code_then_code_again_names_the_code_channel(client, db, make_cycle, make_proposal,
                                                     make_user):
    cycle, area, proposal, *_ = _scene(make_cycle, make_proposal, make_user)
    login_as(client, make_user("admin"))
    r = client.post(f"/admin/codes/{cycle.slug}", data={"label": "L", "count": 1,
                                                        "area_id": area.id})
    code = r.get_data(as_text=True).splitlines()[1].split(",")[0]
    assert client.post("/vote/code/cast", data={"code": code, f"p-{proposal.id}": "1"}
                       ).status_code == 200
    r = client.post("/vote/code/cast", data={"code": code, f"p-{proposal.id}": "1"})
    assert r.status_code == 409


def test_how_to_vote_states_the_policy(client, db, make_cycle, make_proposal, make_user):
    cycle, *_ = _scene(make_cycle, make_proposal, make_user,
                       channel_weights={"online": 1, "meeting": 0.5})
    r = client.get(f"/cycles/{cycle.slug}/how-to-vote")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "Each person votes once" in text
    assert "counted separately" in text  # meeting dots
    assert "refused in every other channel" in text
    assert "a vote here blocks a second vote in other channels" in text  # checking site
    assert "meeting: weight 0.5" in text
