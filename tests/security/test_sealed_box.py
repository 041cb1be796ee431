"""The sealed ballot box (issue 12, item 2): what a database reader sees while voting is open,
what the close produces, the key, and a refused cast that only refuses (issue 12, item 6).

Ballots of every channel (website, API, paper, voting code) are cast through the real stack;
the database is then read as a reader of its tables would. PostgreSQL-only checks of system
columns (xmin, ctid) and of the close's locks are in test_sealed_box_pg.py.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pbplatform import create_app
from pbplatform.api.models import ApiIdempotencyKey
from pbplatform.api.services import create_token
from pbplatform.ballotbox.models import BallotBoxKey, SealedBallot
from pbplatform.channels.codes import generate_codes, redeem_code
from pbplatform.channels.models import VotingSite
from pbplatform.channels.paper import enter_paper_ballot
from pbplatform.cycles.models import CyclePhase
from pbplatform.cycles.services import open_phase
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.voting.models import Ballot, BallotChoice
from tests.factories import create_area, create_cycle, create_proposal, create_user, login_as
from tests.sealed import sealed_contents


@pytest.fixture
def box_scene(app, db):
    home = create_area("Sealed area")
    # 35,000: three 10,000 projects fit, four make a paper ballot invalid.
    cycle = create_cycle("voting", areas=[home], area_budget=35_000_00)
    proposals = [
        create_proposal(cycle, area=home, cost=10_000_00, title=f"Sealed choice {n}")
        for n in range(4)
    ]
    officer = create_user("officer", officer_areas=(home,))
    site = VotingSite(cycle_id=cycle.id, area_id=home.id, name="Hall", address="Main St 1")
    db.session.add(site)
    db.session.flush()
    return {"cycle": cycle, "home": home, "proposals": proposals, "officer": officer, "site": site}


def _cast_every_channel(app, db, scene) -> Counter:
    """Ballots by web, API (with an Idempotency-Key), paper (one valid, one invalid) and code;
    returns what they hold: (channel, area, validity, sorted proposal ids)."""
    cycle, home, props = scene["cycle"], scene["home"], scene["proposals"]
    expected: Counter = Counter()
    for n in range(3):  # web: 1, 2 and 3 projects
        voter = create_user("resident", area=home)
        client = app.test_client()
        login_as(client, voter)
        chosen = props[: n + 1]
        body = {f"p-{p.id}": "1" for p in chosen}
        assert client.post(f"/cycles/{cycle.slug}/ballot/cast", data=body).status_code == 200
        expected[("online", home.id, True, tuple(sorted(p.id for p in chosen)))] += 1
    api_voter = create_user("resident", area=home)
    token = create_token(api_voter, "app")[1]
    response = app.test_client().post(
        f"/api/v1/cycles/{cycle.slug}/ballot",
        json={"selections": [{"proposal_id": props[3].id}]},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "cast-once"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    expected[("online", home.id, True, (props[3].id,))] += 1
    officer, site = scene["officer"], scene["site"]
    enter_paper_ballot(cycle, site, "S-1", home.code, [(str(props[1].id), "1")], actor=officer)
    expected[("paper", home.id, True, (props[1].id,))] += 1
    over = [(str(p.id), "1") for p in props]  # 40,000 over a 35,000 budget: invalid
    invalid = enter_paper_ballot(cycle, site, "S-2", home.code, over, actor=officer)
    assert not invalid.is_valid
    expected[("paper", home.id, False, ())] += 1
    _batch, codes = generate_codes(cycle, 1, "letters", home.id)
    redeem_code(cycle, codes[0], {props[2].id: 1})
    expected[("code", home.id, True, (props[2].id,))] += 1
    db.session.flush()
    return expected


def _stored(db, cycle) -> Counter:
    ballots = db.session.scalars(sa.select(Ballot).where(Ballot.cycle_id == cycle.id)).all()
    return Counter(
        (b.channel, b.area_id, b.is_valid, tuple(sorted(c.proposal_id for c in b.choices)))
        for b in ballots
    )


def _sealed(db, cycle) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(SealedBallot.id)).where(SealedBallot.cycle_id == cycle.id)
    )


def _choices_rows(db, cycle) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(BallotChoice)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.cycle_id == cycle.id)
    )


def test_while_voting_a_database_reader_sees_who_voted_but_no_choice(app, db, box_scene):
    cycle = box_scene["cycle"]
    expected = _cast_every_channel(app, db, box_scene)
    # Nothing of the cycle is in the ordinary ballot tables: no choice, no interim tally.
    assert (
        db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(Ballot.cycle_id == cycle.id))
        == 0
    )
    assert _choices_rows(db, cycle) == 0
    sealed = db.session.scalars(sa.select(SealedBallot).where(SealedBallot.cycle_id == cycle.id))
    sealed = list(sealed)
    assert len(sealed) == sum(expected.values()) == 7
    assert Counter(s.channel for s in sealed) == Counter({"online": 4, "paper": 2, "code": 1})
    # One to four choices, yet every sealed ballot has the same length (padded): the length
    # does not tell how many projects a voter chose.
    assert len({len(s.sealed) for s in sealed}) == 1
    # The rows do hold the ballots (the cycle's private key opens them), but not readably.
    contents = sealed_contents(cycle)
    assert sorted(len(c[3]) for c in contents) == [0, 1, 1, 1, 1, 2, 3]
    for row, content in zip(sealed, sealed_contents(cycle), strict=True):
        choices = json.dumps(content[3], separators=(",", ":")).encode()
        # an empty ballot's "[]" is two bytes, which 1 KB of ciphertext holds by chance about
        # once in 60 ballots: only choices long enough to mean something are looked for
        if len(choices) >= 8:
            assert choices not in row.sealed
    # A paper serial is in the clear nowhere (only a keyed hash, for uniqueness).
    dump = repr([(s.serial_hash, s.sealed) for s in sealed]).encode()
    assert b"S-1" not in dump
    assert b"S-2" not in dump
    # The database holds the public key only; it cannot open the box.
    (stored_key,) = db.session.scalars(
        sa.select(BallotBoxKey.public_key).where(BallotBoxKey.cycle_id == cycle.id)
    )
    assert len(bytes.fromhex(stored_key)) == 32
    from nacl.exceptions import CryptoError
    from nacl.public import PrivateKey, SealedBox

    with pytest.raises(CryptoError):
        SealedBox(PrivateKey.generate()).decrypt(sealed[0].sealed)
    # The API's idempotency record is tied to the cycle, to be forgotten at the close.
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ApiIdempotencyKey.id)).where(
                ApiIdempotencyKey.cycle_id == cycle.id
            )
        )
        == 1
    )


def test_the_close_produces_exactly_the_cast_ballots_and_destroys_the_box(app, db, box_scene):
    cycle = box_scene["cycle"]
    expected = _cast_every_channel(app, db, box_scene)
    open_phase(cycle, "counting")
    db.session.flush()
    db.session.expire_all()
    assert _stored(db, cycle) == expected  # none lost, none doubled, every channel
    assert _choices_rows(db, cycle) == 1 + 2 + 3 + 1 + 1 + 0 + 1
    serials = db.session.scalars(
        sa.select(Ballot.serial).where(Ballot.cycle_id == cycle.id, Ballot.serial.is_not(None))
    )
    assert sorted(serials) == ["S-1", "S-2"]
    invalid = db.session.scalars(sa.select(Ballot).where(Ballot.serial == "S-2")).one()
    assert invalid.invalid_reason
    points = db.session.scalars(
        sa.select(BallotChoice.points)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.cycle_id == cycle.id)
    ).all()
    assert set(points) == {Decimal(1)}
    assert _sealed(db, cycle) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ApiIdempotencyKey.id)).where(
                ApiIdempotencyKey.cycle_id == cycle.id
            )
        )
        == 0
    )


def test_cumulative_points_survive_the_box(db, box_scene):
    from pbplatform.voting.services import cast_ballot

    cycle, home, props = box_scene["cycle"], box_scene["home"], box_scene["proposals"]
    cycle.ballot_rule, cycle.points_total = "cumulative", Decimal(5)
    cast_ballot(cycle, "user:c1", {props[0].id: "2.5", props[1].id: "0.25"}, area_id=home.id)
    open_phase(cycle, "counting")
    db.session.flush()
    rows = db.session.execute(
        sa.select(BallotChoice.proposal_id, BallotChoice.points)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.cycle_id == cycle.id)
    ).all()
    assert sorted(rows) == sorted([(props[0].id, Decimal("2.5")), (props[1].id, Decimal("0.25"))])


def test_a_rotated_secret_still_opens_the_box_a_lost_one_changes_nothing(app, db, box_scene):
    from pbplatform.voting.services import cast_ballot

    cycle, home, props = box_scene["cycle"], box_scene["home"], box_scene["proposals"]
    app.config["BALLOT_BOX_SECRET"] = "first-secret"
    cast_ballot(cycle, "user:r1", {props[0].id: 1}, area_id=home.id)
    try:
        app.config["BALLOT_BOX_SECRET"] = "second-secret"  # the old one dropped: refused
        with pytest.raises(DomainError) as refused, db.session.begin_nested():
            open_phase(cycle, "counting")
        assert refused.value.code == "ballot_box_key_missing"
        assert refused.value.status == 503
        db.session.refresh(cycle)
        assert cycle.phase == "voting"
        assert _sealed(db, cycle) == 1
        # Rotated: the new secret first (it seals new cycles), the old one still opens this.
        app.config["BALLOT_BOX_SECRET"] = "second-secret first-secret"
        cast_ballot(cycle, "user:r2", {props[1].id: 1}, area_id=home.id)
        open_phase(cycle, "counting")
        db.session.flush()
        assert _stored(db, cycle) == Counter(
            {
                ("online", home.id, True, (props[0].id,)): 1,
                ("online", home.id, True, (props[1].id,)): 1,
            }
        )
    finally:
        app.config["BALLOT_BOX_SECRET"] = None


def test_production_refuses_to_start_without_a_ballot_box_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-the-test-only")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    monkeypatch.setenv("TRUSTED_HOSTS", "pb.council.example")
    monkeypatch.delenv("BALLOT_BOX_SECRET", raising=False)
    with pytest.raises(KeyError, match="BALLOT_BOX_SECRET"):
        create_app({"ENV_NAME": "production"})


# --- a refused cast only refuses (issue 12, item 6) ---------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE", "LOCK", "CLUSTER")


@pytest.fixture
def writes(app):
    """Statements that write, run while the test is inside the block."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):  # noqa: ANN001
        if statement.lstrip().upper().startswith(WRITES):
            seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", listen)


def test_a_cast_after_the_closing_time_only_refuses(app, db, box_scene, writes):
    """The closing time has passed but nobody has closed voting yet: web, API, paper and code
    casts are refused (409) without running the close (no lock, no phase change, no write)."""
    cycle, home, props = box_scene["cycle"], box_scene["home"], box_scene["proposals"]
    db.session.add(
        CyclePhase(cycle_id=cycle.id, phase="counting", starts_at=utcnow() - timedelta(minutes=1))
    )
    voter = create_user("resident", area=home)
    token = create_token(voter, "app")[1]
    _batch, codes = generate_codes(cycle, 1, "letters", home.id)
    db.session.commit()
    writes.clear()
    client = app.test_client()
    login_as(client, voter)
    web = client.post(f"/cycles/{cycle.slug}/ballot/cast", data={f"p-{props[0].id}": "1"})
    api = app.test_client().post(
        f"/api/v1/cycles/{cycle.slug}/ballot",
        json={"selections": [{"proposal_id": props[0].id}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert web.status_code == 409
    assert api.status_code == 409, api.get_data(as_text=True)
    for refused_cast in (
        lambda: enter_paper_ballot(
            cycle, box_scene["site"], "S-9", home.code, [(str(props[0].id), "1")]
        ),
        lambda: redeem_code(cycle, codes[0], {props[0].id: 1}),
    ):
        with pytest.raises(DomainError) as refused, db.session.begin_nested():
            refused_cast()
        assert refused.value.code == "voting_closed"
    # The close's footprint: a phase change, its audit entry, locks, the ballot tables.
    footprint = ("cycles", "audit_entries", "participations", "ballot", "LOCK", "CLUSTER")
    assert [s for s in writes if any(name in s for name in footprint)] == []
    db.session.expire_all()
    assert cycle.phase == "voting"  # the close is the officer's (or the calendar job's) act


def test_the_audit_log_keeps_no_plain_paper_serial(db, box_scene):
    """Attack 2026-12-07, B6: a paper ballot entered without a checked voter was audited with
    its plain serial, though the README says a database reader during voting sees only a
    keyed hash of a serial. The entry keeps a keyed hash (not the sealed row's own, so the two
    tables cannot be joined on it): who holds the key can still find a serial's entry."""
    from pbplatform.audit.models import AuditEntry, AuditPersonal
    from pbplatform.ballotbox.services import audit_serial_hash

    cycle, home, props = box_scene["cycle"], box_scene["home"], box_scene["proposals"]
    enter_paper_ballot(
        cycle,
        box_scene["site"],
        "FEN-0002",
        home.code,
        [(str(props[0].id), "1")],
        actor=box_scene["officer"],
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "paper.ballot_entered")
    ).one()
    personal = db.session.get(AuditPersonal, entry.id)
    stored = json.dumps([entry.after, entry.before, personal.data, personal.actor_label])
    assert "FEN-0002" not in stored
    assert entry.after["serial_hash"] == audit_serial_hash(cycle, "FEN-0002")
    sealed_hashes = set(db.session.scalars(sa.select(SealedBallot.serial_hash)))
    assert entry.after["serial_hash"] not in sealed_hashes
