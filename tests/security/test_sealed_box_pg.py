"""The sealed ballot box on PostgreSQL, with real commits (issue 12 item 2, issue 17 item 5).

System columns pair rows that one transaction wrote (xmin) or show the order rows arrived
(ctid). Each cast here commits in its own request, as in production; then a reader of the
database tries to pair voters with ballots, during voting and after the close:
- during voting the ballot tables hold nothing of the cycle (the sealed rows share the
  participation's xmin, by design: they say who voted, not what);
- after the close every ballot carries the closer's xmin, their heap order is random, and the
  API's idempotency records (a serial id per API voter) are gone.
Closing one cycle touches only its ballots: a cast in another cycle completes while the close
is held open.
"""

from __future__ import annotations

import itertools
import random
import threading

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.api.models import ApiIdempotencyKey, ApiToken
from pbplatform.api.services import create_token
from pbplatform.cycles.models import Area, Cycle
from pbplatform.cycles.services import open_phase
from pbplatform.extensions import db
from tests.concurrency import purge_cycle
from tests.conftest import IsolatedClient
from tests.factories import create_area, create_cycle, create_proposal, create_user

pytestmark = pytest.mark.postgres

WEB_VOTERS, API_VOTERS = 9, 3


def _scene(app, web=WEB_VOTERS, api=API_VOTERS):
    with app.app_context():
        home = create_area()
        cycle = create_cycle("voting", areas=[home], area_budget=1_000_000_00)
        proposals = [create_proposal(cycle, area=home, cost=1_000_00) for _ in range(4)]
        web_users = [create_user("resident", area=home) for _ in range(web)]
        api_users = [create_user("resident", area=home) for _ in range(api)]
        tokens = [create_token(u, "app")[1] for u in api_users]
        db.session.commit()
        return {
            "area": home.id,
            "cycle": cycle.id,
            "slug": cycle.slug,
            "proposals": [p.id for p in proposals],
            "users": [u.id for u in web_users + api_users],
            # Token owners are named in the append-only audit log: deactivated, not deleted.
            "web_users": [u.id for u in web_users],
            "web": [(u.id, u.get_id()) for u in web_users],
            "api": [(u.id, t) for u, t in zip(api_users, tokens, strict=True)],
        }


def _cleanup(app, ids):
    purge_cycle(
        app,
        ids["cycle"],
        then=(
            sa.delete(ApiIdempotencyKey).where(ApiIdempotencyKey.user_id.in_(ids["users"])),
            sa.update(ApiToken)
            .where(ApiToken.user_id.in_(ids["users"]))
            .values(revoked_at=sa.func.now()),
            sa.delete(User).where(User.id.in_(ids["web_users"])),
            sa.update(User)
            .where(User.id.in_(ids["users"]))
            .values(is_active_account=False, home_area_id=None),
            sa.delete(Area).where(Area.id == ids["area"]),
        ),
    )


def _web_cast(app, ids, login, chosen):
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    with client.session_transaction() as session:
        session["_user_id"] = login
        session["_fresh"] = True
    body = {f"p-{pid}": "1" for pid in chosen}
    response = client.post(f"/cycles/{ids['slug']}/ballot/cast", data=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def _api_cast(app, ids, token, chosen):
    response = IsolatedClient(app, app.response_class).post(
        f"/api/v1/cycles/{ids['slug']}/ballot",
        json={"selections": [{"proposal_id": pid} for pid in chosen]},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"k-{token[:12]}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:500]


def _cast_all(app, ids):
    """Every voter casts a different set of projects, in a random order; returns
    (voter keys in cast order, choice sets in cast order)."""
    subsets = [tuple(c) for n in (1, 2, 3, 4) for c in itertools.combinations(ids["proposals"], n)]
    voters = [("web", u, login) for u, login in ids["web"]]
    voters += [("api", u, token) for u, token in ids["api"]]
    random.Random(12).shuffle(voters)
    keys, sets = [], []
    for (kind, user_id, credential), chosen in zip(voters, subsets, strict=False):
        (_web_cast if kind == "web" else _api_cast)(app, ids, credential, chosen)
        keys.append(f"user:{user_id}")
        sets.append(chosen)
    return keys, sets


def _q(sql, ids):
    return db.session.execute(sa.text(sql), {"c": ids["cycle"]}).all()


XMIN_LINK = (
    "SELECT p.voter_key, b.id FROM participations p JOIN ballots b "
    "ON b.xmin = p.xmin AND b.cycle_id = p.cycle_id WHERE p.cycle_id = :c"
)
# Ballots written by the transaction right after a participation's (the old defect).
XMIN_NEXT = (
    "SELECT p.voter_key FROM participations p JOIN ballots b ON b.cycle_id = p.cycle_id "
    "AND b.xmin::text::bigint = p.xmin::text::bigint + 1 WHERE p.cycle_id = :c"
)


def _ballot_sets_in_heap_order(ids):
    """Each ballot's set of projects, in the ballots' storage order (ctid), and the same read
    through ballot_choices' storage order."""
    rows = _q(
        "SELECT b.id, array_agg(c.proposal_id ORDER BY c.proposal_id) FROM ballots b "
        "JOIN ballot_choices c ON c.ballot_id = b.id WHERE b.cycle_id = :c GROUP BY b.id",
        ids,
    )
    sets = {ballot_id: tuple(pids) for ballot_id, pids in rows}
    by_ballots = [
        sets[b] for (b,) in _q("SELECT id FROM ballots WHERE cycle_id = :c ORDER BY ctid", ids)
    ]
    seen: list[str] = []
    for (b,) in _q(
        "SELECT ballot_id FROM ballot_choices WHERE ballot_id IN "
        "(SELECT id FROM ballots WHERE cycle_id = :c) ORDER BY ctid",
        ids,
    ):
        if b not in seen:
            seen.append(b)
    return by_ballots, [sets[b] for b in seen]


def _close(app, cycle_id, hold: threading.Event | None = None, done=None):
    """Close voting in its own thread and transaction, as the officer's request would; with
    `hold`, keep the transaction open (its locks held) until `hold` is set."""
    with app.app_context():
        open_phase(db.session.get(Cycle, cycle_id), "counting")
        db.session.flush()
        if done is not None:
            done.set()
        if hold is not None:
            hold.wait(60)
        db.session.commit()


def test_no_reader_pairs_voters_with_ballots_during_voting_or_after_the_close(app):
    ids = _scene(app)
    try:
        keys, sets = _cast_all(app, ids)
        with app.app_context():
            # During voting: the ballot tables hold nothing of the cycle; nothing to pair.
            assert _q("SELECT id FROM ballots WHERE cycle_id = :c", ids) == []
            assert _q(XMIN_LINK, ids) == []
            assert _q(XMIN_NEXT, ids) == []
            # The sealed rows are the voters' roll, written by each voter's transaction.
            assert len(_q("SELECT id FROM sealed_ballots WHERE cycle_id = :c", ids)) == len(keys)
            api_keys = _q(
                "SELECT user_id FROM api_idempotency_keys WHERE cycle_id = :c ORDER BY id", ids
            )
            assert len(api_keys) == API_VOTERS
            db.session.rollback()
        closer = threading.Thread(target=_close, args=(app, ids["cycle"]))
        closer.start()
        closer.join(60)
        with app.app_context():
            assert db.session.get(Cycle, ids["cycle"]).phase == "counting"
            by_ballots, by_choices = _ballot_sets_in_heap_order(ids)
            # Exactly the cast ballots, none lost or doubled ...
            assert sorted(by_ballots) == sorted(sets) == sorted(by_choices)
            # ... in an order that is not the cast order (1/12! by chance, each way).
            for found in (by_ballots, by_choices):
                assert found != sets
                assert found != sets[::-1]
            # One transaction wrote every ballot and choice: xmin pairs nothing.
            xmins = _q(
                "SELECT DISTINCT xmin::text FROM ballots WHERE cycle_id = :c UNION "
                "SELECT DISTINCT xmin::text FROM ballot_choices WHERE ballot_id IN "
                "(SELECT id FROM ballots WHERE cycle_id = :c)",
                ids,
            )
            assert len(xmins) == 1
            assert _q(XMIN_LINK, ids) == []
            # The last voter's transaction may happen to be the one just before the close's:
            # then "next xid" joins that voter to every ballot alike, which pairs nothing. What
            # must never happen is a voter joined to some ballots and not others.
            joined = _q(XMIN_NEXT, ids)
            ballots = len(by_ballots)
            assert len({row[0] for row in joined}) <= 1
            assert len(joined) in (0, ballots)
            # The box is destroyed, and the API's records that numbered its voters are gone.
            assert _q("SELECT id FROM sealed_ballots WHERE cycle_id = :c", ids) == []
            assert _q("SELECT id FROM api_idempotency_keys WHERE cycle_id = :c", ids) == []
            remaining = db.session.scalar(
                sa.select(sa.func.count(ApiIdempotencyKey.id)).where(
                    ApiIdempotencyKey.user_id.in_(ids["users"])
                )
            )
            assert remaining == 0
            db.session.rollback()
    finally:
        _cleanup(app, ids)


def test_a_cast_in_another_cycle_completes_while_a_close_is_held_open(app):
    """Cycle 1's close has done its work but not committed (its locks held); a cast in cycle 2
    (web) and one in cycle 1 (refused once the close commits) are independent of it."""
    closing, other = _scene(app, web=3, api=0), _scene(app, web=1, api=0)
    hold, done = threading.Event(), threading.Event()
    closer = threading.Thread(target=_close, args=(app, closing["cycle"], hold, done))
    try:
        for _user, login in closing["web"]:
            _web_cast(app, closing, login, closing["proposals"][:1])
        closer.start()
        assert done.wait(60)  # the close ran: unsealed, written, locks held
        outcome: list[str] = []

        def cast_elsewhere():
            _web_cast(app, other, other["web"][0][1], other["proposals"][:2])
            outcome.append("cast")

        caster = threading.Thread(target=cast_elsewhere)
        caster.start()
        caster.join(10)
        finished_while_held = not caster.is_alive()
        hold.set()
        closer.join(60)
        caster.join(60)
        assert finished_while_held, "a cast in another cycle waited for the close"
        assert outcome == ["cast"]
        with app.app_context():
            assert db.session.get(Cycle, closing["cycle"]).phase == "counting"
            counts = {
                ids["cycle"]: (
                    _q("SELECT count(*) FROM ballots WHERE cycle_id = :c", ids)[0][0],
                    _q("SELECT count(*) FROM sealed_ballots WHERE cycle_id = :c", ids)[0][0],
                )
                for ids in (closing, other)
            }
            db.session.rollback()
        assert counts == {closing["cycle"]: (3, 0), other["cycle"]: (0, 1)}
    finally:
        hold.set()
        closer.join(60)
        _cleanup(app, closing)
        _cleanup(app, other)
