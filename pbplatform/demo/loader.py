"""Build the demo cycle through the real services, into the proposals, voting or results phase.

`load_demo(phase)` deletes the previous demo cycle (slug DEMO_SLUG, with everything hanging off
it) and rebuilds it step by step as people would: residents and officers submit, officers
moderate, value offers, voting opens, ballots come in by every channel, the count runs and a
second officer publishes it. Deterministic content (random.Random(2026)); voting codes and
ballot ids are random by design. Flushes only: the CLI commits. Services format money and
translate, so run it inside a request context (the command does).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from pbplatform.audit import services as audit
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.channels.models import (
    Channel,
    Meeting,
    MeetingCountEntry,
    MeetingTotal,
    PaperImport,
)
from pbplatform.coproduction import services as coproduction
from pbplatform.coproduction.models import Offer
from pbplatform.cycles import services as cycles
from pbplatform.cycles.models import BallotRule, Combination, CountRule, Cycle, Phase, VotePolicy
from pbplatform.db import today
from pbplatform.demo import data
from pbplatform.demo.ballots import open_voting, vote
from pbplatform.demo.decisions import NEXT_SLUG, decide_and_route
from pbplatform.demo.delivery import deliver
from pbplatform.demo.intake import early_moderation, offer_help, review, submit_proposals
from pbplatform.demo.loop import announce_meeting, follow_and_discuss
from pbplatform.demo.state import (
    CALENDAR,
    PASSWORD,
    Demo,
    acting_as,
    demo_accounts,
    email,
    make_people,
    minor,
)
from pbplatform.demo.surveys import add_surveys
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal, ProposalStatus
from pbplatform.results import services as results
from pbplatform.voting.models import Ballot, BallotChoice

# Re-exported: the demo command and the tests import them from here.
__all__ = ["DEMO_SLUG", "PASSWORD", "demo_accounts", "email", "load_demo", "summarize"]

DEMO_SLUG = "lichtenberg-2026"
PHASES = (Phase.PROPOSALS, Phase.VOTING, Phase.RESULTS)
WEIGHTS = {Channel.ONLINE: "1", Channel.PAPER: "1", Channel.CODE: "2", Channel.MEETING: "0.5"}


def load_demo(phase: str = Phase.RESULTS) -> Cycle:
    """(Re)create the demo cycle in `phase` (proposals, voting or results). Flushes only."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}")
    delete_demo_cycle()
    demo = make_people(random.Random(2026))
    with acting_as(demo.staff["admin"]):
        _create_cycle(demo)
    submit_proposals(demo)
    early_moderation(demo)
    follow_and_discuss(demo)  # residents in the loop: follows, discussion, amendments
    offer_help(demo, review=False)
    if phase in (Phase.VOTING, Phase.RESULTS):
        review(demo)
        offer_help(demo, review=True)
        open_voting(demo)
        vote(demo)
        announce_meeting(demo)
    if phase == Phase.RESULTS:
        _count_and_publish(demo)
        _report_back(demo)
        decide_and_route(demo)  # the council's decision, forwarded and carried over
    _set_calendar(demo, phase)
    add_surveys(demo, phase)
    return demo.cycle


# --- reset ---------------------------------------------------------------------------------


def delete_demo_cycle() -> bool:
    """Delete the demo cycle and everything under it; True if there was one.

    Most children go by ON DELETE CASCADE from cycles (proposals, offers, ballots, ...). Rows
    that point at proposals or voting sites without a cascade are deleted first.
    """
    cycle_id = db.session.scalar(sa.select(Cycle.id).where(Cycle.slug == DEMO_SLUG))
    if cycle_id is None:
        return False
    db.session.flush()
    ballots = sa.select(Ballot.id).where(Ballot.cycle_id == cycle_id)
    meetings = sa.select(Meeting.id).where(Meeting.cycle_id == cycle_id)
    for stmt in (
        sa.delete(BallotChoice).where(BallotChoice.ballot_id.in_(ballots)),
        # next year's demo cycle, with the proposal carried over into it (demo.decisions)
        sa.delete(Cycle).where(Cycle.slug == NEXT_SLUG),
        sa.delete(MeetingCountEntry).where(MeetingCountEntry.meeting_id.in_(meetings)),
        sa.delete(MeetingTotal).where(MeetingTotal.meeting_id.in_(meetings)),
        sa.delete(PaperImport).where(PaperImport.cycle_id == cycle_id),
        sa.update(Proposal)
        .where(Proposal.cycle_id == cycle_id, Proposal.merged_into_id.is_not(None))
        .values(status=ProposalStatus.WITHDRAWN, merged_into_id=None),
        sa.delete(Cycle).where(Cycle.id == cycle_id),
    ):
        db.session.execute(stmt.execution_options(synchronize_session=False))
    db.session.expire_all()
    audit.record("demo.reset", after={"slug": DEMO_SLUG, "deleted_cycle_id": cycle_id})
    return True


# --- cycle ---------------------------------------------------------------------------------


def _create_cycle(demo: Demo) -> None:
    values = {
        "name": "Lichtenberg citizens' budget 2026",
        "slug": DEMO_SLUG,
        "currency": "EUR",
        "tracking_prefix": "LI",
        "district_budget_minor": minor(data.DISTRICT_BUDGET),
        "hourly_rate_minor": minor(25),
        "coproduction_cap_pct": 50,
        "savings_target_minor": minor(data.SAVINGS_TARGET),
        "savings_share_pct": data.SAVINGS_SHARE_PCT,
    }
    budgets = {demo.areas[code].id: minor(budget) for _n, code, budget in data.AREAS}
    # Only the proposals date now (it names the year in tracking numbers); the rest at the end,
    # so the calendar cannot move the cycle on while it is being built.
    cycle = cycles.create_cycle(values, budgets, {Phase.PROPOSALS: CALENDAR[Phase.PROPOSALS]})
    cycles.update_rules(
        cycle,
        {
            "ballot_rule": BallotRule.BUDGET,
            "count_rule": CountRule.GREEDY,
            "tie_break": "default",
            "tie_seed": "lichtenberg-2026",
            "channel_weights": dict(WEIGHTS),
            "combination": Combination.RAW,
            "vote_policy": VotePolicy.REGISTERED,
        },
    )
    demo.cycle = cycles.open_phase(cycle, Phase.PROPOSALS, actor=demo.staff["admin"])


# --- results -------------------------------------------------------------------------------


def _count_and_publish(demo: Demo) -> None:
    officer, officer2 = demo.staff["officer"], demo.staff["officer2"]
    cycles.open_phase(demo.cycle, Phase.COUNTING, actor=officer)
    version = results.run_count(demo.cycle, officer)
    results.publish_results(version, officer2)
    cycles.open_phase(demo.cycle, Phase.RESULTS, actor=officer2)


def _report_back(demo: Demo) -> None:
    """Offers delivered after the count, then delivery of the funded projects (demo.delivery)."""
    officer = demo.staff["officer"]
    delivered = min(today(), date(2026, 10, 15))
    for key, *_rest, after in data.OFFERS:
        offer = demo.offers[key]
        if after == "fulfil":
            coproduction.record_delivery(
                offer,
                officer,
                delivered_on=delivered,
                description="Delivered as offered.",
                quantity=offer.quantity,
            )
        elif after == "partly":
            coproduction.record_delivery(
                offer,
                officer,
                delivered_on=delivered,
                description="First instalment paid.",
                quantity=offer.quantity * Decimal("0.4"),
            )
        elif after == "lapse":
            coproduction.lapse_offer(offer, officer, data.LAPSE_NOTE)
    deliver(demo)


def _set_calendar(demo: Demo, phase: str) -> None:
    """Past phases keep their 2026 dates; phases still to come start after today."""
    order = list(Phase)
    reached = order.index(Phase(demo.cycle.phase))
    dates, shift = {}, timedelta(0)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for name, when in CALENDAR.items():
        if order.index(name) > reached and when + shift <= now:
            shift = now + timedelta(days=21) - when
        dates[name] = when + shift if order.index(name) > reached else when
    cycle = demo.cycle
    with acting_as(demo.staff["admin"]):
        cycles.update_cycle(
            cycle, {"slug": cycle.slug}, {ca.area_id: ca.budget_minor for ca in cycle.areas}, dates
        )


def summarize(cycle: Cycle) -> dict[str, Any]:
    """Counts for the command's output: proposals by status, offers by state, ballots by channel."""

    def grouped(column: Any, where: Any) -> dict[str, int]:
        rows = db.session.execute(
            sa.select(column, sa.func.count()).where(where).group_by(column).order_by(column)
        )
        return {str(k): n for k, n in rows}

    return {
        "phase": cycle.phase,
        "proposals": grouped(Proposal.status, Proposal.cycle_id == cycle.id),
        "offers": grouped(Offer.status, Offer.cycle_id == cycle.id),
        # Sealed while voting is open, in `ballots` once it has closed.
        "ballots": grouped(Ballot.channel, Ballot.cycle_id == cycle.id)
        | grouped(SealedBallot.channel, SealedBallot.cycle_id == cycle.id),
        "meetings": db.session.scalar(
            sa.select(sa.func.count(Meeting.id)).where(Meeting.cycle_id == cycle.id)
        ),
    }
