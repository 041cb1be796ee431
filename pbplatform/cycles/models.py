"""Budget cycles, the neighbourhoods (areas) they fund, and their phases."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db


class Phase(enum.StrEnum):
    """A cycle's phases, in the order they follow each other."""

    DRAFT = "draft"
    PROPOSALS = "proposals"
    REVIEW = "review"
    VOTING = "voting"
    COUNTING = "counting"
    RESULTS = "results"

    @property
    def label(self) -> str:
        return str(PHASE_LABELS[self])

    @property
    def later(self) -> tuple[Phase, ...]:
        """The phases after this one, in order."""
        order = tuple(Phase)
        return order[order.index(self) + 1 :]


PHASE_LABELS = {
    Phase.DRAFT: _l("Draft"),
    Phase.PROPOSALS: _l("Proposals"),
    Phase.REVIEW: _l("Review"),
    Phase.VOTING: _l("Voting"),
    Phase.COUNTING: _l("Counting"),
    Phase.RESULTS: _l("Results"),
}


class BallotRule(enum.StrEnum):
    """What a voter may mark on the ballot."""

    BUDGET = "budget"
    K_APPROVAL = "k_approval"
    CUMULATIVE = "cumulative"

    @property
    def label(self) -> str:
        return str(BALLOT_RULE_LABELS[self])


BALLOT_RULE_LABELS = {
    BallotRule.BUDGET: _l("Budget-limited approval: choose projects whose total fits the budget"),
    BallotRule.K_APPROVAL: _l("k-approval: choose at most k projects"),
    BallotRule.CUMULATIVE: _l("Cumulative points: distribute a number of points"),
}


class Combination(enum.StrEnum):
    """How the channels' votes are combined before the count."""

    RAW = "raw"
    NORMALIZED = "normalized"

    @property
    def label(self) -> str:
        return str(COMBINATION_LABELS[self])


COMBINATION_LABELS = {
    Combination.RAW: _l("Raw: weighted sum of votes or points"),
    Combination.NORMALIZED: _l("Normalised: each channel's share of its ballots, then weighted"),
}


class CountRule(enum.StrEnum):
    """The counting rule a cycle declares (the Pabulib rule names the count library takes)."""

    GREEDY = "greedy"
    GREEDY_NO_SKIP = "greedy-no-skip"
    GREEDY_THRESHOLD = "greedy-threshold"
    EQUAL_SHARES = "equalshares"
    EQUAL_SHARES_ADD1 = "equalshares/add1"
    EQUAL_SHARES_ADD1_EXHAUSTIVE = "equalshares/add1-until-exhaustive"
    EQUAL_SHARES_COMPARISON = "equalshares-comparison"
    EQUAL_SHARES_ADD1_COMPARISON = "equalshares/add1-comparison"
    PHRAGMEN = "phragmen"
    TOP_N = "top-n"

    @property
    def label(self) -> str:
        return str(COUNT_RULE_LABELS[self])


COUNT_RULE_LABELS = {
    CountRule.GREEDY: _l("By votes, skipping projects that no longer fit (greedy)"),
    CountRule.GREEDY_NO_SKIP: _l(
        "By votes, stopping at the first project that does not fit (greedy-no-skip)"
    ),
    CountRule.GREEDY_THRESHOLD: _l(
        "By votes, only projects with a minimum score (greedy-threshold)"
    ),
    CountRule.EQUAL_SHARES: _l("Method of Equal Shares (equalshares)"),
    CountRule.EQUAL_SHARES_ADD1: _l(
        "Equal Shares, completed by raising the shares (equalshares/add1)"
    ),
    CountRule.EQUAL_SHARES_ADD1_EXHAUSTIVE: _l(
        "Equal Shares, raising the shares until the budget is spent "
        "(equalshares/add1-until-exhaustive)"
    ),
    CountRule.EQUAL_SHARES_COMPARISON: _l(
        "Equal Shares, or greedy if more voters prefer it (equalshares-comparison)"
    ),
    CountRule.EQUAL_SHARES_ADD1_COMPARISON: _l(
        "Equal Shares with completion, or greedy if more voters "
        "prefer it (equalshares/add1-comparison)"
    ),
    CountRule.PHRAGMEN: _l("Sequential Phragmén (phragmen)"),
    CountRule.TOP_N: _l("The N projects with the highest scores (top-n)"),
}


class VotePolicy(enum.StrEnum):
    """Who may vote (one vote per person)."""

    REGISTERED = "registered"
    CENSUS = "census"
    CODES = "codes"

    @property
    def label(self) -> str:
        return str(VOTE_POLICY_LABELS[self])


VOTE_POLICY_LABELS = {
    VotePolicy.REGISTERED: _l("Registered residents with a home area"),
    VotePolicy.CENSUS: _l("Residents verified against the census"),
    VotePolicy.CODES: _l("Holders of a voting code"),
}


class Area(db.Model):
    """A neighbourhood. Areas outlive cycles; each cycle gives them a budget."""

    __tablename__ = "areas"
    __table_args__ = (
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    # Residents, for turnout against population (statistics); NULL: not known.
    population: Mapped[int | None]


class Cycle(db.Model):
    __tablename__ = "cycles"
    __table_args__ = (
        enum_check("phase", Phase, "phase_valid"),
        enum_check("ballot_rule", BallotRule, "ballot_rule_valid"),
        enum_check("combination", Combination, "combination_valid"),
        enum_check("vote_policy", VotePolicy, "vote_policy_valid"),
        sa.CheckConstraint("district_budget_minor >= 0", name="district_budget_nonnegative"),
        sa.CheckConstraint(
            "max_projects IS NULL OR max_projects > 0", name="max_projects_positive"
        ),
        sa.CheckConstraint("points_total IS NULL OR points_total > 0", name="points_positive"),
        sa.CheckConstraint(
            "coproduction_cap_pct >= 0 AND coproduction_cap_pct <= 100", name="cap_pct_range"
        ),
        sa.CheckConstraint(
            "savings_share_pct >= 0 AND savings_share_pct <= 100", name="savings_share_range"
        ),
        sa.CheckConstraint(
            "answer_within_days >= 1 AND answer_within_days <= 365", name="answer_days_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    tracking_prefix: Mapped[str] = mapped_column(sa.String(8), default="PB")
    next_tracking_seq: Mapped[int] = mapped_column(default=1)
    phase: Mapped[str] = mapped_column(sa.String(16), default=Phase.DRAFT)
    district_budget_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    # The ballot rule: what a voter may put on one ballot.
    ballot_rule: Mapped[str] = mapped_column(sa.String(16), default="budget")
    max_projects: Mapped[int | None]
    points_total: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    max_points_per_project: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))

    # The counting rule (pbplatform.tally) and how channels combine.
    count_rule: Mapped[str] = mapped_column(sa.String(48), default=CountRule.GREEDY)
    count_threshold: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 4))
    count_top_n: Mapped[int | None]
    tie_break: Mapped[str] = mapped_column(sa.String(16), default="default")
    tie_seed: Mapped[str] = mapped_column(sa.String(64), default="")
    channel_weights: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    combination: Mapped[str] = mapped_column(sa.String(16), default="raw")
    vote_policy: Mapped[str] = mapped_column(sa.String(16), default="registered")
    min_age: Mapped[int | None]
    # Set when voting opens; from then on the rules above cannot change.
    rules_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Co-production and austerity.
    hourly_rate_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    coproduction_cap_pct: Mapped[int] = mapped_column(default=50)
    savings_target_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    savings_share_pct: Mapped[int] = mapped_column(default=0)
    # Discussion: a resident's question unanswered this long shows in the officers' queue.
    answer_within_days: Mapped[int] = mapped_column(default=14, server_default="14")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    areas: Mapped[list[CycleArea]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="CycleArea.id"
    )
    phase_dates: Mapped[list[CyclePhase]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="CyclePhase.starts_at"
    )

    @property
    def rules_frozen(self) -> bool:
        return self.rules_frozen_at is not None

    @property
    def current_phase(self) -> Phase:
        """The phase the clock implies now (reads only); see `phase_at`."""
        return self.phase_at(utcnow())

    def phase_at(self, now: datetime) -> Phase:
        """The stored phase, moved on past every later phase whose start date has passed
        (see `phase_at`)."""
        return phase_at(self.phase, {p.phase: p.starts_at for p in self.phase_dates}, now)

    def area_budget(self, area_id: int | None) -> int:
        if area_id is None:
            return self.district_budget_minor
        for ca in self.areas:
            if ca.area_id == area_id:
                return ca.budget_minor
        raise KeyError(area_id)

    def has_area(self, area_id: int | None) -> bool:
        """Whether the area takes part in this cycle (it has a budget here)."""
        return area_id is not None and any(ca.area_id == area_id for ca in self.areas)


def phase_at(stored: str, starts: Mapping[str, datetime], now: datetime) -> Phase:
    """The stored phase, moved on past every later phase whose start date has passed.

    Nothing is written: `flask pb advance-phases` stores due phases (from a timer). The clock
    never opens voting by itself, because opening it freezes the rules and checks the ballot, a
    write that timer (or an admin) makes; it does close voting (INV-4).
    """
    phase = Phase(stored)
    for later in phase.later:
        start = starts.get(later)
        if later == Phase.VOTING or start is None or start > now:
            break
        phase = later
    return phase


@dataclass(frozen=True, slots=True)
class CastCycle:
    """What casting one ballot reads of a cycle, read in one statement under the cast's
    shared lock (voting.services.read_cycle_for_cast), in place of the ORM `Cycle` with its
    phase dates and areas. `area_id` is the voter's area, with its budget, if it takes part.
    The rule check and casting read either (voting.services.BallotCycle)."""

    id: int
    phase: str
    ballot_rule: str
    max_projects: int | None
    points_total: Decimal | None
    max_points_per_project: Decimal | None
    currency: str
    district_budget_minor: int
    vote_policy: str
    min_age: int | None
    starts: Mapping[str, datetime]
    area_id: int | None
    area_budget_minor: int | None
    public_key: str | None  # the ballot box's, once its first ballot recorded it

    @property
    def current_phase(self) -> Phase:
        return phase_at(self.phase, self.starts, utcnow())

    def area_budget(self, area_id: int | None) -> int:
        if area_id is None:
            return self.district_budget_minor
        if area_id != self.area_id or self.area_budget_minor is None:
            raise KeyError(area_id)
        return self.area_budget_minor

    def has_area(self, area_id: int | None) -> bool:
        return (
            area_id is not None and area_id == self.area_id and self.area_budget_minor is not None
        )


class CycleArea(db.Model):
    __tablename__ = "cycle_areas"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "area_id"),
        sa.CheckConstraint("budget_minor >= 0", name="budget_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"))
    budget_minor: Mapped[int] = mapped_column(sa.BigInteger)

    cycle: Mapped[Cycle] = relationship(back_populates="areas")
    # Joined: a page listing a cycle's areas by name reads them with the cycle's areas, not
    # one statement per area (tests/proposals/test_list_queries.py).
    area: Mapped[Area] = relationship(lazy="joined", innerjoin=True)


class CyclePhase(db.Model):
    """When a phase starts by the calendar; `flask pb advance-phases` stores it, pages read it."""

    __tablename__ = "cycle_phases"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "phase"),
        enum_check("phase", Phase, "phase_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(sa.String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)

    cycle: Mapped[Cycle] = relationship(back_populates="phase_dates")
