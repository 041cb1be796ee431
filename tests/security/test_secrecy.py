"""Ballot secrecy at rest (security case 40, INV-6), across the whole schema and app.

Cast order: twelve ballots are cast through the web form in a known order. Sorting ballots
or ballot_choices by any column (ties broken by the random ballot id, as any query that
wants a definite order must) never reproduces that order; by chance that would happen with
probability 1/12! (about 2e-9), so the test is deterministic in practice.

Physical order too: SQLite's hidden rowid and PostgreSQL's heap order (ctid) follow insertion,
and participations.id used to be a serial, so someone with raw database access could read
ballots and voters in storage order and pair the two lists. Now participations have no serial
(their key is (cycle_id, voter_key)); on SQLite participations, ballots and ballot_choices are
WITHOUT ROWID tables, stored in key order. While voting is open the ballots are sealed
(pbplatform.ballotbox): the ballot tables hold nothing of the cycle; the close writes them in
random order, all in its one transaction. The PostgreSQL system columns (xmin, ctid) are
checked in test_sealed_box_pg.py.
"""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbplatform.cycles.services import open_phase
from pbplatform.db import today
from pbplatform.voting.models import Ballot, BallotChoice, Participation
from tests.factories import create_area, create_cycle, create_proposal, create_user, login_as
from tests.sealed import unseal
from tests.security.conftest import app_rules, fill_rule

VOTERS = 12

USER_REFERENCE_COLUMNS = {
    "user_id",
    "voter_id",
    "voter_key",
    "author_id",
    "actor_id",
    "officer_id",
    "created_by_id",
    "offerer_id",
}
BALLOT_CONTENT_COLUMNS = {"ballot_id", "points", "stance", "choices", "selections"}


@pytest.fixture
def cast_scene(app, db, client):
    """Twelve voters cast twelve different ballots in a known order; voting then closes (the
    ballots are sealed until then). `order` is the ballot ids in cast order, found by content."""
    home = create_area("Secret area")
    cycle = create_cycle("voting", areas=[home, create_area()])
    proposals = [
        create_proposal(cycle, area=home, cost=10_000_00, title=f"Secret choice {n}")
        for n in range(4)
    ]
    voters = [
        create_user("resident", area=home, name=f"Voter number {n:02d}") for n in range(VOTERS)
    ]
    # Voters cast in an order unrelated to their accounts' order (and so to their voter keys).
    casting = list(voters)
    random.Random(40).shuffle(casting)
    subsets = [c for k in (1, 2, 3, 4) for c in itertools.combinations(proposals, k)]
    cast_sets = []
    for voter, chosen in zip(casting, subsets, strict=False):
        voter_client = app.test_client()
        login_as(voter_client, voter)
        body = {f"p-{p.id}": "1" for p in chosen}
        response = voter_client.post(f"/cycles/{cycle.slug}/ballot/cast", data=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        cast_sets.append(tuple(sorted(p.id for p in chosen)))
    open_phase(cycle, "counting")
    db.session.flush()
    by_set = {
        tuple(sorted(c.proposal_id for c in b.choices)): b.id
        for b in db.session.scalars(sa.select(Ballot).where(Ballot.cycle_id == cycle.id))
    }
    return {
        "cycle": cycle,
        "order": [by_set[s] for s in cast_sets],
        "voters": voters,
        "proposals": proposals,
        "voter_keys": [f"user:{v.id}" for v in casting],
    }


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


def _scan(db, table, column, cycle_id):
    """`column` of `table` in storage order (SQLite: a table scan; PostgreSQL: ctid)."""
    if db.engine.dialect.name == "sqlite":
        sql = f"SELECT {column} FROM {table} NOT INDEXED"
    else:
        sql = f"SELECT {column} FROM {table} ORDER BY ctid"
    rows = db.session.execute(sa.text(sql)).scalars().all()
    mine = {
        str(v) for v in db.session.scalars(sa.select(Ballot.id).where(Ballot.cycle_id == cycle_id))
    }
    if table == "participations":
        return rows
    return _distinct(r for r in rows if str(r) in mine)


def _by_key(db, column, cycle_id):
    """`column` of the cycle's rows ordered by the database (its collation, not Python's)."""
    return db.session.scalars(
        sa.select(column).where(column.table.c.cycle_id == cycle_id).order_by(column)
    ).all()


def test_storage_order_does_not_reproduce_the_cast_order(db, cast_scene):
    """Read in storage order after the close, ballots and their choices are not in cast order.

    SQLite stores the WITHOUT ROWID tables in key order (random ballot ids, voter keys); on
    PostgreSQL the close wrote the ballots in random order (the voters' roll, participations,
    may follow cast order there: it says who voted, and no ballot is in that order).
    """
    cycle, order, keys = cast_scene["cycle"], cast_scene["order"], cast_scene["voter_keys"]
    ballots = _scan(db, "ballots", "id", cycle.id)
    choices = _scan(db, "ballot_choices", "ballot_id", cycle.id)
    voters = [k for k in _scan(db, "participations", "voter_key", cycle.id) if k in keys]
    assert sorted(ballots) == sorted(order)
    assert sorted(voters) == sorted(keys)
    assert choices == ballots  # each ballot's choices stored together, in the ballots' order
    if db.engine.dialect.name == "sqlite":
        for table in ("participations", "ballots", "ballot_choices"):
            with pytest.raises(sa.exc.OperationalError, match="rowid"), db.session.begin_nested():
                db.session.execute(sa.text(f"SELECT rowid FROM {table}"))
        assert ballots == _by_key(db, Ballot.id, cycle.id)
        assert voters == _by_key(db, Participation.voter_key, cycle.id)
        assert voters != keys
        assert voters != keys[::-1]
    # Not the cast order (12 ballots: chance 1/12! each way).
    for found in (ballots, choices):
        assert found != order
        assert found != order[::-1]


def test_no_table_holds_both_a_person_and_ballot_content(db):
    offenders = []
    for name, table in db.metadata.tables.items():
        columns = {c.name for c in table.columns}
        refers = {fk.column.table.name for fk in table.foreign_keys}
        has_person = "users" in refers or bool(columns & USER_REFERENCE_COLUMNS)
        has_ballot = (
            name in ("ballots", "ballot_choices")
            or bool(refers & {"ballots", "ballot_choices"})
            or bool(columns & BALLOT_CONTENT_COLUMNS)
        )
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
        values = {
            "slug": cycle.slug,
            "cycle_id": cycle.id,
            "area_id": voter.home_area_id,
            "user_id": voter.id,
            "tracking_number": proposals[0].tracking_number,
            "offer_id": 0,
            "meeting_id": 0,
            "site_id": 0,
            "number": 1,
            "token_id": 0,
            "token": "x",
            "export_id": 0,
            "job_id": 0,
            "file_name": "A" * 32 + ".jpg",  # a milestone photo (delivery)
            "comment_id": 0,
            "amendment_id": 0,
            "row_id": 0,
            "consent_id": 0,
            "request_id": 0,
            "follow_id": 0,
            "answer": "accept",
            "list_key": "district",
            "routing_id": 0,
            "survey_id": 0,
            "question_id": 0,
            "reason": "too-many",
        }
        for rule in app_rules(app):
            if "GET" not in rule.methods:
                continue
            body = client.get(fill_rule(rule, values)).get_data(as_text=True)
            if voter.display_name in body or voter.email in body:
                checked += 1
                leaked = [p.title for p in proposals if p.title in body]
                assert not leaked, (rule.rule, voter.display_name, leaked)
    assert checked >= 3  # at least the admin's user page names each voter


def test_ballots_carry_no_day_the_receipt_shows_it_unstored(app, db):
    """A ballot day next to the participation day would join the two tables on a quiet day.

    Ballots have no date or time column at all; the voter's receipt shows today's date, and
    only the participation keeps the day.
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
        response = client.post(f"/cycles/{cycle.slug}/ballot/cast", data={f"p-{proposal.id}": "1"})
        assert response.status_code == 200
        assert today().isoformat() in response.get_data(as_text=True)  # the receipt's day
    assert unseal(cycle) == 2  # sealed while voting is open (tests.sealed)
    for table in ("ballots", "ballot_choices"):
        for column in db.metadata.tables[table].columns:
            assert not isinstance(column.type, sa.Date | sa.DateTime | sa.Time), column
    voted = set(
        db.session.scalars(
            sa.select(Participation.voted_on).where(Participation.cycle_id == cycle.id)
        )
    )
    assert voted == {today()}
