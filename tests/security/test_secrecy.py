"""Ballot secrecy at rest (security case 40, INV-6), across the whole schema and app.

Cast order: twelve ballots are cast through the web form in a known order. Sorting ballots
or ballot_choices by any column (ties broken by the random ballot id, as any query that
wants a definite order must) never reproduces that order; by chance that would happen with
probability 1/12! (about 2e-9), so the test is deterministic in practice.

Physical order is another matter: SQLite's hidden rowid and PostgreSQL's ctid follow
insertion, so someone with raw database access who reads ballots in storage order recovers
the cast order, and participations.id (a serial) gives the voters in the same order: the
two lists pair up. Case 40 names columns, which hold; this storage-order gap (reachable only
with direct database access, not through the app) is pinned by a strict xfail below so that
a fix makes it visible. Fixing it needs the schema (a random participations key, `WITHOUT
ROWID` ballot tables on SQLite) or operations (`CLUSTER ballots USING ballots_pkey` on
PostgreSQL); reported to the lead.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbplatform.db import today
from pbplatform.voting.models import Ballot, BallotChoice, Participation
from tests.factories import create_area, create_cycle, create_proposal, create_user, login_as
from tests.security.conftest import app_rules, fill_rule

VOTERS = 12

USER_REFERENCE_COLUMNS = {"user_id", "voter_id", "voter_key", "author_id", "actor_id",
                          "officer_id", "created_by_id", "offerer_id"}
BALLOT_CONTENT_COLUMNS = {"ballot_id", "points", "stance", "choices", "selections"}


@pytest.fixture
def cast_scene(app, db, client):
    home = create_area("Secret area")
    cycle = create_cycle("voting", areas=[home, create_area()])
    proposals = [create_proposal(cycle, area=home, cost=10_000_00, title=f"Secret choice {n}")
                 for n in range(4)]
    voters = [create_user("resident", area=home, name=f"Voter number {n:02d}")
              for n in range(VOTERS)]
    order = []
    for n, voter in enumerate(voters):
        before = set(db.session.scalars(sa.select(Ballot.id)))
        voter_client = app.test_client()
        login_as(voter_client, voter)
        # Varied choices, so ballot_choices is not the same rows for everybody.
        body = {f"p-{proposals[(n + k) % 4].id}": "1" for k in range(1 + n % 3)}
        response = voter_client.post(f"/cycles/{cycle.slug}/ballot/cast", data=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        (new,) = set(db.session.scalars(sa.select(Ballot.id))) - before
        order.append(new)
    return {"cycle": cycle, "order": order, "voters": voters, "proposals": proposals}


def _distinct(ids):
    seen = []
    for value in ids:
        if value not in seen:
            seen.append(value)
    return seen


def test_no_column_order_reproduces_the_cast_order(db, cast_scene):
    order = cast_scene["order"]
    tried = 0
    for model, key in ((Ballot, Ballot.id), (BallotChoice, BallotChoice.ballot_id)):
        for column in model.__table__.columns:
            for direction in (column.asc(), column.desc()):
                ids = _distinct(db.session.scalars(sa.select(key).order_by(direction, key)))
                assert ids != order, f"{model.__tablename__}.{column.name} {direction}"
                assert ids != order[::-1], f"{model.__tablename__}.{column.name} {direction}"
                tried += 1
    assert tried == 2 * (len(Ballot.__table__.columns) + len(BallotChoice.__table__.columns))


@pytest.mark.xfail(strict=True, reason="storage order (SQLite rowid, PostgreSQL ctid) follows "
                   "insertion; needs a schema change (WITHOUT ROWID) or a CLUSTER after close")
def test_storage_order_does_not_reproduce_the_cast_order(db, cast_scene):
    pseudo = "rowid" if db.engine.dialect.name == "sqlite" else "ctid"
    ids = db.session.scalars(sa.text(f"SELECT id FROM ballots ORDER BY {pseudo}")).all()
    assert ids != cast_scene["order"]


def test_no_table_holds_both_a_person_and_ballot_content(db):
    offenders = []
    for name, table in db.metadata.tables.items():
        columns = {c.name for c in table.columns}
        refers = {fk.column.table.name for fk in table.foreign_keys}
        has_person = "users" in refers or bool(columns & USER_REFERENCE_COLUMNS)
        has_ballot = (name in ("ballots", "ballot_choices")
                      or bool(refers & {"ballots", "ballot_choices"})
                      or bool(columns & BALLOT_CONTENT_COLUMNS))
        if has_person and has_ballot:
            offenders.append(name)
    assert not offenders
    # And the check is not vacuous: both kinds of table exist.
    assert "participations" in db.metadata.tables
    assert "ballot_choices" in db.metadata.tables


def test_no_page_shows_who_voted_for_what(app, db, cast_scene):
    """Every GET page, as admin, for voters: a page naming a voter names none of the choices."""
    admin = create_user("admin")
    cycle, proposals = cast_scene["cycle"], cast_scene["proposals"]
    client = app.test_client()
    login_as(client, admin)
    checked = 0
    for voter in cast_scene["voters"][:3]:
        values = {"slug": cycle.slug, "cycle_id": cycle.id, "area_id": voter.home_area_id,
                  "user_id": voter.id, "tracking_number": proposals[0].tracking_number,
                  "offer_id": 0, "meeting_id": 0, "site_id": 0, "number": 1, "token_id": 0,
                  "token": "x"}
        for rule in app_rules(app):
            if "GET" not in rule.methods:
                continue
            body = client.get(fill_rule(rule, values)).get_data(as_text=True)
            if voter.display_name in body or voter.email in body:
                checked += 1
                leaked = [p.title for p in proposals if p.title in body]
                assert not leaked, (rule.rule, voter.display_name, leaked)
    assert checked >= 3  # at least the admin's user page names each voter


def test_ballots_carry_the_rounds_day_not_the_cast_day(app, db):
    """A ballot day next to the participation day would join the two tables on a quiet day.

    Voting opened days ago (rules_frozen_at); every ballot carries that day whichever day it
    was cast, while participations keep their own day (and the voter's receipt shows it).
    """
    home = create_area()
    cycle = create_cycle("voting", areas=[home])
    cycle.rules_frozen_at -= timedelta(days=5)
    proposal = create_proposal(cycle, area=home, cost=10_000_00)
    db.session.flush()
    for _ in range(2):
        voter = create_user("resident", area=home)
        client = app.test_client()
        login_as(client, voter)
        response = client.post(f"/cycles/{cycle.slug}/ballot/cast",
                               data={f"p-{proposal.id}": "1"})
        assert response.status_code == 200
        assert today().isoformat() in response.get_data(as_text=True)  # the receipt's day
    days = set(db.session.scalars(sa.select(Ballot.cast_on).where(Ballot.cycle_id == cycle.id)))
    assert days == {cycle.rules_frozen_at.date()}
    voted = set(db.session.scalars(sa.select(Participation.voted_on).where(
        Participation.cycle_id == cycle.id)))
    assert voted == {today()}
