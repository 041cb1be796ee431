"""Officers reviewing offers: the queue, one offer's page and the decisions on it."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from pbplatform.audit import services as audit
from pbplatform.coproduction import services
from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.coproduction.forms import (
    AcceptForm,
    DeclineForm,
    DeliveryForm,
    LapseForm,
    LinkForm,
)
from pbplatform.coproduction.models import Offer, OfferStatus
from pbplatform.coproduction.panel import officer_forms
from pbplatform.coproduction.views import bp
from pbplatform.coproduction.views.common import (
    area_of,
    find_proposal,
    locked_offer,
)
from pbplatform.delivery.services import schedule_open_data
from pbplatform.errors import DomainError, show_refusal
from pbplatform.extensions import db
from pbplatform.money import to_minor
from pbplatform.security.access import officer_required, require_area
from pbplatform.security.redirects import safe_next
from pbplatform.vocabulary import member_of

AMOUNT = re.compile(r"\d{1,12}(?:[.,]\d{1,2})?")


def parse_amount(text: str | None) -> int | None:
    """'150', '150.5' or '150,50' -> minor units; empty -> None; anything else is refused
    (thousands separators are ambiguous between locales, so they are not guessed)."""
    text = (text or "").strip()
    if not text:
        return None
    if not AMOUNT.fullmatch(text):
        raise DomainError(
            "bad_value",
            _("Enter the value as an amount without thousands separators, like 1500.00."),
            field="value",
        )
    return to_minor(text.replace(",", "."))


def _officer_offer(offer_id: int) -> Offer:
    offer = locked_offer(offer_id)
    if offer is None:
        abort(404)
    if offer.proposal is not None:  # an offer not linked yet is any officer's to triage
        require_area(area_of(offer))
    return offer


@bp.get("/officer/offers")
@officer_required
def queue() -> ResponseReturnValue:
    status = member_of(OfferStatus, request.args.get("status")) or OfferStatus.OFFERED
    offers = services.review_queue(current_user, (status,))
    return render_template(
        "coproduction/queue.html",
        offers=offers,
        status=status,
    )


@bp.get("/officer/offers/<int:offer_id>")
@officer_required
def review(offer_id: int) -> ResponseReturnValue:
    offer = _officer_offer(offer_id)
    return _review_page(offer, officer_forms(offer))


def _review_page(offer: Offer, forms: dict[str, FlaskForm], status: int = 200):
    costs = cost_breakdown([offer.proposal])[offer.proposal.id] if offer.proposal else None
    return render_template(
        "coproduction/review.html",
        offer=offer,
        forms=forms,
        costs=costs,
        suggested=services.hours_value(offer),
    ), status


def _officer_action(offer_id: int, name: str, act) -> ResponseReturnValue:
    """Validate the named form, run the service, and on refusal show the review page again."""
    offer = _officer_offer(offer_id)
    forms = officer_forms(offer)
    form = forms[name]
    if not form.validate_on_submit():
        return _review_page(offer, forms, 422)
    try:
        message = act(offer, form)
    except DomainError as exc:
        # Discards the attempt, then keeps a record of the refusal (an officer action).
        audit.record_refusal(
            f"offer.{name}", offer, after={"code": exc.code}, area_id=area_of(offer)
        )
        db.session.refresh(offer)
        show_refusal(form, exc)
        flash(exc.message, "error")
        return _review_page(offer, forms, exc.status)
    if offer.cycle.phase in services.DELIVERY_PHASES:
        # The cycle's open data lists offers and what was delivered (pbplatform/delivery).
        schedule_open_data(offer.cycle, current_user)
    flash(message, "success")
    target = request.form.get("next") or request.args.get("next")
    return redirect(safe_next(target, ".queue"), code=303)


@bp.post("/officer/offers/<int:offer_id>/accept")
@officer_required
def accept(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: AcceptForm) -> str:
        value = parse_amount(form.value.data)
        services.accept_offer(offer, current_user, value_minor=value, basis=form.basis.data)
        return _("Offer accepted.")

    return _officer_action(offer_id, "accept", act)


@bp.post("/officer/offers/<int:offer_id>/decline")
@officer_required
def decline(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: DeclineForm) -> str:
        services.decline_offer(offer, current_user, form.reason.data)
        return _("Offer declined.")

    return _officer_action(offer_id, "decline", act)


@bp.post("/officer/offers/<int:offer_id>/deliveries")
@officer_required
def record_delivery(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: DeliveryForm) -> str:
        quantity: Decimal | None = form.quantity.data
        services.record_delivery(
            offer,
            current_user,
            delivered_on=form.delivered_on.data,
            description=form.description.data,
            quantity=quantity,
            complete=form.complete.data,
        )
        return _("Delivery recorded.")

    return _officer_action(offer_id, "delivery", act)


@bp.post("/officer/offers/<int:offer_id>/lapse")
@officer_required
def lapse(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: LapseForm) -> str:
        services.lapse_offer(offer, current_user, form.note.data)
        return _("The lapse is recorded and shown on the proposal page.")

    return _officer_action(offer_id, "lapse", act)


@bp.post("/officer/offers/<int:offer_id>/link")
@officer_required
def link(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: LinkForm) -> str:
        proposal = find_proposal(form.proposal.data)
        if proposal is None:
            raise DomainError(
                "unknown_proposal", _("No proposal with this tracking number."), field="proposal"
            )
        require_area(proposal.area_id)
        services.link_offer(offer, proposal, current_user)
        return _("Offer linked to %(number)s.", number=proposal.tracking_number)

    return _officer_action(offer_id, "link", act)
