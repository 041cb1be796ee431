"""Ballot secrecy by separation (INV-6, case 40) and the one-vote constraint (INV-1, case 1b)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from pbplatform.voting.models import Ballot
from pbplatform.voting.services import cast_ballot
from tests.sealed import unseal


def _columns(inspector, table):
    return {c["name"]: c for c in inspector.get_columns(table)}


def test_ballots_hold_no_link_to_people_or_participations(db):
    inspector = sa.inspect(db.session.connection())
    for table in ("ballots", "ballot_choices"):
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert not targets & {"users", "participations"}, table
        names = set(_columns(inspector, table))
        assert not {n for n in names if n.startswith(("user", "voter", "participation"))}, table
        for name, column in _columns(inspector, table).items():
            # Dates only: no time finer than the day that could be joined to a login or log.
            assert not isinstance(column["type"], sa.DateTime | sa.Time), (table, name)
    participation_fks = {
        fk["referred_table"] for fk in inspector.get_foreign_keys("participations")
    }
    assert "ballots" not in participation_fks
    assert not isinstance(_columns(inspector, "participations")["voted_on"]["type"], sa.DateTime)


def test_ballot_choices_have_no_sequence(db):
    pk = sa.inspect(db.session.connection()).get_pk_constraint("ballot_choices")
    assert set(pk["constrained_columns"]) == {"ballot_id", "proposal_id"}


def test_one_participation_per_voter_and_cycle_constraint_exists(db):
    """(cycle_id, voter_key) is unique: as the primary key (no serial id), or a UNIQUE."""
    inspector = sa.inspect(db.session.connection())
    keys = [set(u["column_names"]) for u in inspector.get_unique_constraints("participations")]
    pk = inspector.get_pk_constraint("participations")
    keys.append(set(pk["constrained_columns"]))
    assert {"cycle_id", "voter_key"} in keys
    assert pk["name"] == "pk_participations"


def test_participations_have_no_sequence(db):
    """A serial id would number the voters in cast order, next to the ballots."""
    inspector = sa.inspect(db.session.connection())
    pk = inspector.get_pk_constraint("participations")
    assert set(pk["constrained_columns"]) == {"cycle_id", "voter_key"}
    assert "id" not in _columns(inspector, "participations")


def test_ballots_carry_no_date_at_all(db):
    for table in ("ballots", "ballot_choices"):
        for name, column in _columns(sa.inspect(db.session.connection()), table).items():
            assert not isinstance(column["type"], sa.Date | sa.DateTime | sa.Time), (table, name)


def test_ballot_ids_are_random_uuids(db, scene):
    for n in range(3):
        cast_ballot(scene.cycle, f"user:t{n}", {scene.a30.id: 1}, area_id=scene.home.id)
    assert unseal(scene.cycle) == 3
    ids = db.session.scalars(sa.select(Ballot.id).where(Ballot.cycle_id == scene.cycle.id)).all()
    for value in ids:
        assert uuid.UUID(value).version == 4
    assert len(set(ids)) == 3
