"""Ballot secrecy at rest (security case 40, INV-6), across the whole schema and app.

Cast order: twelve ballots are cast through the web form in a known order. Sorting ballots
or ballot_choices by any column (ties broken by the random ballot id, as any query that
wants a definite order must) never reproduces that order; by chance that would happen with
probability 1/12! (about 2e-9), so the test is deterministic in practice.

Physical order too: SQLite's hidden rowid and PostgreSQL's heap order (ctid) follow insertion,
and participations.id used to be a serial, so someone with raw database access could read
ballots and voters in storage order and pair the two lists. Now participations have no serial
(their key is (cycle_id, voter_key)); on SQLite participations, ballots and ballot_choices are
WITHOUT ROWID tables, stored in key order; on PostgreSQL closing voting rewrites the three
tables in key order (CLUSTER) and gives every row of the cycle the same xmin. While voting is
open a DBA can still watch rows arrive; WAL and backups are outside this (see
voting.services.scramble_storage_order).
"""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Area, Cycle
from pbplatform.cycles.services import open_phase
from pbplatform.db import today
from pbplatform.extensions import db as _db
from pbplatform.voting.models import Ballot, BallotChoice, Participation
from tests.concurrency import purge_cycle
from tests.conftest import IsolatedClient
from tests.factories import create_area, create_cycle, create_proposal, create_user, login_as
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
    order = []
    for n, voter in enumerate(casting):
        before = set(db.session.scalars(sa.select(Ballot.id)))
        voter_client = app.test_client()
        login_as(voter_client, voter)
        # Varied choices, so ballot_choices is not the same rows for everybody.
        body = {f"p-{proposals[(n + k) % 4].id}": "1" for k in range(1 + n % 3)}
        response = voter_client.post(f"/cycles/{cycle.slug}/ballot/cast", data=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        (new,) = set(db.session.scalars(sa.select(Ballot.id))) - before
        order.append(new)
    return {
        "cycle": cycle,
        "order": order,
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
    """Read in storage order, ballots, their choices and participations follow their keys.

    On PostgreSQL the heap follows insertion until voting closes, so the scene's voting is
    closed through the phase service first (it rewrites the tables); SQLite stores the
    WITHOUT ROWID tables in key order from the start.
    """
    cycle, order, keys = cast_scene["cycle"], cast_scene["order"], cast_scene["voter_keys"]
    if db.engine.dialect.name == "sqlite":
        for table in ("participations", "ballots", "ballot_choices"):
            with pytest.raises(sa.exc.OperationalError, match="rowid"), db.session.begin_nested():
                db.session.execute(sa.text(f"SELECT rowid FROM {table}"))
    else:
        open_phase(cycle, "counting")
    ballots = _scan(db, "ballots", "id", cycle.id)
    choices = _scan(db, "ballot_choices", "ballot_id", cycle.id)
    voters = [k for k in _scan(db, "participations", "voter_key", cycle.id) if k in keys]
    assert sorted(ballots) == sorted(order)
    assert sorted(voters) == sorted(keys)
    # Storage order is key order: random ballot ids, and the voters' keys.
    assert ballots == _by_key(db, Ballot.id, cycle.id)
    assert choices == ballots
    assert voters == _by_key(db, Participation.voter_key, cycle.id)
    # ... which is not the cast order (for ballots: 12 random ids, chance 1/12! each way).
    for found, cast in ((ballots, order), (choices, order), (voters, keys)):
        assert found != cast
        assert found != cast[::-1]


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
    assert (
        db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(Ballot.cycle_id == cycle.id))
        == 2
    )
    for table in ("ballots", "ballot_choices"):
        for column in db.metadata.tables[table].columns:
            assert not isinstance(column.type, sa.Date | sa.DateTime | sa.Time), column
    voted = set(
        db.session.scalars(
            sa.select(Participation.voted_on).where(Participation.cycle_id == cycle.id)
        )
    )
    assert voted == {today()}


# --- PostgreSQL, real commits: casts in their own transactions, then the close --------------


def _pg_scene(app, voters=VOTERS):
    with app.app_context():
        home = create_area()
        cycle = create_cycle("voting", areas=[home])
        proposal = create_proposal(cycle, area=home, cost=1_000_00)
        voters = [create_user("resident", area=home) for _ in range(voters)]
        _db.session.commit()
        return {
            "area": home.id,
            "cycle": cycle.id,
            "slug": cycle.slug,
            "proposal": proposal.id,
            "users": [v.id for v in voters],
            "logins": [v.get_id() for v in voters],
        }


def _pg_cleanup(app, ids):
    purge_cycle(
        app,
        ids["cycle"],
        then=(
            sa.delete(User).where(User.id.in_(ids["users"])),
            sa.delete(Area).where(Area.id == ids["area"]),
        ),
    )


def _pg_cast(app, ids, login):
    """One cast through the web form, committed by its own request; returns the new ballot id."""
    with app.app_context():
        before = set(
            _db.session.scalars(sa.select(Ballot.id).where(Ballot.cycle_id == ids["cycle"]))
        )
        _db.session.rollback()
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    with client.session_transaction() as session:
        session["_user_id"] = login
        session["_fresh"] = True
    response = client.post(f"/cycles/{ids['slug']}/ballot/cast", data={f"p-{ids['proposal']}": "1"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    with app.app_context():
        (new,) = (
            set(_db.session.scalars(sa.select(Ballot.id).where(Ballot.cycle_id == ids["cycle"])))
            - before
        )
        _db.session.rollback()
    return new


def _pg_rows(table, column, cycle_id):
    where = (
        "ballot_id IN (SELECT id FROM ballots WHERE cycle_id = :c)"
        if table == "ballot_choices"
        else "cycle_id = :c"
    )
    return _db.session.execute(
        sa.text(f"SELECT {column}, xmin::text FROM {table} WHERE {where} ORDER BY ctid"),
        {"c": cycle_id},
    ).all()


@pytest.mark.postgres
def test_closing_voting_rewrites_storage_order_on_postgres(app):
    """Twelve committed casts, then the close through the phase service: read in heap order
    (ctid) ballots, choices and participations follow their keys, not the cast order, and
    every row carries the closing transaction's xmin, not its cast's."""
    ids = _pg_scene(app)
    try:
        casting = list(zip(ids["users"], ids["logins"], strict=True))
        random.Random(40).shuffle(casting)  # cast order unrelated to the voter keys
        order = [_pg_cast(app, ids, login) for _, login in casting]
        keys = [f"user:{user_id}" for user_id, _ in casting]
        with app.app_context():
            # Before the close the defect is real: each cast has its own transaction (xmin).
            assert len({x for _, x in _pg_rows("ballots", "id", ids["cycle"])}) == VOTERS
            _db.session.rollback()
            closer = threading.Thread(target=_pg_close, args=(app, ids["cycle"]))
            closer.start()
            closer.join(60)
            ballots = _pg_rows("ballots", "id", ids["cycle"])
            choices = _pg_rows("ballot_choices", "ballot_id", ids["cycle"])
            voters = _pg_rows("participations", "voter_key", ids["cycle"])
            by_key = _db.session.scalars(
                sa.select(Ballot.id).where(Ballot.cycle_id == ids["cycle"]).order_by(Ballot.id)
            ).all()
            voter_keys = _db.session.scalars(
                sa.select(Participation.voter_key)
                .where(Participation.cycle_id == ids["cycle"])
                .order_by(Participation.voter_key)
            ).all()
            phase = _db.session.get(Cycle, ids["cycle"]).phase
            _db.session.rollback()
        assert phase == "counting"
        assert sorted(by_key) == sorted(order)
        assert sorted(voter_keys) == sorted(keys)
        assert [b for b, _ in ballots] == by_key == [c for c, _ in choices]
        assert [v for v, _ in voters] == voter_keys
        assert [b for b, _ in ballots] != order
        assert by_key != order[::-1]
        assert voter_keys != keys
        assert len({x for _, x in ballots + choices + voters}) == 1
    finally:
        _pg_cleanup(app, ids)


def _pg_close(app, cycle_id):
    """Close voting in its own thread and transaction, as the officer's request would."""
    with app.app_context():
        open_phase(_db.session.get(Cycle, cycle_id), "counting")
        _db.session.commit()


@pytest.mark.postgres
def test_closing_voting_waits_for_a_cast_in_another_cycle_without_deadlock(app):
    """The close locks participations, ballots, ballot_choices in the order casts write them.

    A cast in another cycle has written its participation, not yet its ballot: the close
    waits for it, and the cast can still write its ballot (in the other lock order the two
    would deadlock and PostgreSQL would abort one of them).
    """
    closing, other = _pg_scene(app, voters=0), _pg_scene(app, voters=0)
    closer = threading.Thread(target=_pg_close, args=(app, closing["cycle"]))
    try:
        with app.app_context():
            _db.session.add(
                Participation(cycle_id=other["cycle"], voter_key="flight:1", channel="online")
            )
            _db.session.flush()
            closer.start()
            closer.join(1.5)
            assert closer.is_alive()  # the close waits for the cast in flight
            ballot = Ballot(cycle_id=other["cycle"], area_id=other["area"], channel="online")
            ballot.choices = [BallotChoice(proposal_id=other["proposal"])]
            _db.session.add(ballot)
            _db.session.flush()
            _db.session.commit()
        closer.join(60)
        assert not closer.is_alive()
        with app.app_context():
            assert _db.session.get(Cycle, closing["cycle"]).phase == "counting"
            assert (
                _db.session.scalar(
                    sa.select(sa.func.count(Ballot.id)).where(Ballot.cycle_id == other["cycle"])
                )
                == 1
            )
            _db.session.rollback()
    finally:
        closer.join(60)
        _pg_cleanup(app, closing)
        _pg_cleanup(app, other)
