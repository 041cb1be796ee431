"""Erasure: nothing personal left, contributions kept under "former resident", one vote stays
one vote, ballots untouched; by the person, by an officer, and from the command line."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.audit.models import AuditEntry
from pbplatform.extensions import db
from pbplatform.privacy.erasure import FORMER_RESIDENT
from pbplatform.privacy.models import AccountErasure
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Ballot, BallotChoice, Participation
from pbplatform.voting.services import cast_ballot, voter_key_for
from tests.factories import PASSWORD, create_proposal, create_user, login_as
from tests.privacy.scene import ADDRESS, BORN, EMAIL, NAME, rich_resident

# INTEGRATOR: audit_entries is excluded until engineer C's pseudonymise_person is called from
# privacy.erasure.erase_user at merge; then remove it from this set so the audit log is
# searched too.
NOT_SEARCHED: set[str] = set()  # the audit log too: pseudonymise_person empties it


def _traces(*needles: str) -> list[str]:
    """`table.column` of every text or JSON value in the database containing a needle."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in NOT_SEARCHED:
            continue
        for column in table.columns:
            if not isinstance(column.type, sa.String | sa.Text | sa.JSON):
                continue
            text = sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON) else column
            for needle in needles:
                hit = sa.select(sa.func.count()).select_from(table)
                hit = hit.where(sa.func.lower(text).contains(needle.lower()))
                if db.session.scalar(hit):
                    found.append(f"{table.name}.{column.name}: {needle}")
    return found


def _erase_by_form(client, password=PASSWORD, **extra):
    data = {"password": password, "confirm": "y", **extra}
    return client.post("/account/privacy/erase", data=data)


def test_erasure_leaves_nothing_personal_and_keeps_the_proposal(client):
    scene = rich_resident()
    assert _traces(EMAIL, NAME, ADDRESS, BORN.isoformat()) != []  # the search finds them
    login_as(client, scene.user)
    ballots = db.session.scalar(sa.select(sa.func.count()).select_from(Ballot))
    response = _erase_by_form(client)
    assert response.status_code == 200
    assert b"has been deleted" in response.data
    db.session.expire_all()
    assert _traces(EMAIL, NAME, ADDRESS, BORN.isoformat()) == []
    user = db.session.get(User, scene.user.id)
    assert user.birth_date is None
    assert user.home_area_id is None
    assert not user.is_active
    assert db.session.get(AccountErasure, user.id).via == "self"
    # The proposal stays, readable, under "former resident".
    proposal = db.session.get(Proposal, scene.proposal.id)
    assert proposal.author.display_name == FORMER_RESIDENT
    assert client.get(f"/proposals/{proposal.tracking_number}").status_code == 200
    officer = client.application.test_client()
    login_as(officer, create_user("admin"))
    review = officer.get(f"/officer/proposals/{proposal.tracking_number}")
    assert review.status_code == 200
    assert FORMER_RESIDENT.encode() in review.data
    # Participation pseudonymous, ballots untouched, and the old session is dead.
    [vote] = db.session.scalars(sa.select(Participation))
    assert vote.user_id is None
    assert vote.voter_key.startswith("erased:")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == ballots
    assert client.get("/account").status_code == 401
    [entry] = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.account_erased")
    )
    assert entry.object_id == str(user.id)


def test_wrong_password_erases_nothing(client):
    scene = rich_resident()
    login_as(client, scene.user)
    response = _erase_by_form(client, password="not my password at all")
    assert response.status_code == 422
    assert b"password is not correct" in response.data
    assert _erase_by_form(client, confirm="").status_code == 422
    db.session.expire_all()
    assert db.session.get(User, scene.user.id).email == EMAIL
    assert db.session.get(AccountErasure, scene.user.id) is None


def test_erased_and_registered_again_cannot_vote_twice(client, app):
    scene = rich_resident()
    db.session.execute(sa.delete(Participation))  # vote for real below
    db.session.execute(sa.delete(sa.table("census_entries")))
    cycle, area = scene.cycle, scene.area
    cast_ballot(
        cycle,
        voter_key_for(scene.user),
        {scene.proposal.id: 1},
        area_id=area.id,
        user_id=scene.user.id,
    )
    login_as(client, scene.user)
    assert _erase_by_form(client).status_code == 200
    ballots = db.session.scalar(sa.select(sa.func.count()).select_from(BallotChoice))

    again = app.test_client()
    response = again.post(
        "/register",
        data={
            "email": EMAIL.upper(),
            "display_name": "Ada again",
            "home_area": str(area.id),
            "password": "a completely new passphrase",
            "password_confirm": "a completely new passphrase",
        },
    )
    assert response.status_code == 200
    new = db.session.scalar(sa.select(User).where(User.email == EMAIL))
    assert new is not None
    assert new.id != scene.user.id
    login_as(again, new)
    cast = again.post(f"/cycles/{cycle.slug}/ballot/cast", data={f"p-{scene.proposal.id}": "1"})
    assert cast.status_code == 409
    assert b"already voted" in cast.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChoice)) == ballots


def test_remove_contributions_where_nothing_depends_on_them(client):
    scene = rich_resident("proposals")
    pending = create_proposal(scene.cycle, area=scene.area, status="pending", author=scene.user)
    ids = (pending.id, scene.proposal.id, scene.offer.id)
    login_as(client, scene.user)
    assert _erase_by_form(client, remove_contributions="y").status_code == 200
    db.session.expire_all()
    assert db.session.get(Proposal, ids[0]) is None  # nobody built on it
    assert db.session.get(Proposal, ids[1]) is not None  # approved: it stays
    assert db.session.get(type(scene.offer), ids[2]) is None  # offered, not yet valued


def test_officer_erases_an_account_and_offline_contact_details(client):
    scene = rich_resident()
    offline = create_proposal(
        scene.cycle,
        area=scene.area,
        channel="letter",
        contact_name="Karl Offline",
        contact_details="Möllendorffstr. 6, 10367 Berlin",
    )
    elsewhere = client.application.test_client()
    login_as(elsewhere, create_user("officer", officer_areas=(scene.cycle.areas[1].area,)))
    refused = elsewhere.post("/privacy/requests/account", data={"email": EMAIL, "confirm": "y"})
    assert refused.status_code == 422  # a resident outside the officer's areas
    officer = create_user("officer")
    login_as(client, officer)
    assert client.get("/privacy/requests").status_code == 200
    response = client.post(
        "/privacy/requests/contact", data={"name": " karl offline ", "confirm": "y"}
    )
    assert response.status_code == 302
    response = client.post("/privacy/requests/account", data={"email": EMAIL, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _traces(EMAIL, NAME, ADDRESS, "Karl Offline", "Möllendorffstr") == []
    assert db.session.get(Proposal, offline.id).title  # the proposal stays
    assert db.session.get(AccountErasure, scene.user.id).via == "officer"
    # An officer cannot erase another officer; nobody twice.
    other = create_user("officer")
    refused = client.post("/privacy/requests/account", data={"email": other.email, "confirm": "y"})
    assert refused.status_code == 422


def test_erase_command_is_audited(runner):
    scene = rich_resident()
    result = runner.invoke(args=["pb", "erase", EMAIL])
    assert result.exit_code == 0, result.output
    assert f"erased account {scene.user.id}" in result.output
    db.session.expire_all()
    assert _traces(EMAIL, NAME, ADDRESS) == []
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.account_erased")
    ).one()
    assert entry.actor_label == "system"
    assert entry.after["via"] == "command"
    again = runner.invoke(args=["pb", "erase", EMAIL])
    assert again.exit_code != 0
    assert "no account" in again.output
