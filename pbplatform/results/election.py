"""The tally inputs of a cycle, built in one place: `count_input(cycle)`.

A cycle is counted as one list per area plus the district-wide list; each list becomes one
`tally.Election`. Everything the count needs (the declared rule, once; every list's proposals
at net cost, its budget, its ballots, its invalid ballots per channel; the meeting dots; the
savings list; the turnout) is read here, in a fixed number of queries whatever the number of
ballots, areas or proposals. Read-only: nothing here writes.

Ballots never become ORM objects, nor Python rows: one query aggregates each ballot's choices
into a Pabulib VOTES line and joins the lines per area and channel, and `tally.read_votes`
turns each list's lines into the engine's column store, exactly as `pbplatform tally` reads
a published file. No ballot id is ever bound as a parameter, so a city of any size fits
(PostgreSQL allows 65,535 parameters).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from pbplatform import tally
from pbplatform.channels.aggregates import meeting_aggregates
from pbplatform.coproduction.costs import CostBreakdown, cost_breakdown
from pbplatform.cycles import services as cycle_services
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.moderation.withdrawal import withdrawal_lines
from pbplatform.proposals.models import Proposal, ProposalKind, ProposalStatus
from pbplatform.results.savings import count_savings
from pbplatform.voting.models import Ballot, BallotChoice, Participation

DISTRICT = "district"


@dataclass
class ListInput:
    """One list ready to count: the election and what the stored version shows beside it."""

    key: str
    area_id: int | None
    name: str | None
    budget: int
    proposals: list[Proposal]
    costs: dict[int, CostBreakdown]
    election: tally.Election
    ballots_per_channel: dict[str, int]
    invalid_per_channel: dict[str, int]
    # projects two officers took off the ballot after voting opened (issue 12)
    withdrawn: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CountInput:
    """A whole cycle ready to count: the declared rule and every list, read once."""

    config: tally.RuleConfig
    config_json: dict[str, Any]
    lists: list[ListInput]
    savings: dict[str, Any]
    turnout: dict[str, int]
    bonus: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def list_keys(cycle: Cycle) -> list[tuple[str, int | None]]:
    """(key, area id) of every list counted: each area in cycle order, then district-wide."""
    return [(f"area-{ca.area_id}", ca.area_id) for ca in cycle.areas] + [(DISTRICT, None)]


def config_json(cycle: Cycle, config: tally.RuleConfig, vote_type: str) -> dict[str, Any]:
    """The declared rule as stored in a version (and hashed with its outcome)."""
    return {
        "rule": config.rule,
        "tie_break": config.tie_break,
        "seed": config.seed,
        "threshold": None if config.threshold is None else str(config.threshold),
        "n": config.n,
        "combination": config.combination,
        "channel_weights": {ch: str(w) for ch, w in sorted(config.channel_weights.items())},
        "ballot_rule": cycle.ballot_rule,
        "vote_type": vote_type,
        "currency": cycle.currency,
    }


# Complexity: the one place where every list's input is built (the issue asks for one straight
# line); the branches are the list kinds (areas, district, savings).
def count_input(cycle: Cycle) -> CountInput:
    """Every list's input, read once: rule, proposals and costs, ballots, dots, savings."""
    config = cycle_services.rule_config(cycle)
    vote_type = cycle_services.vote_type(cycle)
    savings = count_savings(cycle)
    bonus = int(savings.get("budget_bonus_minor") or 0)
    proposals = _ballot_proposals(cycle)
    costs = cost_breakdown(proposals)
    aggregates = meeting_aggregates(cycle)
    keys = list_keys(cycle)
    lines, sizes = _list_lines(cycle.id, vote_type, [a for _, a in keys if a is not None])
    invalid = _invalid_per_list(cycle.id)
    names: dict[int | None, str] = {ca.area_id: ca.area.name for ca in cycle.areas}
    lists = []
    for key, area_id in keys:
        mine = [p for p in proposals if p.area_id == area_id]
        projects = [
            tally.Project(id=str(p.id), cost=costs[p.id].net_minor, name=p.record_title)
            for p in mine
        ]
        ids = {p.id for p in projects}
        budget = cycle.area_budget(area_id) + (bonus if key == DISTRICT else 0)
        election = tally.Election(
            projects=projects,
            ballots=tally.read_votes(lines[area_id], [p.id for p in projects], vote_type),
            budget=budget,
            vote_type=vote_type,
            aggregates=[a for a in aggregates if a.project_id in ids],
        )
        lists.append(
            ListInput(
                key=key,
                area_id=area_id,
                name=names.get(area_id),
                budget=budget,
                proposals=mine,
                costs={p.id: costs[p.id] for p in mine},
                election=election,
                ballots_per_channel=dict(sorted(sizes[area_id].items())),
                invalid_per_channel=dict(sorted(invalid[area_id].items())),
                withdrawn=withdrawal_lines(cycle.id, area_id),
            )
        )
    return CountInput(
        config=config,
        config_json=config_json(cycle, config, vote_type),
        lists=lists,
        savings=savings,
        turnout=turnout(cycle),
        bonus=bonus,
    )


def turnout(cycle: Cycle) -> dict[str, int]:
    """People who voted, per channel (the one-vote register; no ballot content)."""
    rows = db.session.execute(
        sa.select(Participation.channel, sa.func.count())
        .where(Participation.cycle_id == cycle.id)
        .group_by(Participation.channel)
    )
    return dict(sorted((ch, n) for ch, n in rows))


def _ballot_proposals(cycle: Cycle) -> list[Proposal]:
    """Spending proposals on any list of the cycle, in id order: approved ones, those whose
    text moderation hid too (hiding never changes a count); not those two officers withdrew."""
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.cycle_id == cycle.id,
                Proposal.status == ProposalStatus.APPROVED,
                Proposal.kind == ProposalKind.SPENDING,
            )
            .order_by(Proposal.id)
        )
    )


def _on_ballot(cycle_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        Proposal.cycle_id == cycle_id,
        Proposal.status == ProposalStatus.APPROVED,
        Proposal.kind == ProposalKind.SPENDING,
    )


def _list_lines(
    cycle_id: int, vote_type: str, area_ids: Sequence[int]
) -> tuple[dict[int | None, str], dict[int | None, Counter]]:
    """Every list's VOTES lines (key None: district-wide) and its valid ballots per channel."""
    parts: dict[int | None, list[str]] = {a: [] for a in [*area_ids, None]}
    sizes: dict[int | None, Counter] = defaultdict(Counter)
    for group in ballot_groups(cycle_id, vote_type, _on_ballot(cycle_id)):
        if group.area_id in parts and group.area_id is not None:
            parts[group.area_id].append(group.area_lines)
            sizes[group.area_id][group.channel] += group.size
        parts[None].append(group.district_lines)
        sizes[None][group.channel] += group.size
    return {a: "\n".join(texts) for a, texts in parts.items()}, sizes


@dataclass(frozen=True)
class BallotGroup:
    """The valid ballots of one area and channel as Pabulib VOTES lines (`tally.read_votes`):
    each ballot's choices of its own area's projects, and of the district-wide ones."""

    area_id: int | None
    channel: str
    size: int
    area_lines: str
    district_lines: str


def ballot_groups(
    cycle_id: int,
    vote_type: str,
    choice_filter: sa.ColumnElement[bool],
    *,
    area_id: int | None = None,
) -> list[BallotGroup]:
    """The valid ballots of a cycle (of one area if `area_id` is given) grouped by area and
    channel, with the choices that pass `choice_filter` (a condition on `Proposal`).

    One query, and all the work in the database: each ballot's choices are aggregated into
    its two vote cells, written as lines and the lines joined per group, so a city's ballots
    cross to Python as a few long texts, in storage order (sort the lines to publish them).
    """
    with_points = vote_type in ("cumulative", "scoring")
    columns = [BallotChoice.proposal_id, BallotChoice.points][: 2 if with_points else 1]
    # a ballot names only its own area's projects (the cast checks it); should one name
    # another area's, those choices stay out of every list, as they always did
    local, district = Proposal.area_id == Ballot.area_id, Proposal.area_id.is_(None)
    choices = sa.join(
        BallotChoice,
        Proposal,
        sa.and_(Proposal.id == BallotChoice.proposal_id, BallotChoice.stance > 0, choice_filter),
    )
    per_ballot = (
        sa.select(
            Ballot.area_id,
            Ballot.channel,
            Ballot.id,
            *[_cell(c, local).label(f"local_{k}") for k, c in enumerate(columns)],
            *[_cell(c, district).label(f"district_{k}") for k, c in enumerate(columns)],
        )
        .select_from(sa.outerjoin(Ballot, choices, BallotChoice.ballot_id == Ballot.id))
        .where(Ballot.cycle_id == cycle_id, Ballot.is_valid.is_(True))
        .group_by(Ballot.id, Ballot.area_id, Ballot.channel)
    )
    if area_id is not None:
        per_ballot = per_ballot.where(Ballot.area_id == area_id)
    b = per_ballot.subquery()
    query = sa.select(
        b.c.area_id,
        b.c.channel,
        sa.func.count(),
        _joined(_line(b, [b.c[f"local_{k}"] for k in range(len(columns))])),
        _joined(_line(b, [b.c[f"district_{k}"] for k in range(len(columns))])),
    ).group_by(b.c.area_id, b.c.channel)
    _roomy_sorts()
    return [BallotGroup(*row) for row in db.session.execute(query)]


def _line(b: Any, cells: list[Any]) -> Any:
    """`voter_id;vote[;points];voting_method`."""
    line = b.c.id
    for cell in [*[sa.func.coalesce(c, "") for c in cells], b.c.channel]:
        line = line.op("||")(";").op("||")(cell)
    return line


def _joined(line: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.string_agg(line, sa.literal("\n"))
    return sa.func.group_concat(line, "\n")


def _cell(column: Any, where: sa.ColumnElement[bool]) -> Any:
    """The `column` values of a ballot's choices `where` holds, comma-joined (projects and
    points in the same order: both aggregates read the ballot's rows in one pass)."""
    text = sa.cast(column, sa.Text)
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.string_agg(text, sa.literal(",")).filter(where)
    return sa.func.group_concat(text, ",").filter(where)


def _roomy_sorts() -> None:
    """Let PostgreSQL hash a city's ballots in memory rather than spill them to disk, for
    the rest of this transaction only."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))


def _invalid_per_list(cycle_id: int) -> dict[int | None, Counter]:
    """Invalid ballots per channel: per area (the area's list) and in all (district-wide)."""
    rows = db.session.execute(
        sa.select(Ballot.area_id, Ballot.channel, sa.func.count())
        .where(Ballot.cycle_id == cycle_id, Ballot.is_valid.is_(False))
        .group_by(Ballot.area_id, Ballot.channel)
    )
    found: dict[int | None, Counter] = defaultdict(Counter)
    for area_id, channel, n in rows:
        if area_id is not None:
            found[area_id][channel] += n
        found[None][channel] += n
    return found


def list_election(
    cycle_id: int,
    vote_type: str,
    area_id: int | None,
    projects: Sequence[tally.Project],
    budget: int,
    meta: dict[str, str],
    *,
    aggregates: Sequence[tally.AggregateScore] = (),
) -> tally.Election:
    """One list's ballots for `projects` (as they were counted) as a Pabulib-ready election,
    the ballots in id order, so a published file is the same at every download; `aggregates`
    are the list's meeting totals, which the file carries in its META."""
    ids = [int(p.id) for p in projects]
    groups = ballot_groups(cycle_id, vote_type, Proposal.id.in_(ids), area_id=area_id)
    texts = [g.area_lines if area_id is not None else g.district_lines for g in groups]
    lines = sorted(line for text in texts for line in text.split("\n"))
    return tally.Election(
        projects=projects,
        ballots=tally.read_votes("\n".join(lines), [p.id for p in projects], vote_type),
        budget=budget,
        vote_type=vote_type,
        aggregates=aggregates,
        meta=meta,
    )
