"""Demo steps of the proposals and review phases: submissions, moderation and help offered."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from pbplatform.accounts.models import User
from pbplatform.coproduction import services as coproduction
from pbplatform.coproduction.models import OfferKind
from pbplatform.cycles import services as cycles
from pbplatform.cycles.models import Phase
from pbplatform.db import today
from pbplatform.demo import data
from pbplatform.demo.loop import merge_with_consent
from pbplatform.demo.state import CALENDAR, Demo, by_label, minor
from pbplatform.moderation import services as moderation
from pbplatform.proposals import services as proposals
from pbplatform.proposals.models import Proposal, ProposalKind, ProposalStatus


def _received(rng: random.Random) -> date:
    return min(today(), (CALENDAR[Phase.PROPOSALS] + timedelta(days=rng.randint(3, 50))).date())


def _submit(
    demo: Demo,
    title: str,
    area: str | None,
    category: str,
    cost: int,
    description: str,
    author: User,
    *,
    kind: str = "spending",
    saving: int | None = None,
) -> Proposal:
    rng, officer = demo.rng, demo.staff["officer"]
    data_in = proposals.ProposalInput(
        title=title,
        description=description,
        category=category,
        area_id=demo.areas[area].id if area else None,
        estimated_cost_minor=minor(cost),
        kind=kind,
        savings_per_year_minor=minor(saving) if saving else None,
    )
    if title in data.OFFLINE_INTAKE:
        channel, contact = data.OFFLINE_INTAKE[title]
        if contact:
            data_in.contact_name, data_in.contact_details = contact, "by post, address on file"
            data_in.contact_consent = True
        proposal = proposals.submit_proposal(
            demo.cycle,
            None,
            data_in,
            channel=channel,
            entered_by=officer,
            received_on=_received(rng),
        )
    else:
        proposal = proposals.submit_proposal(demo.cycle, author, data_in)
    demo.proposals[title] = proposal
    return proposal


def submit_proposals(demo: Demo) -> None:
    authors = iter(demo.residents[:40] * 2)
    mine = {
        "Benches and shade at Fennpfuhl pond",
        "Night bus stop shelter",
        "More benches at the pond",
    }
    for title, area, category, cost, _status, description in data.PROPOSALS:
        author = demo.resident if title in mine else next(authors)
        _submit(demo, title, area, category, cost, description, author)
    for title, saving, description, _impact in data.SAVINGS:
        _submit(
            demo,
            title,
            None,
            "other",
            0,
            description,
            next(authors),
            kind=ProposalKind.SAVING,
            saving=saving,
        )
    title, area, category, cost, description = data.ABUSIVE
    abusive = _submit(demo, title, area, category, cost, description, next(authors))
    for flagger in demo.residents[50:53]:
        proposals.flag_proposal(abusive, flagger, "Insults people who use the youth club.")
    withdrawn = [p for p in data.PROPOSALS if p[4] == ProposalStatus.WITHDRAWN]
    for title, *_rest in withdrawn:
        proposal = demo.proposals[title]
        proposals.withdraw_proposal(proposal, proposal.author)


def _approve(demo: Demo, title: str) -> None:
    proposal = demo.proposals[title]
    if proposal.status == ProposalStatus.APPROVED:
        return
    officer = demo.staff["officer"]
    if proposal.area is not None and proposal.area.code == "FEN":
        officer = demo.staff["fen_officer"]
    impact = next((s[3] for s in data.SAVINGS if s[0] == title), None)
    cost = (
        0
        if proposal.is_saving
        else minor(data.OFFICER_COSTS.get(title, proposal.estimated_cost_minor // 100))
    )
    feasibility = (
        "Feasible. The responsible department can deliver it within a year; the "
        "cost estimate includes planning and VAT."
        if not proposal.is_saving
        else "Feasible from the next budget year."
    )
    moderation.approve_proposal(proposal, officer, cost, feasibility, impact)


def early_moderation(demo: Demo) -> None:
    """While proposals still come in, officers already approve a few and reject the pool."""
    for title, *_rest in data.PROPOSALS[:24:3]:
        _approve(demo, title)
    pool = "Heated outdoor swimming pool in Karlshorst"
    moderation.reject_proposal(
        demo.proposals[pool], demo.staff["officer"], data.REJECTION_REASONS[pool]
    )
    abusive = demo.proposals[data.ABUSIVE[0]]
    moderation.hide_proposal(abusive, demo.staff["fen_officer"], "Insulting language.")


def review(demo: Demo) -> None:
    cycles.open_phase(demo.cycle, Phase.REVIEW, actor=demo.staff["officer"])
    for title, _area, _cat, _cost, status, _desc in data.PROPOSALS:
        if status == ProposalStatus.APPROVED:
            _approve(demo, title)
    for title, *_rest in data.SAVINGS:
        _approve(demo, title)
    merged = [p[0] for p in data.PROPOSALS if p[4] == ProposalStatus.MERGED]
    target = demo.proposals["Benches and shade at Fennpfuhl pond"]
    merge_with_consent(demo, [demo.proposals[t] for t in merged], target)
    abusive = demo.proposals[data.ABUSIVE[0]]
    moderation.reject_proposal(
        abusive, demo.staff["fen_officer"], data.REJECTION_REASONS[data.ABUSIVE[0]]
    )
    moderation.resolve_flags(abusive, demo.staff["fen_officer"])


# Complexity: demo data: one offer per case the demo shows.
def offer_help(demo: Demo, *, review: bool) -> None:
    """Offers come in while proposals are collected; officers review them before voting."""
    officer = demo.staff["officer"]
    if not review:  # help offered without a proposal yet; an officer links it in review
        demo.offers["unlinked"] = coproduction.make_offer(
            by=by_label(demo, "resident 9"),
            kind=OfferKind.VOLUNTEER_HOURS,
            quantity=Decimal(20),
            unit="hours",
            description="Twenty hours of help with any gardening project in Friedrichsfelde.",
            cycle=demo.cycle,
            schedule="Weekends",
        )
    else:
        garden = demo.proposals["Neighbourhood garden on Sewanstraße"]
        coproduction.link_offer(demo.offers["unlinked"], garden, officer)
        coproduction.accept_offer(demo.offers["unlinked"], officer)
    for key, title, who, kind, qty, unit, text, value, decision, _after in data.OFFERS:
        if not review:
            by = by_label(demo, who) if who.startswith("resident ") else officer
            demo.offers[key] = coproduction.make_offer(
                by=by,
                kind=kind,
                quantity=Decimal(qty),
                unit=unit,
                description=text,
                proposal=demo.proposals[title],
                schedule="2027",
                offerer_name=None if who.startswith("resident ") else who,
            )
            continue
        offer = demo.offers[key]
        if decision == "accept":
            coproduction.accept_offer(
                offer,
                officer,
                minor(value) if value else None,
                "Valued by the parks department." if value else None,
            )
        elif decision == "decline":
            coproduction.decline_offer(offer, officer, data.DECLINE_REASON)
        elif decision == "withdraw":
            coproduction.withdraw_offer(offer, offer.offerer)
