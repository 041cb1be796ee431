"""`race(n, fn)`: run `fn` in n threads released together, for the PostgreSQL race tests.

Each thread does its own setup first (`before(i)`, e.g. a client with a session), then waits at
a barrier so the n requests really overlap. Results come back in completion order. An
exception in a thread is not caught: pytest reports it (and `filterwarnings = error` fails
the test), as it did for the threads these tests started by hand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def race(
    n: int,
    fn: Callable[[Any], T],
    *,
    before: Callable[[int], Any] | None = None,
    timeout: float | None = None,
) -> list[T]:
    """Call `fn(before(i))` (or `fn(i)` without `before`) in n threads at once; wait for all
    (each at most `timeout` seconds) and return what the calls that finished returned."""
    barrier = threading.Barrier(n)
    results: list[T] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        arg = before(i) if before is not None else i
        barrier.wait()
        result = fn(arg)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def purge_cycle(app: Any, cycle_id: int, *, owned: tuple = (), then: tuple = ()) -> None:
    """Delete everything a PostgreSQL test really committed for one cycle, children first.

    `owned` are the test's own statements for tables hanging off the cycle (paper imports,
    voting codes...), run after the ballots and before the proposals; `then` runs last (users,
    areas). Officers named in the append-only audit log cannot be deleted: deactivate them.
    """
    import sqlalchemy as sa

    from pbplatform.cycles.models import Cycle, CycleArea, CyclePhase
    from pbplatform.extensions import db
    from pbplatform.proposals.models import Proposal
    from pbplatform.voting.models import Ballot, BallotChoice, Participation

    with app.app_context():
        ballot_ids = sa.select(Ballot.id).where(Ballot.cycle_id == cycle_id)
        for statement in (
            sa.delete(BallotChoice).where(BallotChoice.ballot_id.in_(ballot_ids)),
            sa.delete(Ballot).where(Ballot.cycle_id == cycle_id),
            sa.delete(Participation).where(Participation.cycle_id == cycle_id),
            *owned,
            sa.delete(Proposal).where(Proposal.cycle_id == cycle_id),
            sa.delete(CyclePhase).where(CyclePhase.cycle_id == cycle_id),
            sa.delete(CycleArea).where(CycleArea.cycle_id == cycle_id),
            sa.delete(Cycle).where(Cycle.id == cycle_id),
            *then,
        ):
            db.session.execute(statement)
        db.session.commit()
