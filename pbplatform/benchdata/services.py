"""A voting-phase cycle named `bench` at a given scale, and its close, count and publication.

Ballots are loaded in bulk (PostgreSQL's COPY; executemany elsewhere), never one ORM object
per ballot, so 90,000 ballots load in seconds. Each stored ballot has its participation, as a
cast one would. Voters who have not voted get personal API tokens, so a load test can cast
through the real API (bench/web.py). Everything is deterministic for a given seed except the
random ballot ids. Services flush, never commit (the command's transaction does).
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from pbplatform.accounts.models import Role, User
from pbplatform.accounts.passwords import hash_password
from pbplatform.api import services as api_services
from pbplatform.cycles import services as cycle_services
from pbplatform.cycles.models import Area, Cycle, CycleArea, CyclePhase, Phase
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal, ProposalKind, ProposalStatus
from pbplatform.results.models import ResultVersion
from pbplatform.results.services import publish_results, run_count
from pbplatform.voting.models import Ballot, BallotChoice, Participation

SLUG = "bench"


class BenchError(Exception):
    """Why the bench data cannot be made (operators' command: English only)."""


AREA_BUDGET = 2_000_000_00
DISTRICT_BUDGET = 6_000_000_00
COUNTER_EMAIL = "bench-counter@bench.invalid"
CHECKER_EMAIL = "bench-checker@bench.invalid"


@dataclass(frozen=True)
class Scale:
    areas: int = 13
    proposals: int = 300
    ballots: int = 30_000
    token_voters: int = 0
    rule: str = "greedy"
    seed: int = 2026


def bench_cycle() -> Cycle | None:
    return db.session.scalar(sa.select(Cycle).where(Cycle.slug == SLUG))


def create_bench(scale: Scale) -> tuple[Cycle, list[str]]:
    """The `bench` cycle in its voting phase with `scale.ballots` stored ballots; returns it
    and one API token per voter who has not voted (`scale.token_voters` of them)."""
    if bench_cycle() is not None:
        raise BenchError("a cycle named bench exists already; use a fresh database")
    rng = random.Random(scale.seed)
    cycle = _cycle(scale, _areas(scale.areas))
    proposals = _proposals(cycle, scale.proposals, rng)
    insert_ballots(cycle, proposals, scale.ballots, rng)
    _staff()
    return cycle, _token_voters(cycle, scale.token_voters)


def _areas(n: int) -> list[Area]:
    areas = []
    for i in range(1, n + 1):
        area = db.session.scalar(sa.select(Area).where(Area.code == f"BENCH{i}"))
        if area is None:
            area = Area(name=f"Bench area {i}", code=f"BENCH{i}")
            db.session.add(area)
        areas.append(area)
    db.session.flush()
    return areas


def _cycle(scale: Scale, areas: list[Area]) -> Cycle:
    start = utcnow() - timedelta(days=21)
    cycle = Cycle(
        slug=SLUG,
        name="Bench",
        tracking_prefix="BE",
        phase=Phase.VOTING,
        district_budget_minor=DISTRICT_BUDGET,
        count_rule=scale.rule,
        tie_seed=f"bench-{scale.seed}",
        rules_frozen_at=utcnow(),
    )
    cycle.areas = [CycleArea(area=a, budget_minor=AREA_BUDGET) for a in areas]
    # voting began yesterday; no later date, so only --publish closes it
    cycle.phase_dates = [
        CyclePhase(phase=p, starts_at=start + timedelta(days=10 * i))
        for i, p in enumerate((Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING))
    ]
    db.session.add(cycle)
    db.session.flush()
    return cycle


def _proposals(cycle: Cycle, n: int, rng: random.Random) -> list[Proposal]:
    """`n` approved spending proposals spread over the areas and the district-wide list."""
    homes: list[int | None] = [ca.area_id for ca in cycle.areas] + [None]
    rows = []
    for i in range(n):
        cost = rng.randrange(5_000, 400_000) * 100
        rows.append(
            Proposal(
                cycle_id=cycle.id,
                area_id=homes[i % len(homes)],
                tracking_number=f"BE-{i + 1:05d}",
                kind=ProposalKind.SPENDING,
                title=f"Bench proposal {i + 1}",
                description="A synthetic proposal for the benchmark.",
                estimated_cost_minor=cost,
                officer_cost_minor=cost,
                status=ProposalStatus.APPROVED,
            )
        )
    db.session.add_all(rows)
    cycle.next_tracking_seq = n + 1
    db.session.flush()
    return rows


def ballot_rows(
    cycle: Cycle, proposals: Sequence[Proposal], n: int, rng: random.Random
) -> Iterator[tuple[tuple, list[tuple]]]:
    """`n` ballots (a row and its choice rows): one to three projects of the voter's area and
    one to three district-wide, the areas taken in turn."""
    area_ids = [ca.area_id for ca in cycle.areas]
    by_area: dict[int | None, list[int]] = {a: [] for a in [*area_ids, None]}
    for p in proposals:
        by_area[p.area_id].append(p.id)
    for i in range(n):
        area_id = area_ids[i % len(area_ids)] if area_ids else None
        # random ids, as cast ballots have, but from the seed: uuid4() would cost more than
        # the rest of the row
        ballot_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        picks = _pick(by_area.get(area_id, []), rng) + _pick(by_area[None], rng)
        yield (
            (ballot_id, cycle.id, area_id, "online", True),
            [(ballot_id, pid, Decimal(1), 1) for pid in picks],
        )


def _pick(ids: list[int], rng: random.Random) -> list[int]:
    if not ids:
        return []
    # a few popular projects and a long tail, as real lists have
    k = min(len(ids), rng.randint(1, 3))
    chosen = {ids[min(int(rng.expovariate(4 / len(ids))), len(ids) - 1)] for _ in range(k)}
    return sorted(chosen)


def insert_ballots(cycle: Cycle, proposals: Sequence[Proposal], n: int, rng: random.Random) -> None:
    """Store `n` valid online ballots and their participations, in bulk."""
    ballots, choices = [], []
    for ballot, mine in ballot_rows(cycle, proposals, n, rng):
        ballots.append(ballot)
        choices.extend(mine)
    today = utcnow().date()
    voters = [(cycle.id, f"bench:{i}", None, "online", today) for i in range(n)]
    _load(Ballot, ("id", "cycle_id", "area_id", "channel", "is_valid"), ballots)
    _load(BallotChoice, ("ballot_id", "proposal_id", "points", "stance"), choices)
    _load(Participation, ("cycle_id", "voter_key", "user_id", "channel", "voted_on"), voters)


def _load(model: Any, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY on PostgreSQL; a bulk Core insert elsewhere. `model`: a mapped class."""
    connection = db.session.connection()
    table: sa.Table = model.__table__
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None  # a connection checked out of the pool has its driver's
        names = ", ".join(columns)
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            # one text in COPY's format (no value here needs escaping): far quicker than a
            # call per row
            copy.write("".join("\t".join(map(_copy_text, row)) + "\n" for row in rows))
        # fresh statistics, as autovacuum would give a table that grew over weeks: without
        # them the planner takes a city's tables for empty ones
        connection.execute(sa.text(f"ANALYZE {table.name}"))
        return
    values = [dict(zip(columns, row, strict=True)) for row in rows]
    if values:
        connection.execute(sa.insert(table), values)


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _staff() -> tuple[User, User]:
    """The two administrators who count and publish (four eyes)."""
    found = []
    for email, name in ((COUNTER_EMAIL, "Bench counter"), (CHECKER_EMAIL, "Bench checker")):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                display_name=name,
                password_hash=hash_password(secrets.token_urlsafe(24)),
                role=Role.ADMIN,
            )
            db.session.add(user)
        found.append(user)
    db.session.flush()
    return found[0], found[1]


def _token_voters(cycle: Cycle, n: int) -> list[str]:
    """`n` residents who have not voted, spread over the areas, each with an API token."""
    if not n:
        return []
    unusable = hash_password(secrets.token_urlsafe(24))  # nobody logs in as them
    areas = [ca.area_id for ca in cycle.areas]
    users = [
        User(
            email=f"bench-voter-{i}@bench.invalid",
            display_name=f"Bench voter {i}",
            password_hash=unusable,
            role=Role.RESIDENT,
            home_area_id=areas[i % len(areas)] if areas else None,
        )
        for i in range(n)
    ]
    db.session.add_all(users)
    db.session.flush()
    return [api_services.create_token(u, "bench")[1] for u in users]


def publish_bench() -> ResultVersion:
    """Close voting on `bench`, count it and publish the count (two administrators)."""
    cycle = bench_cycle()
    if cycle is None:
        raise BenchError("no cycle named bench; run bench-data first")
    counter, checker = _staff()
    if cycle.phase == Phase.VOTING:
        cycle = cycle_services.open_phase(cycle, Phase.COUNTING, actor=counter)
    return publish_results(run_count(cycle, counter), checker)
