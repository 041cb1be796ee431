"""The tally inputs of a cycle: its lists, each list's proposals at net cost and its ballots.

A cycle is counted as one list per area plus the district-wide list (`list_keys`); each list
becomes one `tally.Election` (`build_election`). Read-only: nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import sqlalchemy as sa

from pbplatform import tally
from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.cycles import services as cycle_services
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Ballot, BallotChoice

DISTRICT = "district"


def vote_type_for(cycle: Cycle) -> str:
    """approval for budget and k-approval ballots, cumulative for points."""
    return cycle_services.vote_type(cycle)


def rule_config_for(cycle: Cycle) -> tally.RuleConfig:
    """The cycle's declared counting rule (one definition, in the cycles feature)."""
    return cycle_services.rule_config(cycle)


def list_keys(cycle: Cycle) -> list[tuple[str, int | None]]:
    """(key, area id) of every list counted: each area in cycle order, then district-wide."""
    return [(f"area-{ca.area_id}", ca.area_id) for ca in cycle.areas] + [(DISTRICT, None)]


def list_proposals(cycle: Cycle, area_id: int | None) -> list[Proposal]:
    """Spending proposals on the ballot of one list (area, or district-wide when None)."""
    area_clause = Proposal.area_id.is_(None) if area_id is None else Proposal.area_id == area_id
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.cycle_id == cycle.id,
                Proposal.status == "approved",
                Proposal.kind == "spending",
                area_clause,
            )
            .order_by(Proposal.id)
        )
    )


def list_ballots(cycle: Cycle, area_id: int | None, *, valid: bool = True) -> list[Ballot]:
    """Ballots that take part in one list: the area's voters, or every voter district-wide."""
    query = sa.select(Ballot).where(Ballot.cycle_id == cycle.id, Ballot.is_valid.is_(valid))
    if area_id is not None:
        query = query.where(Ballot.area_id == area_id)
    return list(db.session.scalars(query.order_by(Ballot.id)))


def _choices_by_ballot(ballot_ids: Sequence[str]) -> dict[str, list[BallotChoice]]:
    found: dict[str, list[BallotChoice]] = {bid: [] for bid in ballot_ids}
    if not ballot_ids:
        return found
    rows = db.session.scalars(
        sa.select(BallotChoice)
        .where(BallotChoice.ballot_id.in_(ballot_ids))
        .order_by(BallotChoice.ballot_id, BallotChoice.proposal_id)
    )
    for choice in rows:
        found[choice.ballot_id].append(choice)
    return found


def tally_ballots(
    ballots: Sequence[Ballot], project_ids: set[str], vote_type: str
) -> list[tally.Ballot]:
    """Each ballot's choices on this list (others belong to the other lists), weight 1."""
    choices = _choices_by_ballot([b.id for b in ballots])
    result = []
    for b in ballots:
        mine = [c for c in choices[b.id] if str(c.proposal_id) in project_ids and c.stance > 0]
        if vote_type == "cumulative":
            result.append(
                tally.Ballot(
                    id=b.id,
                    channel=b.channel,
                    # the column is Numeric (Decimal); the count works in Fractions, exactly
                    points={str(c.proposal_id): Fraction(c.points) for c in mine},
                )
            )
        else:
            result.append(
                tally.Ballot(
                    id=b.id, channel=b.channel, approvals=tuple(str(c.proposal_id) for c in mine)
                )
            )
    return result


def build_election(
    cycle: Cycle, area_id: int | None, budget: int, aggregates: Iterable[tally.AggregateScore] = ()
) -> tuple[tally.Election, list[Proposal]]:
    """One list's tally election: net costs, valid ballots with their channels, meeting dots."""
    proposals = list_proposals(cycle, area_id)
    costs = cost_breakdown(proposals)
    projects = [
        tally.Project(id=str(p.id), cost=costs[p.id].net_minor, name=p.record_title)
        for p in proposals
    ]
    ids = {p.id for p in projects}
    vote_type = vote_type_for(cycle)
    election = tally.Election(
        projects=projects,
        ballots=tally_ballots(list_ballots(cycle, area_id), ids, vote_type),
        budget=budget,
        vote_type=vote_type,
        aggregates=[a for a in aggregates if a.project_id in ids],
    )
    return election, proposals
