"""Ballots: what a voter may choose, the rule check, and casting with one vote per person.

Every channel (website, API, paper entry, voting codes) goes through `check_ballot` and
`cast_ballot`, so one rule check and one one-vote guarantee serve them all.

Rules, per ballot section (the voter's area, and the district-wide pot):
- ``budget``: the net cost of the chosen projects must fit that section's budget;
- ``k_approval``: at most ``cycle.max_projects`` projects *in each section* (a voter may
  choose k in their area and k district-wide: the two lists are counted separately);
- ``cumulative``: ``cycle.points_total`` points across the whole ballot (both sections),
  fractions such as 2.5 allowed (two decimals at most), at most
  ``cycle.max_points_per_project`` on one project when set.
Savings proposals sit in their own section, voted for (+1) or against (-1); they use no budget
and no points. Costs always come from the database (`cost_breakdown`), never from the client.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from pbplatform.accounts.models import User
from pbplatform.ballotbox import keys
from pbplatform.ballotbox.models import BallotBoxKey
from pbplatform.ballotbox.services import BallotContent, seal_ballots
from pbplatform.channels.models import Channel
from pbplatform.coproduction.costs import (
    BallotProposal,
    CostBreakdown,
    ballot_proposals_with_costs,
    cost_breakdown,
)
from pbplatform.cycles.models import (
    Area,
    BallotRule,
    CastCycle,
    Cycle,
    CycleArea,
    CyclePhase,
    Phase,
)
from pbplatform.db import core_connection, insert_unless_present
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.money import format_money
from pbplatform.proposals.models import Proposal, ProposalKind, ProposalStatus
from pbplatform.voting.models import Ballot, Participation

if TYPE_CHECKING:  # api imports this module
    from pbplatform.api.services import TokenOwner

VOTING_PHASE = Phase.VOTING
MAX_DB_ID = 2**31 - 1
MAX_SELECTIONS = 500  # far more than any ballot sheet; stops a 10,000-entry body early
ONE = Decimal(1)
CENT = Decimal("0.01")

Selections = Mapping[Any, Any] | Iterable[tuple[Any, Any]]
Choosable = Proposal | BallotProposal  # the ORM proposal, or the row a cast reads


# What the rule check and casting read of a cycle: the ORM `Cycle`, or the `CastCycle` an API
# cast reads in one statement (`read_cycle_for_cast`).
BallotCycle = Cycle | CastCycle


@dataclass(frozen=True)
class SheetItem:
    """One proposal on the ballot with its costs (minor units)."""

    proposal: Proposal
    gross_minor: int
    coproduction_minor: int
    net_minor: int

    @property
    def id(self) -> int:
        return self.proposal.id


@dataclass
class BallotSection:
    key: str  # 'area' or 'district'
    area_id: int | None
    name: str
    budget_minor: int
    items: list[SheetItem] = field(default_factory=list)


@dataclass
class BallotSheet:
    """What a voter of one area sees: their area's list, the district-wide list, savings."""

    cycle: Cycle
    area_id: int
    sections: list[BallotSection]
    savings: list[SheetItem]

    @property
    def rule(self) -> str:
        return self.cycle.ballot_rule

    def item(self, proposal_id: int) -> SheetItem | None:
        for entry in self.all_items():
            if entry.id == proposal_id:
                return entry
        return None

    def all_items(self) -> list[SheetItem]:
        return [i for s in self.sections for i in s.items] + list(self.savings)


@dataclass(frozen=True)
class NormalizedChoice:
    proposal_id: int
    section: str  # 'area', 'district' or 'saving'
    points: Decimal  # 1 for approval ballots and savings
    stance: int  # +1 for, -1 against (savings); always +1 for spending
    net_minor: int


@dataclass(frozen=True)
class NormalizedBallot:
    """A ballot that passed the rule check, with the totals the voter is shown."""

    area_id: int
    choices: tuple[NormalizedChoice, ...]
    totals: Mapping[str, int]  # net cost per section key
    points_used: Decimal


def voter_key_for(user: User | TokenOwner) -> str:
    """The identity the one-vote rule uses: the person's census key once verified, else the account.

    A census-verified resident is 'census:<entry hash>' (the same person in every register, also
    when paper entries name them by identifier, birth date and postcode); see channels.census.
    """
    from pbplatform.channels.census import census_person_key  # channels imports this module

    return census_person_key(user) or f"user:{user.id}"


def _area_name(cycle: BallotCycle, area_id: int | None, *, heading: bool = False) -> str:
    if area_id is None:
        return _("District-wide pot") if heading else _("the district-wide pot")
    if not isinstance(cycle, Cycle):  # a cast's CastCycle: only a refusal names the area
        name = db.session.scalar(sa.select(Area.name).where(Area.id == area_id))
        if name is None or not cycle.has_area(area_id):
            raise KeyError(area_id)
        return name
    for ca in cycle.areas:
        if ca.area_id == area_id:
            return ca.area.name
    raise KeyError(area_id)


def _require_area(cycle: BallotCycle, area_id: int | None) -> None:
    if not cycle.has_area(area_id):
        raise DomainError(
            "invalid_area", _("This area does not take part in this cycle."), status=403
        )


def ballot_proposals(cycle: Cycle, area_id: int) -> list[Proposal]:
    """Approved proposals of the voter's area and the district-wide pot, neutral order.

    Hidden text stays on the ballot (the sheet shows a placeholder): moderation never takes a
    project off it (moderation.withdrawal does, with two officers).

    The order is by tracking number: never by support, so the sheet reveals no interim count.
    """
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.cycle_id == cycle.id,
                Proposal.status == ProposalStatus.APPROVED,
                sa.or_(Proposal.area_id == area_id, Proposal.area_id.is_(None)),
            )
            .order_by(Proposal.tracking_number, Proposal.id)
        )
    )


def _item(proposal: Proposal, costs: Mapping[int, CostBreakdown]) -> SheetItem:
    c = costs[proposal.id]
    return SheetItem(proposal, c.gross_minor, c.coproduction_minor, c.net_minor)


def ballot_sheet(cycle: Cycle, area_id: int) -> BallotSheet:
    """The voter's area section, the district-wide section and the savings section."""
    _require_area(cycle, area_id)
    proposals = ballot_proposals(cycle, area_id)
    costs = cost_breakdown(proposals)
    sections = [
        BallotSection("area", area_id, _area_name(cycle, area_id), cycle.area_budget(area_id)),
        BallotSection(
            "district", None, _area_name(cycle, None, heading=True), cycle.district_budget_minor
        ),
    ]
    savings = []
    for p in proposals:
        if p.is_saving:
            savings.append(_item(p, costs))
        else:
            sections[0 if p.area_id == area_id else 1].items.append(_item(p, costs))
    return BallotSheet(cycle, area_id, sections, savings)


# --- the rule check -----------------------------------------------------------------------


def _pairs(selections: Selections) -> list[tuple[Any, Any]]:
    items = list(selections.items()) if isinstance(selections, Mapping) else list(selections)
    if len(items) > MAX_SELECTIONS:
        raise DomainError("too_many_projects", _("This ballot has far too many entries."))
    return items


def _proposal_id(raw: Any) -> int:
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit() or not 0 < int(text) <= MAX_DB_ID:
        raise DomainError(
            "invalid_project",
            _("Your ballot names a project that is not on this ballot: %(id)s", id=text[:20]),
            project=text[:20],
        )
    return int(text)


def _points(raw: Any, proposal_id: int) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if (
        isinstance(raw, bool)
        or not value.is_finite()
        or value <= 0
        or value > Decimal(10**6)  # before quantize, which fails past 28 digits (1e26 points)
        or value != value.quantize(CENT)
    ):
        raise DomainError(
            "invalid_points",
            _("Points must be a positive number with at most two decimals."),
            project=proposal_id,
        )
    return value


def _stance(raw: Any, proposal_id: int) -> int:
    text = str(raw).strip().lower()
    if text in ("1", "+1", "for"):
        return 1
    if text in ("-1", "against"):
        return -1
    raise DomainError("invalid_stance", _("Vote for or against a saving."), project=proposal_id)


def _normalize_ids(selections: Selections) -> dict[int, Any]:
    chosen: dict[int, Any] = {}
    for raw_id, value in _pairs(selections):
        pid = _proposal_id(raw_id)
        if pid in chosen:
            raise DomainError(
                "duplicate_project", _("A project appears twice on your ballot."), project=pid
            )
        chosen[pid] = value
    if not chosen:
        raise DomainError("empty_ballot", _("Choose at least one project."))
    return chosen


@dataclass(frozen=True)
class BallotCatalogue:
    """A cycle's proposals and their costs, loaded once for checking many ballots in one
    transaction (a paper import), instead of two queries per ballot."""

    proposals: Mapping[int, Choosable]
    costs: Mapping[int, CostBreakdown]


def ballot_catalogue(proposals: Iterable[Proposal]) -> BallotCatalogue:
    by_id = {p.id: p for p in proposals}
    return BallotCatalogue(by_id, cost_breakdown(list(by_id.values())))


# Complexity: one guard per reason a project cannot be chosen (unknown, other area, withdrawn, not
# on the ballot).
def _load_choosable(
    cycle: BallotCycle,
    area_id: int,
    ids: Iterable[int],
    catalogue: BallotCatalogue,
    include_withdrawn: bool = False,
) -> dict[int, Choosable]:
    ids = set(ids)
    found = {pid: catalogue.proposals[pid] for pid in ids if pid in catalogue.proposals}
    for pid in sorted(ids):
        p = found.get(pid)
        if (
            p is None
            or p.cycle_id != cycle.id
            or not (p.on_ballot or (include_withdrawn and p.withdrawn_from_ballot))
            or p.area_id not in (area_id, None)
        ):
            # The whole ballot is refused: no partial ballot is ever stored.
            raise DomainError(
                "invalid_project",
                _("Your ballot names a project that is not on this ballot: %(id)s", id=pid),
                project=pid,
            )
    return found


def _section_of(p: Choosable) -> str:
    if p.is_saving:
        return "saving"
    return "district" if p.area_id is None else "area"


# Complexity: one guard per ballot rule (count, budget, points, ranks), each refusal naming its rule
# and amounts.
def check_ballot(
    cycle: BallotCycle,
    area_id: int,
    selections: Selections,
    catalogue: BallotCatalogue | None = None,
    *,
    include_withdrawn: bool = False,
) -> NormalizedBallot:
    """Check a ballot against the cycle's rule; raise DomainError (422) naming what is wrong.

    `catalogue` (ballot_catalogue) spares the queries when many ballots are checked at once.
    `include_withdrawn`: paper sheets printed before two officers withdrew a project still name
    it; they are stored as cast (the count leaves the project out and says so).
    """
    _require_area(cycle, area_id)
    chosen = _normalize_ids(selections)
    if catalogue is None:  # the chosen proposals and their costs in one statement
        catalogue = BallotCatalogue(*ballot_proposals_with_costs(chosen))
    proposals = _load_choosable(cycle, area_id, chosen, catalogue, include_withdrawn)
    costs = catalogue.costs
    choices = []
    for pid, raw in chosen.items():
        p = proposals[pid]
        section = _section_of(p)
        if section == ProposalKind.SAVING:
            choice = NormalizedChoice(pid, section, ONE, _stance(raw, pid), 0)
        else:
            points = _points(raw, pid)
            if cycle.ballot_rule != BallotRule.CUMULATIVE and points != ONE:
                raise DomainError(
                    "invalid_points",
                    _("Approval ballots choose a project or not (1)."),
                    project=pid,
                )
            choice = NormalizedChoice(pid, section, points, 1, costs[pid].net_minor)
        choices.append(choice)
    choices.sort(key=lambda c: c.proposal_id)
    ballot = NormalizedBallot(
        area_id=area_id,
        choices=tuple(choices),
        totals={
            key: sum(c.net_minor for c in choices if c.section == key)
            for key in ("area", "district")
        },
        points_used=sum(
            (c.points for c in choices if c.section != ProposalKind.SAVING), Decimal(0)
        ),
    )
    _check_rule(cycle, ballot)
    return ballot


def _check_rule(cycle: BallotCycle, ballot: NormalizedBallot) -> None:
    rule = cycle.ballot_rule
    if rule == BallotRule.BUDGET:
        for key, section_area in (("area", ballot.area_id), ("district", None)):
            _check_budget(cycle, section_area, ballot.totals[key])
    elif rule == BallotRule.K_APPROVAL:
        for key, section_area in (("area", ballot.area_id), ("district", None)):
            _check_k(cycle, section_area, sum(1 for c in ballot.choices if c.section == key))
    elif rule == BallotRule.CUMULATIVE:
        _check_points(cycle, ballot)


def _check_budget(cycle: BallotCycle, area_id: int | None, total: int) -> None:
    limit = cycle.area_budget(area_id)
    if total > limit:
        raise DomainError(
            "over_budget",
            _(
                "Your choices for %(area)s cost %(total)s but the budget is %(limit)s.",
                area=_area_name(cycle, area_id),
                total=format_money(total, cycle.currency),
                limit=format_money(limit, cycle.currency),
            ),
            limit=limit,
            total=total,
            area_id=area_id,
        )


def _check_k(cycle: BallotCycle, area_id: int | None, n: int) -> None:
    k = cycle.max_projects
    if k is not None and n > k:
        raise DomainError(
            "too_many_projects",
            _(
                "You chose %(n)s projects for %(area)s but at most %(k)s are allowed.",
                n=n,
                area=_area_name(cycle, area_id),
                k=k,
            ),
            limit=k,
            total=n,
            area_id=area_id,
        )


def _check_points(cycle: BallotCycle, ballot: NormalizedBallot) -> None:
    total, limit = ballot.points_used, cycle.points_total
    if limit is not None and total > limit:
        raise DomainError(
            "too_many_points",
            _("You gave %(total)s points but you have %(limit)s.", total=total, limit=limit),
            limit=str(limit),
            total=str(total),
        )
    cap = cycle.max_points_per_project
    for c in ballot.choices:
        if cap is not None and c.section != ProposalKind.SAVING and c.points > cap:
            raise DomainError(
                "points_per_project_exceeded",
                _(
                    "You gave %(points)s points to one project but at most %(cap)s are allowed.",
                    points=c.points,
                    cap=cap,
                ),
                limit=str(cap),
                total=str(c.points),
                project=c.proposal_id,
            )


# --- casting --------------------------------------------------------------------------------


@functools.cache
def _cast_cycle_query() -> sa.Select[Cycle, BallotBoxKey]:
    """Built once per process; `lock_cycle_for_cast` adds its WHERE."""
    return (
        sa.select(Cycle, BallotBoxKey)
        .outerjoin(BallotBoxKey, BallotBoxKey.cycle_id == Cycle.id)
        .options(joinedload(Cycle.phase_dates), selectinload(Cycle.areas))
        .with_for_update(read=True, of=Cycle)
        .execution_options(populate_existing=True)
    )


def lock_cycle_for_cast(*where: sa.ColumnElement[bool]) -> Cycle | None:
    """The cycle matching `where`, read once under a SHARED lock (FOR SHARE) with all a cast
    needs: its phase dates (joined), its areas and budgets, and its ballot-box key (then in the
    session, so sealing reads no key). None if no cycle matches."""
    row = db.session.execute(_cast_cycle_query().where(*where)).unique().first()
    if row is None:
        return None
    cycle, key = row
    if key is not None:
        keys.remember_public_key(key.cycle_id, key.public_key)
    return cycle


@functools.cache
def _cast_snapshot_query() -> sa.Select[Any]:
    """Built once per process (Core, no ORM object per cast; a statement built once also keeps
    its cache key). One row per phase date (a cycle has a handful), the voter's area joined."""
    c, k = Cycle.__table__.c, BallotBoxKey.__table__.c
    p, a = CyclePhase.__table__.c, CycleArea.__table__.c
    voters_area = sa.and_(
        a.cycle_id == c.id, a.area_id == sa.bindparam("area_id", type_=sa.Integer)
    )
    return (
        sa.select(
            *(c.id, c.phase, c.ballot_rule, c.max_projects, c.points_total),
            *(c.max_points_per_project, c.currency, c.district_budget_minor, c.vote_policy),
            *(c.min_age, k.public_key, a.area_id, a.budget_minor, p.phase, p.starts_at),
        )
        .select_from(Cycle.__table__)
        .outerjoin(BallotBoxKey.__table__, k.cycle_id == c.id)
        .outerjoin(CycleArea.__table__, voters_area)
        .outerjoin(CyclePhase.__table__, p.cycle_id == c.id)
        # a draft cycle is not public: no cast finds it (a 404, not "voting closed")
        .where(c.slug == sa.bindparam("slug"), c.phase != Phase.DRAFT)
        .with_for_update(read=True, of=Cycle.__table__)
    )


def read_cycle_for_cast(slug: str, area_id: int | None) -> CastCycle | None:
    """The public cycle `slug` as a `CastCycle`, read in one statement under the SHARED lock
    casting holds (FOR SHARE, as `lock_cycle_for_cast`): its rules, phase dates, the budget of
    the voter's area `area_id` and its ballot-box key (remembered for sealing). None if no
    cycle but a draft has that slug."""
    params = {"slug": slug, "area_id": area_id}
    found = core_connection(db.session).execute(_cast_snapshot_query(), params).all()
    if not found:
        return None
    first = found[0]
    cycle = CastCycle(
        id=first.id,
        phase=first.phase,
        ballot_rule=first.ballot_rule,
        max_projects=first.max_projects,
        points_total=first.points_total,
        max_points_per_project=first.max_points_per_project,
        currency=first.currency,
        district_budget_minor=first.district_budget_minor,
        vote_policy=first.vote_policy,
        min_age=first.min_age,
        public_key=first.public_key,
        area_id=first.area_id,
        area_budget_minor=first.budget_minor,
        starts={row[13]: row[14] for row in found if row[13] is not None},
    )
    if cycle.public_key is not None:
        keys.remember_public_key(cycle.id, cycle.public_key)
    return cycle


def require_voting_open(cycle: BallotCycle, *, locked: bool = False) -> BallotCycle:
    """Refuse unless voting is open; then hold a SHARED lock on the cycle row (INV-4).

    `locked`: `cycle` was read under that lock in this transaction (`read_cycle_for_cast`, as
    the API reads it by its slug, or `lock_cycle_for_cast`), so it is not read again.

    A cast only refuses: it never changes the phase (`flask pb advance-phases` stores due
    phases; running the close with every refused cast would lock and roll back the whole
    close). Past the closing time the clock refuses casts even before the timer has stored the
    close. Under the lock the phase is read again: closing voting takes an exclusive lock on
    the same row, so a cast either commits before the close or sees the new phase and is
    refused. (SQLite ignores the lock; it has one writer.)
    """
    if not locked:
        found = lock_cycle_for_cast(Cycle.id == cycle.id)
        assert found is not None  # the caller holds the cycle: a cycle is never deleted mid-cast
        cycle = found
    # Stored as voting and not yet closed by the clock (the timer may not have run yet).
    if cycle.phase != VOTING_PHASE or cycle.current_phase != VOTING_PHASE:
        raise DomainError("voting_closed", _("Voting is not open in this cycle."), status=409)
    return cycle


def _record_participation(
    cycle: BallotCycle, voter_key: str, channel: str, user_id: int | None
) -> None:
    # One INSERT … ON CONFLICT DO NOTHING: the primary key (cycle, voter) keeps one vote per
    # person however many casts race; the loser finds the row and is refused.
    row = {"cycle_id": cycle.id, "voter_key": voter_key, "channel": channel, "user_id": user_id}
    if insert_unless_present(db.session, Participation.__table__, row):
        return
    existing = db.session.scalar(
        sa.select(Participation.channel).where(
            Participation.cycle_id == cycle.id, Participation.voter_key == voter_key
        )
    )
    raise DomainError(
        "already_voted",
        _(
            "You already voted in this cycle (channel: %(channel)s). Each person votes once.",
            channel=existing or _("unknown"),
        ),
        status=409,
        channel=existing,
    )


def _store_ballot(cycle: BallotCycle, ballot: BallotContent | Ballot) -> None:
    """Seal the ballot into the cycle's ballot box (it gets its id, and its row in `ballots`,
    only when voting closes: see ballotbox.services)."""
    if ballot.serial is None:  # nothing unique to collide with: no savepoint
        seal_ballots(cycle, [ballot])
        return
    try:
        with db.session.begin_nested():
            seal_ballots(cycle, [ballot])
    except IntegrityError:
        raise DomainError(
            "duplicate_serial",
            _("A ballot with serial %(serial)s is already recorded.", serial=ballot.serial),
            status=409,
            serial=ballot.serial,
        ) from None


def cast_ballot(
    cycle: BallotCycle,
    voter_key: str,
    selections: Selections,
    *,
    area_id: int,
    channel: str = Channel.ONLINE,
    user_id: int | None = None,
    voter: TokenOwner | None = None,
    serial: str | None = None,
    cycle_locked: bool = False,
) -> None:
    """Check and record one ballot and the fact that `voter_key` voted; all or nothing.

    Raises DomainError: ``voting_closed`` (409), the rule codes of `check_ballot` (422),
    ``already_voted`` (409, ``extra['channel']`` names the channel of the earlier vote),
    ``duplicate_serial`` (409). The participation row and the sealed ballot are written in this
    one transaction and share no key.
    `cycle_locked`: `cycle` was read under the cast's lock in this transaction
    (`read_cycle_for_cast`). `voter`: the account `user_id` as the API read it with its token
    (the eligibility check then reads no account).
    """
    cycle = require_voting_open(cycle, locked=cycle_locked)
    if user_id is not None:
        _check_account_eligible(cycle, user_id, voter)
    normalized = check_ballot(cycle, area_id, selections)
    _record_participation(cycle, voter_key, channel, user_id)
    _store_ballot(cycle, BallotContent(area_id, channel, serial, None, normalized.choices))


def _check_account_eligible(cycle: BallotCycle, user_id: int, voter: TokenOwner | None) -> None:
    """Repeat the census, age and policy check at cast time, whatever the entry point."""
    from pbplatform.channels.census import check_eligibility  # channels imports this module

    user = voter if voter is not None and voter.id == user_id else db.session.get(User, user_id)
    if user is None:
        raise DomainError("not_eligible", _("This account cannot vote."), status=403)
    check_eligibility(cycle, user)


def record_invalid_ballot(
    cycle: Cycle, area_id: int | None, channel: str, serial: str | None, reason: str
) -> Ballot:
    """Keep a paper ballot that breaks the rule: counted as invalid, with the reason, never lost.

    Its choices are not stored (they cannot be counted). Records no participation: the caller
    (paper entry) decides whether the voter was checked off.
    """
    locked = require_voting_open(cycle)
    reason = (reason or "").strip()[:200] or _("invalid")
    ballot = Ballot(
        cycle_id=cycle.id,
        area_id=area_id,
        channel=channel,
        serial=serial,
        is_valid=False,
        invalid_reason=reason,
    )
    _store_ballot(locked, ballot)
    return ballot
