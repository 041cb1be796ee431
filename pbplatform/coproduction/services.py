"""Co-production offers: make, withdraw, link, value (accept), decline, deliver, lapse.

Every status change goes through `_move`, which enforces TRANSITIONS; officer actions are
audited. Services flush, never commit (the request commits once).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.coproduction.models import (
    COUNTED_STATUSES,
    Offer,
    OfferDelivery,
    OfferKind,
    OfferStatus,
)
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.db import today
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.money import to_minor
from pbplatform.proposals.models import EventKind, Proposal, ProposalStatus
from pbplatform.security.access import require_remit
from pbplatform.vocabulary import member_of

# Residents may offer help while the cycle takes proposals, reviews them or votes, and on a
# funded project while it is delivered (issue 15: DELIVERY_PHASES, see `takes_offers`).
OPEN_PHASES = (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING)
DELIVERY_PHASES = (Phase.RESULTS,)
# While ballots are cast and counted the net cost voters saw must not change.
COST_LOCKED_PHASES = (Phase.VOTING, Phase.COUNTING)
CLOSED_PROPOSAL_STATUSES = (
    ProposalStatus.WITHDRAWN,
    ProposalStatus.REJECTED,
    ProposalStatus.MERGED,
)
LABOUR_KINDS = (OfferKind.VOLUNTEER_HOURS, OfferKind.MAINTENANCE, OfferKind.PROFESSIONAL_SERVICE)
HOUR_UNITS = ("hour", "hours", "h", "hr", "hrs", "stunde", "stunden", "std")
MAX_QUANTITY = Decimal("9999999999")

TRANSITIONS: dict[str, frozenset[str]] = {
    OfferStatus.OFFERED: frozenset(
        {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN}
    ),
    OfferStatus.ACCEPTED: frozenset(
        {
            OfferStatus.DECLINED,
            OfferStatus.FULFILLED,
            OfferStatus.PARTLY_FULFILLED,
            OfferStatus.LAPSED,
            OfferStatus.WITHDRAWN,
        }
    ),
    OfferStatus.PARTLY_FULFILLED: frozenset(
        {OfferStatus.PARTLY_FULFILLED, OfferStatus.FULFILLED, OfferStatus.LAPSED}
    ),
    OfferStatus.DECLINED: frozenset(),
    OfferStatus.FULFILLED: frozenset(),
    OfferStatus.LAPSED: frozenset(),
    OfferStatus.WITHDRAWN: frozenset(),
}


def _move(offer: Offer, to: str) -> None:
    """The one place a status changes: refuse what the table does not allow."""
    if to not in TRANSITIONS.get(offer.status, frozenset()):
        raise DomainError(
            "offer_transition",
            _(
                "This offer is %(status)s and cannot become %(to)s.",
                status=offer.status.replace("_", " "),
                to=to.replace("_", " "),
            ),
            status=409,
        )
    if (offer.status in COUNTED_STATUSES) != (to in COUNTED_STATUSES):
        _require_costs_unlocked(offer)
    offer.status = to


def _require_costs_unlocked(offer: Offer) -> None:
    if offer.proposal is not None and offer.cycle.phase in COST_LOCKED_PHASES:
        raise _costs_frozen()


def _costs_frozen() -> DomainError:
    return DomainError(
        "costs_frozen",
        _(
            "Net costs cannot change while voting or counting is under way; record it after "
            "the results."
        ),
        status=409,
    )


def _require_officer(user: User, offer: Offer | None = None) -> None:
    if not user.is_officer:
        raise DomainError("forbidden", _("Only council officers can do this."), status=403)
    # An offer not linked to a proposal yet is any officer's to triage; a linked one follows
    # its proposal's area (district-wide proposals need an officer with district scope).
    if offer is not None and offer.proposal and not user.can_act_on_area(offer.proposal.area_id):
        raise DomainError("forbidden", _("This offer is outside your areas."), status=403)


def _snapshot(offer: Offer) -> dict[str, Any]:
    return {
        "status": offer.status,
        "value_minor": offer.value_minor,
        "proposal_id": offer.proposal_id,
    }


def _audit(action: str, offer: Offer, before: dict[str, Any], officer: User) -> None:
    area_id = offer.proposal.area_id if offer.proposal is not None else None
    audit.record(
        action, offer, before=before, after=_snapshot(offer), actor=officer, area_id=area_id
    )


def _event(offer: Offer, kind: str, note: str) -> None:
    """A step of the proposal's public life history (its followers are notified)."""
    if offer.proposal is not None:
        from pbplatform.proposals.services import add_event

        add_event(offer.proposal, kind, note)


def _follow(offer: Offer) -> None:
    """Co-producers follow the proposal they offered help on."""
    if offer.proposal is not None and offer.offerer is not None:
        from pbplatform.notifications.services import follow  # it imports proposals

        follow(offer.offerer, proposal=offer.proposal)


def _check_proposal(proposal: Proposal) -> None:
    if proposal.status in CLOSED_PROPOSAL_STATUSES or proposal.is_hidden:
        raise DomainError(
            "proposal_closed",
            _("Offers cannot be made on a proposal that is withdrawn, rejected or merged."),
            status=409,
        )
    if proposal.is_saving:
        raise DomainError(
            "proposal_is_saving", _("Offers of help are for spending proposals, not savings.")
        )


def _check_quantity(quantity: Decimal | None, field: str = "quantity") -> Decimal:
    if quantity is None or not isinstance(quantity, Decimal) or not quantity.is_finite():
        raise DomainError("bad_quantity", _("Enter a quantity as a number."), field=field)
    if quantity <= 0:
        raise DomainError("bad_quantity", _("The quantity must be more than zero."), field=field)
    if quantity > MAX_QUANTITY or quantity != quantity.quantize(Decimal("0.01")):
        raise DomainError(
            "bad_quantity",
            _("The quantity is too large or has more than two decimals."),
            field=field,
        )
    return quantity


def _clean(text: str | None, limit: int | None = None) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    return text[:limit] if limit else text


def takes_offers(proposal: Proposal) -> bool:
    """Whether residents may offer help on this proposal now: while the cycle is open, or
    during delivery if it was funded."""
    phase = proposal.cycle.phase
    if phase in OPEN_PHASES:
        return True
    if phase not in DELIVERY_PHASES:
        return False
    from pbplatform.delivery.queries import deliverable  # delivery builds on co-production

    return deliverable(proposal) is not None


# Complexity: one guard per rule an offer must meet (phase, proposal state, kind, quantity, area);
# each refusal names its rule, so they stay flat rather than hidden in helpers.
def make_offer(
    *,
    by: User,
    kind: str,
    quantity: Decimal,
    unit: str | None,  # blank or None is refused below, with a message
    description: str | None,
    proposal: Proposal | None = None,
    cycle: Cycle | None = None,
    schedule: str | None = None,
    duration: str | None = None,
    conditions: str | None = None,
    only_if_funded: bool = True,
    is_anonymous: bool = False,
    offerer_name: str | None = None,
) -> Offer:
    """A resident offers help (on a proposal or none yet); an officer may enter one for
    someone else by giving `offerer_name`."""
    cycle = proposal.cycle if proposal is not None else cycle
    is_open = takes_offers(proposal) if proposal is not None else False
    if cycle is None or not (is_open or cycle.phase in OPEN_PHASES):
        raise DomainError(
            "cycle_closed", _("Offers can only be made while a cycle is open."), status=409
        )
    if proposal is not None:
        _check_proposal(proposal)
    if member_of(OfferKind, kind) is None:
        raise DomainError("bad_kind", _("Choose what kind of help you offer."), field="kind")
    quantity = _check_quantity(quantity)
    unit, description = _clean(unit, 40), _clean(description)
    if kind == OfferKind.VOLUNTEER_HOURS:
        unit = "hours"
    if kind == OfferKind.MONEY:
        unit = cycle.currency
    if not unit or not description:
        raise DomainError("missing", _("Give a unit and describe what you offer."))
    on_behalf = _clean(offerer_name, 120) if by.is_officer else None
    offer = Offer(
        cycle=cycle,
        proposal=proposal,
        kind=kind,
        quantity=quantity,
        unit=unit,
        description=description,
        schedule=_clean(schedule, 200),
        duration=_clean(duration, 120),
        conditions=_clean(conditions),
        only_if_funded=only_if_funded,
        is_anonymous=is_anonymous,
        status=OfferStatus.OFFERED,
        offerer_id=None if on_behalf else by.id,
        offerer_name=on_behalf,
        entered_by_id=by.id if on_behalf else None,
    )
    db.session.add(offer)
    db.session.flush()
    _follow(offer)
    if on_behalf:
        _audit("offer.entered", offer, {}, by)
    return offer


def withdraw_offer(offer: Offer, user: User) -> Offer:
    """The offerer takes an offer back (officers may for offers they entered on behalf)."""
    own = offer.offerer_id == user.id
    if not own and not (user.is_officer and offer.offerer_id is None):
        raise DomainError("forbidden", _("You can only withdraw your own offers."), status=403)
    before = _snapshot(offer)
    _move(offer, OfferStatus.WITHDRAWN)
    db.session.flush()
    if not own:
        _audit("offer.withdrawn", offer, before, user)
    return offer


def link_offer(offer: Offer, proposal: Proposal, officer: User) -> Offer:
    """Attach an offer (usually one made without a proposal) to a proposal of its cycle."""
    _require_officer(officer, offer)
    require_remit(officer, proposal)
    if proposal.cycle_id != offer.cycle_id:
        raise DomainError("other_cycle", _("The proposal belongs to another cycle."))
    if offer.status not in (OfferStatus.OFFERED, OfferStatus.ACCEPTED):
        raise DomainError("offer_transition", _("Only open offers can be linked."), status=409)
    _check_proposal(proposal)
    if offer.status in COUNTED_STATUSES and offer.cycle.phase in COST_LOCKED_PHASES:
        raise _costs_frozen()
    before = _snapshot(offer)
    offer.proposal = proposal
    db.session.flush()
    _follow(offer)
    _audit("offer.linked", offer, before, officer)
    return offer


def hours_value(offer: Offer) -> int | None:
    """Labour in hours at the cycle's published hourly rate; money at face value."""
    if offer.kind == OfferKind.MONEY:
        return to_minor(offer.quantity)
    rate = offer.cycle.hourly_rate_minor
    if offer.kind in LABOUR_KINDS and offer.unit.strip().lower() in HOUR_UNITS and rate > 0:
        return int((offer.quantity * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return None


def accept_offer(
    offer: Offer, officer: User, value_minor: int | None = None, basis: str | None = None
) -> Offer:
    """Value and accept an offer. Labour in hours defaults to hours x the cycle's rate."""
    _require_officer(officer, offer)
    basis = _clean(basis)
    if value_minor is None:
        value_minor = hours_value(offer)
        if value_minor is None:
            raise DomainError(
                "value_required",
                _("Enter the money value of this offer (there is no published rate for it)."),
                field="value",
            )
        if basis is None:  # the rule set it: said in the reader's language (shown_basis)
            rate = None if offer.kind == OfferKind.MONEY else offer.cycle.hourly_rate_minor
            return _accept(offer, officer, value_minor, None, rate)
    if isinstance(value_minor, bool) or not isinstance(value_minor, int) or value_minor < 0:
        raise DomainError("bad_value", _("The value must be zero or more."), field="value")
    if basis is None:
        raise DomainError("basis_required", _("Say how the value was set."), field="basis")
    return _accept(offer, officer, value_minor, basis, None)


def _accept(
    offer: Offer, officer: User, value_minor: int, basis: str | None, rate: int | None
) -> Offer:
    before = _snapshot(offer)
    _move(offer, OfferStatus.ACCEPTED)
    offer.value_minor, offer.value_basis, offer.reviewed_by_id = value_minor, basis, officer.id
    offer.value_rate_minor = rate
    db.session.flush()
    _audit("offer.accepted", offer, before, officer)
    # The value, not a sentence: each reader reads it in their language (accepted_said).
    _event(offer, EventKind.OFFER_ACCEPTED, str(value_minor))
    return offer


def decline_offer(offer: Offer, officer: User, reason: str | None) -> Offer:
    _require_officer(officer, offer)
    reason = _clean(reason)
    if reason is None:
        raise DomainError("reason_required", _("Give a reason for declining."), field="reason")
    before = _snapshot(offer)
    _move(offer, OfferStatus.DECLINED)
    offer.decline_reason, offer.reviewed_by_id = reason, officer.id
    db.session.flush()
    _audit("offer.declined", offer, before, officer)
    if offer.offerer_id is not None:  # only the offerer hears why: a decline is not public
        from pbplatform.notifications.services import notify_user

        notify_user(offer.offerer_id, "offer_declined", offer.proposal, offer.cycle_id, reason)
    return offer


def record_delivery(
    offer: Offer,
    officer: User,
    *,
    delivered_on: date,
    description: str | None,
    quantity: Decimal | None = None,
    complete: bool = False,
) -> OfferDelivery:
    """Log what was delivered; the offer becomes fulfilled or partly fulfilled."""
    _require_officer(officer, offer)
    if quantity is not None:
        quantity = _check_quantity(quantity)
    description = _clean(description)
    if description is None:
        raise DomainError("missing", _("Describe what was delivered."), field="description")
    if delivered_on is None or delivered_on > today():
        raise DomainError(
            "bad_date", _("The delivery date cannot be in the future."), field="delivered_on"
        )
    before = _snapshot(offer)
    # Decide before logging: the new delivery joins offer.deliveries as soon as it is built.
    done = complete or offer.delivered_quantity + (quantity or 0) >= offer.quantity
    delivery = OfferDelivery(
        offer=offer,
        delivered_on=delivered_on,
        description=description,
        quantity=quantity,
        confirmed_by_id=officer.id,
    )
    db.session.add(delivery)
    _move(offer, OfferStatus.FULFILLED if done else OfferStatus.PARTLY_FULFILLED)
    db.session.flush()
    _audit("offer.delivery_recorded", offer, before, officer)
    return delivery


def lapse_offer(offer: Offer, officer: User, note: str | None) -> Offer:
    """After the results: an accepted offer will not be (fully) delivered; say what happens."""
    _require_officer(officer, offer)
    note = _clean(note)
    if note is None:
        raise DomainError(
            "note_required", _("Say what happens next for the proposal."), field="note"
        )
    if offer.cycle.phase != Phase.RESULTS:
        raise DomainError("too_early", _("Offers lapse only after the results."), status=409)
    before = _snapshot(offer)
    _move(offer, OfferStatus.LAPSED)
    offer.lapse_note = note
    db.session.flush()
    _audit("offer.lapsed", offer, before, officer)
    _event(offer, EventKind.OFFER_LAPSED, note)
    return offer


# --- queries ---------------------------------------------------------------------------


def public_offers(proposal: Proposal) -> list[Offer]:
    return list(
        db.session.scalars(
            sa.select(Offer)
            .where(Offer.proposal_id == proposal.id, Offer.status != OfferStatus.WITHDRAWN)
            .options(selectinload(Offer.offerer), selectinload(Offer.deliveries))
            .order_by(Offer.created_at, Offer.id)
        )
    )


def offers_of(user: User) -> list[Offer]:
    return list(
        db.session.scalars(
            sa.select(Offer).where(Offer.offerer_id == user.id).order_by(Offer.id.desc())
        )
    )


def review_queue(officer: User, statuses: tuple[str, ...]) -> list[Offer]:
    """Offers an officer may act on: in their areas (district-wide ones with district scope),
    or not yet linked."""
    offers = db.session.scalars(
        sa.select(Offer).where(Offer.status.in_(statuses)).order_by(Offer.created_at, Offer.id)
    )
    return [o for o in offers if o.proposal is None or officer.can_act_on_area(o.proposal.area_id)]


def open_cycles() -> list[Cycle]:
    return list(
        db.session.scalars(
            sa.select(Cycle).where(Cycle.phase.in_(OPEN_PHASES)).order_by(Cycle.created_at.desc())
        )
    )
