"""One person, one vote across policies (issue 12, case 3).

With `vote_policy=registered` the one-vote identity is the account: an unverified account
votes as `user:<id>`, while a paper ballot checked against the census register would vote as
`census:<hash>`. The two keys never meet, and ballots carry no voter, so a double vote found
later could not be taken out of the count. The cycle therefore refuses to mix them: in a
registered cycle a checking site identifies voters by their account, never by register
details. Both orders are covered, including verification afterwards.
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask_babel import refresh

from pbplatform.ballotbox.models import SealedBallot
from pbplatform.channels.models import VotingSite
from pbplatform.cycles.explain import explain_vote_policy
from pbplatform.voting.models import Participation
from tests.factories import login_as

REGISTER = b"identifier,birth_date,postcode\nX-9,1970-01-01,10365\n"
CENSUS_REF = "x-9|1970-01-01|10365"
DETAILS = {"identifier": "X-9", "birth_date": "1970-01-01", "postcode": "10365"}


def _scene(db, make_cycle, make_proposal, make_user, client, policy="registered"):
    cycle = make_cycle("voting", vote_policy=policy)
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area)
    resident = make_user("resident", area=area)
    officer = make_user("officer", officer_areas=(area,))
    site = VotingSite(
        cycle_id=cycle.id, area_id=area.id, name="Hall", address="1 Road", checks_voters=True
    )
    db.session.add(site)
    db.session.flush()
    login_as(client, make_user("admin"))
    r = client.post(
        f"/admin/census/{cycle.slug}",
        data={"file": (io.BytesIO(REGISTER), "r.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code in (200, 302, 303)
    return cycle, area, proposal, resident, officer, site


def _paper(client, cycle, site, area, proposal, voter_ref, serial="P-1"):
    return client.post(
        f"/officer/paper/{cycle.slug}/sites/{site.id}/ballot?area={area.id}",
        data={"serial": serial, "voter_ref": voter_ref, f"p-{proposal.id}": "1"},
    )


def _online(client, cycle, proposal):
    return client.post(f"/cycles/{cycle.slug}/ballot/cast", data={f"p-{proposal.id}": "1"})


def _counts(db, cycle):
    parts = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Participation)
        .where(Participation.cycle_id == cycle.id)
    )
    # valid ballots stored: sealed while voting is open (pbplatform.ballotbox)
    ballots = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SealedBallot)
        .where(SealedBallot.cycle_id == cycle.id, SealedBallot.is_valid.is_(True))
    )
    return parts, ballots


def test_paper_census_first_then_online_never_both_count(
    app, client, db, make_cycle, make_proposal, make_user
):
    cycle, area, proposal, resident, officer, site = _scene(
        db, make_cycle, make_proposal, make_user, client
    )
    login_as(client, officer)
    r = _paper(client, cycle, site, area, proposal, CENSUS_REF)
    assert r.status_code == 422
    assert b"account" in r.data  # the refusal says how this cycle identifies voters
    online = app.test_client()
    login_as(online, resident)
    assert _online(online, cycle, proposal).status_code == 200
    r = online.post(f"/cycles/{cycle.slug}/verify", data=DETAILS)
    assert _counts(db, cycle) == (1, 1)


def test_online_first_then_verification_then_paper_never_both_count(
    app, client, db, make_cycle, make_proposal, make_user
):
    cycle, area, proposal, resident, officer, site = _scene(
        db, make_cycle, make_proposal, make_user, client
    )
    online = app.test_client()
    login_as(online, resident)
    assert _online(online, cycle, proposal).status_code == 200
    login_as(client, officer)
    assert _paper(client, cycle, site, area, proposal, CENSUS_REF).status_code == 422
    online.post(f"/cycles/{cycle.slug}/verify", data=DETAILS)
    assert _paper(client, cycle, site, area, proposal, CENSUS_REF, "P-2").status_code == 422
    # By account the paper ballot meets the online vote and is refused, naming the channel.
    r = _paper(client, cycle, site, area, proposal, resident.email, "P-3")
    assert r.status_code == 409
    assert b"online" in r.data
    assert _counts(db, cycle) == (1, 1)


def test_csv_import_refuses_census_refs_in_a_registered_cycle(
    client, db, make_cycle, make_proposal, make_user
):
    cycle, area, proposal, _resident, officer, site = _scene(
        db, make_cycle, make_proposal, make_user, client
    )
    login_as(client, officer)
    data = (
        f"serial,area_code,choices,voter_ref\nQ1,{area.code},{proposal.tracking_number},"
        f"{CENSUS_REF}\n"
    ).encode()
    r = client.post(
        f"/officer/paper/{cycle.slug}/sites/{site.id}/import",
        data={"file": (io.BytesIO(data), "q.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert b"row 2:" in r.data
    assert _counts(db, cycle) == (0, 0)


def test_codes_cycle_does_not_mix_register_details_with_accounts_either(
    client, db, make_cycle, make_proposal, make_user
):
    cycle, area, proposal, resident, officer, site = _scene(
        db, make_cycle, make_proposal, make_user, client, policy="codes"
    )
    login_as(client, officer)
    assert _paper(client, cycle, site, area, proposal, resident.email).status_code == 302
    # The same person's register details would be a second, unmatched identity.
    r = _paper(client, cycle, site, area, proposal, CENSUS_REF, "P-2")
    assert r.status_code == 422
    assert b"identified by their account" in r.data
    assert _counts(db, cycle) == (1, 1)


def test_census_cycle_still_checks_paper_voters_against_the_register(
    app, client, db, make_cycle, make_proposal, make_user
):
    cycle, area, proposal, resident, officer, site = _scene(
        db, make_cycle, make_proposal, make_user, client, policy="census"
    )
    login_as(client, officer)
    assert _paper(client, cycle, site, area, proposal, CENSUS_REF).status_code == 302
    online = app.test_client()
    login_as(online, resident)
    assert online.post(f"/cycles/{cycle.slug}/verify", data=DETAILS).status_code == 302
    assert _online(online, cycle, proposal).status_code == 409
    assert _counts(db, cycle) == (1, 1)


def test_the_policy_explains_how_voters_are_identified(app, db, make_cycle):
    cycle = make_cycle("review", vote_policy="registered")
    for language, words in (("de", ("Konto", "Register")), ("en", ("account", "register"))):
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()  # the tests share one app context, where Flask-Babel caches the locale
            text = explain_vote_policy(cycle)
            assert all(word in text for word in words), text
